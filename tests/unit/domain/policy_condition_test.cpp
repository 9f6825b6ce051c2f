// Guards every IAM condition operator against the cases the IAM User Guide
// documents ("Condition operators", "Single-valued vs. multivalued context
// keys", "Conditions with multiple context keys or values"): matching,
// case rules, missing keys with and without IfExists, the negated operators,
// Null, the ForAllValues / ForAnyValue set operators with empty and missing
// sets, several policy values (OR) and several keys (AND).
#include <gtest/gtest.h>

#include <optional>

#include "policy_test_util.h"
#include "stsd/domain/policy.h"

using namespace stsd::domain;
using namespace stsd::domain::testing;

namespace {

struct ConditionCase {
  const char* name;
  const char* op;
  const char* policy_values;  // JSON: a string, number, bool or list
  std::optional<std::vector<std::string>> request;  // nullopt: key absent
  bool holds;
};

std::string policy_with(const ConditionCase& c) {
  return std::string(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole",)"
                     R"("Resource":"*","Condition":{")") +
         c.op + R"(":{"test:Key":)" + c.policy_values + "}}}}";
}

PolicyRequest request_with(const ConditionCase& c) {
  PolicyRequest r;
  r.action = "sts:AssumeRole";
  r.principal_arn = "arn:aws:iam::111122223333:user/alice";
  r.principal_account = "111122223333";
  r.resource = "arn:aws:iam::111122223333:role/deploy";
  if (c.request) r.context["test:key"] = *c.request;
  return r;
}

using V = std::vector<std::string>;
constexpr auto kAbsent = std::nullopt;

class ConditionOperators : public ::testing::TestWithParam<ConditionCase> {};

TEST_P(ConditionOperators, Hold) {
  const auto& c = GetParam();
  auto policy = Policy::parse(policy_with(c));
  ASSERT_TRUE(policy) << policy_with(c);
  EXPECT_EQ(policy->evaluate(request_with(c)).decision, c.holds ? Decision::Allow : Decision::ImplicitDeny)
      << c.op << " " << c.policy_values;
}

std::string case_name(const ::testing::TestParamInfo<ConditionCase>& info) { return info.param.name; }

