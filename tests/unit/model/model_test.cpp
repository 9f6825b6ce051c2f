// Guards the generated STS model table and the exact ValidationError /
// MalformedInput texts AWS returns (live captures: the argmin STS oracle,
// github.com/justincormack/argmin, and LocalStack's AWS snapshots,
// github.com/localstack/localstack tests/aws/services/sts).
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "model_tables.h"
#include "model_test_util.h"

using namespace stsd;
using namespace stsd::service;
using namespace stsd::service::test;

namespace {

const std::string k2049x(2049, 'x');
const std::string k65a(65, 'a');

}  // namespace

// botocore's eleven and GetScopedCredentials from the overlay (scripts/model-overlay/sts.json).
TEST(ModelTable, CoversAllTwelveOperations) {
  const std::set<std::string> expected = {
      "AssumeRole",         "AssumeRoleWithSAML",      "AssumeRoleWithWebIdentity", "AssumeRoot",
      "DecodeAuthorizationMessage", "GetAccessKeyInfo", "GetCallerIdentity",        "GetDelegatedAccessToken",
      "GetFederationToken", "GetScopedCredentials",    "GetSessionToken",           "GetWebIdentityToken"};
  std::set<std::string> seen;
  for (const auto& spec : model_detail::sts_service().operations) seen.insert(std::string(spec.name));
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(model_detail::sts_service().operations.size(), 12u);
  for (const auto& name : expected) {
    const OperationModel* o = find_operation(Service::Sts, name);
    ASSERT_NE(o, nullptr) << name;
    EXPECT_EQ(o->name(), name);
  }
}

TEST(ModelTable, OnlySamlAndWebIdentityNeedNoSignature) {
  for (const auto& spec : model_detail::sts_service().operations) {
    const OperationModel* o = find_operation(Service::Sts, spec.name);
    ASSERT_NE(o, nullptr) << spec.name;
    const bool unsigned_op = o->name() == "AssumeRoleWithSAML" || o->name() == "AssumeRoleWithWebIdentity";
    EXPECT_EQ(o->requires_signature(), !unsigned_op) << o->name();
  }
}

TEST(ModelTable, LookupIsExact) {
  EXPECT_EQ(find_operation(Service::Sts, "NoSuchAction"), nullptr);
  EXPECT_EQ(find_operation(Service::Sts, "assumerole"), nullptr);
  EXPECT_EQ(find_operation(Service::Sts, ""), nullptr);
}

TEST(ModelTable, EveryOperationAcceptsItsMinimalInput) {
  EXPECT_TRUE(op("GetCallerIdentity").validate(params({})));
  EXPECT_TRUE(op("GetSessionToken").validate(params({})));
  EXPECT_TRUE(op("GetAccessKeyInfo").validate(params({{"AccessKeyId", "AKIAIOSFODNN7EXAMPLE"}})));
  EXPECT_TRUE(op("DecodeAuthorizationMessage").validate(params({{"EncodedMessage", "x"}})));
  EXPECT_TRUE(op("GetFederationToken").validate(params({{"Name", "bob"}})));
  EXPECT_TRUE(op("GetDelegatedAccessToken").validate(params({{"TradeInToken", "t"}})));
  EXPECT_TRUE(op("AssumeRoot").validate(params(
      {{"TargetPrincipal", "123456789012"}, {"TaskPolicyArn.arn", "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"}})));
  EXPECT_TRUE(op("GetWebIdentityToken").validate(params(
      {{"Audience.member.1", "https://example.com"}, {"SigningAlgorithm", "RS256"}})));
}

// --- AssumeRole: exact texts observed live ------------------------------------

struct MessageCase {
  const char* label;
  std::string role_arn;  // "<missing>" leaves it out
  std::string session_name;
  std::string expected;
};

class AssumeRoleMessages : public ::testing::TestWithParam<MessageCase> {};

TEST_P(AssumeRoleMessages, MatchAws) {
  const auto& c = GetParam();
  Parameters p;
  if (c.role_arn != "<missing>") p.add("RoleArn", c.role_arn);
  if (c.session_name != "<missing>") p.add("RoleSessionName", c.session_name);
  auto r = op("AssumeRole").validate(p);
  ASSERT_FALSE(r) << c.label;
  EXPECT_EQ(r.error().code, ErrorCode::ValidationError) << c.label;
  EXPECT_TRUE(r.error().has_message);
  EXPECT_EQ(r.error().message, c.expected) << c.label;
}

