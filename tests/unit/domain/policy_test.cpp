// Guards the trust-policy decisions STS makes today: principals, actions,
// ExternalId / MFA conditions, explicit deny.
#include <gtest/gtest.h>

#include "stsd/domain/policy.h"

using namespace stsd::domain;

namespace {
PolicyRequest alice() {
  PolicyRequest r;
  r.action = "sts:AssumeRole";
  r.principal_arn = "arn:aws:iam::111122223333:user/alice";
  r.principal_account = "111122223333";
  r.resource = "arn:aws:iam::111122223333:role/deploy";
  return r;
}
std::string trust(const std::string& principal, const std::string& extra = "") {
  return R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":)" + principal +
         R"(},"Action":"sts:AssumeRole")" + extra + "}}";
}
}  // namespace

TEST(Policy, PrincipalForms) {
  EXPECT_EQ(evaluate_policy(trust(R"("arn:aws:iam::111122223333:user/alice")"), alice()), Decision::Allow);
  EXPECT_EQ(evaluate_policy(trust(R"("arn:aws:iam::111122223333:root")"), alice()), Decision::Allow);
  EXPECT_EQ(evaluate_policy(trust(R"("111122223333")"), alice()), Decision::Allow);
  EXPECT_EQ(evaluate_policy(trust(R"("*")"), alice()), Decision::Allow);
  EXPECT_EQ(evaluate_policy(trust(R"(["arn:aws:iam::999999999999:root","arn:aws:iam::111122223333:user/alice"])"),
                            alice()),
            Decision::Allow);
  EXPECT_EQ(evaluate_policy(trust(R"("arn:aws:iam::111122223333:user/bob")"), alice()), Decision::ImplicitDeny);
  EXPECT_EQ(evaluate_policy(trust(R"("arn:aws:iam::999999999999:root")"), alice()), Decision::ImplicitDeny);
}

TEST(Policy, RoleSessionsMatchTheirRoleArn) {
  PolicyRequest r = alice();
  r.principal_arn = "arn:aws:sts::111122223333:assumed-role/ci/s1";
  r.principal_aliases = {"arn:aws:iam::111122223333:role/ci"};
  EXPECT_EQ(evaluate_policy(trust(R"("arn:aws:iam::111122223333:role/ci")"), r), Decision::Allow);
}

TEST(Policy, ActionWildcardsAreCaseInsensitive) {
  auto policy = [](const char* action) {
    return std::string(R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":")") + action + R"("}]})";
  };
  EXPECT_EQ(evaluate_policy(policy("sts:*"), alice()), Decision::Allow);
  EXPECT_EQ(evaluate_policy(policy("STS:assumerole"), alice()), Decision::Allow);
  EXPECT_EQ(evaluate_policy(policy("sts:Assume?ole"), alice()), Decision::Allow);
  EXPECT_EQ(evaluate_policy(policy("sts:GetSessionToken"), alice()), Decision::ImplicitDeny);
}

TEST(Policy, ExternalIdCondition) {
  std::string p = trust(R"("111122223333")", R"(,"Condition":{"StringEquals":{"sts:ExternalId":"s3cret"}})");
  PolicyRequest r = alice();
  EXPECT_EQ(evaluate_policy(p, r), Decision::ImplicitDeny);  // missing key
  r.context["sts:externalid"] = {"wrong"};
  EXPECT_EQ(evaluate_policy(p, r), Decision::ImplicitDeny);
  r.context["sts:externalid"] = {"s3cret"};
  EXPECT_EQ(evaluate_policy(p, r), Decision::Allow);
}

TEST(Policy, MfaBoolAndIfExists) {
  std::string p = trust(R"("111122223333")", R"(,"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}})");
  PolicyRequest r = alice();
  EXPECT_EQ(evaluate_policy(p, r), Decision::ImplicitDeny);
  r.context["aws:multifactorauthpresent"] = {"true"};
  EXPECT_EQ(evaluate_policy(p, r), Decision::Allow);
  std::string q = trust(R"("111122223333")", R"(,"Condition":{"StringEqualsIfExists":{"sts:ExternalId":"x"}})");
  EXPECT_EQ(evaluate_policy(q, alice()), Decision::Allow);
}

TEST(Policy, ExplicitDenyWins) {
  std::string p = R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:*"},
                                   {"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"sts:AssumeRole"}]})";
  EXPECT_EQ(evaluate_policy(p, alice()), Decision::ExplicitDeny);
}

TEST(Policy, MalformedIsImplicitDeny) {
  EXPECT_EQ(evaluate_policy("{", alice()), Decision::ImplicitDeny);
  EXPECT_EQ(evaluate_policy("[]", alice()), Decision::ImplicitDeny);
  EXPECT_EQ(evaluate_policy(R"({"Statement":"x"})", alice()), Decision::ImplicitDeny);
}

TEST(Policy, WildcardMatch) {
  EXPECT_TRUE(wildcard_match("*", ""));
  EXPECT_TRUE(wildcard_match("a*c", "abbbc"));
  EXPECT_TRUE(wildcard_match("a?c", "abc"));
  EXPECT_FALSE(wildcard_match("a?c", "ac"));
  EXPECT_FALSE(wildcard_match("abc", "ABC"));
  EXPECT_TRUE(wildcard_match("abc", "ABC", true));
  EXPECT_TRUE(wildcard_match("*a*a*a*a*a*a*b", std::string(200, 'a') + "b"));
  EXPECT_FALSE(wildcard_match("*a*a*a*a*a*a*b", std::string(200, 'a')));
}