INSTANTIATE_TEST_SUITE_P(String, ConditionOperators, ::testing::Values(
    ConditionCase{"EqualsMatch", "StringEquals", R"("a")", V{"a"}, true},
    ConditionCase{"EqualsIsCaseSensitive", "StringEquals", R"("A")", V{"a"}, false},
    ConditionCase{"EqualsMissingKey", "StringEquals", R"("a")", kAbsent, false},
    ConditionCase{"EqualsValuesAreOred", "StringEquals", R"(["x","a"])", V{"a"}, true},
    ConditionCase{"EqualsHasNoWildcards", "StringEquals", R"("a*")", V{"abc"}, false},
    ConditionCase{"EqualsStarIsLiteral", "StringEquals", R"("a*")", V{"a*"}, true},
    ConditionCase{"NotEqualsDiffers", "StringNotEquals", R"("a")", V{"b"}, true},
    ConditionCase{"NotEqualsSame", "StringNotEquals", R"("a")", V{"a"}, false},
    ConditionCase{"NotEqualsMissingKeyHolds", "StringNotEquals", R"("a")", kAbsent, true},
    ConditionCase{"NotEqualsAnyListedValueFails", "StringNotEquals", R"(["a","b"])", V{"b"}, false},
    ConditionCase{"EqualsIgnoreCase", "StringEqualsIgnoreCase", R"("ABC")", V{"abc"}, true},
    ConditionCase{"NotEqualsIgnoreCaseSame", "StringNotEqualsIgnoreCase", R"("ABC")", V{"abc"}, false},
    ConditionCase{"NotEqualsIgnoreCaseMissing", "StringNotEqualsIgnoreCase", R"("ABC")", kAbsent, true},
    ConditionCase{"LikeStar", "StringLike", R"("ab*")", V{"abc"}, true},
    ConditionCase{"LikeQuestionMark", "StringLike", R"("a?c")", V{"abc"}, true},
    ConditionCase{"LikeQuestionMarkIsOneChar", "StringLike", R"("a?c")", V{"ac"}, false},
    ConditionCase{"LikeIsCaseSensitive", "StringLike", R"("AB*")", V{"abc"}, false},
    ConditionCase{"LikeMissingKey", "StringLike", R"("*")", kAbsent, false},
    ConditionCase{"NotLikeMatching", "StringNotLike", R"("ab*")", V{"abc"}, false},
    ConditionCase{"NotLikeOther", "StringNotLike", R"("ab*")", V{"xyz"}, true},
    ConditionCase{"NotLikeMissingKey", "StringNotLike", R"("ab*")", kAbsent, true},
    ConditionCase{"IfExistsMissingKey", "StringEqualsIfExists", R"("a")", kAbsent, true},
    ConditionCase{"IfExistsPresentMismatch", "StringEqualsIfExists", R"("a")", V{"b"}, false},
    ConditionCase{"IfExistsPresentMatch", "StringEqualsIfExists", R"("a")", V{"a"}, true},
    ConditionCase{"LikeIfExistsMissingKey", "StringLikeIfExists", R"("x*")", kAbsent, true},
    ConditionCase{"NotEqualsIfExistsPresentSame", "StringNotEqualsIfExists", R"("a")", V{"a"}, false},
    ConditionCase{"EmptyListIsAbsent", "StringEquals", R"("a")", V{}, false},
    ConditionCase{"MultiValuedKeyAnyMatches", "StringEquals", R"("a")", V{"b", "a"}, true},
    ConditionCase{"MultiValuedKeyNegatedNoneMayMatch", "StringNotEquals", R"("a")", V{"b", "a"}, false},
    ConditionCase{"MultiValuedKeyNegatedNoMatch", "StringNotEquals", R"("a")", V{"b", "c"}, true}),
    case_name);

INSTANTIATE_TEST_SUITE_P(Numeric, ConditionOperators, ::testing::Values(
    ConditionCase{"Equals", "NumericEquals", R"("10")", V{"10"}, true},
    ConditionCase{"EqualsDecimalForm", "NumericEquals", R"("10")", V{"10.0"}, true},
    ConditionCase{"EqualsJsonNumber", "NumericEquals", "3600", V{"3600"}, true},
    ConditionCase{"EqualsDiffers", "NumericEquals", R"("10")", V{"11"}, false},
    ConditionCase{"NotEquals", "NumericNotEquals", R"("10")", V{"11"}, true},
    ConditionCase{"NotEqualsMissingKey", "NumericNotEquals", R"("10")", kAbsent, true},
    ConditionCase{"LessThan", "NumericLessThan", R"("10")", V{"9"}, true},
    ConditionCase{"LessThanEqualIsFalse", "NumericLessThan", R"("10")", V{"10"}, false},
    ConditionCase{"LessThanEquals", "NumericLessThanEquals", R"("10")", V{"10"}, true},
    ConditionCase{"GreaterThanDecimal", "NumericGreaterThan", R"("10")", V{"10.5"}, true},
    ConditionCase{"GreaterThanNegatives", "NumericGreaterThan", R"("-1")", V{"-2"}, false},
    ConditionCase{"GreaterThanEquals", "NumericGreaterThanEquals", R"("10")", V{"10"}, true},
    ConditionCase{"LongIntegersExact", "NumericLessThan", R"("12345678901234567890")", V{"12345678901234567889"}, true},
    ConditionCase{"NonNumericRequest", "NumericEquals", R"("10")", V{"ten"}, false},
    ConditionCase{"NonNumericPolicyValue", "NumericLessThan", R"("ten")", V{"1"}, false},
    ConditionCase{"LessThanMissingKey", "NumericLessThan", R"("10")", kAbsent, false},
    ConditionCase{"LessThanIfExistsMissingKey", "NumericLessThanIfExists", R"("10")", kAbsent, true}),
    case_name);

