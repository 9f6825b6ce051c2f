// Guards store lookups and role modes (auto makes roles up; strict does not).
#include <gtest/gtest.h>

#include "stsd/domain/store.h"

using namespace stsd::domain;
using stsd::ErrorCode;
using stsd::Result;
using stsd::fail;

namespace {
StoreData data(RoleMode mode) {
  StoreData d;
  d.role_mode = mode;
  d.accounts = {{"111122223333", "dev", {}, {}}};
  User alice;
  alice.account = "111122223333";
  alice.name = "alice";
  alice.path = "/eng/";
  d.users = {alice};
  d.access_keys = {{"AKIAALICE", "secret-a", "111122223333", "alice"}, {"AKIAROOT", "secret-r", "111122223333", ""}};
  Role deploy;
  deploy.account = "111122223333";
  deploy.name = "deploy";
  deploy.max_session_duration = 7200;
  d.roles = {deploy};
  return d;
}
}  // namespace

TEST(Store, FindsKeysAndDerivesIds) {
  Store s(data(RoleMode::Strict));
  const auto* k = s.find_access_key("AKIAALICE");
  ASSERT_NE(k, nullptr);
  const User* owner = s.key_owner(*k);
  ASSERT_NE(owner, nullptr);
  EXPECT_EQ(owner->arn, "arn:aws:iam::111122223333:user/eng/alice");
  EXPECT_EQ(owner->user_id.substr(0, 4), "AIDA");
  EXPECT_EQ(owner->user_id.size(), 21u);
  const auto* root = s.find_access_key("AKIAROOT");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(s.key_owner(*root), nullptr);
  EXPECT_EQ(root->account, "111122223333");
  EXPECT_EQ(s.find_access_key("AKIANOPE"), nullptr);
  EXPECT_EQ(s.default_account(), "111122223333");
}

TEST(Store, StrictModeKnowsOnlyDeclaredRoles) {
  Store s(data(RoleMode::Strict));
  auto declared = s.find_role(*parse_role_arn("arn:aws:iam::111122223333:role/deploy"));
  ASSERT_TRUE(declared);
  EXPECT_EQ(declared->max_session_duration, 7200);
  EXPECT_TRUE(declared->declared);
  EXPECT_FALSE(s.find_role(*parse_role_arn("arn:aws:iam::111122223333:role/other")));
  // The path is part of the ARN.
  EXPECT_FALSE(s.find_role(*parse_role_arn("arn:aws:iam::111122223333:role/x/deploy")));
}

TEST(Store, AutoModeMakesRolesUp) {
  Store s(data(RoleMode::Auto));
  auto role = s.find_role(*parse_role_arn("arn:aws:iam::444455556666:role/path/any"));
  ASSERT_TRUE(role);
  EXPECT_FALSE(role->declared);
  EXPECT_EQ(role->max_session_duration, 43200);
  EXPECT_EQ(role->arn, "arn:aws:iam::444455556666:role/path/any");
  EXPECT_EQ(role->role_id, s.find_role(*parse_role_arn("arn:aws:iam::444455556666:role/path/any"))->role_id);
}

// Made-up roles are remembered per thread by ARN: more ARNs than that memory
// holds, each asked for twice, and a strict store never answers from it.
TEST(Store, MadeUpRolesAreTheSameWhenAskedAgain) {
  Store automatic(data(RoleMode::Auto));
  Store strict(data(RoleMode::Strict));
  std::vector<std::shared_ptr<const Role>> first;
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 40; ++i) {
      const std::string arn = std::string("arn:aws:iam::444455556666:role/r").append(std::to_string(i));
      auto role = automatic.find_role(*parse_role_arn(arn));
      ASSERT_TRUE(role) << arn;
      EXPECT_EQ(role->arn, arn);
      EXPECT_EQ(role->name, std::string("r").append(std::to_string(i)));
      EXPECT_EQ(role->account, "444455556666");
      EXPECT_FALSE(role->declared);
      if (round == 0) first.push_back(role);
      else EXPECT_EQ(role->role_id, first[i]->role_id) << arn;
      EXPECT_FALSE(strict.find_role(*parse_role_arn(arn))) << arn;
    }
  }
  // Declared roles still come from the store, not from the memory.
  EXPECT_TRUE(automatic.find_role(*parse_role_arn("arn:aws:iam::111122223333:role/deploy"))->declared);
}

