#include <gtest/gtest.h>

#include <cerrno>

#include "netreactor/error.hpp"
#include "uv_error.hpp"

using netreactor::Error;

TEST(Error, CarriesTheErrnoCodeNameAndOperation) {
    Error e = Error::from_errno(ECONNREFUSED, "connect");
    EXPECT_EQ(e.code(), "ECONNREFUSED");
    EXPECT_EQ(e.operation(), "connect");
    EXPECT_EQ(e.system_errno(), ECONNREFUSED);
    EXPECT_FALSE(e.message().empty());
    EXPECT_EQ(e.describe(), "connect: " + e.message() + " (ECONNREFUSED)");
}

TEST(Error, CheckUvThrowsSystemErrorOnlyOnFailure) {
    EXPECT_EQ(netreactor::check_uv(3, "x"), 3);
    try {
        netreactor::check_uv(-EADDRINUSE, "bind");
        FAIL() << "no exception";
    } catch (const netreactor::SystemError& e) {
        EXPECT_EQ(e.error().code(), "EADDRINUSE");
        EXPECT_EQ(e.error().operation(), "bind");
        EXPECT_NE(std::string(e.what()).find("EADDRINUSE"), std::string::npos);
    }
}

TEST(Error, SymbolicErrorsKeepTheirCode) {
    Error e("NXDOMAIN", "no such name", "resolve");
    EXPECT_EQ(e.code(), "NXDOMAIN");
    EXPECT_EQ(e.system_errno(), 0);
}

TEST(Error, LibuvStatusesBecomeTheSameErrorsAsErrno) {
    Error from_uv = netreactor::uv_error(-EADDRINUSE, "bind");
    Error from_errno = Error::from_errno(EADDRINUSE, "bind");
    EXPECT_EQ(from_uv.code(), "EADDRINUSE");
    EXPECT_EQ(from_uv.code(), from_errno.code());
    EXPECT_EQ(from_uv.message(), from_errno.message());
    EXPECT_EQ(from_uv.system_errno(), EADDRINUSE);
}

TEST(Error, EndOfStreamIsNotASystemErrno) {
    Error eof = netreactor::uv_error(-4095, "read");  // UV_EOF
    EXPECT_EQ(eof.code(), "EOF");
    EXPECT_EQ(eof.system_errno(), 0);
}
