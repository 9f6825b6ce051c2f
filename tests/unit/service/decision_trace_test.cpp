// Guards the console's decision trace: for each deciding rule, what
// Authorizer records (the rule, the policies that took part, whether the
// trust policy names the caller) and what a reader is shown from it
// (decision_json: the rule in words, each condition's actual and expected
// values, the smallest statement that would have allowed a denial).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "stsd/domain/store.h"
#include "stsd/service/authorization.h"
#include "stsd/service/console/console_json.h"

using namespace stsd;
using domain::DecidingRule;
using nlohmann::json;

namespace {

constexpr const char* kAccount = "111122223333";
constexpr const char* kRoleArn = "arn:aws:iam::111122223333:role/deploy";
constexpr const char* kAliceArn = "arn:aws:iam::111122223333:user/alice";
constexpr std::int64_t kNow = 1'800'000'000;

domain::InlinePolicy inline_policy(std::string name, std::string text) {
  domain::InlinePolicy p;
  p.name = std::move(name);
  p.policy.text = std::move(text);
  return p;
}

// alice (optionally with identity policies) and the role deploy with `trust`.
struct World {
  World(std::optional<std::string> trust, std::vector<domain::InlinePolicy> alice_policies = {},
        domain::RoleMode mode = domain::RoleMode::Strict) {
    domain::StoreData d;
    d.role_mode = mode;
    d.accounts = {{kAccount, "dev", {}, {}}};
    domain::User alice;
    alice.account = kAccount;
    alice.name = "alice";
    alice.inline_policies = std::move(alice_policies);
    d.users = {alice};
    if (mode == domain::RoleMode::Strict) {
      domain::Role deploy;
      deploy.account = kAccount;
      deploy.name = "deploy";
      deploy.trust_policy = std::move(trust);
      d.roles = {deploy};
    }
    store = std::make_unique<domain::Store>(std::move(d));
  }

  service::Caller alice() const { return service::user_caller(*store->find_user(kAccount, "alice"), "AKIAALICE"); }
  std::shared_ptr<const domain::Role> role() const { return store->find_role(*domain::parse_role_arn(kRoleArn)); }

  std::unique_ptr<domain::Store> store;
  domain::AuthorizationMessageCodec messages{std::string(32, 'k')};
};

std::string trust_naming(const std::string& principal, const std::string& condition = "") {
  return R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":")" + principal +
         R"("},"Action":"sts:AssumeRole")" + (condition.empty() ? "" : ",\"Condition\":" + condition) + "}]}";
}

json decision(const domain::DecisionTrace& trace, bool failed) {
  return json::parse(service::console::decision_json(&trace, failed));
}

}  // namespace

TEST(DecisionTrace, AllowedWhenTheTrustPolicyNamesTheCaller) {
  World w(trust_naming(kAliceArn));
  domain::DecisionTrace trace;
  service::Authorizer authorizer(*w.store, w.messages, &trace);
  const auto caller = w.alice();
  auto role = w.role();
  ASSERT_TRUE(authorizer.authorize_trust(&caller, *role, service::caller_request(caller, "sts:AssumeRole", kRoleArn, kNow), {}));
  ASSERT_EQ(trace.checks.size(), 1u);
  EXPECT_EQ(trace.checks[0].rule, DecidingRule::Allowed);
  EXPECT_TRUE(trace.checks[0].trust_names_caller);
  ASSERT_EQ(trace.checks[0].policies.size(), 1u);
  EXPECT_EQ(trace.checks[0].policies[0].source, domain::PolicySource::Trust);
  const json d = decision(trace, false);
  EXPECT_EQ(d["deciding_rule"], "Allowed");
  EXPECT_TRUE(d["suggestion"].is_null());
  EXPECT_TRUE(d["checks"][0]["policies"][0]["statements"][0]["applies"]);
}