INSTANTIATE_TEST_SUITE_P(
    Section3, AssumeRoleMessages,
    ::testing::Values(
        MessageCase{"roleArn missing", "<missing>", "s1",
                    "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must "
                    "not be null"},
        MessageCase{"roleArn empty", "", "s1",
                    std::string("2 validation errors detected: Value '' at 'roleArn' failed to satisfy constraint: "
                                "Member must satisfy regular expression pattern: ") +
                        kArnPattern +
                        "; Value '' at 'roleArn' failed to satisfy constraint: Member must have length greater than "
                        "or equal to 20"},
        MessageCase{"roleArn not-an-arn", "not-an-arn", "s1",
                    "1 validation error detected: Value 'not-an-arn' at 'roleArn' failed to satisfy constraint: "
                    "Member must have length greater than or equal to 20"},
        MessageCase{"roleArn 2049 chars", k2049x, "s1",
                    "1 validation error detected: Value '" + k2049x +
                        "' at 'roleArn' failed to satisfy constraint: Member must have length less than or equal to "
                        "2048"},
        MessageCase{"roleSessionName missing", kRoleArn, "<missing>",
                    "1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: "
                    "Member must not be null"},
        MessageCase{"roleSessionName empty", kRoleArn, "",
                    "1 validation error detected: Value '' at 'roleSessionName' failed to satisfy constraint: Member "
                    "must have length greater than or equal to 2"},
        MessageCase{"roleSessionName a", kRoleArn, "a",
                    "1 validation error detected: Value 'a' at 'roleSessionName' failed to satisfy constraint: "
                    "Member must have length greater than or equal to 2"},
        MessageCase{"roleSessionName 65", kRoleArn, k65a,
                    "1 validation error detected: Value '" + k65a +
                        "' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or "
                        "equal to 64"},
        MessageCase{"roleSessionName bad/name", kRoleArn, "bad/name",
                    R"(1 validation error detected: Value 'bad/name' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*)"},
        MessageCase{"roleSessionName Session1:2 (LocalStack snapshot)", kRoleArn, "Session1:2",
                    R"(1 validation error detected: Value 'Session1:2' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*)"},
        MessageCase{"both missing, model order", "<missing>", "<missing>",
                    "2 validation errors detected: Value null at 'roleArn' failed to satisfy constraint: Member must "
                    "not be null; Value null at 'roleSessionName' failed to satisfy constraint: Member must not be "
                    "null"}));

TEST(AssumeRoleMessages, SchemaValidButNotAnArnIsAccepted) {
  // 20 x 'x' and 2048 x 'x' pass the model; "... is invalid" is the action's job.
  EXPECT_TRUE(op("AssumeRole").validate(params({{"RoleArn", std::string(20, 'x')}, {"RoleSessionName", "s1"}})));
  EXPECT_TRUE(op("AssumeRole").validate(params({{"RoleArn", std::string(2048, 'x')}, {"RoleSessionName", "s1"}})));
}

TEST(AssumeRoleMessages, SessionNameBoundariesAccepted) {
  EXPECT_TRUE(op("AssumeRole").validate(assume_role({{"RoleSessionName", "aa"}})));
  EXPECT_TRUE(op("AssumeRole").validate(assume_role({{"RoleSessionName", std::string(64, 'b')}})));
  EXPECT_TRUE(op("AssumeRole").validate(assume_role({{"RoleSessionName", "a+b=c,d.e@f-g_H9"}})));
}

// --- DurationSeconds -------------------------------------------------------------

struct DurationCase {
  const char* operation;
  const char* value;
  // Accepted: the parsed value; otherwise the code and (maybe) message.
  std::optional<std::int64_t> accepted;
  ErrorCode code = ErrorCode::ValidationError;
  const char* message = nullptr;  // nullptr: no <Message> at all
};

class Durations : public ::testing::TestWithParam<DurationCase> {};

TEST_P(Durations, ParseAndRange) {
  const auto& c = GetParam();
  const bool role = std::string_view(c.operation) == "AssumeRole";
  Parameters p = role ? assume_role({{"DurationSeconds", c.value}}) : params({{"DurationSeconds", c.value}});
  auto r = op(c.operation).validate(p);
  if (c.accepted) {
    ASSERT_TRUE(r) << c.operation << " " << c.value << ": " << r.error().message;
    EXPECT_EQ(r->integer("DurationSeconds"), *c.accepted);
    return;
  }
  ASSERT_FALSE(r) << c.operation << " " << c.value;
  EXPECT_EQ(r.error().code, c.code) << c.value;
  if (c.message == nullptr) {
    EXPECT_FALSE(r.error().has_message) << c.value;
    EXPECT_EQ(r.error().message, "");
  } else {
    EXPECT_TRUE(r.error().has_message);
    EXPECT_EQ(r.error().message, c.message) << c.value;
  }
}

