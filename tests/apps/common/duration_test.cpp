#include <gtest/gtest.h>

#include <cmath>

#include "duration.hpp"

TEST(SecondsToMs, RoundsUp) {
    EXPECT_EQ(nrapp::seconds_to_ms(0.5).count(), 500);
    EXPECT_EQ(nrapp::seconds_to_ms(0.0001).count(), 1);
    EXPECT_EQ(nrapp::seconds_to_ms(0).count(), 0);
    EXPECT_EQ(nrapp::seconds_to_ms(-1).count(), 0);
}

TEST(SecondsToMs, NanIsZero) { EXPECT_EQ(nrapp::seconds_to_ms(std::nan("")).count(), 0); }