TEST(DecisionTrace, ExplicitDenyHasNoSuggestion) {
  World w(trust_naming(kAliceArn),
          {inline_policy("no-assume", R"({"Version":"2012-10-17","Statement":[{"Sid":"Never","Effect":"Deny","Action":"sts:AssumeRole","Resource":"*"}]})")});
  domain::DecisionTrace trace;
  service::Authorizer authorizer(*w.store, w.messages, &trace);
  const auto caller = w.alice();
  auto denied = authorizer.authorize_trust(&caller, *w.role(), service::caller_request(caller, "sts:AssumeRole", kRoleArn, kNow), {});
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code, ErrorCode::AccessDenied);
  ASSERT_EQ(trace.checks.size(), 1u);
  EXPECT_EQ(trace.checks[0].rule, DecidingRule::ExplicitDeny);
  const json d = decision(trace, true);
  EXPECT_EQ(d["deciding_rule"], "ExplicitDeny");
  EXPECT_NE(d["summary"].get<std::string>().find("inline policy no-assume of user alice"), std::string::npos);
  EXPECT_TRUE(d["suggestion"].is_null());
  EXPECT_EQ(d["checks"][0]["policies"][0]["decision"], "ExplicitDeny");
  EXPECT_EQ(d["checks"][0]["policies"][0]["statements"][0]["sid"], "Never");
}

TEST(DecisionTrace, NoIdentityAllowWhenTrustNamesOnlyTheAccount) {
  World w(trust_naming("arn:aws:iam::111122223333:root"),
          {inline_policy("s3", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]})")});
  domain::DecisionTrace trace;
  service::Authorizer authorizer(*w.store, w.messages, &trace);
  const auto caller = w.alice();
  ASSERT_FALSE(authorizer.authorize_trust(&caller, *w.role(), service::caller_request(caller, "sts:AssumeRole", kRoleArn, kNow), {}));
  EXPECT_EQ(trace.checks[0].rule, DecidingRule::NoIdentityAllow);
  EXPECT_FALSE(trace.checks[0].trust_names_caller);
  const json d = decision(trace, true);
  EXPECT_EQ(d["deciding_rule"], "NoIdentityAllow");
  EXPECT_EQ(d["suggestion"]["statement"], json::parse(R"({"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::111122223333:role/deploy"})"));
  EXPECT_NE(d["suggestion"]["where"].get<std::string>().find(kAliceArn), std::string::npos);
}

TEST(DecisionTrace, BoundaryNoAllowNamesTheBoundary) {
  // alice's identity policy allows sts:AssumeRole; her boundary allows only s3.
  World w(trust_naming("arn:aws:iam::111122223333:root"),
          {inline_policy("assume", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]})")});
  domain::StoreData d = w.store->export_data();
  domain::ManagedPolicy boundary;
  boundary.account = kAccount;
  boundary.name = "Boundary";
  boundary.versions = {{"v1",
                        domain::StoredPolicy{R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]})",
                                             std::nullopt},
                        0}};
  d.managed_policies = {boundary};
  d.users[0].permissions_boundary = "arn:aws:iam::111122223333:policy/Boundary";
  w.store = std::make_unique<domain::Store>(std::move(d));
  domain::DecisionTrace trace;
  service::Authorizer authorizer(*w.store, w.messages, &trace);
  const auto caller = w.alice();
  ASSERT_FALSE(authorizer.authorize_trust(&caller, *w.role(), service::caller_request(caller, "sts:AssumeRole", kRoleArn, kNow), {}));
  EXPECT_EQ(trace.checks[0].rule, DecidingRule::BoundaryNoAllow);
  const json j = decision(trace, true);
  EXPECT_EQ(j["deciding_rule"], "BoundaryNoAllow");
  bool listed = false;
  for (const auto& p : j["checks"][0]["policies"])
    if (p["source"] == "permissions-boundary") {
      listed = true;
      EXPECT_EQ(p["evaluated"], true);
      EXPECT_EQ(p["decision"], "ImplicitDeny");
    }
  EXPECT_TRUE(listed);
  EXPECT_NE(j["summary"].get<std::string>().find("arn:aws:iam::111122223333:policy/Boundary"), std::string::npos);
  EXPECT_EQ(j["suggestion"]["where"], "the permissions boundary arn:aws:iam::111122223333:policy/Boundary");
  EXPECT_EQ(j["suggestion"]["statement"], json::parse(R"({"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::111122223333:role/deploy"})"));
}

