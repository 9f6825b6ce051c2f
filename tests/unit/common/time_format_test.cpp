// The calendar arithmetic in time_format.cpp against the C library's
// gmtime_r/strftime/timegm, which it replaced on the request path.
#include <gtest/gtest.h>

#include <ctime>
#include <random>
#include <string>

#include "stsd/common/time_format.h"

namespace {

std::string libc_format(std::int64_t epoch_seconds, const char* pattern) {
  std::time_t t = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, pattern, &tm);
  return buf;
}

std::int64_t libc_timegm(int year, int mon, int day, int h, int m, int s) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = h;
  tm.tm_min = m;
  tm.tm_sec = s;
  return static_cast<std::int64_t>(timegm(&tm));
}

}  // namespace

TEST(TimeFormat, KnownInstants) {
  EXPECT_EQ(stsd::format_iso8601(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(stsd::format_iso8601(1547328188), "2019-01-12T21:23:08Z");
  EXPECT_EQ(stsd::format_amz_date(1440938160), "20150830T123600Z");
  EXPECT_EQ(stsd::format_iso8601(951782400), "2000-02-29T00:00:00Z");
  EXPECT_EQ(stsd::format_iso8601(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(stsd::format_iso8601(253402300799), "9999-12-31T23:59:59Z");
}

TEST(TimeFormat, AgreesWithTheCLibraryAcrossTheRange) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<std::int64_t> any(-62167219200, 253402300799);
  for (int i = 0; i < 200000; ++i) {
    const std::int64_t t = i < 100000 ? any(rng) : 1700000000 + (i - 100000) * 86399;
    ASSERT_EQ(stsd::format_iso8601(t), libc_format(t, "%Y-%m-%dT%H:%M:%SZ")) << t;
    ASSERT_EQ(stsd::format_amz_date(t), libc_format(t, "%Y%m%dT%H%M%SZ")) << t;
  }
}

TEST(TimeFormat, ParsesAmzDatesAsTimegmDoes) {
  std::mt19937 rng(11);
  for (int i = 0; i < 100000; ++i) {
    const int year = 1970 + static_cast<int>(rng() % 8030), mon = 1 + static_cast<int>(rng() % 12),
              day = 1 + static_cast<int>(rng() % 31), h = static_cast<int>(rng() % 24),
              m = static_cast<int>(rng() % 60), s = static_cast<int>(rng() % 61);  // Feb 31, second 60 roll over
    char text[32];
    std::snprintf(text, sizeof text, "%04d%02d%02dT%02d%02d%02dZ", year, mon, day, h, m, s);
    const auto parsed = stsd::parse_amz_date(text);
    ASSERT_TRUE(parsed.has_value()) << text;
    ASSERT_EQ(*parsed, libc_timegm(year, mon, day, h, m, s)) << text;
  }
  EXPECT_FALSE(stsd::parse_amz_date("20150830T1236000Z").has_value());
  EXPECT_FALSE(stsd::parse_amz_date("2015-08-30T12:36Z").has_value());
  EXPECT_FALSE(stsd::parse_amz_date("19690830T123600Z").has_value());
}

TEST(TimeFormat, OutOfRangeYearsKeepTheOldShape) {
  const std::int64_t year_10000 = 253402300800;
  EXPECT_EQ(stsd::format_iso8601(year_10000), libc_format(year_10000, "%Y-%m-%dT%H:%M:%SZ"));
}

TEST(TimeFormat, ParsesTheIso8601ShapeItWrites) {
  EXPECT_EQ(stsd::parse_iso8601_utc("2019-01-12T21:23:08Z"), 1547328188);
  EXPECT_EQ(stsd::parse_iso8601_utc(stsd::format_iso8601(1893456000)), 1893456000);
  for (const char* bad : {"2019-01-12", "2019-01-12T21:23:08", "2019-01-12 21:23:08Z", "20190112T212308Z",
                          "2019-13-12T21:23:08Z", "2019-01-12T21:23:0xZ", "2019-01-12T21:23:08+00:00"})
    EXPECT_FALSE(stsd::parse_iso8601_utc(bad).has_value()) << bad;
}
