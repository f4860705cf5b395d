#include "sntp_reply.hpp"

namespace sntp {

const char* check_name(ReplyCheck check) noexcept {
    switch (check) {
        case ReplyCheck::ok: return "ok";
        case ReplyCheck::too_short: return "too_short";
        case ReplyCheck::wrong_mode: return "wrong_mode";
        case ReplyCheck::wrong_version: return "wrong_version";
        case ReplyCheck::origin_mismatch: return "origin_mismatch";
        case ReplyCheck::kiss_of_death: return "kiss_of_death";
        case ReplyCheck::zero_transmit: return "zero_transmit";
        case ReplyCheck::unsynchronized: return "unsynchronized";
    }
    return "?";
}

bool is_bogus(ReplyCheck check) noexcept {
    return check == ReplyCheck::too_short || check == ReplyCheck::wrong_mode || check == ReplyCheck::wrong_version ||
           check == ReplyCheck::origin_mismatch;
}

CheckedReply check_reply(std::span<const char> bytes, NtpTimestamp our_transmit) noexcept {
    CheckedReply result;
    auto packet = decode_packet(bytes);
    if (!packet) return result;
    result.packet = *packet;
    // Is it an answer to us? A failed check here may be anyone's datagram.
    if (packet->mode != mode_server) result.check = ReplyCheck::wrong_mode;
    else if (packet->version < 1 || packet->version > 4) result.check = ReplyCheck::wrong_version;
    else if (packet->origin != our_transmit) result.check = ReplyCheck::origin_mismatch;
    // It is the server's answer: does it carry a time we may use?
    else if (packet->stratum == 0) result.check = ReplyCheck::kiss_of_death;
    else if (packet->transmit == 0) result.check = ReplyCheck::zero_transmit;
    else if (packet->leap == kLeapUnsynchronized || packet->stratum >= kStratumUnsynchronized)
        result.check = ReplyCheck::unsynchronized;
    else result.check = ReplyCheck::ok;
    return result;
}

Sample compute_sample(const Packet& reply, UnixNanos t1, std::int64_t elapsed_ns) noexcept {
    Sample s;
    s.packet = reply;
    s.t1 = t1;
    s.t4 = t1 + elapsed_ns;
    s.t2 = resolve_era(reply.receive, t1);
    s.t3 = resolve_era(reply.transmit, t1);
    // Each difference is within +-68 years (2.2e18 ns): their sum fits in int64.
    s.offset_ns = ((s.t2 - s.t1) + (s.t3 - s.t4)) / 2;
    s.delay_ns = (s.t4 - s.t1) - (s.t3 - s.t2);
    s.time = s.t4 + s.offset_ns;
    s.has_reference = reply.reference != 0;
    if (s.has_reference) s.reference = resolve_era(reply.reference, s.t3);
    return s;
}

double root_distance_seconds(const Sample& sample) noexcept {
    double delay = sample.delay_ns > 0 ? nanos_to_seconds(sample.delay_ns) : 0.0;
    return short_to_seconds(sample.packet.root_dispersion) + (short_to_seconds(sample.packet.root_delay) + delay) / 2;
}

}  // namespace sntp