constexpr const char* kMin900 =
    "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have "
    "value greater than or equal to 900";

INSTANTIATE_TEST_SUITE_P(
    AssumeRole, Durations,
    ::testing::Values(
        DurationCase{"AssumeRole", "899", {}, ErrorCode::ValidationError, kMin900},
        DurationCase{"AssumeRole", "-1", {}, ErrorCode::ValidationError,
                     "1 validation error detected: Value '-1' at 'durationSeconds' failed to satisfy constraint: "
                     "Member must have value greater than or equal to 900"},
        DurationCase{"AssumeRole", "900", 900},
        DurationCase{"AssumeRole", "43200", 43200},
        DurationCase{"AssumeRole", "43201", {}, ErrorCode::ValidationError,
                     "1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy constraint: "
                     "Member must have value less than or equal to 43200"},
        DurationCase{"AssumeRole", "+900", 900},
        DurationCase{"AssumeRole", "0900", 900},
        DurationCase{"AssumeRole", "abc", {}, ErrorCode::MalformedInput, nullptr},
        DurationCase{"AssumeRole", "900.0", {}, ErrorCode::MalformedInput, nullptr},
        DurationCase{"AssumeRole", "2147483648", {}, ErrorCode::MalformedInput, nullptr},
        DurationCase{"AssumeRole", "-2147483649", {}, ErrorCode::MalformedInput, nullptr},
        DurationCase{"AssumeRole", "", {}, ErrorCode::MalformedInput, "missing value for decimal type"},
        DurationCase{"AssumeRole", "+", {}, ErrorCode::MalformedInput, nullptr},
        DurationCase{"AssumeRole", " 900", {}, ErrorCode::MalformedInput, nullptr},
        DurationCase{"AssumeRole", "2147483647", {}, ErrorCode::ValidationError,
                     "1 validation error detected: Value '2147483647' at 'durationSeconds' failed to satisfy "
                     "constraint: Member must have value less than or equal to 43200"},
        DurationCase{"AssumeRole", "-2147483648", {}, ErrorCode::ValidationError,
                     "1 validation error detected: Value '-2147483648' at 'durationSeconds' failed to satisfy "
                     "constraint: Member must have value greater than or equal to 900"}));

INSTANTIATE_TEST_SUITE_P(
    GetSessionToken, Durations,
    ::testing::Values(
        DurationCase{"GetSessionToken", "899", {}, ErrorCode::ValidationError, kMin900},
        DurationCase{"GetSessionToken", "900", 900},
        DurationCase{"GetSessionToken", "129600", 129600},
        DurationCase{"GetSessionToken", "129601", {}, ErrorCode::ValidationError,
                     "1 validation error detected: Value '129601' at 'durationSeconds' failed to satisfy constraint: "
                     "Member must have value less than or equal to 129600"},
        DurationCase{"GetSessionToken", "", {}, ErrorCode::MalformedInput, "missing value for decimal type"}));

