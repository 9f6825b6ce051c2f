// The basics common/ is the one home of (utf8.h, uuid.h, ascii.h and the
// calendar helpers of time_format.h): the cases each former copy relied on,
// so no module needs its own again.
#include <gtest/gtest.h>

#include <string>

#include "stsd/common/ascii.h"
#include "stsd/common/time_format.h"
#include "stsd/common/utf8.h"
#include "stsd/common/uuid.h"

namespace {

using stsd::utf8_sequence_length;

TEST(Utf8, SequenceLengthsAndCodePoints) {
  char32_t cp = 0;
  EXPECT_EQ(utf8_sequence_length("A", 0, &cp), 1u);
  EXPECT_EQ(cp, U'A');
  EXPECT_EQ(utf8_sequence_length("\xC3\xA9", 0, &cp), 2u);  // é
  EXPECT_EQ(cp, U'\u00E9');
  EXPECT_EQ(utf8_sequence_length("\xE2\x82\xAC", 0, &cp), 3u);  // €
  EXPECT_EQ(cp, U'\u20AC');
  EXPECT_EQ(utf8_sequence_length("\xF0\x9F\x98\x80", 0, &cp), 4u);  // U+1F600
  EXPECT_EQ(cp, U'\U0001F600');
  EXPECT_EQ(utf8_sequence_length("\xF4\x8F\xBF\xBF", 0, &cp), 4u);  // U+10FFFF
  EXPECT_EQ(utf8_sequence_length("x\xC3\xA9", 1), 2u);
}

TEST(Utf8, RefusesWhatRfc3629Forbids) {
  for (const std::string bad : {"\x80", "\xBF", "\xC0\xAF", "\xC1\xBF", "\xE0\x80\xAF", "\xE0\x9F\xBF",
                                "\xED\xA0\x80", "\xED\xBF\xBF", "\xF0\x8F\xBF\xBF", "\xF4\x90\x80\x80",
                                "\xF5\x80\x80\x80", "\xFF", "\xC3", "\xE2\x82", "\xF0\x9F\x98"})
    EXPECT_EQ(utf8_sequence_length(bad, 0), 0u) << testing::PrintToString(bad);
  EXPECT_EQ(utf8_sequence_length("", 0), 0u);
}

TEST(Utf8, ValidityAndCodePointCount) {
  EXPECT_TRUE(stsd::is_valid_utf8(""));
  EXPECT_TRUE(stsd::is_valid_utf8("plain \xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"));
  EXPECT_FALSE(stsd::is_valid_utf8("ok\xED\xA0\x80"));
  EXPECT_FALSE(stsd::is_valid_utf8("cut \xE2\x82"));
  EXPECT_EQ(stsd::utf8_code_points("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"), 4u);
}

TEST(Uuid4, VersionVariantAndForm) {
  EXPECT_EQ(stsd::format_uuid4(0, 0), "00000000-0000-4000-8000-000000000000");
  EXPECT_EQ(stsd::format_uuid4(~0ULL, ~0ULL), "ffffffff-ffff-4fff-bfff-ffffffffffff");
  const std::string bytes = "\x01\x23\x45\x67\x89\xab\xcd\xef\xfe\xdc\xba\x98\x76\x54\x32\x10";
  EXPECT_EQ(stsd::format_uuid4(bytes), "01234567-89ab-4def-bedc-ba9876543210");
  EXPECT_EQ(stsd::format_uuid4(bytes), stsd::format_uuid4(0x0123456789abcdefULL, 0xfedcba9876543210ULL));
}

TEST(Ascii, CaseFolding) {
  EXPECT_TRUE(stsd::iequals("Content-Length", "content-length"));
  EXPECT_FALSE(stsd::iequals("abc", "abd"));
  EXPECT_FALSE(stsd::iequals("\xC3\xA9", "\xC3\x89"));  // only A-Z fold
  EXPECT_TRUE(stsd::istarts_with("/_STSD/reset", "/_stsd/"));
  EXPECT_FALSE(stsd::istarts_with("/_st", "/_stsd/"));
}

TEST(Calendar, DaysFromCivilAndMonths) {
  EXPECT_EQ(stsd::days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(stsd::days_from_civil(2000, 3, 1), 11017);
  EXPECT_EQ(stsd::days_from_civil(1969, 12, 31), -1);
  EXPECT_EQ(stsd::days_from_civil(2023, 1, 32), stsd::days_from_civil(2023, 2, 1));  // rolls over
  EXPECT_TRUE(stsd::is_leap_year(2000));
  EXPECT_FALSE(stsd::is_leap_year(1900));
  EXPECT_EQ(stsd::days_in_month(2024, 2), 29u);
  EXPECT_EQ(stsd::days_in_month(2023, 2), 28u);
  EXPECT_EQ(stsd::days_in_month(2023, 12), 31u);
}

TEST(Iso8601, PolicyDateForms) {
  auto t = stsd::parse_iso8601("2023-11-14T22:13:20.5Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->seconds, 1700000000);
  EXPECT_EQ(t->nanoseconds, 500000000);
  EXPECT_EQ(stsd::parse_iso8601("2023-11-14")->seconds, 1699920000);
  EXPECT_EQ(stsd::parse_iso8601("2023-11-14t23:13:20+0100")->seconds, 1700000000);
  EXPECT_FALSE(stsd::parse_iso8601("2023-02-29"));
  EXPECT_FALSE(stsd::parse_iso8601("2023-11-14T22:13:20.1234567890Z"));
}

}  // namespace