TEST(Store, FindsIdentityProvidersAsIamKeysThem) {
  StoreData d = data(RoleMode::Strict);
  OidcProvider oidc;
  oidc.account = "111122223333";
  oidc.url = "https://token.actions.githubusercontent.com/";
  d.oidc_providers = {oidc};
  SamlProvider saml;
  saml.account = "111122223333";
  saml.name = "Okta";
  d.saml_providers = {saml};
  Store s(std::move(d));

  // iss must be the registered URL exactly; IAM keeps a trailing slash in the
  // ARN and condition keys (oidc-provider/auth-dev.mozilla.auth0.com/).
  const auto* p = s.find_oidc_provider("111122223333", "https://token.actions.githubusercontent.com/");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->key, "token.actions.githubusercontent.com/");
  EXPECT_EQ(p->arn, "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com/");
  // The provider belongs to an account: the role's.
  EXPECT_EQ(s.find_oidc_provider("444455556666", "https://token.actions.githubusercontent.com/"), nullptr);
  // Issue 11 item 14: no scheme, another scheme, another trailing slash, another case: no provider.
  for (std::string_view iss : {"https://token.actions.githubusercontent.com/x", "https://token.actions.githubusercontent.com",
                               "https://token.actions.githubusercontent.com//", "http://token.actions.githubusercontent.com/",
                               "token.actions.githubusercontent.com/", "HTTPS://token.actions.githubusercontent.com/",
                               "https://Token.Actions.GithubUserContent.com/", ""})
    EXPECT_EQ(s.find_oidc_provider("111122223333", iss), nullptr) << iss;

  const auto* sp = s.find_saml_provider("arn:aws:iam::111122223333:saml-provider/Okta");
  ASSERT_NE(sp, nullptr);
  EXPECT_EQ(sp->name, "Okta");
  EXPECT_EQ(s.find_saml_provider("arn:aws:iam::111122223333:saml-provider/okta"), nullptr);
}

// Issue 11 item 12: a session outlives neither its role nor its user.
TEST(Store, SessionsNeedTheirRoleOrUser) {
  Store strict(data(RoleMode::Strict));
  Session role_session;
  role_session.type = CredentialType::AssumedRole;
  role_session.principal_type = PrincipalType::AssumedRole;
  role_session.source_arn = "arn:aws:iam::111122223333:role/deploy";
  EXPECT_TRUE(strict.session_principal_exists(role_session));
  role_session.source_arn = "arn:aws:iam::111122223333:role/removed";
  EXPECT_FALSE(strict.session_principal_exists(role_session));
  // In auto mode every role exists.
  EXPECT_TRUE(Store(data(RoleMode::Auto)).session_principal_exists(role_session));

  for (auto type : {CredentialType::SessionToken, CredentialType::FederatedUser}) {
    Session s;
    s.type = type;
    s.source_arn = "arn:aws:iam::111122223333:user/eng/alice";
    EXPECT_TRUE(strict.session_principal_exists(s));
    s.source_arn = "arn:aws:iam::111122223333:user/eng/bob";
    EXPECT_FALSE(strict.session_principal_exists(s));
    s.source_arn = "arn:aws:iam::111122223333:root";
    EXPECT_TRUE(strict.session_principal_exists(s));
    s.source_arn = "arn:aws:iam::999999999999:root";
    EXPECT_FALSE(strict.session_principal_exists(s));
  }
}

