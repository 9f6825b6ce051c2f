// Guards the authorization rules of service/authorization.h and
// sts_service.h through their public interface (Authorizer, caller_request,
// check_may_call), one test per rule: the trust policy alone when it names
// the caller in the role's account, trust plus identity policies when it
// names only the account or the role is in another account, explicit Deny
// anywhere, the "no policies, every sts:* action" simplification, session
// policies (inline and customer managed PolicyArns; AWS managed ones carried
// but not evaluated), GetScopedCredentials layers, auto-mode roles, the
// condition keys a caller brings, the AccessDenied and its encoded message,
// and what each kind of temporary credentials may call.
#include <functional>

#include <nlohmann/json.hpp>

#include "sts/world.h"
#include "stsd/service/authorization.h"
#include "stsd/service/sts_service.h"

namespace stsd::testing {
namespace {

using service::Authorizer;
using service::caller_request;
using service::check_may_call;

const std::string kAlice = "arn:aws:iam::111122223333:user/alice";
const std::string kBob = "arn:aws:iam::111122223333:user/bob";
const std::string kCarol = "arn:aws:iam::777788889999:user/carol";
const std::string kDeploy = role_arn(kAccount, "deploy");

struct Rules {
  World w;
  explicit Rules(domain::StoreData d) : w(std::move(d)) {}
  Authorizer authorizer() const { return Authorizer(w.store(), w.messages()); }
  const domain::Role* role(const std::string& arn = kDeploy) const { return w.store().find_declared_role(arn); }
  // The AssumeRole decision for the caller on the role.
  Result<void> assume(const Caller& caller, const domain::Role* r) const {
    return authorizer().authorize(caller, r, caller_request(caller, "sts:AssumeRole", r ? r->arn : "*", kNow));
  }
};

domain::StoreData with_deploy(std::optional<std::string> trust_policy, const std::string& account = kAccount) {
  domain::StoreData d = base_data();
  d.roles.push_back(make_role(account, "deploy", std::move(trust_policy)));
  return d;
}

const std::string kOtherPolicy = policy(allow("s3:GetObject"));
const std::string kAssumePolicy = policy(allow("sts:AssumeRole"));

// ---- Trust and identity policies -------------------------------------------

TEST(Authorization, ATrustPolicyNamingTheCallerInTheRolesAccountIsEnough) {
  domain::StoreData d = with_deploy(policy(trust(aws_principal(kAlice))));
  d.users[0].inline_policies = {inline_policy("other", kOtherPolicy)};  // nothing about sts
  Rules t(d);
  EXPECT_TRUE(succeeds(t.assume(t.w.user("alice"), t.role())));
}

TEST(Authorization, ATrustPolicyNamingOnlyTheAccountDefersToIdentityPolicies) {
  domain::StoreData d = with_deploy(policy(trust(aws_principal("arn:aws:iam::111122223333:root"))));
  d.users[0].inline_policies = {inline_policy("other", kOtherPolicy)};
  d.users[1].inline_policies = {inline_policy("assume", kAssumePolicy)};
  Rules t(d);
  EXPECT_TRUE(fails_with(t.assume(t.w.user("alice"), t.role()), ErrorCode::AccessDenied,
                         not_authorized(kAlice, "sts:AssumeRole", kDeploy)));
  EXPECT_TRUE(succeeds(t.assume(t.w.user("bob"), t.role())));
}

TEST(Authorization, ACallerWithoutPoliciesMayDoEverySts) {
  Rules t(with_deploy(policy(trust(aws_principal("arn:aws:iam::111122223333:root")))));
  const Caller alice = t.w.user("alice");
  EXPECT_TRUE(succeeds(t.assume(alice, t.role())));
  EXPECT_TRUE(t.authorizer().allows_without_policies(alice, nullptr));
  EXPECT_FALSE(t.authorizer().allows_without_policies(alice, t.role()));  // a declared role's trust decides
}

TEST(Authorization, GroupPoliciesAreIdentityPolicies) {
  domain::StoreData d = with_deploy(policy(trust(aws_principal("arn:aws:iam::111122223333:root"))));
  domain::Group ops;
  ops.account = kAccount;
  ops.name = "ops";
  ops.inline_policies = {inline_policy("deny", policy(deny("sts:AssumeRole")))};
  d.groups = {ops};
  d.users[1].groups = {"ops"};
  d.users[1].inline_policies = {inline_policy("assume", kAssumePolicy)};
  Rules t(d);
  EXPECT_TRUE(fails_with(t.assume(t.w.user("bob"), t.role()), ErrorCode::AccessDenied,
                         not_authorized(kBob, "sts:AssumeRole", kDeploy)));
}

TEST(Authorization, AttachedManagedPoliciesAreIdentityPolicies) {
  domain::StoreData d = with_deploy(policy(trust(aws_principal("arn:aws:iam::111122223333:root"))));
  domain::ManagedPolicy mp;
  mp.account = kAccount;
  mp.name = "Assume";
  mp.versions = {{"v1", stored(kAssumePolicy), 0}};
  d.managed_policies = {mp};
  d.users[0].inline_policies = {inline_policy("other", kOtherPolicy)};
  d.users[1].inline_policies = {inline_policy("other", kOtherPolicy)};
  d.users[1].attached_policies = {"arn:aws:iam::111122223333:policy/Assume"};
  Rules t(d);
  EXPECT_TRUE(succeeds(t.assume(t.w.user("bob"), t.role())));
  EXPECT_FALSE(t.assume(t.w.user("alice"), t.role()));
}

TEST(Authorization, ATrustPolicyThatDoesNotAllowDeniesWhateverTheIdentityPolicies) {
  domain::StoreData d = with_deploy(policy(trust(aws_principal(kBob))));
  d.users[0].inline_policies = {inline_policy("assume", kAssumePolicy)};
  Rules t(d);
  EXPECT_TRUE(fails_with(t.assume(t.w.user("alice"), t.role()), ErrorCode::AccessDenied,
                         not_authorized(kAlice, "sts:AssumeRole", kDeploy)));
}

TEST(Authorization, CrossAccountNeedsTrustAndIdentityPolicies) {
  // carol (777788889999) and a role of 111122223333 that names her.
  domain::StoreData d = with_deploy(policy(trust(aws_principal(kCarol))));
  d.users[2].inline_policies = {inline_policy("other", kOtherPolicy)};
  Rules denied(d);
  EXPECT_TRUE(fails_with(denied.assume(denied.w.user("carol", kOtherAccount), denied.role()), ErrorCode::AccessDenied,
                         not_authorized(kCarol, "sts:AssumeRole", kDeploy)));
  d.users[2].inline_policies = {inline_policy("assume", policy(allow("sts:AssumeRole", kDeploy)))};
  Rules allowed(d);
  EXPECT_TRUE(succeeds(allowed.assume(allowed.w.user("carol", kOtherAccount), allowed.role())));
}

TEST(Authorization, AnExplicitDenyInAnIdentityPolicyWinsOverTheTrustPolicy) {
  domain::StoreData d = with_deploy(policy(trust(aws_principal(kAlice))));
  d.users[0].inline_policies = {inline_policy("deny", policy(deny("sts:AssumeRole")))};
  Rules t(d);
  auto r = t.assume(t.w.user("alice"), t.role());
  ASSERT_TRUE(fails_with(r, ErrorCode::AccessDenied, not_authorized(kAlice, "sts:AssumeRole", kDeploy)));
  auto decoded = t.w.messages().decode(kAccount, r.error().encoded_authorization_message);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(nlohmann::json::parse(*decoded)["explicitDeny"], true);
}

TEST(Authorization, AnExplicitDenyInTheTrustPolicyWins) {
  Rules t(with_deploy(policy(trust(aws_principal(kAlice)) + "," +
                                trust(aws_principal(kAlice), R"("sts:AssumeRole")", "", "Deny"))));
  EXPECT_TRUE(fails_with(t.assume(t.w.user("alice"), t.role()), ErrorCode::AccessDenied,
                         not_authorized(kAlice, "sts:AssumeRole", kDeploy)));
}

TEST(Authorization, TrustConditionsSeeTheRequestsKeys) {
  Rules t(with_deploy(policy(
      trust(aws_principal(kAlice), R"("sts:AssumeRole")", R"({"StringEquals":{"aws:PrincipalTag/team":"blue"}})"))));
  const Caller alice = t.w.user("alice");  // tagged team=blue
  EXPECT_TRUE(succeeds(t.assume(alice, t.role())));
  domain::PolicyRequest other = caller_request(alice, "sts:AssumeRole", kDeploy, kNow);
  other.context["aws:principaltag/team"] = {"red"};
  EXPECT_FALSE(t.authorizer().authorize(alice, t.role(), other));
}

TEST(Authorization, AnAutoModeRoleRefusesOnlyOnExplicitDeny) {
  domain::StoreData d = base_data();
  d.role_mode = domain::RoleMode::Auto;
  d.users[0].inline_policies = {inline_policy("other", kOtherPolicy)};
  d.users[1].inline_policies = {inline_policy("deny", policy(deny("sts:AssumeRole")))};
  Rules t(d);
  auto made_up = t.w.store().find_role(*domain::parse_role_arn(role_arn(kMember, "any")));
  ASSERT_NE(made_up, nullptr);
  EXPECT_FALSE(made_up->declared);
  EXPECT_TRUE(succeeds(t.assume(t.w.user("alice"), made_up.get())));
  EXPECT_TRUE(fails_with(t.assume(t.w.user("bob"), made_up.get()), ErrorCode::AccessDenied,
                         not_authorized(kBob, "sts:AssumeRole", made_up->arn)));
}

TEST(Authorization, AnIdentityDecisionNeedsAnAllow) {
  domain::StoreData d = base_data();
  d.users[0].inline_policies = {inline_policy("other", kOtherPolicy)};
  d.users[1].inline_policies = {inline_policy("decode", policy(allow("sts:DecodeAuthorizationMessage")))};
  Rules t(d);
  auto request = [](const Caller& c) { return caller_request(c, "sts:DecodeAuthorizationMessage", "*", kNow); };
  const Caller alice = t.w.user("alice"), bob = t.w.user("bob");
  // Actions without a resource type are named without one.
  EXPECT_TRUE(fails_with(t.authorizer().authorize(alice, nullptr, request(alice)), ErrorCode::AccessDenied,
                         not_authorized(kAlice, "sts:DecodeAuthorizationMessage")));
  EXPECT_TRUE(succeeds(t.authorizer().authorize(bob, nullptr, request(bob))));
}

// ---- Sessions ---------------------------------------------------------------

// A role session of the given shape, on the declared role deploy.
Caller role_session(const World& w, const std::function<void(domain::Session&)>& shape) {
  domain::Session s;
  s.type = domain::CredentialType::AssumedRole;
  s.principal_type = domain::PrincipalType::AssumedRole;
  s.account = kAccount;
  s.arn = "arn:aws:sts::111122223333:assumed-role/deploy/s";
  s.user_id = "AROAEXAMPLEEXAMPLE000:s";
  s.source_arn = kDeploy;
  s.role_session_name = "s";
  s.issued_at = kNow;
  s.expiration = kNow + 3600;
  s.chain_depth = 1;
  shape(s);
  return service::session_caller(s, w.store());
}

domain::PolicyRequest decode_request(const Caller& c) {
  return caller_request(c, "sts:DecodeAuthorizationMessage", "*", kNow);
}

TEST(Authorization, ASessionPolicyBoundsTheSession) {
  Rules t(with_deploy(std::nullopt));
  const Caller bounded = role_session(t.w, [](domain::Session& s) { s.session_policy = policy(allow("sts:GetCallerIdentity")); });
  EXPECT_TRUE(fails_with(t.authorizer().authorize(bounded, nullptr, decode_request(bounded)), ErrorCode::AccessDenied,
                         not_authorized(bounded.arn, "sts:DecodeAuthorizationMessage")));
  const Caller open = role_session(t.w, [](domain::Session& s) { s.session_policy = policy(allow("sts:*")); });
  EXPECT_TRUE(succeeds(t.authorizer().authorize(open, nullptr, decode_request(open))));
  EXPECT_FALSE(t.authorizer().allows_without_policies(open, nullptr));
}

TEST(Authorization, ASessionPolicyCannotGrantWhatTheRolesPoliciesDoNot) {
  domain::StoreData d = with_deploy(std::nullopt);
  d.roles[0].inline_policies = {inline_policy("other", kOtherPolicy)};
  Rules t(d);
  const Caller s = role_session(t.w, [](domain::Session& s) { s.session_policy = policy(allow("sts:*")); });
  EXPECT_TRUE(fails_with(t.authorizer().authorize(s, nullptr, decode_request(s)), ErrorCode::AccessDenied,
                         not_authorized(s.arn, "sts:DecodeAuthorizationMessage")));
}

TEST(Authorization, CustomerManagedPolicyArnsBoundTheSession) {
  domain::StoreData d = with_deploy(std::nullopt);
  domain::ManagedPolicy mp;
  mp.account = kAccount;
  mp.name = "OnlyIdentity";
  mp.versions = {{"v1", stored(policy(allow("sts:GetCallerIdentity"))), 0}};
  d.managed_policies = {mp};
  Rules t(d);
  const Caller s = role_session(t.w, [](domain::Session& s) {
    s.policy_arns = {"arn:aws:iam::111122223333:policy/OnlyIdentity"};
  });
  EXPECT_TRUE(fails_with(t.authorizer().authorize(s, nullptr, decode_request(s)), ErrorCode::AccessDenied,
                         not_authorized(s.arn, "sts:DecodeAuthorizationMessage")));
  // With an inline session policy too, one of them allowing is enough.
  const Caller both = role_session(t.w, [](domain::Session& s) {
    s.policy_arns = {"arn:aws:iam::111122223333:policy/OnlyIdentity"};
    s.session_policy = policy(allow("sts:DecodeAuthorizationMessage"));
  });
  EXPECT_TRUE(succeeds(t.authorizer().authorize(both, nullptr, decode_request(both))));
}

TEST(Authorization, AwsManagedPolicyArnsAreCarriedButNotEvaluated) {
  Rules t(with_deploy(std::nullopt));
  const Caller s = role_session(t.w, [](domain::Session& s) { s.policy_arns = {"arn:aws:iam::aws:policy/ReadOnlyAccess"}; });
  EXPECT_TRUE(succeeds(t.authorizer().authorize(s, nullptr, decode_request(s))));
}

TEST(Authorization, EveryScopeDownLayerMustAllow) {
  Rules t(with_deploy(std::nullopt));
  const Caller one = role_session(t.w, [](domain::Session& s) { s.scope_policies = {policy(allow("sts:*"))}; });
  EXPECT_TRUE(succeeds(t.authorizer().authorize(one, nullptr, decode_request(one))));
  const Caller two = role_session(t.w, [](domain::Session& s) {
    s.scope_policies = {policy(allow("sts:*")), policy(allow("sts:GetCallerIdentity"))};
  });
  EXPECT_TRUE(fails_with(t.authorizer().authorize(two, nullptr, decode_request(two)), ErrorCode::AccessDenied,
                         not_authorized(two.arn, "sts:DecodeAuthorizationMessage")));
  // A session policy that allows does not lift a layer that does not.
  const Caller mixed = role_session(t.w, [](domain::Session& s) {
    s.session_policy = policy(allow("sts:*"));
    s.scope_policies = {policy(allow("sts:GetCallerIdentity"))};
  });
  EXPECT_FALSE(t.authorizer().authorize(mixed, nullptr, decode_request(mixed)));
}

TEST(Authorization, ARoleSessionIsNamedByItsRoleInTrustPolicies) {
  Rules t(with_deploy(policy(trust(aws_principal(kDeploy)))));
  const Caller s = role_session(t.w, [](domain::Session&) {});
  EXPECT_TRUE(succeeds(t.assume(s, t.role())));
}

TEST(Authorization, ARoleSessionsIdentityPoliciesAreItsRoles) {
  domain::StoreData d = with_deploy(policy(trust(aws_principal("arn:aws:iam::111122223333:root"))));
  d.roles[0].inline_policies = {inline_policy("deny", policy(deny("sts:AssumeRole")))};
  Rules t(d);
  const Caller s = role_session(t.w, [](domain::Session&) {});
  EXPECT_TRUE(fails_with(t.assume(s, t.role()), ErrorCode::AccessDenied,
                         not_authorized(s.arn, "sts:AssumeRole", kDeploy)));
}

// ---- Permissions boundaries ------------------------------------------------
// IAM User Guide, "Permissions boundaries for IAM entities": a principal may
// do what both its identity policies and its boundary allow; within an
// account, a resource-based policy (a trust policy) naming an IAM user's ARN
// is not limited by the boundary's implicit deny, one naming a role's ARN
// is, one naming the role session's own ARN is not.

const std::string kBoundaryArn = "arn:aws:iam::111122223333:policy/Boundary";

domain::StoreData with_boundary_policy(domain::StoreData d, const std::string& document) {
  domain::ManagedPolicy boundary;
  boundary.account = kAccount;
  boundary.name = "Boundary";
  boundary.versions = {{"v1", stored(document), 0}};
  d.managed_policies.push_back(boundary);
  return d;
}

TEST(Authorization, PermissionsBoundaryLimitsIdentityPolicies) {
  domain::StoreData d = with_boundary_policy(with_deploy(policy(trust(aws_principal("arn:aws:iam::111122223333:root")))),
                                             policy(allow("s3:*")));
  d.users[1].inline_policies = {inline_policy("assume", kAssumePolicy)};
  d.users[1].permissions_boundary = kBoundaryArn;
  Rules t(d);
  EXPECT_TRUE(fails_with(t.assume(t.w.user("bob"), t.role()), ErrorCode::AccessDenied,
                         not_authorized(kBob, "sts:AssumeRole", kDeploy)));
}

TEST(Authorization, ABoundaryThatAllowsLetsIdentityPoliciesGrant) {
  domain::StoreData d = with_boundary_policy(with_deploy(policy(trust(aws_principal("arn:aws:iam::111122223333:root")))),
                                             policy(allow("sts:*")));
  d.users[1].inline_policies = {inline_policy("assume", kAssumePolicy)};
  d.users[1].permissions_boundary = kBoundaryArn;
  Rules t(d);
  EXPECT_TRUE(succeeds(t.assume(t.w.user("bob"), t.role())));
}

TEST(Authorization, ABoundaryBoundsAPrincipalWithoutIdentityPolicies) {
  // stsd's "no policies, every sts:* action" stays within the boundary.
  domain::StoreData d = with_boundary_policy(with_deploy(std::nullopt), policy(allow("sts:GetCallerIdentity")));
  d.users[0].permissions_boundary = kBoundaryArn;
  Rules t(d);
  const Caller alice = t.w.user("alice");
  EXPECT_FALSE(t.authorizer().allows_without_policies(alice, nullptr));
  EXPECT_TRUE(fails_with(t.authorizer().authorize(alice, nullptr, decode_request(alice)), ErrorCode::AccessDenied,
                         not_authorized(kAlice, "sts:DecodeAuthorizationMessage")));
  EXPECT_TRUE(succeeds(t.authorizer().authorize(alice, nullptr,
                                                caller_request(alice, "sts:GetCallerIdentity", "*", kNow))));
}

TEST(Authorization, ATrustPolicyNamingTheUserIsNotLimitedByItsBoundary) {
  domain::StoreData d = with_boundary_policy(with_deploy(policy(trust(aws_principal(kAlice)))), policy(allow("s3:*")));
  d.users[0].permissions_boundary = kBoundaryArn;
  Rules t(d);
  EXPECT_TRUE(succeeds(t.assume(t.w.user("alice"), t.role())));
}

TEST(Authorization, AnExplicitDenyInTheBoundaryDeniesEvenWhenTheTrustNamesTheCaller) {
  domain::StoreData d = with_boundary_policy(with_deploy(policy(trust(aws_principal(kAlice)))),
                                             policy(allow("*") + "," + deny("sts:AssumeRole")));
  d.users[0].permissions_boundary = kBoundaryArn;
  Rules t(d);
  EXPECT_TRUE(fails_with(t.assume(t.w.user("alice"), t.role()), ErrorCode::AccessDenied,
                         not_authorized(kAlice, "sts:AssumeRole", kDeploy)));
}

TEST(Authorization, ARoleSessionNamedByItsRolesArnStaysWithinTheRolesBoundary) {
  domain::StoreData d = with_boundary_policy(with_deploy(policy(trust(aws_principal(kDeploy)))), policy(allow("s3:*")));
  d.roles[0].permissions_boundary = kBoundaryArn;
  Rules t(d);
  const Caller s = role_session(t.w, [](domain::Session&) {});
  EXPECT_TRUE(fails_with(t.assume(s, t.role()), ErrorCode::AccessDenied, not_authorized(s.arn, "sts:AssumeRole", kDeploy)));
}

TEST(Authorization, ARoleSessionNamedByItsOwnArnIsNotLimitedByTheBoundary) {
  domain::StoreData d = with_boundary_policy(
      with_deploy(policy(trust(aws_principal("arn:aws:sts::111122223333:assumed-role/deploy/s")))), policy(allow("s3:*")));
  d.roles[0].permissions_boundary = kBoundaryArn;
  Rules t(d);
  const Caller s = role_session(t.w, [](domain::Session&) {});
  EXPECT_TRUE(succeeds(t.assume(s, t.role())));
}

TEST(Authorization, ABoundaryStsdDoesNotHoldIsCarriedButNotEvaluated) {
  domain::StoreData d = with_deploy(policy(trust(aws_principal("arn:aws:iam::111122223333:root"))));
  d.users[1].inline_policies = {inline_policy("assume", kAssumePolicy)};
  d.users[1].permissions_boundary = "arn:aws:iam::aws:policy/ReadOnlyAccess";
  Rules t(d);
  EXPECT_TRUE(succeeds(t.assume(t.w.user("bob"), t.role())));
}

// ---- The request a caller brings ------------------------------------------

TEST(CallerRequest, AUsersKeys) {
  World w;
  const Caller alice = w.user("alice");
  const domain::PolicyRequest r = caller_request(alice, "sts:AssumeRole", kDeploy, kNow);
  EXPECT_EQ(r.action, "sts:AssumeRole");
  EXPECT_EQ(r.resource, kDeploy);
  EXPECT_EQ(r.principal_arn, kAlice);
  EXPECT_EQ(r.principal_account, kAccount);
  const auto& c = r.context;
  EXPECT_EQ(c.at("aws:principalarn"), std::vector<std::string>{kAlice});
  EXPECT_EQ(c.at("aws:principalaccount"), std::vector<std::string>{kAccount});
  EXPECT_EQ(c.at("aws:principaltype"), std::vector<std::string>{"User"});
  EXPECT_EQ(c.at("aws:username"), std::vector<std::string>{"alice"});
  EXPECT_EQ(c.at("aws:userid"), std::vector<std::string>{alice.user_id});
  EXPECT_EQ(c.at("aws:principaltag/team"), std::vector<std::string>{"blue"});
  EXPECT_EQ(c.at("aws:multifactorauthpresent"), std::vector<std::string>{"false"});
  EXPECT_EQ(c.count("aws:multifactorauthage"), 0u);
  EXPECT_EQ(c.at("aws:currenttime"), std::vector<std::string>{"2023-11-14T22:13:20Z"});
  EXPECT_EQ(c.at("aws:epochtime"), std::vector<std::string>{"1700000000"});
}

TEST(CallerRequest, ARoot) {
  World w;
  const domain::PolicyRequest r = caller_request(w.root(), "sts:GetFederationToken", "*", kNow);
  EXPECT_EQ(r.context.at("aws:principaltype"), std::vector<std::string>{"Account"});
  EXPECT_EQ(r.context.count("aws:username"), 0u);
}

TEST(CallerRequest, ARoleSessionsKeys) {
  World w(with_deploy(std::nullopt));
  const Caller s = role_session(w, [](domain::Session& s) {
    s.tags = {{"Team", "red"}};
    s.source_identity = "alice";
    s.mfa_authenticated = true;
    s.mfa_auth_time = kNow - 120;
  });
  const domain::PolicyRequest r = caller_request(s, "sts:AssumeRole", kDeploy, kNow);
  EXPECT_EQ(r.principal_arn, s.arn);
  EXPECT_EQ(r.principal_aliases, std::vector<std::string>{kDeploy});
  const auto& c = r.context;
  EXPECT_EQ(c.at("aws:principalarn"), std::vector<std::string>{kDeploy});  // the role, not the session
  EXPECT_EQ(c.at("aws:principaltype"), std::vector<std::string>{"AssumedRole"});
  EXPECT_EQ(c.at("aws:principaltag/team"), std::vector<std::string>{"red"});  // keys lower-cased
  EXPECT_EQ(c.at("aws:sourceidentity"), std::vector<std::string>{"alice"});
  EXPECT_EQ(c.at("aws:multifactorauthpresent"), std::vector<std::string>{"true"});
  EXPECT_EQ(c.at("aws:multifactorauthage"), std::vector<std::string>{"120"});
}

TEST(CallerRequest, SessionTagsOverrideTheUsersTags) {
  World w;
  const domain::User* alice = w.store().find_user(kAccount, "alice");
  domain::Session s;
  s.type = domain::CredentialType::FederatedUser;
  s.principal_type = domain::PrincipalType::FederatedUser;
  s.account = kAccount;
  s.arn = "arn:aws:sts::111122223333:federated-user/partner";
  s.source_arn = alice->arn;
  s.tags = {{"team", "green"}};
  const Caller c = service::session_caller(s, w.store());
  const domain::PolicyRequest r = caller_request(c, "sts:GetCallerIdentity", "*", kNow);
  EXPECT_EQ(r.context.at("aws:principaltag/team"), std::vector<std::string>{"green"});
  EXPECT_EQ(r.context.at("aws:principaltype"), std::vector<std::string>{"FederatedUser"});
}

// ---- The encoded authorization message -------------------------------------

TEST(Authorization, TheDenialCarriesAMessageOfTheCallersAccount) {
  domain::StoreData d = with_deploy(policy(trust(aws_principal(kBob))));
  Rules t(d);
  auto r = t.assume(t.w.user("alice"), t.role());
  ASSERT_FALSE(r);
  EXPECT_FALSE(t.w.messages().decode(kOtherAccount, r.error().encoded_authorization_message).has_value());
  auto decoded = t.w.messages().decode(kAccount, r.error().encoded_authorization_message);
  ASSERT_TRUE(decoded.has_value());
  const auto j = nlohmann::json::parse(*decoded);
  EXPECT_EQ(j["allowed"], false);
  EXPECT_EQ(j["explicitDeny"], false);
  EXPECT_EQ(j["context"]["principal"]["arn"], kAlice);
  EXPECT_EQ(j["context"]["principal"]["name"], "alice");
  EXPECT_EQ(j["context"]["action"], "sts:AssumeRole");
  EXPECT_EQ(j["context"]["resource"], kDeploy);
}

TEST(Authorization, MatchedStatementsAreInTheMessage) {
  domain::StoreData d = with_deploy(policy(trust(aws_principal(kAlice))));
  d.users[0].inline_policies = {
      inline_policy("deny", policy(R"({"Sid":"NoRoles","Effect":"Deny","Action":"sts:AssumeRole","Resource":"*"})"))};
  Rules t(d);
  auto r = t.assume(t.w.user("alice"), t.role());
  ASSERT_FALSE(r);
  const auto j = nlohmann::json::parse(*t.w.messages().decode(kAccount, r.error().encoded_authorization_message));
  bool found = false;
  for (const auto& m : j["matchedStatements"]["items"])
    if (m["statementId"] == "NoRoles") found = m["effect"] == "DENY";
  EXPECT_TRUE(found) << j.dump();
}

// ---- What temporary credentials may call -----------------------------------

Caller session_of(const World& w, domain::CredentialType type) {
  return role_session(w, [type](domain::Session& s) {
    s.type = type;
    if (type == domain::CredentialType::FederatedUser) s.principal_type = domain::PrincipalType::FederatedUser;
    if (type == domain::CredentialType::SessionToken) s.principal_type = domain::PrincipalType::User;
  });
}

TEST(MayCall, LongTermCredentialsMayCallEverything) {
  World w;
  const Caller alice = w.user("alice");
  for (const char* action : {"AssumeRole", "GetSessionToken", "GetFederationToken", "DecodeAuthorizationMessage",
                             "GetWebIdentityToken", "AssumeRoot"})
    EXPECT_TRUE(succeeds(check_may_call(action, alice, ""))) << action;
}

TEST(MayCall, NoSessionMayCallGetSessionTokenOrGetFederationToken) {
  World w(with_deploy(std::nullopt));
  for (auto type : {domain::CredentialType::AssumedRole, domain::CredentialType::SessionToken,
                    domain::CredentialType::FederatedUser}) {
    const Caller s = session_of(w, type);
    EXPECT_TRUE(fails_with(check_may_call("GetSessionToken", s, ""), ErrorCode::AccessDenied,
                           "Cannot call GetSessionToken with session credentials"));
    EXPECT_TRUE(fails_with(check_may_call("GetFederationToken", s, ""), ErrorCode::AccessDenied,
                           "Cannot call GetFederationToken with session credentials"));
  }
}

TEST(MayCall, EverySessionMayCallGetCallerIdentityAndGetScopedCredentials) {
  World w(with_deploy(std::nullopt));
  for (auto type : {domain::CredentialType::AssumedRole, domain::CredentialType::SessionToken,
                    domain::CredentialType::FederatedUser}) {
    EXPECT_TRUE(succeeds(check_may_call("GetCallerIdentity", session_of(w, type), "")));
    EXPECT_TRUE(succeeds(check_may_call("GetScopedCredentials", session_of(w, type), "")));
  }
}

TEST(MayCall, AFederatedUserMayCallNothingElse) {
  World w(with_deploy(std::nullopt));
  const Caller f = session_of(w, domain::CredentialType::FederatedUser);
  EXPECT_TRUE(fails_with(check_may_call("AssumeRole", f, kDeploy), ErrorCode::AccessDenied,
                         not_authorized(f.arn, "sts:AssumeRole", kDeploy)));
  EXPECT_TRUE(fails_with(check_may_call("DecodeAuthorizationMessage", f, ""), ErrorCode::AccessDenied,
                         not_authorized(f.arn, "sts:DecodeAuthorizationMessage")));
}

TEST(MayCall, AGetSessionTokenSessionMayOnlyAssumeRoles) {
  World w(with_deploy(std::nullopt));
  const Caller s = session_of(w, domain::CredentialType::SessionToken);
  EXPECT_TRUE(succeeds(check_may_call("AssumeRole", s, kDeploy)));
  EXPECT_TRUE(fails_with(check_may_call("GetWebIdentityToken", s, ""), ErrorCode::AccessDenied,
                         not_authorized(s.arn, "sts:GetWebIdentityToken")));
}

TEST(MayCall, ARoleSessionMayChainAndCallTheRest) {
  World w(with_deploy(std::nullopt));
  const Caller s = session_of(w, domain::CredentialType::AssumedRole);
  for (const char* action : {"AssumeRole", "DecodeAuthorizationMessage", "GetWebIdentityToken", "AssumeRoot",
                             "GetAccessKeyInfo"})
    EXPECT_TRUE(succeeds(check_may_call(action, s, ""))) << action;
}

}  // namespace
}  // namespace stsd::testing
