// Guards form decoding: percent-escapes, '+', malformed escapes kept, first
// value wins, empty values, huge parameter counts stay linear.
#include <gtest/gtest.h>

#include <cctype>
#include <random>
#include <string>

#include "stsd/common/percent_encoding.h"
#include "stsd/protocol/query.h"

using stsd::form_decode;
using stsd::protocol::parse_form;
using stsd::service::Parameters;

TEST(FormDecode, Escapes) {
  EXPECT_EQ(form_decode("a%20b+c"), "a b c");
  EXPECT_EQ(form_decode("%2F%2f"), "//");
  EXPECT_EQ(form_decode("%"), "%");
  EXPECT_EQ(form_decode("%4"), "%4");
  EXPECT_EQ(form_decode("%zz"), "%zz");
  EXPECT_EQ(form_decode("%E2%9C%93"), "\xE2\x9C\x93");
  EXPECT_EQ(form_decode("%00"), std::string(1, '\0'));
  EXPECT_EQ(form_decode("plain"), "plain");
  EXPECT_EQ(form_decode("ab%41"), "abA");
  EXPECT_EQ(form_decode("ab%4"), "ab%4");
  EXPECT_EQ(form_decode("+a+"), " a ");
  EXPECT_EQ(form_decode("%%41%"), "%A%");
  EXPECT_EQ(form_decode(""), "");
}

// Random texts over an alphabet dense in '+', '%' and hex digits, against a
// byte-at-a-time reading of the rules.
// A default string_view has no data: decoding it must not reach memchr
// (UBSan under the fuzz and sanitize builds; found by fuzz_form).
TEST(FormDecode, EmptyViewWithoutData) {
  EXPECT_EQ(form_decode(std::string_view()), "");
  Parameters params;
  parse_form("Action&RoleArn=", params);
  ASSERT_NE(params.find("Action"), nullptr);
  EXPECT_EQ(*params.find("Action"), "");
}

TEST(FormDecode, AgreesWithAByteAtATimeReference) {
  const auto reference = [](std::string_view t) {
    const auto hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
    const auto value = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
    std::string out;
    for (std::size_t i = 0; i < t.size(); ++i) {
      if (t[i] == '+') {
        out += ' ';
      } else if (t[i] == '%' && i + 2 < t.size() && hex(t[i + 1]) && hex(t[i + 2])) {
        out += static_cast<char>(value(t[i + 1]) * 16 + value(t[i + 2]));
        i += 2;
      } else {
        out += t[i];
      }
    }
    return out;
  };
  std::mt19937 rng(7);
  const std::string alphabet = "+%%%0aF9gZ.-~ \xff";
  for (int n = 0; n < 20000; ++n) {
    std::string text(rng() % 40, ' ');
    for (char& c : text) c = alphabet[rng() % alphabet.size()];
    ASSERT_EQ(form_decode(text), reference(text)) << text;
  }
}

TEST(ParseForm, FirstValueWinsAndEmptyValues) {
  Parameters p;
  parse_form("Action=A&Version=1&Action=B&Tags=&Flag&&=x", p);
  EXPECT_EQ(*p.find("Action"), "A");
  EXPECT_EQ(*p.find("Version"), "1");
  EXPECT_EQ(*p.find("Tags"), "");
  EXPECT_EQ(*p.find("Flag"), "");
  EXPECT_EQ(*p.find(""), "x");
  EXPECT_EQ(p.size(), 5u);
}

TEST(ParseForm, TenThousandParameters) {
  std::string body;
  for (int i = 0; i < 10000; ++i) body.append("P").append(std::to_string(i)).append("=").append(std::to_string(i)).append("&");
  Parameters p;
  parse_form(body, p);
  EXPECT_EQ(p.size(), 10000u);
  EXPECT_EQ(*p.find("P9999"), "9999");
}