// Issue 11 item 19: policies are parsed once, when the store is built.
TEST(Store, CompilesPoliciesOnce) {
  StoreData d = data(RoleMode::Strict);
  d.users[0].inline_policies = {{"a", {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:*","Resource":"*"}]})", {}}}};
  d.roles[0].inline_policies = {{"r", {R"({"Version":"2012-10-17","Statement":[]})", {}}}};
  ManagedPolicy managed;
  managed.account = "111122223333";
  managed.name = "P";
  managed.versions = {{"v1", {R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]})", {}}, 0}};
  d.managed_policies = {managed};
  Store s(std::move(d));
  const User* alice = s.find_user_by_arn("arn:aws:iam::111122223333:user/eng/alice");
  ASSERT_NE(alice, nullptr);
  ASSERT_EQ(alice->inline_policies.size(), 1u);
  ASSERT_TRUE(alice->inline_policies[0].policy.parsed);
  EXPECT_EQ(alice->inline_policies[0].policy.parsed->statements().size(), 1u);
  const Role* deploy = s.find_declared_role("arn:aws:iam::111122223333:role/deploy");
  ASSERT_NE(deploy, nullptr);
  // No trust policy configured: IAM's "this account" default, parsed.
  ASSERT_TRUE(deploy->trust);
  PolicyRequest r;
  r.action = "sts:AssumeRole";
  r.principal_arn = "arn:aws:iam::111122223333:user/eng/alice";
  r.principal_account = "111122223333";
  r.resource = deploy->arn;
  EXPECT_EQ(deploy->trust->evaluate(r).decision, Decision::Allow);
  ASSERT_EQ(s.identity_policies(*deploy).size(), 1u);
  const ManagedPolicy* p = s.find_managed_policy_entry("arn:aws:iam::111122223333:policy/P");
  ASSERT_NE(p, nullptr);
  ASSERT_TRUE(p->document().parsed);
  EXPECT_EQ(p->document().parsed->evaluate(r).decision, Decision::ExplicitDeny);
}

TEST(PolicySize, CountsCharactersButNotWhiteSpace) {
  EXPECT_EQ(policy_size(R"({"a": "b c"})"), 10u);
  EXPECT_EQ(policy_size(" \t\r\n"), 0u);
  EXPECT_EQ(policy_size("\xC3\xA9"), 1u);  // é: one character, two bytes
}

// Issue 12: a change edits a copy; the snapshot readers hold never changes,
// and the copy shares what it did not touch.
TEST(StoreEditor, ChangesACopyAndLeavesSnapshotsAlone) {
  StoreHolder holder(std::make_shared<const Store>(data(RoleMode::Strict)));
  auto before = holder.get();
  auto added = holder.update<std::string>([](StoreEditor& e) -> Result<std::string> {
    Role r;
    r.account = "111122223333";
    r.name = "Created";
    r.path = "/x/";
    return e.put_role(std::move(r)).arn;
  });
  ASSERT_TRUE(added);
  EXPECT_EQ(*added, "arn:aws:iam::111122223333:role/x/Created");
  auto after = holder.get();
  EXPECT_EQ(before->find_role_by_name("111122223333", "created"), nullptr);
  ASSERT_NE(after->find_role_by_name("111122223333", "CREATED"), nullptr);
  EXPECT_NE(after->find_declared_role(*added), nullptr);
  // Untouched entities are the same objects in both snapshots.
  EXPECT_EQ(before->find_role_by_name("111122223333", "deploy"), after->find_role_by_name("111122223333", "deploy"));
  EXPECT_EQ(before->find_access_key("AKIAALICE"), after->find_access_key("AKIAALICE"));

  // A failed edit publishes nothing.
  auto failed = holder.update<int>([](StoreEditor& e) -> Result<int> {
    e.erase_role("111122223333", "deploy");
    return fail(ErrorCode::AccessDenied, "no");
  });
  EXPECT_FALSE(failed);
  EXPECT_NE(holder.get()->find_role_by_name("111122223333", "deploy"), nullptr);

  // Renaming the path moves the ARN index with it.
  ASSERT_TRUE(holder.update<int>([](StoreEditor& e) -> Result<int> {
    Role r = *e.view().find_role_by_name("111122223333", "created");
    r.path = "/";
    e.put_role(std::move(r));
    return 0;
  }));
  EXPECT_EQ(holder.get()->find_declared_role("arn:aws:iam::111122223333:role/x/Created"), nullptr);
  EXPECT_NE(holder.get()->find_declared_role("arn:aws:iam::111122223333:role/Created"), nullptr);
  EXPECT_EQ(holder.get()->role_count(), 2u);
}

TEST(PersistentIndex, CopiesShareUntilWritten) {
  PersistentIndex<int> a;
  for (int i = 0; i < 1000; ++i) a.put("k" + std::to_string(i), std::make_shared<const int>(i));
  PersistentIndex<int> b = a;
  b.put("k1", std::make_shared<const int>(-1));
  EXPECT_TRUE(b.erase("k2"));
  EXPECT_FALSE(b.erase("k2"));
  EXPECT_EQ(*a.find("k1"), 1);
  EXPECT_EQ(*b.find("k1"), -1);
  EXPECT_NE(a.find("k2"), nullptr);
  EXPECT_EQ(b.find("k2"), nullptr);
  EXPECT_EQ(a.size(), 1000u);
  EXPECT_EQ(b.size(), 999u);
  EXPECT_EQ(a.find("k500"), b.find("k500"));  // shared, not copied
  int seen = 0;
  b.for_each([&](const std::string&, int) { ++seen; });
  EXPECT_EQ(seen, 999);
}

