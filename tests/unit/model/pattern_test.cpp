// Guards the code-point matcher and the patterns compiled by
// scripts/gen_model.py: Java semantics (\w and \d ASCII-only, "\u10000"
// read as U+1000 then '0'), exact ASCII, and strict UTF-8.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "code_points.h"
#include "model_tables.h"

using namespace stsd::service::model_detail;

namespace {

const PatternSpec& pattern(std::string_view source) {
  for (const ServiceSpec* service : {&sts_service(), &iam_service()})
    for (const ShapeSpec& s : service->shapes)
      if (s.pattern != nullptr && s.pattern->source == source) return *s.pattern;
  ADD_FAILURE() << "no shape uses pattern " << source;
  static const PatternSpec none{};
  return none;
}

bool matches(std::string_view source, std::string_view text) {
  return scan_text(text, &pattern(source)).matches_pattern;
}

std::string utf8(char32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return out;
}

constexpr std::string_view kArn = R"([\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+)";
constexpr std::string_view kName = R"([\w+=,.@-]*)";
constexpr std::string_view kTagKey = R"([\p{L}\p{Z}\p{N}_.:/=+\-@]+)";
constexpr std::string_view kTagValue = R"([\p{L}\p{Z}\p{N}_.:/=+\-@]*)";
constexpr std::string_view kPolicy = R"([\u0009\u000A\u000D\u0020-\u00FF]+)";
constexpr std::string_view kExternalId = R"([\w+=,.@:\/-]*)";
constexpr std::string_view kSerial = R"([\w+=/:,.@-]*)";
constexpr std::string_view kDigits = R"([\d]*)";
constexpr std::string_view kWord = R"([\w]*)";

}  // namespace

TEST(Ranges, BinarySearchEdges) {
  const CodePointRange r[] = {{0x10, 0x20}, {0x30, 0x30}, {0x100, 0x1FF}};
  const std::pair<char32_t, const CodePointRange*> inside[] = {{0x10u, &r[0]}, {0x15u, &r[0]}, {0x20u, &r[0]},
                                                                {0x30u, &r[1]}, {0x100u, &r[2]}, {0x1FFu, &r[2]}};
  for (auto [in, range] : inside) EXPECT_EQ(find_range(r, in), range) << static_cast<unsigned>(in);
  for (char32_t out : {0x0u, 0xFu, 0x21u, 0x2Fu, 0x31u, 0xFFu, 0x200u, 0x10FFFFu}) EXPECT_EQ(find_range(r, out), nullptr) << static_cast<unsigned>(out);
  EXPECT_EQ(find_range({}, 0x41), nullptr);
}

TEST(Patterns, SessionNameAsciiExact) {
  // \w is [A-Za-z0-9_] in Java without UNICODE_CHARACTER_CLASS.
  for (char32_t c = 0; c < 0x80; ++c) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                         std::u32string_view(U"_+=,.@-").find(c) != std::u32string_view::npos;
    EXPECT_EQ(matches(kName, utf8(c)), allowed) << "U+" << std::hex << static_cast<unsigned>(c);
  }
  EXPECT_FALSE(matches(kName, utf8(0xE9)));  // é is not \w
  EXPECT_TRUE(matches(kName, ""));           // `*` allows empty
}

TEST(Patterns, ArnClassFollowsJavaParsing) {
  EXPECT_FALSE(matches(kArn, ""));  // `+`
  EXPECT_TRUE(matches(kArn, "\t\n\r arn:aws:iam::123456789012:role/x ~"));
  EXPECT_FALSE(matches(kArn, "\x01"));
  EXPECT_FALSE(matches(kArn, "\x0B"));
  // "\u10000-\u10FFFF" is U+1000, then the range '0'-U+10FF: so DEL and the
  // C1 controls are in the class after all, and nothing above U+FFFF is.
  EXPECT_TRUE(matches(kArn, utf8(0x7F)));
  EXPECT_TRUE(matches(kArn, utf8(0x85)));
  EXPECT_TRUE(matches(kArn, utf8(0x9F)));
  EXPECT_TRUE(matches(kArn, utf8(0xD7FF)));
  EXPECT_TRUE(matches(kArn, utf8(0xE000)));
  EXPECT_TRUE(matches(kArn, utf8(0xFFFD)));
  EXPECT_FALSE(matches(kArn, utf8(0xFFFE)));
  EXPECT_FALSE(matches(kArn, utf8(0x10000)));
  EXPECT_FALSE(matches(kArn, utf8(0x1F600)));
  EXPECT_FALSE(matches(kArn, utf8(0x10FFFF)));
}

