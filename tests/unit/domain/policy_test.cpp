// Guards the policy engine's statement logic: principals (AWS, Federated,
// Service, NotPrincipal), actions, resources, explicit deny, matched
// statements, policy variables, refusal of malformed text and robustness.
// Condition operators: policy_condition_test.cpp; AWS's validation
// messages: policy_validation_test.cpp; value parsers: policy_values_test.cpp.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <thread>

#include "policy_test_util.h"
#include "stsd/domain/policy.h"

using namespace stsd::domain;
using namespace stsd::domain::testing;

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

// ---------------------------------------------------------------------------
// The policy engine proper: elements, principals, matched statements,
// variables, refusal of malformed text, robustness.

namespace {

PolicyRequest caller(const std::string& arn, const std::string& account, RequesterType type = RequesterType::Aws) {
  PolicyRequest r;
  r.action = "sts:AssumeRole";
  r.principal_type = type;
  r.principal_arn = arn;
  r.principal_account = account;
  r.resource = "arn:aws:iam::111122223333:role/deploy";
  return r;
}

std::string trust_with(const std::string& principal_json) {
  return R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":)" + principal_json +
         R"(,"Action":["sts:AssumeRole","sts:AssumeRoleWithWebIdentity","sts:AssumeRoleWithSAML"]}})";
}

std::string identity(const std::string& statement_body) {
  return R"({"Version":"2012-10-17","Statement":[{)" + statement_body + "}]}";
}

}  // namespace

TEST(PolicyPrincipal, WildcardFormsMatchEveryRequesterType) {
  const auto anonymous = caller("", "", RequesterType::Anonymous);
  const auto web = caller("accounts.google.com", "", RequesterType::Federated);
  EXPECT_EQ(evaluate_policy(trust_with(R"("*")"), anonymous), Decision::Allow);
  EXPECT_EQ(evaluate_policy(trust_with(R"({"AWS":"*"})"), anonymous), Decision::Allow);
  EXPECT_EQ(evaluate_policy(trust_with(R"({"AWS":"*"})"), web), Decision::Allow);
  EXPECT_EQ(evaluate_policy(trust_with(R"({"AWS":"111122223333"})"), anonymous), Decision::ImplicitDeny);
}

TEST(PolicyPrincipal, FederatedMatchesProviderArnOrWellKnownIdp) {
  const std::string oidc = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com";
  auto r = caller(oidc, "", RequesterType::Federated);
  EXPECT_EQ(evaluate_policy(trust_with(R"({"Federated":")" + oidc + R"("})"), r), Decision::Allow);
  EXPECT_EQ(evaluate_policy(trust_with(R"({"Federated":"arn:aws:iam::111122223333:saml-provider/Okta"})"), r),
            Decision::ImplicitDeny);
  auto google = caller("accounts.google.com", "", RequesterType::Federated);
  EXPECT_EQ(evaluate_policy(trust_with(R"({"Federated":"Accounts.Google.com"})"), google), Decision::Allow);
  // An IAM caller is never a federated principal, whatever its ARN.
  auto iam = caller(oidc, "111122223333");
  EXPECT_EQ(evaluate_policy(trust_with(R"({"Federated":")" + oidc + R"("})"), iam), Decision::ImplicitDeny);
}

TEST(PolicyPrincipal, ServicePrincipals) {
  auto ec2 = caller("ec2.amazonaws.com", "", RequesterType::Service);
  EXPECT_EQ(evaluate_policy(trust_with(R"({"Service":["lambda.amazonaws.com","ec2.amazonaws.com"]})"), ec2),
            Decision::Allow);
  EXPECT_EQ(evaluate_policy(trust_with(R"({"Service":"lambda.amazonaws.com"})"), ec2), Decision::ImplicitDeny);
  EXPECT_EQ(evaluate_policy(trust_with(R"({"AWS":"111122223333"})"), ec2), Decision::ImplicitDeny);
}

