// Guards store lookups and role modes (auto makes roles up; strict does not).
#include <gtest/gtest.h>

#include "stsd/domain/store.h"

using namespace stsd::domain;

namespace {
StoreData data(RoleMode mode) {
  StoreData d;
  d.role_mode = mode;
  d.accounts = {{"111122223333", "dev"}};
  User alice;
  alice.account = "111122223333";
  alice.name = "alice";
  alice.path = "/eng/";
  d.users = {alice};
  d.user_keys = {{0, "AKIAALICE", "secret-a"}};
  d.root_keys = {{"111122223333", "AKIAROOT", "secret-r"}};
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
  ASSERT_NE(k->user, nullptr);
  EXPECT_EQ(k->user->arn, "arn:aws:iam::111122223333:user/eng/alice");
  EXPECT_EQ(k->user->user_id.substr(0, 4), "AIDA");
  EXPECT_EQ(k->user->user_id.size(), 21u);
  const auto* root = s.find_access_key("AKIAROOT");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->user, nullptr);
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