INSTANTIATE_TEST_SUITE_P(Date, ConditionOperators, ::testing::Values(
    ConditionCase{"GreaterThanIso", "DateGreaterThan", R"("2020-01-01T00:00:00Z")", V{"2024-05-01T12:00:00Z"}, true},
    ConditionCase{"LessThanIsoVsEpoch", "DateLessThan", R"("2020-01-01T00:00:00Z")", V{"1577836799"}, true},
    ConditionCase{"EqualsEpochVsIso", "DateEquals", R"("1577836800")", V{"2020-01-01T00:00:00Z"}, true},
    ConditionCase{"EqualsAcrossOffsets", "DateEquals", R"("2020-01-01T01:00:00+01:00")", V{"2020-01-01T00:00:00Z"}, true},
    ConditionCase{"EqualsDateOnlyIsMidnight", "DateEquals", R"("2020-01-01")", V{"2020-01-01T00:00:00Z"}, true},
    ConditionCase{"FractionalSeconds", "DateGreaterThan", R"("2020-01-01T00:00:00Z")", V{"2020-01-01T00:00:00.500Z"}, true},
    ConditionCase{"NotEquals", "DateNotEquals", R"("2020-01-01T00:00:00Z")", V{"2021-01-01T00:00:00Z"}, true},
    ConditionCase{"NotEqualsMissingKey", "DateNotEquals", R"("2020-01-01T00:00:00Z")", kAbsent, true},
    ConditionCase{"LessThanEquals", "DateLessThanEquals", R"("2020-01-01T00:00:00Z")", V{"2020-01-01T00:00:00Z"}, true},
    ConditionCase{"GreaterThanEquals", "DateGreaterThanEquals", R"("2020-01-01T00:00:00Z")", V{"2019-12-31T23:59:59Z"}, false},
    ConditionCase{"NotADate", "DateLessThan", R"("2020-01-01T00:00:00Z")", V{"yesterday"}, false},
    ConditionCase{"MissingKey", "DateLessThan", R"("2020-01-01T00:00:00Z")", kAbsent, false},
    ConditionCase{"IfExistsMissingKey", "DateLessThanIfExists", R"("2020-01-01T00:00:00Z")", kAbsent, true}),
    case_name);

INSTANTIATE_TEST_SUITE_P(BoolAndBinary, ConditionOperators, ::testing::Values(
    ConditionCase{"BoolTrue", "Bool", R"("true")", V{"true"}, true},
    ConditionCase{"BoolCaseInsensitive", "Bool", R"("true")", V{"TRUE"}, true},
    ConditionCase{"BoolFalseVsTrue", "Bool", R"("true")", V{"false"}, false},
    ConditionCase{"BoolFalse", "Bool", R"("false")", V{"false"}, true},
    ConditionCase{"BoolJsonLiteral", "Bool", "true", V{"true"}, true},
    ConditionCase{"BoolOnlyTrueOrFalse", "Bool", R"("yes")", V{"yes"}, false},
    ConditionCase{"BoolMissingKey", "Bool", R"("false")", kAbsent, false},
    ConditionCase{"BoolIfExistsMissingKey", "BoolIfExists", R"("true")", kAbsent, true},
    ConditionCase{"BinaryEquals", "BinaryEquals", R"("QmluYXJ5VmFsdWU=")", V{"BinaryValue"}, true},
    ConditionCase{"BinaryDiffers", "BinaryEquals", R"("QmluYXJ5VmFsdWU=")", V{"Other"}, false},
    ConditionCase{"BinaryNotBase64", "BinaryEquals", R"("%%%%")", V{"%%%%"}, false}),
    case_name);

