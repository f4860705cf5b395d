// Internal: parse_dns_message() into a message the caller owns, so the
// resolver decodes an answer straight into the result its callback gets
// (the public call returns a new DnsParseResult, which the resolver then
// moved twice more on the way to the result).
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "netreactor/dns_record.hpp"
#include "netreactor/error.hpp"

namespace netreactor {

// Decodes `bytes` into `out`: a default-constructed DnsMessage, or one
// decoded before whose storage is reused (its strings' and vectors' buffers;
// every field is overwritten, records left over are erased). nullopt on success; otherwise the Error parse_dns_message() would report
// (code "BADRESP", operation "parse"), and `out` holds part of the message:
// the caller drops it.
std::optional<Error> parse_dns_message_into(std::span<const std::uint8_t> bytes, const DnsParseOptions& options,
                                            DnsMessage& out);

}  // namespace netreactor