TEST(PolicyPrincipal, AccountFormsAndSessions) {
  auto session = caller("arn:aws:sts::111122223333:assumed-role/ci/run-1", "111122223333");
  session.principal_aliases = {"arn:aws:iam::111122223333:role/ci"};
  EXPECT_EQ(evaluate_policy(trust_with(R"({"AWS":"arn:aws:iam::111122223333:root"})"), session), Decision::Allow);
  EXPECT_EQ(evaluate_policy(trust_with(R"({"AWS":"arn:aws:iam::111122223333:role/ci"})"), session), Decision::Allow);
  EXPECT_EQ(evaluate_policy(trust_with(R"({"AWS":"arn:aws:sts::111122223333:assumed-role/ci/run-1"})"), session),
            Decision::Allow);
  EXPECT_EQ(evaluate_policy(trust_with(R"({"AWS":"arn:aws:sts::111122223333:assumed-role/ci/run-2"})"), session),
            Decision::ImplicitDeny);
  // Principal ARNs are matched exactly: no partial wildcards, case matters.
  EXPECT_EQ(evaluate_policy(trust_with(R"({"AWS":"arn:aws:iam::111122223333:role/*"})"), session),
            Decision::ImplicitDeny);
  EXPECT_EQ(evaluate_policy(trust_with(R"({"AWS":"arn:aws:iam::111122223333:role/CI"})"), session),
            Decision::ImplicitDeny);
  // CanonicalUser names S3 identities, never an STS caller.
  EXPECT_EQ(evaluate_policy(trust_with(R"({"CanonicalUser":"79a59df900b949e55d96a1e698fbaced"})"), session),
            Decision::ImplicitDeny);
}

TEST(PolicyPrincipal, NotPrincipalNeedsAccountAndIdentity) {
  auto policy = [](const std::string& not_principal) {
    return R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:*"},)"
           R"({"Effect":"Deny","NotPrincipal":{"AWS":)" + not_principal + R"(},"Action":"sts:AssumeRole"}]})";
  };
  const auto alice = caller("arn:aws:iam::111122223333:user/alice", "111122223333");
  const auto bob = caller("arn:aws:iam::111122223333:user/bob", "111122223333");
  const std::string both = R"(["arn:aws:iam::111122223333:user/alice","arn:aws:iam::111122223333:root"])";
  EXPECT_EQ(evaluate_policy(policy(both), alice), Decision::Allow);
  EXPECT_EQ(evaluate_policy(policy(both), bob), Decision::ExplicitDeny);
  // Without the account ARN the account is denied first, and with it the user.
  EXPECT_EQ(evaluate_policy(policy(R"("arn:aws:iam::111122223333:user/alice")"), alice), Decision::ExplicitDeny);
  auto session = caller("arn:aws:sts::111122223333:assumed-role/ci/s", "111122223333");
  session.principal_aliases = {"arn:aws:iam::111122223333:role/ci"};
  EXPECT_EQ(evaluate_policy(policy(R"(["arn:aws:iam::111122223333:role/ci","111122223333"])"), session),
            Decision::Allow);
}

TEST(PolicyElements, NotActionAndActionCase) {
  auto r = alice();
  const std::string p = identity(R"("Effect":"Allow","NotAction":"iam:*","Resource":"*")");
  EXPECT_EQ(evaluate_policy(p, r), Decision::Allow);
  r.action = "IAM:CreateUser";
  EXPECT_EQ(evaluate_policy(p, r), Decision::ImplicitDeny);
}

TEST(PolicyElements, ResourceWildcardsAreCaseSensitive) {
  auto r = alice();  // resource arn:aws:iam::111122223333:role/deploy
  auto with = [](const char* resource) {
    return identity(std::string(R"("Effect":"Allow","Action":"sts:AssumeRole","Resource":)") + resource);
  };
  EXPECT_EQ(evaluate_policy(with(R"("*")"), r), Decision::Allow);
  EXPECT_EQ(evaluate_policy(with(R"("arn:aws:iam::111122223333:role/*")"), r), Decision::Allow);
  EXPECT_EQ(evaluate_policy(with(R"("arn:aws:iam::*:role/dep?oy")"), r), Decision::Allow);
  EXPECT_EQ(evaluate_policy(with(R"("arn:aws:iam::111122223333:role/Deploy")"), r), Decision::ImplicitDeny);
  EXPECT_EQ(evaluate_policy(with(R"(["arn:aws:iam::999999999999:role/*","arn:aws:iam::111122223333:role/deploy"])"), r),
            Decision::Allow);
  const std::string not_resource =
      identity(R"("Effect":"Deny","Action":"sts:*","NotResource":"arn:aws:iam::111122223333:role/deploy")");
  EXPECT_EQ(evaluate_policy(not_resource, r), Decision::ImplicitDeny);
  r.resource = "arn:aws:iam::111122223333:role/admin";
  EXPECT_EQ(evaluate_policy(not_resource, r), Decision::ExplicitDeny);
}

TEST(PolicyEvaluation, ReportsEveryMatchedStatementWithSidAndIndex) {
  const std::string p = R"({"Version":"2012-10-17","Statement":[
      {"Sid":"AllowAll","Effect":"Allow","Principal":"*","Action":"sts:*"},
      {"Sid":"DenyAlice","Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"sts:AssumeRole"},
      {"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:user/bob"},"Action":"sts:AssumeRole"},
      {"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]})";
  auto policy = Policy::parse(p);
  ASSERT_TRUE(policy);
  ASSERT_EQ(policy->statements().size(), 4u);
  const Evaluation e = policy->evaluate(alice());
  EXPECT_EQ(e.decision, Decision::ExplicitDeny);
  ASSERT_EQ(e.matched.size(), 3u);
  EXPECT_EQ(e.matched[0].index, 0u);
  EXPECT_EQ(e.matched[0].sid, "AllowAll");
  EXPECT_EQ(e.matched[0].effect, Effect::Allow);
  EXPECT_EQ(e.matched[1].index, 1u);
  EXPECT_EQ(e.matched[1].sid, "DenyAlice");
  EXPECT_EQ(e.matched[1].effect, Effect::Deny);
  EXPECT_EQ(e.matched[2].index, 3u);
  EXPECT_EQ(e.matched[2].sid, "");
  // The parsed model describes the statement for an authorization message.
  const Statement& deny = policy->statements()[e.matched[1].index];
  EXPECT_EQ(deny.principals.aws, std::vector<std::string>{"arn:aws:iam::111122223333:user/alice"});
  EXPECT_EQ(deny.actions, std::vector<std::string>{"sts:AssumeRole"});

  const Evaluation none = policy->evaluate(caller("", "", RequesterType::Anonymous));
  EXPECT_EQ(none.decision, Decision::Allow);  // the "*" statements only
  EXPECT_EQ(none.matched.size(), 2u);
}

TEST(PolicyEvaluation, ParsedPolicyIsReusableAndSharedAcrossThreads) {
  auto policy = Policy::parse(trust(R"("111122223333")", R"(,"Condition":{"StringEquals":{"sts:ExternalId":"x"}})"));
  ASSERT_TRUE(policy);
  std::vector<std::thread> threads;
  std::atomic<int> allowed{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        PolicyRequest r = alice();
        r.context["sts:externalid"] = {(i + t) % 2 == 0 ? "x" : "y"};
        if (policy->evaluate(r).decision == Decision::Allow) ++allowed;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(allowed.load(), 1000);
}

TEST(PolicyEvaluation, CombineDecisions) {
  EXPECT_EQ(combine_decisions({}), Decision::ImplicitDeny);
  EXPECT_EQ(combine_decisions({Decision::ImplicitDeny, Decision::Allow}), Decision::Allow);
  EXPECT_EQ(combine_decisions({Decision::Allow, Decision::ExplicitDeny, Decision::Allow}), Decision::ExplicitDeny);
}

// ---------------------------------------------------------------------------
// Policy variables in Resource and condition values.

namespace {
PolicyRequest with_user(const std::string& name) {
  PolicyRequest r = alice();
  r.context["aws:username"] = {name};
  return r;
}
std::string bucket_policy(const std::string& version_field, const std::string& resource) {
  return R"({)" + version_field + R"("Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":")" + resource +
         R"("}})";
}
PolicyRequest get_object(const std::string& user, const std::string& key) {
  PolicyRequest r = with_user(user);
  r.action = "s3:GetObject";
  r.resource = "arn:aws:s3:::bucket/" + key;
  return r;
}
}  // namespace

TEST(PolicyVariables, ResourceSubstitution) {
  const std::string p = bucket_policy(R"("Version":"2012-10-17",)", "arn:aws:s3:::bucket/${aws:username}/*");
  EXPECT_EQ(evaluate_policy(p, get_object("alice", "alice/notes.txt")), Decision::Allow);
  EXPECT_EQ(evaluate_policy(p, get_object("alice", "bob/notes.txt")), Decision::ImplicitDeny);
  // A resolved value is literal text, never a wildcard.
  EXPECT_EQ(evaluate_policy(p, get_object("*", "bob/notes.txt")), Decision::ImplicitDeny);
  EXPECT_EQ(evaluate_policy(p, get_object("*", "*/notes.txt")), Decision::Allow);
  // No value and no default: the resource matches nothing.
  PolicyRequest no_user = get_object("alice", "alice/x");
  no_user.context.clear();
  EXPECT_EQ(evaluate_policy(p, no_user), Decision::ImplicitDeny);
}

TEST(PolicyVariables, OnlyWithVersion2012) {
  for (const std::string& version : {std::string(), std::string(R"("Version":"2008-10-17",)")}) {
    const std::string p = bucket_policy(version, "arn:aws:s3:::bucket/${aws:username}/*");
    EXPECT_EQ(evaluate_policy(p, get_object("alice", "alice/x")), Decision::ImplicitDeny) << version;
    EXPECT_EQ(evaluate_policy(p, get_object("alice", "${aws:username}/x")), Decision::Allow) << version;
  }
}

TEST(PolicyVariables, DefaultsAndSpecialCharacters) {
  auto cond = [](const std::string& op, const std::string& value) {
    return identity(R"("Effect":"Allow","Action":"sts:*","Resource":"*","Condition":{")" + op +
                    R"(":{"test:key":")" + value + R"("}})");
  };
  auto req = [](const std::string& key_value, bool with_tag) {
    PolicyRequest r = alice();
    r.context["test:key"] = {key_value};
    if (with_tag) r.context["aws:principaltag/team"] = {"blue"};
    return r;
  };
  const std::string team = cond("StringEquals", "${aws:PrincipalTag/team, 'company-wide'}");
  EXPECT_EQ(evaluate_policy(team, req("blue", true)), Decision::Allow);
  EXPECT_EQ(evaluate_policy(team, req("company-wide", false)), Decision::Allow);
  EXPECT_EQ(evaluate_policy(team, req("company-wide", true)), Decision::ImplicitDeny);
  // '' is a quote inside a default; whitespace around key and default is ignored.
  EXPECT_EQ(evaluate_policy(cond("StringEquals", "${ aws:username ,  'it''s' }"), req("it's", false)), Decision::Allow);
  // Substitution is one pass: a default is not expanded again.
  EXPECT_EQ(evaluate_policy(cond("StringEquals", "${aws:username, '${x}'}"), req("${x}", false)), Decision::Allow);
  // ${*} ${?} ${$} are the literal characters.
  const std::string star = cond("StringLike", "a${*}");
  EXPECT_EQ(evaluate_policy(star, req("a*", false)), Decision::Allow);
  EXPECT_EQ(evaluate_policy(star, req("ab", false)), Decision::ImplicitDeny);
  EXPECT_EQ(evaluate_policy(cond("StringLike", "a${?}c"), req("abc", false)), Decision::ImplicitDeny);
  EXPECT_EQ(evaluate_policy(cond("StringLike", "a${?}c"), req("a?c", false)), Decision::Allow);
  EXPECT_EQ(evaluate_policy(cond("StringEquals", "${$}{x}"), req("${x}", false)), Decision::Allow);
  // Variable keys are case-insensitive.
  PolicyRequest r = req("alice", false);
  r.context["aws:username"] = {"alice"};
  EXPECT_EQ(evaluate_policy(cond("StringEquals", "${AWS:UserName}"), r), Decision::Allow);
  // An unclosed "${" is plain text.
  EXPECT_EQ(evaluate_policy(cond("StringEquals", "${aws:username"), req("${aws:username", false)), Decision::Allow);
}

TEST(PolicyVariables, UnresolvedVariableMakesTheConditionFalse) {
  auto cond = [](const std::string& op) {
    return identity(R"("Effect":"Allow","Action":"sts:*","Resource":"*","Condition":{")" + op +
                    R"(":{"test:key":"${aws:username}"}})");
  };
  PolicyRequest r = alice();
  r.context["test:key"] = {"alice"};
  EXPECT_EQ(evaluate_policy(cond("StringEquals"), r), Decision::ImplicitDeny);
  EXPECT_EQ(evaluate_policy(cond("StringNotEquals"), r), Decision::ImplicitDeny);
  // Multi-valued keys cannot be variables.
  r.context["aws:username"] = {"alice", "bob"};
  EXPECT_EQ(evaluate_policy(cond("StringEquals"), r), Decision::ImplicitDeny);
  // ...IfExists with the condition key absent holds before any substitution.
  PolicyRequest absent = alice();
  EXPECT_EQ(evaluate_policy(cond("StringEqualsIfExists"), absent), Decision::Allow);
  // NotResource with an unresolvable entry does not apply (Deny not triggered).
  const std::string deny = R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Action":"sts:*","Resource":"*"},
      {"Effect":"Deny","Action":"sts:*","NotResource":"arn:aws:iam::111122223333:role/${aws:username}"}]})";
  EXPECT_EQ(evaluate_policy(deny, absent), Decision::Allow);
  EXPECT_EQ(evaluate_policy(deny, with_user("other")), Decision::ExplicitDeny);
  EXPECT_EQ(evaluate_policy(deny, with_user("deploy")), Decision::Allow);
}