INSTANTIATE_TEST_SUITE_P(Ip, ConditionOperators, ::testing::Values(
    ConditionCase{"V4Block", "IpAddress", R"("203.0.113.0/24")", V{"203.0.113.7"}, true},
    ConditionCase{"V4Outside", "IpAddress", R"("203.0.113.0/24")", V{"203.0.114.1"}, false},
    ConditionCase{"V4BareAddress", "IpAddress", R"("203.0.113.7")", V{"203.0.113.7"}, true},
    ConditionCase{"V4AnyBlock", "IpAddress", R"("0.0.0.0/0")", V{"198.51.100.1"}, true},
    ConditionCase{"V6Block", "IpAddress", R"("2001:DB8:1234:5678::/64")", V{"2001:db8:1234:5678:abcd::1"}, true},
    ConditionCase{"V6Outside", "IpAddress", R"("2001:DB8:1234:5678::/64")", V{"2001:db8:1234:5679::1"}, false},
    ConditionCase{"V4BlockV6Address", "IpAddress", R"("203.0.113.0/24")", V{"2001:db8::1"}, false},
    ConditionCase{"V4BlockMappedAddress", "IpAddress", R"("203.0.113.0/24")", V{"::ffff:203.0.113.9"}, true},
    ConditionCase{"SeveralBlocksOred", "IpAddress", R"(["10.0.0.0/8","192.168.0.0/16"])", V{"192.168.3.4"}, true},
    ConditionCase{"NotAnAddress", "IpAddress", R"("10.0.0.0/8")", V{"not-an-ip"}, false},
    ConditionCase{"NotIpOutside", "NotIpAddress", R"("10.0.0.0/8")", V{"192.168.1.1"}, true},
    ConditionCase{"NotIpInside", "NotIpAddress", R"("10.0.0.0/8")", V{"10.1.2.3"}, false},
    ConditionCase{"NotIpMissingKey", "NotIpAddress", R"("10.0.0.0/8")", kAbsent, true},
    ConditionCase{"IpMissingKey", "IpAddress", R"("10.0.0.0/8")", kAbsent, false}),
    case_name);

