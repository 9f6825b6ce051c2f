// Guards the value parsers behind the condition operators: ISO 8601 and
// epoch dates, exact decimal comparison, IPv4/IPv6 CIDR blocks, base64,
// per-segment ARN wildcards, the wildcard matcher and the JSON nesting guard.
#include <gtest/gtest.h>

#include "policy_test_util.h"
#include "stsd/domain/policy.h"

using namespace stsd::domain;
using namespace stsd::domain::testing;

namespace {

struct DateCase {
  const char* text;
  std::optional<std::int64_t> seconds;  // nullopt: refused
  std::int32_t nanos = 0;
};

class PolicyDates : public ::testing::TestWithParam<DateCase> {};

TEST_P(PolicyDates, Parse) {
  const auto& c = GetParam();
  const auto t = parse_policy_date(c.text);
  ASSERT_EQ(t.has_value(), c.seconds.has_value()) << c.text;
  if (!t) return;
  EXPECT_EQ(t->seconds, *c.seconds) << c.text;
  EXPECT_EQ(t->nanoseconds, c.nanos) << c.text;
}

INSTANTIATE_TEST_SUITE_P(
    Table, PolicyDates,
    ::testing::Values(DateCase{"2020-01-01T00:00:00Z", 1577836800}, DateCase{"2020-01-01", 1577836800},
                      DateCase{"2020-01", 1577836800}, DateCase{"2020", 2020},  // digits only: epoch seconds
                      DateCase{"1577836800", 1577836800}, DateCase{"0", 0},
                      DateCase{"2020-01-01t00:00:00z", 1577836800}, DateCase{"2020-01-01T00:00Z", 1577836800},
                      DateCase{"2020-01-01T05:30:00+05:30", 1577836800},
                      DateCase{"2019-12-31T19:00:00-0500", 1577836800},
                      DateCase{"2020-01-01T00:00:00.25Z", 1577836800, 250000000},
                      DateCase{"2024-02-29T12:00:00Z", 1709208000}, DateCase{"1969-12-31T23:59:59Z", -1},
                      DateCase{"9223372036854775807", 9223372036854775807LL},
                      DateCase{"9223372036854775808", std::nullopt}, DateCase{"", std::nullopt},
                      DateCase{"yesterday", std::nullopt}, DateCase{"2023-02-29", std::nullopt},
                      DateCase{"2020-13-01", std::nullopt}, DateCase{"2020-01-01T24:00:00Z", std::nullopt},
                      DateCase{"2016-12-13t2:00:00.593194+1", std::nullopt},
                      DateCase{"2016-12-13T02:00:00.1999999999+10:59", std::nullopt},
                      DateCase{"2020-01-01T00:00:00Zjunk", std::nullopt}, DateCase{"-5", std::nullopt},
                      DateCase{" 2020-01-01", std::nullopt}));

TEST(PolicyNumbers, CompareExactly) {
  EXPECT_EQ(compare_policy_numbers("10", "10.000"), 0);
  EXPECT_EQ(compare_policy_numbers("-0", "0"), 0);
  EXPECT_EQ(compare_policy_numbers("007", "7"), 0);
  EXPECT_EQ(compare_policy_numbers(".5", "0.5"), 0);
  EXPECT_EQ(compare_policy_numbers("+3", "3"), 0);
  EXPECT_EQ(compare_policy_numbers("9", "10"), -1);
  EXPECT_EQ(compare_policy_numbers("-10", "-9"), -1);
  EXPECT_EQ(compare_policy_numbers("1.25", "1.3"), -1);
  EXPECT_EQ(compare_policy_numbers("-1", "1"), -1);
  EXPECT_EQ(compare_policy_numbers("99999999999999999999.1", "99999999999999999999"), 1);
  for (const char* bad : {"", "-", ".", "1e3", "0x10", " 1", "1 ", "1.2.3", "NaN", "inf", "1,000"})
    EXPECT_FALSE(compare_policy_numbers(bad, "1")) << bad;
}

struct CidrCase {
  const char* address;
  const char* block;
  bool inside;
};

class PolicyCidr : public ::testing::TestWithParam<CidrCase> {};

TEST_P(PolicyCidr, Contains) {
  const auto& c = GetParam();
  EXPECT_EQ(ip_in_cidr(c.address, c.block), c.inside) << c.address << " in " << c.block;
}

INSTANTIATE_TEST_SUITE_P(
    Table, PolicyCidr,
    ::testing::Values(
        CidrCase{"192.0.2.1", "192.0.2.0/24", true}, CidrCase{"192.0.3.1", "192.0.2.0/24", false},
        CidrCase{"192.0.2.1", "192.0.2.1", true}, CidrCase{"192.0.2.2", "192.0.2.1/32", false},
        CidrCase{"10.255.255.255", "10.0.0.0/8", true}, CidrCase{"11.0.0.0", "10.0.0.0/8", false},
        CidrCase{"1.2.3.4", "0.0.0.0/0", true}, CidrCase{"192.0.2.130", "192.0.2.128/25", true},
        CidrCase{"192.0.2.127", "192.0.2.128/25", false},
        CidrCase{"192.0.2.5", "192.0.2.7/24", true},  // host bits in the block are masked
        CidrCase{"2001:db8::1", "2001:db8::/32", true}, CidrCase{"2001:db9::1", "2001:db8::/32", false},
        CidrCase{"2001:DB8:0:0:0:0:0:1", "2001:db8::1/128", true}, CidrCase{"::1", "::1", true},
        CidrCase{"::", "::/0", true}, CidrCase{"fe80::1", "fe80::/10", true}, CidrCase{"fec0::1", "fe80::/10", false},
        CidrCase{"::ffff:192.0.2.1", "192.0.2.0/24", true}, CidrCase{"192.0.2.1", "::ffff:192.0.2.0/120", true},
        CidrCase{"2001:db8::1", "0.0.0.0/0", false},
        // Malformed input never matches.
        CidrCase{"256.0.0.1", "0.0.0.0/0", false}, CidrCase{"1.2.3", "0.0.0.0/0", false},
        CidrCase{"1.2.3.4.5", "0.0.0.0/0", false}, CidrCase{"1.2.3.4", "1.2.3.0/33", false},
        CidrCase{"1.2.3.4", "1.2.3.0/", false}, CidrCase{"1.2.3.4", "1.2.3.0/-1", false},
        CidrCase{"2001:db8::1::2", "::/0", false}, CidrCase{"2001:db8:::1", "::/0", false},
        CidrCase{"1:2:3:4:5:6:7:8:9", "::/0", false}, CidrCase{"2001:db8::g", "::/0", false},
        CidrCase{"2001:db8::1", "2001:db8::/129", false}, CidrCase{"fe80::1%eth0", "::/0", false},
        CidrCase{"", "0.0.0.0/0", false}, CidrCase{"1.2.3.4", "", false}));

TEST(PolicyBase64, DecodesStandardPadded) {
  EXPECT_EQ(decode_policy_base64("QmluYXJ5VmFsdWU="), "BinaryValue");
  EXPECT_EQ(decode_policy_base64("YQ=="), "a");
  EXPECT_EQ(decode_policy_base64("YWI="), "ab");
  EXPECT_EQ(decode_policy_base64("YWJj"), "abc");
  EXPECT_EQ(decode_policy_base64(""), "");
  for (const char* bad : {"YQ", "Y===", "YQ=a", "YQ==YWJj", "Y!==", "YWJj\n"})
    EXPECT_FALSE(decode_policy_base64(bad)) << bad;
}

// ArnLike as a policy condition applies it.
bool arn_like(const std::string& pattern, const std::string& arn) {
  PolicyRequest r;
  r.action = "sts:AssumeRole";
  r.resource = "*";
  r.context["aws:principalarn"] = {arn};
  const std::string policy = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*",)"
                             R"("Condition":{"ArnLike":{"aws:PrincipalArn":")" + pattern + R"("}}}]})";
  return evaluate_policy(policy, r) == Decision::Allow;
}

TEST(PolicyArnLike, ComponentsMatchSeparately) {
  EXPECT_TRUE(arn_like("arn:aws:iam::*:role/*", "arn:aws:iam::111122223333:role/a/b"));
  EXPECT_TRUE(arn_like("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a:b:c"));
  EXPECT_TRUE(arn_like("arn:aws:sqs:us-?ast-1:*:q", "arn:aws:sqs:us-east-1:111122223333:q"));
  EXPECT_FALSE(arn_like("arn:aws:iam::*:role/x", "arn:aws:iam::1:2:role/x"));
  EXPECT_FALSE(arn_like("arn:aws:iam::111122223333:*", "arn:aws:iam::111122223333"));
  EXPECT_FALSE(arn_like("arn:aws:iam::111122223333:role/X", "arn:aws:iam::111122223333:role/x"));
  EXPECT_TRUE(arn_like("*", "arn:aws:iam::111122223333:root"));
  EXPECT_FALSE(arn_like("*", "root"));
}

TEST(PolicyWildcard, LinearOnAdversarialPatterns) {
  const std::string text(20000, 'a');
  EXPECT_FALSE(wildcard_match("*a*a*a*a*a*a*a*a*a*a*b", text));
  EXPECT_TRUE(wildcard_match("*a*a*a*a*a*a*a*a*a*a*", text));
  EXPECT_TRUE(wildcard_match("**??**", "ab"));
  EXPECT_FALSE(wildcard_match("???", "ab"));
  EXPECT_TRUE(wildcard_match("", ""));
  EXPECT_FALSE(wildcard_match("", "a"));
  EXPECT_TRUE(wildcard_match("A*Z", "abcz", true));
}

TEST(PolicyJsonDepth, CountsOnlyStructuralBrackets) {
  EXPECT_EQ(json_nesting_depth(R"({"a":[{"b":"[[[[{{{"}]})"), 3u);
  EXPECT_EQ(json_nesting_depth(R"(["\"[[[", [1]])"), 2u);
  EXPECT_EQ(json_nesting_depth("[[[]]]"), 3u);
  EXPECT_EQ(json_nesting_depth("]]]}}}"), 0u);
  EXPECT_EQ(json_nesting_depth(std::string(100000, '[')), 100000u);
}

}  // namespace