TEST(Durations, MalformedInputWinsOverValidationErrors) {
  // Deserialisation fails before any constraint is looked at.
  auto r = op("AssumeRole").validate(params({{"DurationSeconds", "abc"}}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::MalformedInput);
}

TEST(Durations, PrintedAsParsed) {
  auto r = op("AssumeRole").validate(assume_role({{"DurationSeconds", "+0899"}}));
  EXPECT_EQ(validation_message(r), kMin900);
}

// --- Several members at once ----------------------------------------------------

TEST(MultiError, ModelMemberOrderAcrossMembers) {
  // Parameter order is irrelevant; clauses follow AssumeRoleRequest's member order.
  auto r = op("AssumeRole").validate(params({{"TokenCode", "12345"},
                                             {"DurationSeconds", "100"},
                                             {"RoleSessionName", "x"},
                                             {"RoleArn", "short"}}));
  EXPECT_EQ(validation_message(r),
            "4 validation errors detected: "
            "Value 'short' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal "
            "to 20; "
            "Value 'x' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or "
            "equal to 2; "
            "Value '100' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or "
            "equal to 900; "
            "Value '12345' at 'tokenCode' failed to satisfy constraint: Member must have length greater than or "
            "equal to 6");
}

TEST(MultiError, SamlEmptyArnsAsAwsReports) {
  // aws-runas#80: the same four clauses, roleArn before principalArn.
  auto r = op("AssumeRoleWithSAML").validate(
      params({{"RoleArn", ""}, {"PrincipalArn", ""}, {"SAMLAssertion", "PHNhbWw+"}}));
  EXPECT_EQ(validation_message(r),
            std::string("4 validation errors detected: Value '' at 'roleArn' failed to satisfy constraint: Member "
                        "must satisfy regular expression pattern: ") +
                kArnPattern +
                "; Value '' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal "
                "to 20; Value '' at 'principalArn' failed to satisfy constraint: Member must satisfy regular "
                "expression pattern: " +
                kArnPattern +
                "; Value '' at 'principalArn' failed to satisfy constraint: Member must have length greater than or "
                "equal to 20");
}

TEST(MultiError, PatternAndLengthBothReported) {
  const std::string name = "bad/" + std::string(70, 'n');
  auto r = op("AssumeRole").validate(assume_role({{"RoleSessionName", name}}));
  EXPECT_EQ(validation_message(r),
            "2 validation errors detected: Value '" + name +
                "' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: "
                "[\\w+=,.@-]*; Value '" +
                name +
                "' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to "
                "64");
}

// --- Sensitive members and Coral member names ------------------------------------

TEST(Sensitive, ValueLeftOutOfMessage) {
  auto r = op("AssumeRoleWithWebIdentity")
               .validate(params({{"RoleArn", kRoleArn}, {"RoleSessionName", "s1"}, {"WebIdentityToken", "abc"}}));
  EXPECT_EQ(validation_message(r),
            "1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: Member must "
            "have length greater than or equal to 4");
}

TEST(Sensitive, SamlAssertionPathKeepsCoralCasing) {
  auto r = op("AssumeRoleWithSAML")
               .validate(params({{"RoleArn", kRoleArn}, {"PrincipalArn", kRoleArn}, {"SAMLAssertion", "abc"}}));
  EXPECT_EQ(validation_message(r),
            "1 validation error detected: Value at 'sAMLAssertion' failed to satisfy constraint: Member must have "
            "length greater than or equal to 4");
}

TEST(Sensitive, MissingIsStillNull) {
  auto r = op("AssumeRoleWithWebIdentity").validate(params({{"RoleArn", kRoleArn}, {"RoleSessionName", "s1"}}));
  EXPECT_EQ(validation_message(r),
            "1 validation error detected: Value null at 'webIdentityToken' failed to satisfy constraint: Member "
            "must not be null");
}

TEST(Other, GetFederationTokenPolicyTooLong) {
  const std::string policy(2049, 'p');
  auto r = op("GetFederationToken").validate(params({{"Name", "bob"}, {"Policy", policy}}));
  EXPECT_EQ(validation_message(r), "1 validation error detected: Value '" + policy +
                                       "' at 'policy' failed to satisfy constraint: Member must have length less "
                                       "than or equal to 2048");
}

TEST(Other, AssumeRolePolicyHasNoMaximum) {
  EXPECT_TRUE(op("AssumeRole").validate(assume_role({{"Policy", std::string(100000, 'p')}})));
}

TEST(Other, TokenCodeDigitsOnly) {
  auto r = op("GetSessionToken").validate(params({{"SerialNumber", "GAHT12345678"}, {"TokenCode", "12a456"}}));
  EXPECT_EQ(validation_message(r),
            "1 validation error detected: Value '12a456' at 'tokenCode' failed to satisfy constraint: Member must "
            "satisfy regular expression pattern: [\\d]*");
  EXPECT_TRUE(op("GetSessionToken").validate(params({{"SerialNumber", "GAHT12345678"}, {"TokenCode", "123456"}})));
}

TEST(Other, AssumeRootDurationRangeStartsAtZero) {
  const auto base = [](const char* d) {
    return params({{"TargetPrincipal", "123456789012"},
                   {"TaskPolicyArn.arn", "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"},
                   {"DurationSeconds", d}});
  };
  EXPECT_TRUE(op("AssumeRoot").validate(base("0")));
  EXPECT_TRUE(op("AssumeRoot").validate(base("900")));
  EXPECT_EQ(validation_message(op("AssumeRoot").validate(base("901"))),
            "1 validation error detected: Value '901' at 'durationSeconds' failed to satisfy constraint: Member "
            "must have value less than or equal to 900");
}

// From the overlay's constraints (scripts/model-overlay/sts.json): at most 10 PolicyArns.
TEST(Other, AtMostTenPolicyArns) {
  const auto with_arns = [](int n) {
    Parameters p = assume_role({});
    for (int i = 1; i <= n; ++i)
      p.add("PolicyArns.member." + std::to_string(i) + ".arn", "arn:aws:iam::123456789012:policy/p" + std::to_string(i));
    return p;
  };
  EXPECT_TRUE(op("AssumeRole").validate(with_arns(10)));
  EXPECT_EQ(validation_message(op("AssumeRole").validate(with_arns(11))),
            "1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have "
            "length less than or equal to 10");
}
