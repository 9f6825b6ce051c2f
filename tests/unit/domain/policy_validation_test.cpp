// Guards policy_document_error: which documents IAM/STS refuse with
// MalformedPolicyDocument and with which message, per policy kind, in AWS's
// order of checks. Identity cases follow the AWS-recorded table in moto's
// tests/test_iam/test_iam_policies.py; trust cases follow real CreateRole /
// UpdateAssumeRolePolicy answers (sources in policy_validation.cpp).
#include <gtest/gtest.h>

#include "stsd/domain/policy.h"

using namespace stsd::domain;

namespace {

struct ValidationCase {
  const char* name;
  PolicyKind kind;
  const char* document;
  const char* error;  // nullptr: accepted
};

class PolicyValidation : public ::testing::TestWithParam<ValidationCase> {};

TEST_P(PolicyValidation, Message) {
  const auto& c = GetParam();
  const auto error = policy_document_error(c.document, c.kind);
  if (c.error == nullptr) {
    EXPECT_FALSE(error) << *error;
    // Whatever validates, the engine can evaluate.
    EXPECT_TRUE(Policy::parse(c.document));
  } else {
    ASSERT_TRUE(error) << c.document;
    EXPECT_EQ(*error, c.error);
  }
}

std::string case_name(const ::testing::TestParamInfo<ValidationCase>& info) { return info.param.name; }

constexpr auto I = PolicyKind::Identity;
constexpr auto T = PolicyKind::Trust;
constexpr auto S = PolicyKind::Session;

constexpr const char* kSyntax = "Syntax errors in policy.";
constexpr const char* kLegacy = "The policy failed legacy parsing";

INSTANTIATE_TEST_SUITE_P(Identity, PolicyValidation, ::testing::Values(
    ValidationCase{"Valid", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":["arn:aws:s3:::example_bucket"]}})", nullptr},
    ValidationCase{"ValidEverything", I, R"({"Version":"2012-10-17","Id":"x","Statement":[{"Sid":"A","Effect":"Deny","NotAction":["iam:*"],"NotResource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2017-07-01T00:00:00Z"},"Bool":{"aws:SecureTransport":false},"Whatever":{}}},{"Sid":"","Effect":"Allow","Action":"*","Resource":"arn:aws:iam:::user/x"},{"Sid":"","Effect":"Allow","Action":"iam: asdf safdsf af ","Resource":"arn:aws:fdsasf"}]})", nullptr},
    ValidationCase{"ValidIamRoot", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:Get*","Resource":"arn:aws:iam::111122223333:root"}})", nullptr},
    ValidationCase{"ValidRegionalNonIam", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:*","Resource":"arn:aws:ec2:us-east-1::example_bucket"}})", nullptr},
    ValidationCase{"NotJson", I, "This is not a json document", kSyntax},
    ValidationCase{"TooDeep", I, R"({"Version":"2012-10-17","Statement":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]})", kSyntax},
    ValidationCase{"NotAnObject", I, R"(["Version"])", kSyntax},
    ValidationCase{"NoVersion", I, R"({"Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}})", "Policy document must be version 2012-10-17 or greater."},
    ValidationCase{"OldVersion", I, R"({"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}})", "Policy document must be version 2012-10-17 or greater."},
    ValidationCase{"UnknownVersion", I, R"({"Version":"2013-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}})", kSyntax},
    ValidationCase{"NoStatement", I, R"({"Version":"2012-10-17"})", kSyntax},
    ValidationCase{"EmptyStatementList", I, R"({"Version":"2012-10-17","Statement":[]})", kSyntax},
    ValidationCase{"StatementNotObject", I, R"({"Version":"2012-10-17","Statement":["afd"]})", kSyntax},
    ValidationCase{"ExtraTopField", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"},"Extra field":"value"})", kSyntax},
    ValidationCase{"ExtraStatementField", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Extra field":"value"}})", kSyntax},
    ValidationCase{"IdNotString", I, R"({"Version":"2012-10-17","Id":{},"Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}})", kSyntax},
    ValidationCase{"EffectInvalid", I, R"({"Version":"2012-10-17","Statement":{"Effect":"invalid","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}})", kSyntax},
    ValidationCase{"EffectMissing", I, R"({"Version":"2012-10-17","Statement":{"Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}})", kSyntax},
    ValidationCase{"ResourceObject", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":{"a":"arn:aws:s3:::example_bucket"}}})", kSyntax},
    ValidationCase{"ResourceListWithObject", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:ListBucket","Resource":["adfdf",{}]}})", kSyntax},
    ValidationCase{"ResourceAndNotResource", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","NotResource":[]}})", kSyntax},
    ValidationCase{"ActionAndNotAction", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"s3s:ListBucket","Action":[],"Resource":"arn:aws:s3:::example_bucket"}})", kSyntax},
    ValidationCase{"ActionNested", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":[[]],"Resource":"arn:aws:s3:::example_bucket"}})", kSyntax},
    ValidationCase{"ConditionList", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":[]}})", kSyntax},
    ValidationCase{"ConditionBlockString", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"DateGreaterThan":"b"}}})", kSyntax},
    ValidationCase{"ConditionValueObject", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"DateGreaterThan":{"a":{}}}}})", kSyntax},
    ValidationCase{"ConditionUnknownOperator", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"x":{"a":"1"}}}})", kSyntax},
    ValidationCase{"ConditionDoubleColon", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"ForAnyValue::StringEqualsIfExists":{"a":"asf"}}}})", kSyntax},
    ValidationCase{"SidNotString", I, R"({"Version":"2012-10-17","Statement":{"Sid":[],"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}})", kSyntax},
    ValidationCase{"EffectWrongCase", I, R"({"Version":"2012-10-17","Statement":{"Effect":"denY","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}})", kLegacy},
    ValidationCase{"DateNotADate", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"DateGreaterThan":{"a":"sdfdsf"}}}})", kLegacy},
    ValidationCase{"DateBadMonth", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"DateLessThanEquals":{"a":"234-13"}}}})", kLegacy},
    ValidationCase{"DateEpochOverflow", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"DateLessThan":{"a":"9223372036854775808"}}}})", kLegacy},
    ValidationCase{"DateBeforeMissingAction", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Condition":{"DateGreaterThan":{"a":"sdfdsf"}}}})", kLegacy},
    ValidationCase{"ResourceTooFewColons", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3::example_bucket"}})", kLegacy},
    ValidationCase{"ResourceEmptyService", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"s3:ListBucket","Resource":"arn:aws::::example_bucket"}})", kLegacy},
    ValidationCase{"ResourceShortWithDoubleColon", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws::fdsasf"}})", kLegacy},
    ValidationCase{"SidDuplicate", I, R"({"Version":"2012-10-17","Statement":[{"Sid":"sdf","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"},{"Sid":"sdf","Effect":"Allow"}]})", "Statement IDs (SID) in a single policy must be unique."},
    ValidationCase{"NoAction", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Resource":"arn:aws:s3:::example_bucket"}})", "Policy statement must contain actions."},
    ValidationCase{"EmptyActionList", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":[],"Resource":"arn:aws:s3:::example_bucket"}})", "Policy statement must contain actions."},
    ValidationCase{"NoActionInSecondStatement", I, R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny"},{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}]})", "Policy statement must contain actions."},
    ValidationCase{"ResourceNotArn", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"invalid resource"}})", "Resource invalid resource must be in ARN format or \"*\"."},
    ValidationCase{"ResourceEmpty", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":""}})", "Resource  must be in ARN format or \"*\"."},
    ValidationCase{"ResourcePartitionShort", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"s3s:ListBucket","Resource":"a:bsdfdsafsad"}})", "Partition \"bsdfdsafsad\" is not valid for resource \"arn:bsdfdsafsad:*:*:*:*\"."},
    ValidationCase{"ResourcePartitionLong", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"s3s:ListBucket","Resource":"a:b:c:d:e:f:g:h"}})", "Partition \"b\" is not valid for resource \"arn:b:c:d:e:f:g:h\"."},
    ValidationCase{"ResourceNoArnPrefix", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"aws:s3:::example_bucket"}})", "Partition \"s3\" is not valid for resource \"arn:s3:::example_bucket:*\"."},
    ValidationCase{"ResourceLastOfSortedList", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":["arn:error:s3:::example_bucket","arn:error:s3::example_bucket"]}})", "Partition \"error\" is not valid for resource \"arn:error:s3:::example_bucket\"."},
    ValidationCase{"ResourceVendor", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws"}})", "Resource vendor must be fully qualified and cannot contain regexes."},
    ValidationCase{"IamRegion", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:iam:us-east-1::example_bucket"}})", "IAM resource arn:aws:iam:us-east-1::example_bucket cannot contain region information."},
    ValidationCase{"S3Region", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:us-east-1::example_bucket"}})", "Resource arn:aws:s3:us-east-1::example_bucket can not contain region information."},
    ValidationCase{"IamPath", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:iam:::example_bucket"}})", "IAM resource path must either be \"*\", root, or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/."},
    ValidationCase{"ActionNoVendor", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"invalid","Resource":"arn:aws:s3:::example_bucket"}})", "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
    ValidationCase{"ActionEmpty", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"","Resource":"arn:aws:s3:::example_bucket"}})", "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
    ValidationCase{"ActionBeforeMissingResource", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"invalid"}})", "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
    ValidationCase{"ActionVendorChars", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"a a:ListBucket","Resource":"arn:aws:s3:::example_bucket"}})", "Vendor a a is not valid"},
    ValidationCase{"ActionTwoColons", I, R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3s:ListBucket","Resource":"arn:aws:s3:::example_bucket"},{"Effect":"Allow","Action":"s:3s:ListBucket","Resource":"arn:aws:s3:::example_bucket"}]})", "Actions/Condition can contain only one colon."},
    ValidationCase{"Principal", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}})", "Policy document should not specify a principal."},
    ValidationCase{"NoResource", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket"}})", "Policy statement must contain resources."},
    ValidationCase{"EmptyResourceList", I, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":[]}})", "Policy statement must contain resources."}),
    case_name);