TEST(Patterns, TagClassesUseUnicodeCategories) {
  EXPECT_TRUE(matches(kTagKey, "Team Name_1.:/=+-@"));
  EXPECT_TRUE(matches(kTagKey, utf8(0xE9) + utf8(0x6771) + utf8(0x00B2) + utf8(0x3000)));  // L, L, No, Zs
  EXPECT_TRUE(matches(kTagKey, utf8(0x1D400)));  // MATHEMATICAL BOLD CAPITAL A: a supplementary letter
  EXPECT_TRUE(matches(kTagKey, utf8(0x2028)));   // LINE SEPARATOR is \p{Z}
  for (std::string_view bad : {"#", "!", "*", "$", "%", "&", "(", "'", "\"", ",", ";", "<", "?", "[", "\\", "^", "`",
                               "{", "|", "}", "~", "\t"})
    EXPECT_FALSE(matches(kTagKey, bad)) << bad;
  EXPECT_FALSE(matches(kTagKey, utf8(0x1F600)));  // emoji are So, not L/Z/N
  EXPECT_FALSE(matches(kTagKey, utf8(0x0301)));   // combining mark is Mn
  EXPECT_FALSE(matches(kTagKey, ""));
  EXPECT_TRUE(matches(kTagValue, ""));
}

TEST(Patterns, OtherModelPatterns) {
  EXPECT_TRUE(matches(kPolicy, "{\"Version\":\"2012-10-17\"}\t\r\n" + utf8(0xFF)));
  EXPECT_FALSE(matches(kPolicy, utf8(0x100)));
  EXPECT_FALSE(matches(kPolicy, ""));
  EXPECT_TRUE(matches(kExternalId, "a:b/c-d"));   // "\/" is '/'
  EXPECT_FALSE(matches(kExternalId, "a b"));
  EXPECT_TRUE(matches(kSerial, "arn:aws:iam::123456789012:mfa/alice"));
  EXPECT_FALSE(matches(kSerial, "arn:aws:iam::123456789012:mfa/al ice"));
  EXPECT_TRUE(matches(kDigits, "0123456789"));
  EXPECT_FALSE(matches(kDigits, utf8(0x0663)));  // ARABIC-INDIC THREE: \d is ASCII in Java
  EXPECT_TRUE(matches(kWord, "AKIAIOSFODNN7EXAMPLE"));
  EXPECT_FALSE(matches(kWord, "AKIA-"));
}

TEST(Scan, LengthInCodePointsAndInvalidBytes) {
  EXPECT_EQ(scan_text("", nullptr).length, 0u);
  EXPECT_EQ(scan_text("abc", nullptr).length, 3u);
  EXPECT_EQ(scan_text(utf8(0xE9) + utf8(0x6771) + utf8(0x1F600), nullptr).length, 3u);
  // Each byte of an invalid sequence counts once; without a pattern nothing fails.
  const auto facts = scan_text(std::string("a\xFF\xC3", 3), nullptr);
  EXPECT_EQ(facts.length, 3u);
  EXPECT_TRUE(facts.matches_pattern);
  EXPECT_FALSE(scan_text(std::string("ab\xFF", 3), &pattern(kName)).matches_pattern);
  EXPECT_FALSE(scan_text("\xF4\x90\x80\x80", &pattern(kArn)).matches_pattern);  // above U+10FFFF
  EXPECT_FALSE(scan_text("\xE0\x80\xAF", &pattern(kArn)).matches_pattern);      // overlong
}

// IAM's patterns that are not one character class run as regular expressions.
TEST(RegexPattern, IamPathIsSlashDelimited) {
  const std::string_view path = "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)";
  EXPECT_TRUE(matches(path, "/"));
  EXPECT_TRUE(matches(path, "/division_abc/subdivision_xyz/"));
  EXPECT_FALSE(matches(path, "/no-trailing-slash"));
  EXPECT_FALSE(matches(path, "relative/"));
  EXPECT_FALSE(matches(path, "/sp ace/"));
  EXPECT_FALSE(matches(path, ""));
}

TEST(RegexPattern, AccountIdIsTwelveDigits) {
  const std::string_view account = "\\d{12}";
  EXPECT_TRUE(matches(account, "123456789012"));
  EXPECT_FALSE(matches(account, "12345678901"));
  EXPECT_FALSE(matches(account, "1234567890123"));
  EXPECT_FALSE(matches(account, "12345678901a"));
}

TEST(RegexPattern, PolicyVersionId) {
  const std::string_view version = "v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?";
  EXPECT_TRUE(matches(version, "v1"));
  EXPECT_TRUE(matches(version, "v12"));
  EXPECT_FALSE(matches(version, "v0"));
  EXPECT_FALSE(matches(version, "1"));
}

TEST(RegexPattern, LongValuesNeverReachTheMatcher) {
  const std::string_view account = "\\d{12}";
  EXPECT_FALSE(matches(account, std::string(kMaxRegexInput + 1, '1')));
}