TEST(DecisionTrace, ExternalIdMissing) {
  World w(trust_naming(kAliceArn, R"({"StringEquals":{"sts:ExternalId":"xyz"}})"));
  domain::DecisionTrace trace;
  service::Authorizer authorizer(*w.store, w.messages, &trace);
  const auto caller = w.alice();
  ASSERT_FALSE(authorizer.authorize_trust(&caller, *w.role(), service::caller_request(caller, "sts:AssumeRole", kRoleArn, kNow), {}));
  EXPECT_EQ(trace.checks[0].rule, DecidingRule::TrustNotSatisfied);
  const json d = decision(trace, true);
  EXPECT_EQ(d["deciding_rule"], "TrustNotSatisfied");
  EXPECT_EQ(d["refinement"], "ExternalIdMissing");
  const json& condition = d["checks"][0]["policies"][0]["statements"][0]["conditions"][0];
  EXPECT_EQ(condition["key"], "sts:ExternalId");
  EXPECT_EQ(condition["expected"], json::array({"xyz"}));
  EXPECT_EQ(condition["actual"], json::array());
  EXPECT_FALSE(condition["present"]);
  EXPECT_FALSE(condition["holds"]);
  EXPECT_EQ(d["suggestion"]["statement"],
            json::parse(R"({"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"sts:AssumeRole"})"));
}

TEST(DecisionTrace, ExternalIdMismatchShowsBothValues) {
  World w(trust_naming(kAliceArn, R"({"StringEquals":{"sts:ExternalId":"xyz"}})"));
  domain::DecisionTrace trace;
  service::Authorizer authorizer(*w.store, w.messages, &trace);
  const auto caller = w.alice();
  auto request = service::caller_request(caller, "sts:AssumeRole", kRoleArn, kNow);
  request.context["sts:externalid"] = {"abc"};
  ASSERT_FALSE(authorizer.authorize_trust(&caller, *w.role(), request, {}));
  const json d = decision(trace, true);
  EXPECT_EQ(d["refinement"], "ExternalIdMismatch");
  EXPECT_EQ(d["checks"][0]["policies"][0]["statements"][0]["conditions"][0]["actual"], json::array({"abc"}));
}

TEST(DecisionTrace, MfaAbsent) {
  World w(trust_naming(kAliceArn, R"({"Bool":{"aws:MultiFactorAuthPresent":"true"}})"));
  domain::DecisionTrace trace;
  service::Authorizer authorizer(*w.store, w.messages, &trace);
  const auto caller = w.alice();
  ASSERT_FALSE(authorizer.authorize_trust(&caller, *w.role(), service::caller_request(caller, "sts:AssumeRole", kRoleArn, kNow), {}));
  const json d = decision(trace, true);
  EXPECT_EQ(d["deciding_rule"], "TrustNotSatisfied");
  EXPECT_EQ(d["refinement"], "MfaAbsent");
  EXPECT_NE(d["summary"].get<std::string>().find("MFA absent"), std::string::npos);
}

