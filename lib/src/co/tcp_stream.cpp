#include "netreactor/co/tcp_stream.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "stream_state.hpp"

namespace netreactor::co {

namespace detail {

namespace {
// A stash that grew for a burst gives its memory back once emptied.
constexpr std::size_t kRetainedStash = std::size_t{64} * 1024;
}  // namespace

StreamState::~StreamState() {
    if (alive != nullptr) *alive = false;
}

std::size_t StreamState::take_stash(std::span<char> buffer) noexcept {
    std::size_t n = std::min(buffer.size(), stashed());
    if (n > 0) {
        std::memcpy(buffer.data(), stash->bytes.data() + stash->begin, n);
        stash->begin += n;
    }
    release_taken_stash();
    return n;
}

void StreamState::release_taken_stash() noexcept {
    if (!stash_in_use() || stashed() != 0) return;
    stash->bytes.clear();
    stash->begin = 0;
    if (stash->bytes.capacity() > kRetainedStash) std::vector<char>().swap(stash->bytes);
}

void StreamState::keep(std::span<const char> data) {
    release_taken_stash();  // bytes lent from it were valid only until the task suspended
    if (!stash) stash = std::make_unique<Stash>();
    stash->bytes.insert(stash->bytes.end(), data.begin(), data.end());
    if (!paused && conn) {
        conn->pause_reading();
        paused = true;
    }
}

Error StreamState::failure(const char* operation) const {
    if (error) return *error;
    return Error("ENOTCONN", "the connection is closed", operation);
}

void StreamState::adopt(std::unique_ptr<TcpConnection> connection) noexcept {
    conn = std::move(connection);
    loop_kept = reader != nullptr;
    conn->keep_loop_alive(loop_kept);
}

void StreamState::pause_until_read() {
    conn->pause_reading();
    paused = true;
}

void StreamState::on_connected(TcpConnection&) {
    pause_until_read();
    if (connecter != nullptr) std::exchange(connecter, nullptr)->finish();
}

void StreamState::on_data(TcpConnection&, std::span<const char> data) {
    ReadAwaiter* r = std::exchange(reader, nullptr);  // the loop stays kept: see wait_for_read
    if (r == nullptr) [[unlikely]] {
        keep(data);
        return;
    }
    std::size_t n = data.size();
    if (r->lend_) [[likely]] {
        r->lent_ = data.data();  // the loop's read buffer, valid while the task runs on from here
    } else {
        n = std::min(n, r->capacity_);
        if (n > 0) std::memcpy(r->into_, data.data(), n);
        if (n < data.size()) keep(data.subspan(n));
    }
    // The resumed task may destroy this state (then `still_alive` turns false)
    // or a nested on_closed may watch it too (`outer`: told in turn).
    bool still_alive = true;
    bool* outer = std::exchange(alive, &still_alive);
    r->finish(ReadAwaiter::Outcome::data, n);
    if (!still_alive) [[unlikely]] {
        if (outer != nullptr) *outer = false;
        return;  // touch nothing
    }
    alive = outer;
    if (reader == nullptr) [[unlikely]]
        keep_loop(false);  // the task went on without reading again
}

void StreamState::on_eof(TcpConnection&) {
    // Unlike the default handler, do not close: the task decides (it may
    // still write, then shut down).
    eof = true;
    if (ReadAwaiter* r = stop_read_wait()) r->finish(ReadAwaiter::Outcome::eof, 0);
}

void StreamState::release_writer() noexcept {
    if (writer != nullptr && conn->queued_bytes() <= conn->low_water_mark())
        std::exchange(writer, nullptr)->finish(WriteAwaiter::Outcome::done);
}

void StreamState::on_low_water(TcpConnection&) { release_writer(); }

void StreamState::on_write_drained(TcpConnection&) { release_writer(); }

void StreamState::on_shutdown(TcpConnection&, const Error* failed) {
    if (failed != nullptr && !error) error = std::make_unique<Error>(*failed);
    if (ShutdownAwaiter* s = std::exchange(shutdowner, nullptr))
        s->finish(failed == nullptr ? ShutdownAwaiter::Outcome::done : ShutdownAwaiter::Outcome::failed);
}

void StreamState::on_closed(TcpConnection&, const Error* failed) {
    closed = true;
    if (failed != nullptr) error = std::make_unique<Error>(*failed);
    // Each resumption may end the task that owns this state: check after each.
    bool still_alive = true;
    bool* outer = std::exchange(alive, &still_alive);  // an on_data under way watches too
    auto gone = [&] {
        if (still_alive) return false;
        if (outer != nullptr) *outer = false;
        return true;
    };
    if (ConnectAwaiter* c = std::exchange(connecter, nullptr)) {
        c->finish();
        if (gone()) return;
    }
    if (ReadAwaiter* r = stop_read_wait()) {
        r->finish(failed != nullptr ? ReadAwaiter::Outcome::failed : ReadAwaiter::Outcome::closed, 0);
        if (gone()) return;
    }
    if (WriteAwaiter* w = std::exchange(writer, nullptr)) {
        w->finish(WriteAwaiter::Outcome::failed);
        if (gone()) return;
    }
    if (ShutdownAwaiter* s = std::exchange(shutdowner, nullptr)) {
        s->finish(ShutdownAwaiter::Outcome::failed);
        if (gone()) return;
    }
    alive = outer;
}

void StreamState::cancel_waiters() noexcept {
    if (ReadAwaiter* r = stop_read_wait()) r->abort();
    if (WriteAwaiter* w = std::exchange(writer, nullptr)) w->abort();
    if (ShutdownAwaiter* s = std::exchange(shutdowner, nullptr)) s->abort();
}

}  // namespace detail

// ---- read -------------------------------------------------------------------

ReadAwaiter*& ReadAwaiter::slot(detail::StreamCore& state) noexcept { return state.reader; }

void ReadAwaiter::leave_slot(detail::StreamCore& state) noexcept { detail::state_of(state).stop_read_wait(); }

bool ReadAwaiter::ready_now() {
    detail::StreamState& s = detail::state_of(*state_);
    if (s.reader != nullptr) throw std::logic_error("co::TcpStream: a second read while one is waiting");
    if (lend_ && s.stashed() > 0) {
        lent_ = s.stash->bytes.data() + s.stash->begin;  // stays in place until the next read or keep()
        size_ = s.stashed();
        s.stash->begin = s.stash->bytes.size();
        outcome_ = Outcome::data;
    } else if (!lend_ && (s.stashed() > 0 || capacity_ == 0)) {
        size_ = s.take_stash({into_, capacity_});
        outcome_ = Outcome::data;
    } else if (s.closed) {
        outcome_ = s.error ? Outcome::failed : Outcome::closed;
    } else if (s.eof) {
        outcome_ = Outcome::eof;
    } else if (!s.conn) {
        outcome_ = Outcome::closed;
    } else {
        return false;
    }
    return true;
}

bool ReadAwaiter::start_waiting() noexcept {
    detail::StreamState& s = detail::state_of(*state_);
    s.release_taken_stash();
    s.wait_for_read(*this);  // occupies the slot
    if (s.paused) {
        s.paused = false;
        s.conn->resume_reading();
    }
    return true;
}

std::size_t ReadAwaiter::end_of_data() {
    if (cancelled_) throw Cancelled("read");
    switch (outcome_) {
    case Outcome::data: return size_;
    case Outcome::eof: return 0;
    case Outcome::failed: throw SystemError(detail::state_of(*state_).failure("read"));
    case Outcome::closed:
    case Outcome::pending: break;
    }
    throw SystemError(Error("ENOTCONN", "the connection is closed", "read"));
}

// ---- write ------------------------------------------------------------------

WriteAwaiter*& WriteAwaiter::slot(detail::StreamCore& state) noexcept { return state.writer; }

bool WriteAwaiter::start_unusual() {
    detail::StreamState& s = detail::state_of(*state_);
    if (s.writer != nullptr || s.shutdowner != nullptr) {
        settle();
        throw std::logic_error("co::TcpStream: a second write while one is waiting");
    }
    outcome_ = s.error ? Outcome::failed : Outcome::closed;  // no connection, or it is gone
    settle();
    return false;
}

bool WriteAwaiter::start_held(bool accepted) {
    detail::StreamState& s = detail::state_of(*state_);
    if (!accepted) {
        outcome_ = Outcome::failed;
        if (s.conn->state() != TcpConnection::State::closed) {
            settle();
            return false;
        }
        // The write found the connection failing: on_closed brings the
        // reason from the loop; wait for it, so it is thrown here once.
        occupy();
        return true;
    }
    occupy();
    // Held by a peer that does not read: stop reading it too (unless
    // another task waits to read), so its bytes wait in the kernel, not in
    // the stash, as a callback handler pausing at the high-water mark does.
    if (s.reader == nullptr && !s.paused) s.pause_until_read();
    return true;
}

void WriteAwaiter::finish(Outcome outcome) noexcept {
    outcome_ = outcome;
    complete();
}

void WriteAwaiter::throw_failure() {
    if (cancelled_) throw Cancelled("write");
    const detail::StreamState& s = detail::state_of(*state_);
    if (outcome_ == Outcome::failed && s.error) throw SystemError(*s.error);
    throw SystemError(Error("EPIPE", "the connection can no longer send", "write"));
}

// ---- shutdown -----------------------------------------------------------------

ShutdownAwaiter*& ShutdownAwaiter::slot(detail::StreamCore& state) noexcept { return state.shutdowner; }

bool ShutdownAwaiter::start() {
    detail::StreamState& s = detail::state_of(*state_);
    if (s.writer != nullptr || s.shutdowner != nullptr) {
        settle();
        throw std::logic_error("co::TcpStream: a shutdown while a write or shutdown is waiting");
    }
    if (!s.conn || s.closed) {
        outcome_ = s.error ? Outcome::failed : Outcome::closed;
    } else if (s.conn->shutdown_sent()) {
        outcome_ = Outcome::done;  // a second shutdown: the FIN is out already
    } else if (s.conn->state() != TcpConnection::State::connected) {
        outcome_ = Outcome::closed;
    } else {
        // on_shutdown reports the FIN (or why not), always from the loop.
        s.conn->shutdown_after_drain();
        occupy();
        return true;
    }
    settle();
    return false;
}

void ShutdownAwaiter::finish(Outcome outcome) noexcept {
    outcome_ = outcome;
    complete();
}

void ShutdownAwaiter::await_resume() {
    if (cancelled_) throw Cancelled("shutdown");
    if (outcome_ == Outcome::done) return;
    const detail::StreamState& s = detail::state_of(*state_);
    throw SystemError(s.error ? *s.error : Error("ENOTCONN", "the connection is closed", "shutdown"));
}

// ---- the stream ---------------------------------------------------------------

TcpStream::TcpStream() noexcept = default;

TcpStream::TcpStream(std::unique_ptr<TcpConnection> connection) {
    auto state = std::make_unique<detail::StreamState>();
    state->adopt(std::move(connection));
    state->conn->attach(*state);  // nothing is read until a read waits
    state->paused = true;
    state_ = std::move(state);
}

TcpStream::TcpStream(std::unique_ptr<detail::StreamCore> state) noexcept : state_(std::move(state)) {}

TcpStream::TcpStream(TcpStream&&) noexcept = default;

TcpStream& TcpStream::operator=(TcpStream&& other) noexcept {
    if (this != &other) {
        if (state_) detail::state_of(*state_).cancel_waiters();
        state_ = std::move(other.state_);
    }
    return *this;
}

TcpStream::~TcpStream() {
    if (state_) detail::state_of(*state_).cancel_waiters();
}

void TcpStream::close() noexcept {
    if (!state_ || !state_->conn) return;
    state_->conn.reset();
    state_->closed = true;
    detail::state_of(*state_).cancel_waiters();
}

bool TcpStream::eof_received() const noexcept { return state_ && state_->eof; }

TcpConnection& TcpStream::connection() noexcept { return *state_->conn; }

// ---- connect ------------------------------------------------------------------

ConnectAwaiter::ConnectAwaiter(Loop& loop, const SocketAddress& peer, std::chrono::milliseconds timeout) noexcept
    : Operation(std::type_identity<ConnectAwaiter>{}), loop_(&loop), peer_(peer), timeout_(timeout) {}

ConnectAwaiter::ConnectAwaiter(ConnectAwaiter&& other) noexcept
    : Operation(std::move(other)), loop_(other.loop_), peer_(other.peer_), timeout_(other.timeout_) {}

ConnectAwaiter::~ConnectAwaiter() {
    if (state_) state_->connecter = nullptr;
}

void ConnectAwaiter::start() {
    state_ = std::make_unique<detail::StreamState>();
    state_->connecter = this;
    state_->adopt(TcpConnection::connect(*loop_, peer_, timeout_, *state_));  // the connect request keeps the loop going
}

void ConnectAwaiter::on_cancel() noexcept {
    state_.reset();  // closes the attempt: no handler call follows
    complete_cancelled();
}

TcpStream ConnectAwaiter::await_resume() {
    if (cancelled_) throw Cancelled("connect");
    if (state_->closed) throw SystemError(state_->failure("connect"));
    return TcpStream(std::move(state_));
}

// `options` by reference, copied here: with a by-value ConnectOptions built
// inside a co_await expression, ASan reported a stack-buffer-overflow reading
// it (GCC 12, cause not pinned down); taken by reference it is clean.
ConnectByNameAwaiter::ConnectByNameAwaiter(Loop& loop, std::string_view host, std::uint16_t port,
                                           const ConnectOptions& options)
    : Operation(std::type_identity<ConnectByNameAwaiter>{}),
      loop_(&loop),
      host_(host),
      port_(port),
      options_(options) {}

ConnectByNameAwaiter::ConnectByNameAwaiter(ConnectByNameAwaiter&& other) noexcept
    : Operation(std::move(other)),
      loop_(other.loop_),
      host_(std::move(other.host_)),
      port_(other.port_),
      options_(std::move(other.options_)) {}

ConnectByNameAwaiter::~ConnectByNameAwaiter() = default;

void ConnectByNameAwaiter::start() {
    state_ = std::make_unique<detail::StreamState>();
    connector_ = std::make_unique<TcpConnector>(*loop_, options_);
    connector_->connect(host_, port_, *state_, [this](ConnectOutcome outcome) {
        if (outcome.connection) {
            state_->adopt(std::move(outcome.connection));
            state_->pause_until_read();
        } else {
            state_->closed = true;
            state_->error = std::make_unique<Error>(outcome.error.value_or(Error("ECONNABORTED", "no connection", "connect")));
        }
        outcome_ = std::move(outcome);
        complete();
    });
}

void ConnectByNameAwaiter::on_cancel() noexcept {
    connector_.reset();  // no callback follows
    complete_cancelled();
}

TcpStream ConnectByNameAwaiter::await_resume() {
    connector_.reset();
    if (cancelled_) throw Cancelled("connect");
    if (state_->closed) throw SystemError(*state_->error);
    return TcpStream(std::move(state_));
}

TcpStream ConnectByNameAwaiter::take_stream() {
    connector_.reset();
    if (cancelled_) throw Cancelled("connect");
    if (state_->closed) return TcpStream();
    return TcpStream(std::move(state_));
}

}  // namespace netreactor::co
