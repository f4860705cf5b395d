#!/usr/bin/env python3
"""nr-resolve's hand-written answer writer: 20,000 varied answers (every record
type and status; escapes, control bytes, multi-byte and invalid UTF-8 in
names, TXT and CAA) must each parse with nlohmann_json to the object nlohmann
builds from the same answer (checked by nr-resolve-answer-json-check), and
every tenth line (jsonschema is slow: 2,000 lines take a second or two) must
validate against docs/json/nr-resolve.schema.json."""
import json
import os
import subprocess
import unittest

import nrtest

CHECK = os.path.join(nrtest.BUILD_DIR, "tests", "apps", "nr-resolve", "nr-resolve-answer-json-check")


class AnswerWriter(unittest.TestCase):
    def test_lines_equal_nlohmann_and_validate_against_the_schema(self):
        import jsonschema
        validator = jsonschema.Draft202012Validator(nrtest.load_schema("nr-resolve"))
        seen_types, seen_statuses, escapes, replaced, base64 = set(), set(), 0, 0, 0
        r = subprocess.run([CHECK, "20000", "12"], capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr.decode(errors="replace"))
        lines = r.stdout.decode("utf-8").splitlines()  # the whole output is UTF-8
        self.assertEqual(len(lines), 20000)
        for n, line in enumerate(lines):
            value = json.loads(line)
            if n % 10 == 0:
                validator.validate(value)
            for record in value["answers"] + value["authority"]:
                seen_types.add(record["type"])
                base64 += record.get("encoding") == "base64"
            seen_statuses.add(value["status"])
            escapes += "\\u00" in line
            replaced += "\ufffd" in value["name"]
        # The input really was varied.
        self.assertTrue({"A", "AAAA", "NS", "CNAME", "SOA", "PTR", "MX", "TXT", "SRV", "CAA", "TYPE99"} <= seen_types, seen_types)
        self.assertEqual(len(seen_statuses), 11, seen_statuses)
        self.assertGreater(escapes, 1000)
        self.assertGreater(replaced, 100)
        self.assertGreater(base64, 100)


if __name__ == "__main__":
    nrtest.main()
