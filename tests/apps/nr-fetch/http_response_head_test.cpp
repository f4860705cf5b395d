// The response head parser of nr-fetch: complete, incomplete and malformed
// heads, and the property that feeding a head byte by byte never reports
// `complete` early or `malformed` for a valid head.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "http_response_head.hpp"

namespace {

using fetch::HeadState;
using fetch::parse_response_head;

TEST(ResponseHead, ParsesStatusLineAndHeaders) {
    std::string text =
        "HTTP/1.0 200 OK\r\nServer: x/1\r\nContent-Length:  12 \r\nX-Empty:\r\nContent-Type: text/plain\r\n\r\nhello";
    auto r = parse_response_head(text);
    ASSERT_EQ(r.state, HeadState::complete) << r.error;
    EXPECT_EQ(r.head.status_line, "HTTP/1.0 200 OK");
    EXPECT_EQ(r.head.version, "HTTP/1.0");
    EXPECT_EQ(r.head.status, 200);
    EXPECT_EQ(r.head.reason, "OK");
    ASSERT_EQ(r.head.headers.size(), 4u);
    EXPECT_EQ(r.head.headers[1].name, "Content-Length");
    EXPECT_EQ(r.head.headers[1].value, "12");
    EXPECT_EQ(r.head.headers[2].value, "");
    EXPECT_EQ(r.head.content_length, 12u);
    EXPECT_FALSE(r.head.transfer_encoding);
    EXPECT_EQ(text.substr(r.head_bytes), "hello");
}

TEST(ResponseHead, AcceptsBareLineFeedsAndEmptyReason) {
    auto r = parse_response_head("HTTP/1.1 204\nA: b\n\nrest");
    ASSERT_EQ(r.state, HeadState::complete) << r.error;
    EXPECT_EQ(r.head.status, 204);
    EXPECT_EQ(r.head.reason, "");
    EXPECT_EQ(r.head_bytes, std::string("HTTP/1.1 204\nA: b\n\n").size());
}

TEST(ResponseHead, ReasonWithSpacesAndNoHeaders) {
    auto r = parse_response_head("HTTP/1.0 404 File not found\r\n\r\n");
    ASSERT_EQ(r.state, HeadState::complete) << r.error;
    EXPECT_EQ(r.head.reason, "File not found");
    EXPECT_TRUE(r.head.headers.empty());
    EXPECT_FALSE(r.head.content_length);
}

TEST(ResponseHead, EveryPrefixOfAValidHeadIsIncomplete) {
    std::string head = "HTTP/1.0 301 Moved\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n";
    for (std::size_t n = 0; n < head.size(); ++n) {
        auto r = parse_response_head(head.substr(0, n));
        EXPECT_EQ(r.state, HeadState::incomplete) << n << ": " << r.error;
    }
    EXPECT_EQ(parse_response_head(head).state, HeadState::complete);
}

TEST(ResponseHead, GarbageIsRejectedBeforeAnyLineEnds) {
    for (const char* start : {"SSH-2.0-OpenSSH", "<html>", "HTTP/x", "HTTP/1.0 2x", "http/1.0 200", "\x16\x03\x01"}) {
        auto r = parse_response_head(start);
        EXPECT_EQ(r.state, HeadState::malformed) << start;
        EXPECT_FALSE(r.error.empty());
    }
}

TEST(ResponseHead, MalformedHeads) {
    const char* bad[] = {
        "HTTP/1.0 200OK\r\n\r\n",                                   // no space after the code
        "HTTP/1.0 099 Low\r\n\r\n",                                 // below 100
        "HTTP/1.0 200 OK\r\nNoColon\r\n\r\n",                       // header without colon
        "HTTP/1.0 200 OK\r\nBad Name: x\r\n\r\n",                   // space in the name
        "HTTP/1.0 200 OK\r\n: empty name\r\n\r\n",                  //
        "HTTP/1.0 200 OK\r\nA: b\r\n folded\r\n\r\n",               // obsolete folding
        "HTTP/1.0 200 OK\r\nA: b\x01\r\n\r\n",                      // control character
        "HTTP/1.0 200 OK\r\nA: b\rc\r\n\r\n",                       // bare CR
        "HTTP/1.0 200 OK\r\nContent-Length: -1\r\n\r\n",            //
        "HTTP/1.0 200 OK\r\nContent-Length: 1x\r\n\r\n",            //
        "HTTP/1.0 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        "HTTP/1.0 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
        "\r\n\r\n",                                                  //
    };
    for (const char* text : bad) {
        auto r = parse_response_head(text);
        EXPECT_EQ(r.state, HeadState::malformed) << text;
    }
}

TEST(ResponseHead, RepeatedEqualContentLengthAndTransferEncoding) {
    auto r = parse_response_head("HTTP/1.0 200 OK\r\nContent-Length: 5\r\ncontent-length: 5\r\n\r\n");
    ASSERT_EQ(r.state, HeadState::complete) << r.error;
    EXPECT_EQ(r.head.content_length, 5u);
    r = parse_response_head("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    ASSERT_EQ(r.state, HeadState::complete);
    EXPECT_TRUE(r.head.transfer_encoding);
}

TEST(ResponseHead, OversizedHeadIsMalformed) {
    std::string head = "HTTP/1.0 200 OK\r\n";
    while (head.size() <= fetch::kMaxHeadBytes) head += "X-Filler: " + std::string(100, 'a') + "\r\n";
    EXPECT_EQ(parse_response_head(head).state, HeadState::malformed);
    EXPECT_EQ(parse_response_head(head + "\r\n").state, HeadState::malformed);
}

TEST(ResponseHead, RandomBytesNeverCrashAndCompleteMeansConsistent) {
    std::mt19937 rng(7);
    const std::string pieces[] = {"HTTP/1.0 ", "200 ", "OK", "\r\n", "\n", "A: b", ":", " ", "\r", "\x01", "X"};
    std::uniform_int_distribution<std::size_t> pick(0, std::size(pieces) - 1), count(0, 12);
    for (int i = 0; i < 50000; ++i) {
        std::string text;
        for (std::size_t n = count(rng); n > 0; --n) text += pieces[pick(rng)];
        auto r = parse_response_head(text);
        if (r.state == HeadState::complete) {
            ASSERT_LE(r.head_bytes, text.size());
            ASSERT_GE(r.head.status, 100);
            ASSERT_EQ(text.compare(0, 5, "HTTP/"), 0);
        }
    }
}

}  // namespace