// ---------------------------------------------------------------------------
// Refusal: text the engine does not accept as a policy evaluates to
// ImplicitDeny, so a malformed Deny can never be skipped into an Allow.

class PolicyParseRefuses : public ::testing::TestWithParam<const char*> {};

TEST_P(PolicyParseRefuses, Text) {
  EXPECT_FALSE(Policy::parse(GetParam()));
  EXPECT_EQ(evaluate_policy(GetParam(), alice()), Decision::ImplicitDeny);
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, PolicyParseRefuses,
    ::testing::Values(
        "", "null", "{", "[]", R"("policy")", R"({"Version":"2012-10-17"})", R"({"Statement":"x"})",
        R"({"Statement":[1]})", R"({"Version":"2013-10-17","Statement":[]})", R"({"Version":1,"Statement":[]})",
        R"({"Statement":[],"Extra":1})",
        R"({"Statement":{"Principal":"*","Action":"sts:*"}})",                                     // no Effect
        R"({"Statement":{"Effect":"allow","Principal":"*","Action":"sts:*"}})",                    // case
        R"({"Statement":{"Effect":"Allow","Principal":"*"}})",                                     // no Action
        R"({"Statement":{"Effect":"Allow","Principal":"*","Action":[]}})",                         // empty list
        R"({"Statement":{"Effect":"Allow","Principal":"*","Action":{"a":1}}})",                    // wrong type
        R"({"Statement":{"Effect":"Allow","Principal":"*","Action":["sts:*",1]}})",
        R"({"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:*","NotAction":"x:*"}})",  // both
        R"({"Statement":{"Effect":"Allow","Action":"sts:*"}})",                      // neither Principal nor Resource
        R"({"Statement":{"Effect":"Allow","Principal":"arn:aws:iam::1:root","Action":"sts:*"}})",  // string principal
        R"({"Statement":{"Effect":"Allow","Principal":{"Aws":"*"},"Action":"sts:*"}})",            // unknown type
        R"({"Statement":{"Effect":"Allow","Principal":{"AWS":[]},"Action":"sts:*"}})",             // nobody
        R"({"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:*","Foo":1}})",            // unknown field
        R"({"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:*","Condition":{"StringEquals":"x"}}})",
        R"({"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:*","Condition":{"Foo":{"k":"v"}}}})",
        R"({"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:*","Condition":{"NullIfExists":{"k":"v"}}}})",
        R"({"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:*","Condition":{"StringEquals":{"k":null}}}})",
        R"({"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:*","Condition":{"StringEquals":{"k":[{}]}}}})",
        R"({"Statement":{"Effect":"Deny","Principal":"*","Action":"sts:*","Sid":5}})"));

