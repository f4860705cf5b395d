// --location: the fetch repeated along the Location fields of 301, 302, 303,
// 307 and 308 responses, at most `max_redirects` times, each hop recorded.
// Without --location, one fetch and no hops.
#pragma once

#include <string>
#include <vector>

#include "body_sink.hpp"
#include "fetcher.hpp"

namespace fetch {

// One redirect followed: the URL asked, its status and Location, and the URL
// it led to.
struct Hop {
    std::string url;
    int status = 0;
    std::string location;
    std::string next;
};

struct FetchRun {
    FetchRequest request;  // the last one made (the original one without redirects)
    FetchResult result;    // of the last request; a redirect failure has stage `redirect`
    std::vector<Hop> hops;
};

// Runs `request` (on a loop of its own); with `follow`, follows redirects.
// Only the final response's body reaches `sink`.
FetchRun fetch_following(const FetchRequest& request, StdoutSink* sink, bool follow, unsigned max_redirects);

}  // namespace fetch