TEST(DecisionTrace, FollowUpIsItsOwnCheck) {
  // AssumeRole is allowed, sts:TagSession is not: the second check decides.
  World w(trust_naming(kAliceArn));
  domain::DecisionTrace trace;
  service::Authorizer authorizer(*w.store, w.messages, &trace);
  const auto caller = w.alice();
  ASSERT_FALSE(authorizer.authorize_trust(&caller, *w.role(), service::caller_request(caller, "sts:AssumeRole", kRoleArn, kNow),
                                          {.tags = true}));
  ASSERT_EQ(trace.checks.size(), 2u);
  EXPECT_EQ(trace.checks[0].rule, DecidingRule::Allowed);
  EXPECT_EQ(trace.checks[1].action, "sts:TagSession");
  EXPECT_EQ(trace.checks[1].rule, DecidingRule::TrustNotSatisfied);
  EXPECT_EQ(trace.checks[0].request, trace.checks[1].request);  // recorded once, shared
  const json d = decision(trace, true);
  EXPECT_EQ(d["suggestion"]["statement"]["Action"], "sts:TagSession");
}

TEST(DecisionTrace, FederatedPrincipalWithoutTrustPolicy) {
  World w(std::nullopt);
  domain::DecisionTrace trace;
  service::Authorizer authorizer(*w.store, w.messages, &trace);
  domain::PolicyRequest request;
  request.action = "sts:AssumeRoleWithWebIdentity";
  request.principal_type = domain::RequesterType::Federated;
  request.principal_arn = "arn:aws:iam::111122223333:oidc-provider/oidc.stsd.local";
  request.resource = kRoleArn;
  auto denied = authorizer.authorize_trust(nullptr, *w.role(), request, {});
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().message, "Not authorized to perform sts:AssumeRoleWithWebIdentity");
  EXPECT_EQ(trace.checks[0].rule, DecidingRule::NoTrustPolicy);
  EXPECT_TRUE(trace.checks[0].federated);
  const json d = decision(trace, true);
  EXPECT_EQ(d["suggestion"]["statement"]["Principal"]["Federated"], request.principal_arn);
}

TEST(DecisionTrace, FederatedTrustNotSatisfiedShowsTheClaim) {
  World w(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/oidc.stsd.local"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"oidc.stsd.local:sub":"ci"}}}]})");
  domain::DecisionTrace trace;
  service::Authorizer authorizer(*w.store, w.messages, &trace);
  domain::PolicyRequest request;
  request.action = "sts:AssumeRoleWithWebIdentity";
  request.principal_type = domain::RequesterType::Federated;
  request.principal_arn = "arn:aws:iam::111122223333:oidc-provider/oidc.stsd.local";
  request.resource = kRoleArn;
  request.context["oidc.stsd.local:sub"] = {"<img src=x onerror=alert(1)>"};
  ASSERT_FALSE(authorizer.authorize_trust(nullptr, *w.role(), request, {}));
  EXPECT_EQ(trace.checks[0].rule, DecidingRule::TrustNotSatisfied);
  const json d = decision(trace, true);
  EXPECT_EQ(d["refinement"], "ConditionNotMet");
  EXPECT_EQ(d["checks"][0]["policies"][0]["statements"][0]["conditions"][0]["actual"],
            json::array({"<img src=x onerror=alert(1)>"}));
}

TEST(DecisionTrace, SessionPolicyAllowsNothing) {
  World w(std::nullopt);
  domain::Session s;
  s.principal_type = domain::PrincipalType::AssumedRole;
  s.account = kAccount;
  s.arn = "arn:aws:sts::111122223333:assumed-role/deploy/s";
  s.source_arn = kRoleArn;
  s.session_policy = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]})";
  const auto caller = service::session_caller(s, *w.store);
  domain::DecisionTrace trace;
  service::Authorizer authorizer(*w.store, w.messages, &trace);
  ASSERT_FALSE(authorizer.authorize(caller, nullptr, service::caller_request(caller, "sts:GetWebIdentityToken", "*", kNow)));
  EXPECT_EQ(trace.checks[0].rule, DecidingRule::SessionPolicyNoAllow);
  const json d = decision(trace, true);
  EXPECT_EQ(d["suggestion"]["statement"], json::parse(R"({"Effect":"Allow","Action":"sts:GetWebIdentityToken","Resource":"*"})"));
}

