#include "redirect_chain.hpp"

#include <variant>

#include "location.hpp"
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
        HttpTarget here{run.request.host, run.request.port, without_fragment(run.request.path)};
        if (run.hops.size() >= max_redirects) {
            fail_redirect(run.result, "ETOOMANYREDIRECTS",
                          "stopped after " + std::to_string(max_redirects) + " redirects (--max-redirs); the next was " +
                              std::to_string(r.head->status) + " to " + *location);
            break;
        }
        auto next = resolve_location(here, *location);
        if (auto* error = std::get_if<LocationError>(&next)) {
            fail_redirect(run.result, error->code, error->message);
            break;
        }
        const HttpTarget& target = std::get<HttpTarget>(next);
        run.hops.push_back({here.url(), r.head->status, *location, target.url()});
        run.request.host = target.host;
        run.request.port = target.port;
        run.request.path = target.path;
    }
    return run;
}

}  // namespace fetch
