// The option layer's readers (apps/common/options.hpp): the rules every tool
// shares, checked without starting a tool.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "options.hpp"

using namespace nrapp;

namespace {

TEST(ReadNumber, DecimalDigitsInRangeOnly) {
    EXPECT_EQ(read_number("--n", "0", 0, 10), 0u);
    EXPECT_EQ(read_number("--n", "10", 0, 10), 10u);
    EXPECT_EQ(read_number("--n", "007", 0, 10), 7u);
    EXPECT_EQ(read_number("--seed", "18446744073709551615", 0, std::numeric_limits<std::uint64_t>::max()),
              std::numeric_limits<std::uint64_t>::max());
    for (const char* bad : {"", "-1", "+1", " 1", "1 ", "0x10", "1e3", "1.5", "nan", "11", "18446744073709551616",
                            "99999999999999999999999"})
        EXPECT_THROW(read_number("--n", bad, 0, 10), UsageError) << bad;
}

TEST(ReadNumber, MessageNamesTheOptionRangeAndValue) {
    try {
        read_number("--max-connections", "-1", 0, 100);
        FAIL();
    } catch (const UsageError& e) {
        EXPECT_STREQ(e.what(), "--max-connections must be a whole number from 0 to 100, not '-1'");
    }
}

TEST(ReadSeconds, PlainDecimalNumbersFromZeroToTheMaximum) {
    EXPECT_EQ(read_seconds("--t", "0"), 0.0);
    EXPECT_EQ(read_seconds("--t", "0.25"), 0.25);
    EXPECT_EQ(read_seconds("--t", ".5"), 0.5);
    EXPECT_EQ(read_seconds("--t", "2."), 2.0);
    EXPECT_EQ(read_seconds("--t", "1e-3"), 0.001);
    EXPECT_EQ(read_seconds("--t", "1000000"), kMaxSeconds);
    for (const char* bad : {"", "-0", "-0.0", "-1", "+1", "nan", "NaN", "inf", "infinity", "1e999", "1e300",
                            "1000000.1", "0x1p3", "1,5", " 1", "1 ", ".", "e3", "1e", "abc"})
        EXPECT_THROW(read_seconds("--t", bad), UsageError) << bad;
}

TEST(OptionLabel, FirstLongName) {
    EXPECT_EQ(option_label("-s,--server,--dns-server"), "--server");
    EXPECT_EQ(option_label("--timeout"), "--timeout");
    EXPECT_EQ(option_label("-c"), "-c");
}

TEST(AddNumber, ReadsThroughCli11AndRefusesNegatives) {
    CLI::App app;
    unsigned value = 5;
    add_number(app, "--n", value, 1u, 9u, "a number");
    const char* good[] = {"t", "--n", "7"};
    app.parse(3, const_cast<char**>(good));
    EXPECT_EQ(value, 7u);
    CLI::App again;
    add_number(again, "--n", value, 1u, 9u, "a number");
    const char* bad[] = {"t", "--n", "-1"};
    EXPECT_THROW(again.parse(3, const_cast<char**>(bad)), UsageError);
}

TEST(AddChoice, ExactSpellingOnly) {
    CLI::App app;
    std::string proto = "tcp";
    add_choice(app, "--proto", proto, {"tcp", "udp"}, "protocol");
    const char* bad[] = {"t", "--proto", "TCP"};
    EXPECT_THROW(app.parse(3, const_cast<char**>(bad)), UsageError);
}

TEST(Deprecate, OldNameReadsTheSameTargetIsHiddenAndNoticed) {
    CLI::App app{"test", "t"};
    std::string path = "/";
    auto* current = add_text(app, "--path", path, "the path");
    deprecate(add_text(app, "--file", path, ""), current);
    EXPECT_EQ(app.help().find("--file"), std::string::npos);
    const char* old_name[] = {"t", "--file", "/x"};
    app.parse(3, const_cast<char**>(old_name));
    EXPECT_EQ(path, "/x");
    EXPECT_EQ(deprecation_notices(app), std::vector<std::string>{"--file is deprecated; use --path (same meaning)"});
}

TEST(Deprecate, CurrentNameAloneHasNoNotice) {
    CLI::App app;
    std::string path = "/";
    auto* current = add_text(app, "--path", path, "the path");
    deprecate(add_text(app, "--file", path, ""), current);
    const char* argv[] = {"t", "--path", "/y"};
    app.parse(3, const_cast<char**>(argv));
    EXPECT_EQ(path, "/y");
    EXPECT_TRUE(deprecation_notices(app).empty());
}

TEST(Deprecate, BothNamesTogetherAreRefused) {
    CLI::App app;
    std::string path = "/";
    auto* current = add_text(app, "--path", path, "the path");
    deprecate(add_text(app, "--file", path, ""), current);
    const char* argv[] = {"t", "--file", "/x", "--path", "/y"};
    app.parse(5, const_cast<char**>(argv));
    try {
        deprecation_notices(app);
        FAIL() << "no UsageError";
    } catch (const UsageError& e) {
        EXPECT_STREQ(e.what(), "--path and --file cannot be given together");
    }
}

TEST(OptionName, HiddenOptionsToo) {
    CLI::App app;
    std::string text;
    auto* hidden = add_text(app, "-f,--file", text, "")->group("");
    EXPECT_EQ(hidden->get_name(), "");  // CLI11's, which option_name replaces
    EXPECT_EQ(option_name(*hidden), "--file");
    bool flag = false;
    EXPECT_EQ(option_name(*add_flag(app, "-q", flag, "quiet")), "-q");
}

}  // namespace
