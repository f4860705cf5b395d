// nrapp::resolve_reference: a Location value resolved against the URL it came
// with, table-driven from RFC 3986 section 5.4 (base "http://a/b/c/d;p?q").
// Each row holds the RFC's result as printed there; what an http client
// makes of it differs in two ways only, both applied by http_equivalent():
// the fragment is dropped (RFC 9110 section 7.1: never sent), and an empty
// path is "/" (RFC 9110 section 4.2.3). The two rows whose results are not
// http URLs ("g:h", strict "http:g") are errors, in their own table.
#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "http_url.hpp"

using namespace nrapp;

namespace {

HttpUrl rfc_base() {
    auto base = parse_http_url("http://a/b/c/d;p?q");
    EXPECT_TRUE(base) << base.error();
    return *base;
}

// What `reference` leads to from the RFC's base: the URL text, or
// "error scheme" / "error malformed".
std::string resolved(std::string_view reference, const HttpUrl& base = rfc_base()) {
    auto r = resolve_reference(base, reference);
    if (auto* e = std::get_if<ReferenceError>(&r))
        return e->kind == ReferenceError::Kind::unsupported_scheme ? "error scheme" : "error malformed";
    return std::get<HttpUrl>(r).text();
}

std::string http_equivalent(std::string rfc_result) {
    rfc_result = rfc_result.substr(0, rfc_result.find('#'));
    if (rfc_result.find('/', 7) == std::string::npos) rfc_result += "/";  // "http://g" -> "http://g/"
    return rfc_result;
}

struct Example {
    const char* reference;
    const char* rfc_result;
};

class Rfc3986Examples : public ::testing::TestWithParam<Example> {};

}  // namespace

TEST_P(Rfc3986Examples, ResolveAsTheRfcSays) {
    const Example& e = GetParam();
    EXPECT_EQ(resolved(e.reference), http_equivalent(e.rfc_result)) << "reference \"" << e.reference << "\"";
}

// Section 5.4.1, "Normal Examples" (all but "g:h", another scheme).
INSTANTIATE_TEST_SUITE_P(
    Normal, Rfc3986Examples,
    ::testing::Values(Example{"g", "http://a/b/c/g"}, Example{"./g", "http://a/b/c/g"},
                      Example{"g/", "http://a/b/c/g/"}, Example{"/g", "http://a/g"}, Example{"//g", "http://g"},
                      Example{"?y", "http://a/b/c/d;p?y"}, Example{"g?y", "http://a/b/c/g?y"},
                      Example{"#s", "http://a/b/c/d;p?q#s"}, Example{"g#s", "http://a/b/c/g#s"},
                      Example{"g?y#s", "http://a/b/c/g?y#s"}, Example{";x", "http://a/b/c/;x"},
                      Example{"g;x", "http://a/b/c/g;x"}, Example{"g;x?y#s", "http://a/b/c/g;x?y#s"},
                      Example{"", "http://a/b/c/d;p?q"}, Example{".", "http://a/b/c/"}, Example{"./", "http://a/b/c/"},
                      Example{"..", "http://a/b/"}, Example{"../", "http://a/b/"}, Example{"../g", "http://a/b/g"},
                      Example{"../..", "http://a/"}, Example{"../../", "http://a/"},
                      Example{"../../g", "http://a/g"}));

// Section 5.4.2, "Abnormal Examples" (all but "http:g": see below).
INSTANTIATE_TEST_SUITE_P(
    Abnormal, Rfc3986Examples,
    ::testing::Values(Example{"../../../g", "http://a/g"}, Example{"../../../../g", "http://a/g"},
                      Example{"/./g", "http://a/g"}, Example{"/../g", "http://a/g"}, Example{"g.", "http://a/b/c/g."},
                      Example{".g", "http://a/b/c/.g"}, Example{"g..", "http://a/b/c/g.."},
                      Example{"..g", "http://a/b/c/..g"}, Example{"./../g", "http://a/b/g"},
                      Example{"./g/.", "http://a/b/c/g/"}, Example{"g/./h", "http://a/b/c/g/h"},
                      Example{"g/../h", "http://a/b/c/h"}, Example{"g;x=1/./y", "http://a/b/c/g;x=1/y"},
                      Example{"g;x=1/../y", "http://a/b/c/y"}, Example{"g?y/./x", "http://a/b/c/g?y/./x"},
                      Example{"g?y/../x", "http://a/b/c/g?y/../x"}, Example{"g#s/./x", "http://a/b/c/g#s/./x"},
                      Example{"g#s/../x", "http://a/b/c/g#s/../x"}));

TEST(ResolveReference, TheRfcRowsThatAreNoHttpUrl) {
    EXPECT_EQ(resolved("g:h"), "error scheme");     // 5.4.1: "g:h" is a URI of scheme g
    EXPECT_EQ(resolved("http:g"), "error malformed");  // 5.4.2: strict parsers keep "http:g", no host
}

TEST(ResolveReference, AbsoluteUrlsAndPorts) {
    EXPECT_EQ(resolved("http://example.test:8080/x?y#z"), "http://example.test:8080/x?y");
    EXPECT_EQ(resolved("HTTP://example.test"), "http://example.test/");
    EXPECT_EQ(resolved("http://[::1]:81/v6"), "http://[::1]:81/v6");
    EXPECT_EQ(resolved("http://x.test/a/./b/../c"), "http://x.test/a/c");  // 5.2.2: dot segments of R.path too
    EXPECT_EQ(resolved("//x.test:8080?q"), "http://x.test:8080/?q");
    auto r = resolve_reference(rfc_base(), "http://[::1]:81/v6");
    ASSERT_TRUE(std::holds_alternative<HttpUrl>(r));
    EXPECT_EQ(std::get<HttpUrl>(r).host.text, "::1");
    EXPECT_EQ(std::get<HttpUrl>(r).port_or_default(), 81);
}

