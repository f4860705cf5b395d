#include "redirect_chain.hpp"

#include <variant>

#include "http_url.hpp"
#include "netreactor/loop.hpp"

namespace fetch {

namespace {

void fail_redirect(FetchResult& result, std::string code, std::string message) {
    result.failed_stage = Stage::redirect;
    result.error = netreactor::Error(std::move(code), std::move(message), "redirect");
}

}  // namespace

FetchRun fetch_following(const FetchRequest& request, StdoutSink* sink, bool follow, unsigned max_redirects) {
    netreactor::Loop loop;
    FetchRun run{request, {}, {}};
    run.request.stop_at_redirect = follow;
    while (true) {
        run.result = fetch_once(loop, run.request, sink);
        const FetchResult& r = run.result;
        if (!follow || r.error || !r.head || !is_followed_redirect(r.head->status)) break;
        const std::string* location = r.head->header("location");
        if (location == nullptr) break;  // nothing to follow: this is the answer
        if (run.hops.size() >= max_redirects) {
            fail_redirect(run.result, "ETOOMANYREDIRECTS",
                          "stopped after " + std::to_string(max_redirects) + " redirects (--max-redirs); the next was " +
                              std::to_string(r.head->status) + " to " + *location);
            break;
        }
        auto next = nrapp::resolve_reference(run.request.url, *location);
        if (auto* refused = std::get_if<nrapp::ReferenceError>(&next)) {
            // EPROTONOSUPPORT: a scheme we cannot speak (https: no TLS yet);
            // EPROTO: a Location that is no URL at all.
            bool scheme = refused->kind == nrapp::ReferenceError::Kind::unsupported_scheme;
            fail_redirect(run.result, scheme ? "EPROTONOSUPPORT" : "EPROTO",
                          "cannot follow Location " + nrapp::in_quotes(*location) + ": " + refused->message);
            break;
        }
        nrapp::HttpUrl& target = std::get<nrapp::HttpUrl>(next);
        run.hops.push_back({run.request.url.text(), r.head->status, *location, target.text()});
        run.request.url = std::move(target);
    }
    return run;
}

}  // namespace fetch
