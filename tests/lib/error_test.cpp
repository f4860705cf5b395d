#include <gtest/gtest.h>

#include <cerrno>

#include "netreactor/error.hpp"

using netreactor::Error;

TEST(Error, CarriesTheLibuvCodeNameAndOperation) {
    Error e = Error::from_uv(-ECONNREFUSED, "connect");
    EXPECT_EQ(e.code(), "ECONNREFUSED");
    EXPECT_EQ(e.operation(), "connect");
    EXPECT_EQ(e.uv_status(), -ECONNREFUSED);
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
    EXPECT_EQ(e.uv_status(), 0);
}