TEST(ResolveReference, RelativeReferencesKeepTheBasesHostAndPort) {
    auto base = parse_http_url("http://[fe80::1%25lo]:8080/dir/page?old");
    if (!base) GTEST_SKIP() << "no interface lo: " << base.error();
    EXPECT_EQ(resolved("next", *base), "http://[fe80::1%25lo]:8080/dir/next");
    EXPECT_EQ(resolved("?new", *base), "http://[fe80::1%25lo]:8080/dir/page?new");
    auto r = std::get<HttpUrl>(resolve_reference(*base, "/x"));
    EXPECT_EQ(r.host.text, "fe80::1%lo");
    EXPECT_EQ(r.port_or_default(), 8080);
}

TEST(ResolveReference, WhatCannotBeFollowed) {
    EXPECT_EQ(resolved("https://a/secure"), "error scheme");
    EXPECT_EQ(resolved("HTTPS://a/secure"), "error scheme");
    EXPECT_EQ(resolved("ftp://a/f"), "error scheme");
    EXPECT_EQ(resolved("http://a:0/"), "error malformed");
    EXPECT_EQ(resolved("http://a:99999/"), "error malformed");
    EXPECT_EQ(resolved("http:/nohost"), "error malformed");
    EXPECT_EQ(resolved("http://user@a/"), "error malformed");
    EXPECT_EQ(resolved("//a b/"), "error malformed");
    EXPECT_EQ(resolved("/a b"), "error malformed");
    EXPECT_EQ(resolved("/a\r\nHost: evil"), "error malformed");
    EXPECT_EQ(resolved("1x:y"), "error malformed");  // not a scheme, and a relative path cannot hold ':' there
    auto https = std::get<ReferenceError>(resolve_reference(rfc_base(), "https://a/"));
    EXPECT_NE(https.message.find("TLS"), std::string::npos) << https.message;
}

TEST(ResolveReference, FragmentsStayOnTheClient) {
    EXPECT_EQ(resolved("/x?y=1#frag"), "http://a/x?y=1");
    EXPECT_EQ(resolved("/x"), "http://a/x");
}

TEST(HttpUrlText, BracketsPortsAndZones) {
    EXPECT_EQ(parse_http_url("http://127.0.0.1:80/x")->text(), "http://127.0.0.1/x");
    EXPECT_EQ(parse_http_url("http://[::1]:8080")->text(), "http://[::1]:8080/");
    EXPECT_EQ(parse_http_url("http://example.test/?q")->text(), "http://example.test/?q");
}

// A URL typed on the command line loses its dot segments as a Location does
// (RFC 3986 section 5.2.4; curl's default), and only those: the query, "%2E"
// and segments that merely contain dots stay exactly as typed.
TEST(TypedUrl, DotSegmentsAreRemovedFromThePathOnly) {
    struct Row {
        const char* typed;
        const char* target;
    };
    const Row rows[] = {
        {"http://a/b/./c", "/b/c"},
        {"http://a/b/../c", "/c"},
        {"http://a/b/c/..", "/b/"},
        {"http://a/b/c/.", "/b/c/"},
        {"http://a/..", "/"},
        {"http://a/../../etc/passwd", "/etc/passwd"},  // never above the root
        {"http://a/./b/../../c/./d?x=./../y", "/c/d?x=./../y"},
        {"http://a/b/%2E%2E/c", "/b/%2E%2E/c"},
        {"http://a/b/.../c..d/.e", "/b/.../c..d/.e"},
        {"http://a//b//../c", "//b/c"},
        {"http://a/b/..#frag", "/"},
        {"http://a?q/../", "/?q/../"},
    };
    for (const auto& row : rows) {
        auto url = parse_http_url(row.typed);
        ASSERT_TRUE(url) << row.typed << ": " << url.error();
        EXPECT_EQ(url->target, row.target) << row.typed;
    }
}

TEST(TypedUrl, PathAsIsKeepsEveryByte) {
    auto url = parse_http_url("http://a/b/./c/../d?x=../y#f", DotSegments::keep);
    ASSERT_TRUE(url) << url.error();
    EXPECT_EQ(url->target, "/b/./c/../d?x=../y");
    EXPECT_EQ(*parse_request_target("/b/./c/../d", DotSegments::keep), "/b/./c/../d");
}

TEST(TypedUrl, AGivenPathFollowsTheSameRule) {
    EXPECT_EQ(*parse_request_target("/b/./c/../d?q=.."), "/b/d?q=..");
    EXPECT_EQ(*parse_request_target("/.."), "/");
    EXPECT_FALSE(parse_request_target("../x"));  // still must start with /
}

TEST(TypedUrl, ATypedUrlAndTheSameLocationLeadToTheSameTarget) {
    auto base = parse_http_url("http://a/p/q");
    ASSERT_TRUE(base);
    for (const char* text : {"http://a/b/./c/../d?x", "http://a/../b/.", "http://a/b/c/.."}) {
        auto typed = parse_http_url(text);
        ASSERT_TRUE(typed) << text;
        EXPECT_EQ(typed->target, std::get<HttpUrl>(resolve_reference(*base, text)).target) << text;
    }
}