INSTANTIATE_TEST_SUITE_P(Trust, PolicyValidation, ::testing::Values(
    ValidationCase{"AccountRoot", T, R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]})", nullptr},
    ValidationCase{"NoVersionIsFine", T, R"({"Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}})", nullptr},
    ValidationCase{"EveryPrincipalForm", T, R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["111122223333","*","arn:aws:iam::111122223333:user/a/b","arn:aws:iam::111122223333:role/r","arn:aws:sts::111122223333:assumed-role/r/s","arn:aws:sts::111122223333:federated-user/f"]},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]},{"Effect":"Allow","Principal":{"Federated":["accounts.google.com","arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"]},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}},{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:saml-provider/Okta"},"Action":"sts:AssumeRoleWithSAML"},{"Effect":"Deny","Principal":"*","Action":"sts:*"}]})", nullptr},
    ValidationCase{"InvalidJson", T, R"({"Version":"2012-10-17","Statement":[{"Action":"sts:AssumeRole","Principal":"*","Effect":"Allow",}]})", "This policy contains invalid Json"},
    ValidationCase{"Resource", T, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["logs:CreateLogGroup"],"Resource":"*"}})", "Has prohibited field Resource"},
    ValidationCase{"NotResource", T, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","NotResource":"*"}})", "Has prohibited field Resource"},
    ValidationCase{"EffectWrongCase", T, R"({"Version":"2012-10-17","Statement":{"Effect":"allow","Principal":"*","Action":"sts:AssumeRole"}})", kLegacy},
    ValidationCase{"NoPrincipal", T, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}})", "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!"},
    ValidationCase{"OnlyNotPrincipal", T, R"({"Version":"2012-10-17","Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"}})", "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!"},
    ValidationCase{"MalformedRoleArn", T, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:rol/x"},"Action":"sts:AssumeRole"}})", R"(Invalid principal in policy: "AWS":"arn:aws:iam::111122223333:rol/x")"},
    ValidationCase{"WildcardInArn", T, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/*"},"Action":"sts:AssumeRole"}})", R"(Invalid principal in policy: "AWS":"arn:aws:iam::111122223333:role/*")"},
    ValidationCase{"ShortAccount", T, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"12345"},"Action":"sts:AssumeRole"}})", R"(Invalid principal in policy: "AWS":"12345")"},
    ValidationCase{"BadService", T, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"lambda"},"Action":"sts:AssumeRole"}})", R"(Invalid principal in policy: "SERVICE":"lambda")"},
    ValidationCase{"ChinaServiceInAws", T, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"eks.amazonaws.com.cn"},"Action":"sts:AssumeRole"}})", R"(Invalid principal in policy: "SERVICE":"eks.amazonaws.com.cn")"},
    ValidationCase{"BadFederated", T, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Federated":"login.example.com"},"Action":"sts:AssumeRoleWithWebIdentity"}})", R"(Invalid principal in policy: "FEDERATED":"login.example.com")"},
    ValidationCase{"CanonicalUser", T, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"CanonicalUser":"79a59df900b949e55d96a1e698fbace"},"Action":"sts:AssumeRole"}})", R"(Invalid principal in policy: "CANONICAL_USER":"79a59df900b949e55d96a1e698fbace")"},
    ValidationCase{"PrincipalUnknownType", T, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"User":"x"},"Action":"sts:AssumeRole"}})", kSyntax},
    ValidationCase{"PrincipalStringNotStar", T, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"111122223333","Action":"sts:AssumeRole"}})", kSyntax},
    ValidationCase{"NonStsAction", T, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"rolesanywhere.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSessions"]}})", "AssumeRole policy may only specify STS AssumeRole actions."},
    ValidationCase{"S3Action", T, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject"}})", "AssumeRole policy may only specify STS AssumeRole actions."},
    ValidationCase{"NoAction", T, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*"}})", "Policy statement must contain actions."}),
    case_name);

INSTANTIATE_TEST_SUITE_P(Session, PolicyValidation, ::testing::Values(
    ValidationCase{"Valid", S, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}})", nullptr},
    ValidationCase{"NoVersionIsFine", S, R"({"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}})", nullptr},
    ValidationCase{"InvalidJson", S, "invalid policy", "The policy is not in the valid JSON format."},
    ValidationCase{"Principal", S, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}})", "Policy document should not specify a principal."},
    ValidationCase{"NoResource", S, R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*"}})", "Policy statement must contain resources."}),
    case_name);

TEST(PolicyValidationOptions, TrustPrincipalsMustExistWhenAsked) {
  const std::string p = R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":[
      "111122223333","arn:aws:iam::111122223333:root","arn:aws:iam::111122223333:role/exists",
      "arn:aws:iam::111122223333:role/UC_ROLE"]},"Action":"sts:AssumeRole"}})";
  PolicyValidationOptions options;
  std::vector<std::string> asked;
  options.aws_principal_exists = [&](std::string_view arn) {
    asked.emplace_back(arn);
    return arn.find("exists") != std::string_view::npos;
  };
  EXPECT_EQ(policy_document_error(p, PolicyKind::Trust, options),
            R"(Invalid principal in policy: "AWS":"arn:aws:iam::111122223333:role/UC_ROLE")");
  // Account ids and roots are never looked up.
  EXPECT_EQ(asked, (std::vector<std::string>{"arn:aws:iam::111122223333:role/exists",
                                             "arn:aws:iam::111122223333:role/UC_ROLE"}));
  EXPECT_FALSE(policy_document_error(p, PolicyKind::Trust));
}

// The same text is judged by the rules of the kind it is meant to be.
TEST(PolicyValidationKinds, OneDocumentThreeVerdicts) {
  const std::string trust = R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"}})";
  EXPECT_FALSE(policy_document_error(trust, PolicyKind::Trust));
  EXPECT_EQ(policy_document_error(trust, PolicyKind::Identity), "Policy document should not specify a principal.");
  EXPECT_EQ(policy_document_error(trust, PolicyKind::Session), "Policy document should not specify a principal.");
  EXPECT_EQ(policy_document_error("{", PolicyKind::Identity), "Syntax errors in policy.");
  EXPECT_EQ(policy_document_error("{", PolicyKind::Trust), "This policy contains invalid Json");
  EXPECT_EQ(policy_document_error("{", PolicyKind::Session), "The policy is not in the valid JSON format.");
}

}  // namespace
