// One output line per question (docs/json/nr-resolve.schema.json).
#pragma once

#include <string>

#include "line_buffer.hpp"
#include "question.hpp"

namespace resolve {

// Appends the answer to `question` as one compact JSON object (no newline):
// the owner name, type, numeric TTL, presentation data and the type's own
// fields of each record; TXT and CAA bytes exact (base64 when not UTF-8).
void append_answer_json(const Question& question, const netreactor::DnsQueryResult& result, bool from_hosts_file,
                        LineBuffer& out);
// The same for an Answer.
void append_answer_json(const Answer& answer, LineBuffer& out);
// The same, appended to a string (tests; a buffer made for each call).
void append_answer_json(const Answer& answer, std::string& out);

}  // namespace resolve