TEST(PolicyParse, AcceptsWhatIamAccepts) {
  // Unknown operator with nothing under it, scalar condition values,
  // an empty principal type beside a filled one.
  auto p = Policy::parse(R"({"Statement":{"Effect":"Allow","Principal":{"AWS":[],"Service":"ec2.amazonaws.com"},
      "Action":"sts:AssumeRole","Condition":{"Whatever":{},"Bool":{"aws:SecureTransport":true},
      "NumericLessThan":{"sts:DurationSeconds":3600}}}})");
  ASSERT_TRUE(p);
  ASSERT_EQ(p->statements().size(), 1u);
  const auto& conditions = p->statements()[0].conditions;
  ASSERT_EQ(conditions.size(), 2u);
  EXPECT_EQ(conditions[0].values, std::vector<std::string>{"true"});
  EXPECT_EQ(conditions[1].values, std::vector<std::string>{"3600"});
  EXPECT_EQ(p->version(), "");
}

TEST(PolicyParse, NestingBombIsRefusedWithoutRecursion) {
  const std::string deep = R"({"Statement":)" + std::string(200000, '[') + std::string(200000, ']') + "}";
  EXPECT_FALSE(Policy::parse(deep));
  EXPECT_EQ(policy_document_error(deep, PolicyKind::Identity), "Syntax errors in policy.");
  const std::string deep_condition = R"({"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:*",)"
                                     R"("Condition":{"StringEquals":{"k":)" +
                                     std::string(40, '[') + "\"v\"" + std::string(40, ']') + "}}}}";
  EXPECT_FALSE(Policy::parse(deep_condition));
}

