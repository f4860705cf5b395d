#include "sntp_query.hpp"

#include <string>

#include "duration.hpp"

namespace sntpc {

using netreactor::Error;

namespace {

Error final_reply_error(const sntp::CheckedReply& checked) {
    const sntp::Packet& p = checked.packet;
    switch (checked.check) {
        case sntp::ReplyCheck::kiss_of_death:
            return Error("KOD", "kiss-o'-death " + sntp::ref_id_code(p.ref_id) + " (stratum 0): no time given",
                         "reply");
        case sntp::ReplyCheck::zero_transmit:
            return Error("ZERO_TRANSMIT", "the reply's transmit timestamp is zero", "reply");
        default:
            return Error("UNSYNCHRONIZED",
                         "the server is not synchronized (leap " + std::to_string(p.leap) + ", stratum " +
                             std::to_string(p.stratum) + ")",
                         "reply");
    }
}

}  // namespace

SntpQuery::SntpQuery(netreactor::Loop& loop, const netreactor::SocketAddress& peer, std::chrono::milliseconds timeout,
                     Done done)
    : loop_(loop), peer_(peer), timeout_(timeout), done_(std::move(done)), timer_(loop) {}

SntpQuery::~SntpQuery() = default;

void SntpQuery::start() {
    if (timeout_.count() > 0) timer_.start(timeout_, [this] { on_timeout(); });  // --timeout 0: no limit
    try {
        socket_.emplace(loop_, static_cast<netreactor::UdpHandler&>(*this));
        socket_->connect(peer_);
        socket_->start_receiving();
    } catch (const netreactor::SystemError& e) {
        fail_soon(e.error());
        return;
    }
    nonce_ = sntp::random_nonce();
    auto request = sntp::encode_packet(sntp::make_request(nonce_));
    sent_realtime_ = sntp::realtime_now();
    sent_monotonic_ = netreactor::monotonic_ns();
    // A failed send is reported through on_error, which ends the query.
    starting_ = true;
    socket_->send(request, peer_);
    starting_ = false;
}

void SntpQuery::on_datagram(netreactor::UdpSocket&, std::span<const char> data, const netreactor::SocketAddress& from,
                            bool truncated) {
    std::uint64_t arrived = netreactor::monotonic_ns();
    if (finished_) return;
    // The socket is connected, so the kernel already filters; checked again
    // here because a reply counts only from the address and port we asked.
    if (!(from == peer_)) return;
    auto checked = sntp::check_reply(truncated ? data.first(0) : data, nonce_);
    if (sntp::is_bogus(checked.check)) {
        outcome_.bogus_replies++;
        outcome_.last_bogus = checked.check;
        return;  // keep waiting: the real answer may still come
    }
    outcome_.reply = checked.packet;
    if (checked.check == sntp::ReplyCheck::ok) {
        outcome_.sample = sntp::compute_sample(checked.packet, sent_realtime_,
                                               static_cast<std::int64_t>(arrived - sent_monotonic_));
    } else {
        outcome_.error = final_reply_error(checked);
    }
    finish();
}

void SntpQuery::on_error(netreactor::UdpSocket&, const Error& error) {
    // ECONNREFUSED (ICMP port unreachable), ENETUNREACH...: no reply will come.
    if (finished_) return;
    if (starting_) {
        fail_soon(error);
        return;
    }
    outcome_.error = error;
    finish();
}

void SntpQuery::on_timeout() {
    if (finished_) return;
    if (outcome_.bogus_replies > 0) {
        outcome_.error = Error("BOGUS_REPLY",
                               "only bogus replies within " + nrapp::seconds_text(timeout_) + " (" +
                                   std::to_string(outcome_.bogus_replies) + ", last: " +
                                   sntp::check_name(outcome_.last_bogus) + ")",
                               "reply");
    } else {
        outcome_.error = Error("ETIMEDOUT", "no reply within " + nrapp::seconds_text(timeout_), "receive");
    }
    finish();
}

void SntpQuery::fail_soon(Error error) {
    finished_ = true;  // nothing else may end the query meanwhile
    outcome_.error = std::move(error);
    // Report from the loop, not from inside start(): callers may destroy us.
    timer_.start(std::chrono::milliseconds(0), [this] { finish(); });
    if (socket_) socket_->stop_receiving();
}

void SntpQuery::finish() {
    finished_ = true;
    timer_.stop();
    if (socket_) socket_->stop_receiving();
    auto done = std::move(done_);
    done(std::move(outcome_));  // may destroy this
}

}  // namespace sntpc