INSTANTIATE_TEST_SUITE_P(Arn, ConditionOperators, ::testing::Values(
    ConditionCase{"Equals", "ArnEquals", R"("arn:aws:iam::111122223333:role/ci")", V{"arn:aws:iam::111122223333:role/ci"}, true},
    ConditionCase{"EqualsIsCaseSensitive", "ArnEquals", R"("arn:aws:iam::111122223333:role/CI")", V{"arn:aws:iam::111122223333:role/ci"}, false},
    ConditionCase{"LikeWildcards", "ArnLike", R"("arn:aws:iam::*:role/ci-*")", V{"arn:aws:iam::111122223333:role/ci-main"}, true},
    ConditionCase{"LikeEmptyRegion", "ArnLike", R"("arn:*:iam:*:111122223333:role/?i")", V{"arn:aws:iam::111122223333:role/ci"}, true},
    ConditionCase{"LikeResourceKeepsColons", "ArnLike", R"("arn:aws:s3:::bucket/*")", V{"arn:aws:s3:::bucket/a:b"}, true},
    ConditionCase{"LikeAccountMismatch", "ArnLike", R"("arn:aws:iam::1111*:role/x")", V{"arn:aws:iam::222222222222:role/x"}, false},
    // Per segment: "*" in the account cannot swallow the next colon.
    ConditionCase{"WildcardStaysInItsSegment", "ArnLike", R"("arn:aws:iam::*:role/x")", V{"arn:aws:iam::1:2:role/x"}, false},
    ConditionCase{"PatternTooShort", "ArnLike", R"("arn:aws:iam::*")", V{"arn:aws:iam::111122223333:role/x"}, false},
    ConditionCase{"LikeStarAlone", "ArnLike", R"("*")", V{"arn:aws:iam::111122223333:role/x"}, true},
    ConditionCase{"RequestNotAnArn", "ArnLike", R"("*")", V{"not-an-arn"}, false},
    ConditionCase{"NotEqualsOther", "ArnNotEquals", R"("arn:aws:iam::111122223333:role/ci")", V{"arn:aws:iam::111122223333:role/cd"}, true},
    ConditionCase{"NotEqualsSame", "ArnNotEquals", R"("arn:aws:iam::111122223333:role/ci")", V{"arn:aws:iam::111122223333:role/ci"}, false},
    ConditionCase{"NotEqualsMissingKey", "ArnNotEquals", R"("arn:aws:iam::111122223333:role/ci")", kAbsent, true},
    ConditionCase{"NotLikeNoMatch", "ArnNotLike", R"("arn:aws:iam::*:role/ci-*")", V{"arn:aws:iam::111122223333:role/prod"}, true},
    ConditionCase{"NotLikeNotAnArn", "ArnNotLike", R"("arn:aws:iam::*:role/ci-*")", V{"garbage"}, true},
    ConditionCase{"LikeMissingKey", "ArnLike", R"("*")", kAbsent, false}),
    case_name);

INSTANTIATE_TEST_SUITE_P(Null, ConditionOperators, ::testing::Values(
    ConditionCase{"TrueAbsent", "Null", R"("true")", kAbsent, true},
    ConditionCase{"TruePresent", "Null", R"("true")", V{"x"}, false},
    ConditionCase{"FalsePresent", "Null", R"("false")", V{"x"}, true},
    ConditionCase{"FalseAbsent", "Null", R"("false")", kAbsent, false},
    ConditionCase{"JsonLiteral", "Null", "true", kAbsent, true},
    ConditionCase{"EmptyListIsAbsent", "Null", R"("true")", V{}, true}),
    case_name);

INSTANTIATE_TEST_SUITE_P(SetOperators, ConditionOperators, ::testing::Values(
    ConditionCase{"AnyValueOneMatches", "ForAnyValue:StringEquals", R"(["a","b"])", V{"x", "b"}, true},
    ConditionCase{"AnyValueNoneMatch", "ForAnyValue:StringEquals", R"(["a","b"])", V{"x", "y"}, false},
    ConditionCase{"AnyValueMissingKey", "ForAnyValue:StringEquals", R"(["a"])", kAbsent, false},
    ConditionCase{"AnyValueEmptySet", "ForAnyValue:StringEquals", R"(["a"])", V{}, false},
    ConditionCase{"AnyValueLike", "ForAnyValue:StringLike", R"("team-*")", V{"x", "team-blue"}, true},
    ConditionCase{"AnyValueIfExistsMissing", "ForAnyValue:StringEqualsIfExists", R"("a")", kAbsent, true},
    ConditionCase{"AnyValueNotEqualsOneOutside", "ForAnyValue:StringNotEquals", R"("a")", V{"a", "b"}, true},
    ConditionCase{"AnyValueNotEqualsAllInside", "ForAnyValue:StringNotEquals", R"("a")", V{"a"}, false},
    ConditionCase{"AnyValueNotEqualsMissing", "ForAnyValue:StringNotEquals", R"("a")", kAbsent, false},
    ConditionCase{"AllValuesSubset", "ForAllValues:StringEquals", R"(["a","b"])", V{"a", "b"}, true},
    ConditionCase{"AllValuesOneOutside", "ForAllValues:StringEquals", R"(["a","b"])", V{"a", "c"}, false},
    ConditionCase{"AllValuesMissingKey", "ForAllValues:StringEquals", R"(["a"])", kAbsent, true},
    ConditionCase{"AllValuesEmptySet", "ForAllValues:StringEquals", R"(["a"])", V{}, true},
    ConditionCase{"AllValuesIgnoreCase", "ForAllValues:StringEqualsIgnoreCase", R"(["A","B"])", V{"a", "b"}, true},
    ConditionCase{"AllValuesNotEqualsNoneInside", "ForAllValues:StringNotEquals", R"("a")", V{"b", "c"}, true},
    ConditionCase{"AllValuesNotEqualsOneInside", "ForAllValues:StringNotEquals", R"("a")", V{"a", "b"}, false},
    ConditionCase{"AllValuesNotEqualsMissing", "ForAllValues:StringNotEquals", R"("a")", kAbsent, true},
    ConditionCase{"AllValuesLikeIfExistsMissing", "ForAllValues:StringLikeIfExists", R"("a*")", kAbsent, true},
    ConditionCase{"AllValuesNumeric", "ForAllValues:NumericLessThan", R"("10")", V{"1", "9"}, true},
    ConditionCase{"AnyValueIp", "ForAnyValue:IpAddress", R"("10.0.0.0/8")", V{"192.0.2.1", "10.0.0.1"}, true}),
    case_name);

// Every operator the parser knows, by name, with its parts.
TEST(ConditionOperatorNames, ParsePrefixAndSuffix) {
  auto p = parse_condition_operator("ForAnyValue:StringLikeIfExists");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->op, ConditionOperator::StringLike);
  EXPECT_EQ(p->set, SetOperator::ForAnyValue);
  EXPECT_TRUE(p->if_exists);
  p = parse_condition_operator("ForAllValues:ArnNotLike");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->op, ConditionOperator::ArnNotLike);
  EXPECT_EQ(p->set, SetOperator::ForAllValues);
  EXPECT_FALSE(p->if_exists);
  for (const char* bad : {"stringequals", "StringEqual", "ForAnyValue::StringEquals", "ForSomeValues:StringEquals",
                          "NullIfExists", "IfExists", "", "StringEqualsIfExistsIfExists"})
    EXPECT_FALSE(parse_condition_operator(bad)) << bad;
}

// Several keys under one operator and several operators: all must hold.
TEST(ConditionLogic, KeysAndOperatorsAreAnded) {
  const std::string p = R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole",
      "Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue","sts:ExternalId":["x","y"]},
      "Bool":{"aws:MultiFactorAuthPresent":"true"}}}})";
  PolicyRequest r;
  r.action = "sts:AssumeRole";
  r.resource = "arn:aws:iam::111122223333:role/deploy";
  r.context["aws:principaltag/team"] = {"blue"};
  r.context["sts:externalid"] = {"y"};
  r.context["aws:multifactorauthpresent"] = {"true"};
  EXPECT_EQ(evaluate_policy(p, r), Decision::Allow);
  r.context["aws:multifactorauthpresent"] = {"false"};
  EXPECT_EQ(evaluate_policy(p, r), Decision::ImplicitDeny);
  r.context["aws:multifactorauthpresent"] = {"true"};
  r.context["sts:externalid"] = {"z"};
  EXPECT_EQ(evaluate_policy(p, r), Decision::ImplicitDeny);
}

// Condition key names are case-insensitive on both sides; values are not.
TEST(ConditionLogic, KeyNamesIgnoreCase) {
  const std::string p = R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole",
      "Resource":"*","Condition":{"StringEquals":{"AWS:SourceIdentity":"Alice"}}}})";
  PolicyRequest r;
  r.action = "sts:AssumeRole";
  r.context["aws:sourceidentity"] = {"Alice"};
  EXPECT_EQ(evaluate_policy(p, r), Decision::Allow);
  r.context.clear();
  r.context["Aws:SourceIDENTITY"] = {"Alice"};
  EXPECT_EQ(evaluate_policy(p, r), Decision::Allow);
  r.context["Aws:SourceIDENTITY"] = {"alice"};
  EXPECT_EQ(evaluate_policy(p, r), Decision::ImplicitDeny);
}

}  // namespace