TEST(PolicyParse, UnclosedVariablesStayLiteralInLinearTime) {
  // 100k unclosed "${" would be 10^10 steps if each rescanned the rest.
  std::string value;
  for (int i = 0; i < 100000; ++i) value += "${a ";
  const std::string p = identity(R"("Effect":"Allow","Action":"sts:*","Resource":"*","Condition":{"StringEquals":{"k":")" +
                                 value + R"("}})");
  auto policy = Policy::parse(p);
  ASSERT_TRUE(policy);
  PolicyRequest r = alice();
  r.context["k"] = {value};
  EXPECT_EQ(policy->evaluate(r).decision, Decision::Allow);
}

// Deterministic mutation fuzzing: whatever the bytes, nothing crashes, and
// anything the validator accepts the engine can evaluate.
TEST(PolicyRobustness, MutatedPoliciesNeverCrashAndValidatedOnesParse) {
  const std::vector<std::pair<std::string, PolicyKind>> seeds = {
      {trust(R"(["111122223333","arn:aws:iam::111122223333:user/alice"])",
             R"(,"Condition":{"StringEquals":{"sts:ExternalId":"x"},"ForAnyValue:StringLike":{"aws:TagKeys":["a*"]}})"),
       PolicyKind::Trust},
      {identity(R"("Sid":"A","Effect":"Deny","Action":["s3:Get*"],"Resource":"arn:aws:s3:::b/${aws:username}/*",)"
                R"("Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8"]},"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}})"),
       PolicyKind::Identity},
      {R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"iam:*","NotResource":["arn:aws:iam::*:role/x"]}})",
       PolicyKind::Session},
  };
  const std::string alphabet = "{}[]\":,*?$'\\ aAz019-/.${}";
  std::uint32_t state = 12345;
  auto next = [&] {
    state = state * 1664525u + 1013904223u;
    return state >> 8;
  };
  PolicyRequest r = with_user("alice");
  r.context["aws:tagkeys"] = {"a1", "b"};
  r.context["aws:sourceip"] = {"10.1.2.3"};
  int validated = 0;
  for (int i = 0; i < 3000; ++i) {
    const auto& [seed, kind] = seeds[static_cast<std::size_t>(i) % seeds.size()];
    std::string text = seed;
    const int edits = 1 + static_cast<int>(next() % 4);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const std::size_t pos = next() % text.size();
      switch (next() % 3) {
        case 0: text[pos] = alphabet[next() % alphabet.size()]; break;
        case 1: text.erase(pos, 1 + next() % 8); break;
        default: text.insert(pos, 1, alphabet[next() % alphabet.size()]); break;
      }
    }
    const auto error = policy_document_error(text, kind);
    const auto parsed = Policy::parse(text);
    if (!error) {
      ++validated;
      ASSERT_TRUE(parsed) << text;
    }
    const Evaluation e = evaluate(text, r);
    if (!parsed) {
      EXPECT_EQ(e.decision, Decision::ImplicitDeny);
      EXPECT_TRUE(e.matched.empty());
    } else {
      EXPECT_EQ(e.decision, parsed->evaluate(r).decision);
    }
  }
  EXPECT_GT(validated, 0);  // the mutations also produced valid documents
}