// --- Instance profiles (iam-policies) ---------------------------------------------

TEST(StoreEditor, InstanceProfilesAreKeyedByCaseInsensitiveName) {
  Store base(data(RoleMode::Strict));
  StoreEditor editor(base);
  InstanceProfile p;
  p.account = "111122223333";
  p.name = "Web";
  p.path = "/app/";
  p.roles = {"deploy"};
  const InstanceProfile& put = editor.put_instance_profile(p);
  EXPECT_EQ(put.arn, "arn:aws:iam::111122223333:instance-profile/app/Web");
  EXPECT_EQ(put.instance_profile_id.substr(0, 4), "AIPA");
  auto next = std::move(editor).finish();
  EXPECT_EQ(base.find_instance_profile("111122223333", "web"), nullptr);
  const InstanceProfile* found = next->find_instance_profile("111122223333", "WEB");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->roles, std::vector<std::string>{"deploy"});
  EXPECT_EQ(next->find_instance_profile("444455556666", "web"), nullptr);
  int count = 0;
  next->for_each_instance_profile([&](const InstanceProfile&) { ++count; });
  EXPECT_EQ(count, 1);
  StoreEditor eraser(*next);
  EXPECT_TRUE(eraser.erase_instance_profile("111122223333", "wEb"));
  EXPECT_FALSE(eraser.erase_instance_profile("111122223333", "web"));
  EXPECT_EQ(std::move(eraser).finish()->find_instance_profile("111122223333", "Web"), nullptr);
}

// --- Delegation requests ------------------------------------------------------------

TEST(StoreEditor, DelegationRequestsAreFoundByIdAndByTheirCurrentToken) {
  Store base(data(RoleMode::Strict));
  DelegationRequest r;
  r.id = "0123456789abcdef";
  r.requestor_account = "111122223333";
  r.create_date = r.updated_time = 1000;
  StoreEditor editor(base);
  editor.put_delegation_request(r);
  auto created = std::move(editor).finish();
  ASSERT_NE(created->find_delegation_request("0123456789abcdef"), nullptr);
  EXPECT_EQ(created->find_delegation_by_token(""), nullptr);  // no token before it is sent

  r.trade_in_token = "first-token";
  StoreEditor sender(*created);
  sender.put_delegation_request(r);
  auto sent = std::move(sender).finish();
  ASSERT_NE(sent->find_delegation_by_token("first-token"), nullptr);
  EXPECT_EQ(created->find_delegation_by_token("first-token"), nullptr);  // the older snapshot is untouched

  r.trade_in_token = "second-token";
  StoreEditor resender(*sent);
  resender.put_delegation_request(r);
  auto resent = std::move(resender).finish();
  EXPECT_EQ(resent->find_delegation_by_token("first-token"), nullptr);
  EXPECT_NE(resent->find_delegation_by_token("second-token"), nullptr);
  EXPECT_EQ(resent->export_data().delegation_requests.size(), 1u);
  EXPECT_EQ(Store(resent->export_data()).find_delegation_by_token("second-token")->id, "0123456789abcdef");
}

TEST(DelegationRequest, ExpiresOneDayUnassignedAndSevenDaysAfterAnyLaterTransition) {
  DelegationRequest r;
  r.updated_time = 1000;
  EXPECT_EQ(delegation_expiration_time(r), 1000 + 86400);
  EXPECT_EQ(delegation_state_name(r, 1000 + 86399), "UNASSIGNED");
  EXPECT_EQ(delegation_state_name(r, 1000 + 86400), "EXPIRED");
  r.state = DelegationState::PendingApproval;
  EXPECT_EQ(delegation_expiration_time(r), 1000 + 7 * 86400);
  EXPECT_EQ(delegation_state_name(r, 1000 + 86400), "PENDING_APPROVAL");
  EXPECT_TRUE(delegation_expired(r, 1000 + 7 * 86400));
}