TEST(DecisionTrace, ScopeDownLayerAllowsNothing) {
  World w(std::nullopt);
  domain::Session s;
  s.principal_type = domain::PrincipalType::AssumedRole;
  s.account = kAccount;
  s.arn = "arn:aws:sts::111122223333:assumed-role/deploy/s";
  s.source_arn = kRoleArn;
  s.scope_policies = {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]})"};
  const auto caller = service::session_caller(s, *w.store);
  domain::DecisionTrace trace;
  service::Authorizer authorizer(*w.store, w.messages, &trace);
  ASSERT_FALSE(authorizer.authorize(caller, nullptr, service::caller_request(caller, "sts:GetWebIdentityToken", "*", kNow)));
  EXPECT_EQ(trace.checks[0].rule, DecidingRule::ScopeDownNoAllow);
  EXPECT_EQ(trace.checks[0].policies[0].source, domain::PolicySource::ScopeDown);
}

TEST(DecisionTrace, AutoModeRoleOnlyExplicitDenyRefuses) {
  World w(std::nullopt,
          {inline_policy("s3", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]})")},
          domain::RoleMode::Auto);
  domain::DecisionTrace trace;
  service::Authorizer authorizer(*w.store, w.messages, &trace);
  const auto caller = w.alice();
  auto role = w.role();
  ASSERT_TRUE(role);
  EXPECT_FALSE(role->declared);
  ASSERT_TRUE(authorizer.authorize_trust(&caller, *role, service::caller_request(caller, "sts:AssumeRole", kRoleArn, kNow), {}));
  EXPECT_EQ(trace.checks[0].rule, DecidingRule::AllowedAutoRole);
}

TEST(DecisionTrace, NoPolicyRecordsNothing) {
  World w(std::nullopt, {}, domain::RoleMode::Auto);
  domain::DecisionTrace trace;
  service::Authorizer authorizer(*w.store, w.messages, &trace);
  const auto caller = w.alice();
  EXPECT_TRUE(authorizer.trust_decided_without_policies(&caller, *w.role()));
  EXPECT_TRUE(trace.empty());
  const json allowed = json::parse(service::console::decision_json(&trace, false));
  EXPECT_EQ(allowed["deciding_rule"], "AllowedWithoutPolicies");
  const json failed = json::parse(service::console::decision_json(nullptr, true));
  EXPECT_EQ(failed["deciding_rule"], "NotAuthorization");
}

TEST(DecisionTrace, RuleNotesDecideWhenNoPolicyDid) {
  domain::DecisionTrace trace;
  trace.note("role chaining cap", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
  const json d = json::parse(service::console::decision_json(&trace, true));
  EXPECT_EQ(d["deciding_rule"], "Rule");
  EXPECT_NE(d["summary"].get<std::string>().find("role chaining cap"), std::string::npos);
}

TEST(PolicyExplain, AgreesWithEvaluate) {
  auto policy = domain::Policy::parse(
      R"({"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*","Condition":{"StringLike":{"aws:username":"a*"}}},
        {"Effect":"Deny","NotAction":"sts:*","Resource":"*"},
        {"Effect":"Allow","Action":"sts:TagSession","Resource":"arn:aws:iam::*:role/x"}]})");
  ASSERT_TRUE(policy);
  for (const char* action : {"sts:AssumeRole", "sts:TagSession", "s3:GetObject"})
    for (const char* user : {"alice", "bob"}) {
      domain::PolicyRequest r;
      r.action = action;
      r.resource = kRoleArn;
      r.context["aws:username"] = {user};
      const auto evaluation = policy->evaluate(r);
      const auto explained = policy->explain(r);
      std::size_t applied = 0;
      for (const auto& e : explained)
        if (e.applies) {
          ASSERT_LT(applied, evaluation.matched.size());
          EXPECT_EQ(evaluation.matched[applied++].index, e.index);
        }
      EXPECT_EQ(applied, evaluation.matched.size()) << action << " " << user;
    }
}
