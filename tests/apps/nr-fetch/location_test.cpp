// fetch::resolve_location: Location values resolved as RFC 3986 section 5.2
// says (the examples of section 5.4 that apply to http), fragments dropped.
#include <gtest/gtest.h>

#include "location.hpp"

using fetch::HttpTarget;
using fetch::LocationError;
using fetch::resolve_location;

namespace {

std::string resolved(std::string_view location) {
    HttpTarget base{"a", 80, "/b/c/d;p?q"};
    auto r = resolve_location(base, location);
    if (auto* e = std::get_if<LocationError>(&r)) return "error " + e->code;
    return std::get<HttpTarget>(r).url();
}

}  // namespace

TEST(ResolveLocation, Rfc3986NormalExamples) {
    EXPECT_EQ(resolved("g"), "http://a/b/c/g");
    EXPECT_EQ(resolved("./g"), "http://a/b/c/g");
    EXPECT_EQ(resolved("g/"), "http://a/b/c/g/");
    EXPECT_EQ(resolved("/g"), "http://a/g");
    EXPECT_EQ(resolved("//g"), "http://g/");
    EXPECT_EQ(resolved("?y"), "http://a/b/c/d;p?y");
    EXPECT_EQ(resolved("g?y"), "http://a/b/c/g?y");
    EXPECT_EQ(resolved("#s"), "http://a/b/c/d;p?q");
    EXPECT_EQ(resolved("g#s"), "http://a/b/c/g");
    EXPECT_EQ(resolved("."), "http://a/b/c/");
    EXPECT_EQ(resolved(".."), "http://a/b/");
    EXPECT_EQ(resolved("../g"), "http://a/b/g");
    EXPECT_EQ(resolved("../../g"), "http://a/g");
    EXPECT_EQ(resolved("../../../g"), "http://a/g");
    EXPECT_EQ(resolved("/./g"), "http://a/g");
    EXPECT_EQ(resolved(""), "http://a/b/c/d;p?q");
}

TEST(ResolveLocation, AbsoluteUrlsAndPorts) {
    EXPECT_EQ(resolved("http://example.test:8080/x?y#z"), "http://example.test:8080/x?y");
    EXPECT_EQ(resolved("HTTP://example.test"), "http://example.test/");
    EXPECT_EQ(resolved("http://[::1]:81/v6"), "http://[::1]:81/v6");
    auto r = resolve_location({"a", 80, "/"}, "http://[::1]:81/v6");
    ASSERT_TRUE(std::holds_alternative<HttpTarget>(r));
    EXPECT_EQ(std::get<HttpTarget>(r).host, "::1");
    EXPECT_EQ(std::get<HttpTarget>(r).port, 81);
}

TEST(ResolveLocation, WhatCannotBeFollowed) {
    EXPECT_EQ(resolved("https://a/secure"), "error EPROTONOSUPPORT");
    EXPECT_EQ(resolved("ftp://a/f"), "error EPROTONOSUPPORT");
    EXPECT_EQ(resolved("http://a:0/"), "error EPROTO");
    EXPECT_EQ(resolved("http://a:99999/"), "error EPROTO");
    EXPECT_EQ(resolved("http:/nohost"), "error EPROTO");
    EXPECT_EQ(resolved("http://user@a/"), "error EPROTO");
    EXPECT_EQ(resolved("/a b"), "error EPROTO");
}

TEST(ResolveLocation, FragmentsStayOnTheClient) {
    EXPECT_EQ(fetch::without_fragment("/x?y=1#frag"), "/x?y=1");
    EXPECT_EQ(fetch::without_fragment("/x"), "/x");
}
