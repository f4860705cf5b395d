// One output line per question (docs/json/nr-resolve.schema.json).
#pragma once

#include "json_output.hpp"
#include "question.hpp"

namespace resolve {

nrapp::json answer_json(const Answer& answer);

// A DNS record: owner name, type, numeric TTL, presentation data and the
// type's own fields (TXT strings exact: base64 when not UTF-8).
nrapp::json record_json(const netreactor::DnsRecord& record);

}  // namespace resolve
