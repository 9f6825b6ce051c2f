// Guards what a valid config becomes: defaults and role_mode rules, the
// embedded default (README, "Using it"), config/example.json, and that
// dump_config reads back to an equal Config.
#include "stsd/config/config.h"

#include <gtest/gtest.h>

#include <string>

using namespace stsd::config;

namespace {

Config parse_ok(const std::string& text) {
  auto result = parse_config(text, ".");
  EXPECT_TRUE(result) << result.error().to_string();
  return result ? *result : Config{};
}

const std::string kAccount = R"("accounts": [{ "id": "111122223333" }])";
const std::string kRole = R"("roles": [{ "account": "111122223333", "name": "deploy" }])";

}  // namespace

TEST(ConfigRoleMode, AutoWithoutRolesStrictWithRoles) {
  EXPECT_EQ(parse_ok("{" + kAccount + "}").role_mode, RoleMode::Auto);
  EXPECT_EQ(parse_ok("{" + kAccount + R"(, "roles": []})").role_mode, RoleMode::Auto);
  EXPECT_EQ(parse_ok("{" + kAccount + ", " + kRole + "}").role_mode, RoleMode::Strict);
}

TEST(ConfigRoleMode, ExplicitValueWins) {
  EXPECT_EQ(parse_ok("{" + kAccount + ", " + kRole + R"(, "role_mode": "auto"})").role_mode, RoleMode::Auto);
  EXPECT_EQ(parse_ok("{" + kAccount + R"(, "role_mode": "strict"})").role_mode, RoleMode::Strict);
}

TEST(Config, DefaultsApply) {
  const Config c =
      parse_ok("{" + kAccount + R"(, "users": [{ "account": "111122223333", "name": "alice" }], )" + kRole + "}");
  EXPECT_EQ(c.region, "us-east-1");
  EXPECT_FALSE(c.token_key);
  EXPECT_FALSE(c.admin_token);
  ASSERT_EQ(c.accounts.size(), 1u);
  EXPECT_EQ(c.accounts[0].alias, "");
  ASSERT_EQ(c.users.size(), 1u);
  EXPECT_EQ(c.users[0].path, "/");
  EXPECT_TRUE(c.users[0].access_keys.empty());
  ASSERT_EQ(c.roles.size(), 1u);
  EXPECT_EQ(c.roles[0].path, "/");
  EXPECT_EQ(c.roles[0].max_session_duration, 3600);
  EXPECT_FALSE(c.roles[0].trust_policy);
}

TEST(Config, DecodesTokenKeyAndTotpSecret) {
  // 32 bytes 0x00..0x1f.
  const Config c = parse_ok(R"({
    "token_key": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    "accounts": [{ "id": "111122223333" }],
    "users": [{ "account": "111122223333", "name": "alice",
                "mfa_devices": [{ "serial": "arn:aws:iam::111122223333:mfa/alice",
                                  "totp_secret": "jbswy3dpehpk3pxp" }] }]
  })");
  ASSERT_TRUE(c.token_key);
  ASSERT_EQ(c.token_key->size(), 32u);
  for (int i = 0; i < 32; ++i) EXPECT_EQ(static_cast<unsigned char>((*c.token_key)[i]), i);
  ASSERT_EQ(c.users.size(), 1u);
  // RFC 4648 base32 of "Hello!\xde\xad\xbe\xef", case-insensitive.
  EXPECT_EQ(c.users[0].mfa_devices[0].totp_secret, std::string("Hello!\xde\xad\xbe\xef"));
}

TEST(Config, PoliciesAreCanonicalJsonText) {
  const Config c = parse_ok(R"({
    "accounts": [{ "id": "111122223333" }],
    "roles": [{ "account": "111122223333", "name": "r",
                "trust_policy": { "Version": "2012-10-17", "Statement": [ { "Effect": "Allow" } ] },
                "policies": [ { "Statement": [], "Version": "2012-10-17" } ] }]
  })");
  EXPECT_EQ(c.roles[0].trust_policy, R"({"Statement":[{"Effect":"Allow"}],"Version":"2012-10-17"})");
  EXPECT_EQ(c.roles[0].policies, std::vector<std::string>{R"({"Statement":[],"Version":"2012-10-17"})"});
}

TEST(ConfigFile, ManagedPoliciesRoundTrip) {
  auto result = parse_config(R"({
    "accounts": [{ "id": "111122223333" }],
    "managed_policies": [{ "account": "111122223333", "name": "ReadOnly", "path": "/team/",
                           "document": { "Version": "2012-10-17", "Statement": [] } }]
  })", ".");
  ASSERT_TRUE(result) << result.error().to_string();
  ASSERT_EQ(result->managed_policies.size(), 1u);
  EXPECT_EQ(result->managed_policies[0].path, "/team/");
  EXPECT_EQ(result->managed_policies[0].document, R"({"Statement":[],"Version":"2012-10-17"})");
  auto again = parse_config(dump_config(*result, DumpFor::StateFile), ".");
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *result);
  auto bad = parse_config(R"({"accounts": [{ "id": "111122223333" }],
    "managed_policies": [{ "account": "111122223333", "name": "bad name", "document": [] }]})", ".");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().to_string(),
            "/managed_policies/0/name: must be 1-128 characters of A-Z, a-z, 0-9 and +=,.@_-\n"
            "/managed_policies/0/document: must be an object (a policy document)");
}

TEST(EmbeddedDefault, ParsesToTheContractIdentities) {
  auto result = parse_config(embedded_default_config(), ".");
  ASSERT_TRUE(result) << result.error().to_string();
  const Config& c = *result;
  EXPECT_EQ(c.region, "us-east-1");
  EXPECT_EQ(c.role_mode, RoleMode::Auto);
  ASSERT_EQ(c.accounts.size(), 1u);
  EXPECT_EQ(c.accounts[0].id, "000000000000");
  ASSERT_EQ(c.users.size(), 1u);
  EXPECT_EQ(c.users[0].account, "000000000000");
  EXPECT_EQ(c.users[0].name, "test");
  EXPECT_EQ(c.users[0].path, "/");
  const std::vector<AccessKey> keys{{"test", "test"},
                                    {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}};
  EXPECT_EQ(c.users[0].access_keys, keys);
  EXPECT_TRUE(c.roles.empty());
  // stsd's own test issuer and IdP, so federation works out of the box.
  ASSERT_EQ(c.oidc_providers.size(), 1u);
  EXPECT_TRUE(c.oidc_providers[0].builtin);
  EXPECT_EQ(c.oidc_providers[0].url, "https://oidc.stsd.local");
  EXPECT_EQ(c.oidc_providers[0].client_ids, (std::vector<std::string>{"sts.amazonaws.com", "stsd"}));
  ASSERT_EQ(c.saml_providers.size(), 1u);
  EXPECT_TRUE(c.saml_providers[0].builtin);
  EXPECT_EQ(c.saml_providers[0].name, "stsd");
}

TEST(EmbeddedDefault, IsWhatDumpConfigPrints) {
  auto result = parse_config(embedded_default_config(), ".");
  ASSERT_TRUE(result);
  EXPECT_EQ(dump_config(*result), embedded_default_config());
  EXPECT_EQ(embedded_default_config().back(), '\n');
}

TEST(ExampleConfig, Parses) {
  auto result = load_config_file(std::string(STSD_SOURCE_DIR) + "/config/example.json");
  ASSERT_TRUE(result) << result.error().to_string();
  const Config& c = *result;
  EXPECT_EQ(c.role_mode, RoleMode::Strict);
  ASSERT_EQ(c.accounts.size(), 2u);
  EXPECT_EQ(c.accounts[1].id, "111122223333");
  ASSERT_EQ(c.users.size(), 2u);
  EXPECT_EQ(c.users[1].name, "alice");
  ASSERT_EQ(c.users[1].mfa_devices.size(), 1u);
  EXPECT_FALSE(c.users[1].mfa_devices[0].totp_secret.empty());
  ASSERT_EQ(c.roles.size(), 1u);
  EXPECT_EQ(c.roles[0].max_session_duration, 7200);
  ASSERT_TRUE(c.roles[0].trust_policy);
  EXPECT_NE(c.roles[0].trust_policy->find("sts:ExternalId"), std::string::npos);
  EXPECT_NE(c.roles[0].trust_policy->find("arn:aws:iam::111122223333:user/engineering/alice"), std::string::npos);
}

TEST(DumpConfig, RoundTripsEveryField) {
  Config c;
  c.region = "eu-west-1";
  c.role_mode = RoleMode::Strict;
  c.token_key = std::string(32, '\x07');
  c.admin_token = "admin-secret";
  c.accounts = {{"111122223333", "dev", {{"AKIAROOTDEV000000001", "root-secret"}}, {}, {}}, {"444455556666", "", {}, {}, {}}};
  User alice;
  alice.account = "111122223333";
  alice.name = "alice";
  alice.path = "/eng/";
  alice.access_keys = {{"AKIAALICE0000001", "secret/with+chars"}};
  alice.mfa_devices = {{"arn:aws:iam::111122223333:mfa/alice", std::string("\x01\x02\x03\xfe\xff", 5)}};
  alice.tags = {{"team", "blue"}, {"cost-center", "42"}};
  alice.policies = {R"({"Statement":[],"Version":"2012-10-17"})"};
  User bob;
  bob.account = "444455556666";
  bob.name = "bob";
  c.users = {alice, bob};
  Role deploy;
  deploy.account = "111122223333";
  deploy.name = "deploy";
  deploy.path = "/ci/";
  deploy.max_session_duration = 43200;
  deploy.trust_policy = R"({"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow"}],"Version":"2012-10-17"})";
  deploy.tags = {{"env", "prod"}};
  deploy.policies = {R"({"Statement":[],"Version":"2012-10-17"})"};
  Role plain;
  plain.account = "444455556666";
  plain.name = "plain";
  c.roles = {deploy, plain};
  c.oidc_providers = {{"111122223333",
                       "https://issuer.example.com",
                       {"app-1", "app-2"},
                       {std::string(40, 'a')},
                       R"({"keys":[{"kid":"k1","kty":"EC"}]})"},
                      {"444455556666", "http://localhost:8090/_stsd/oidc", {}, {}, std::nullopt}};
  c.saml_providers = {{"111122223333", "MyIdP", "<EntityDescriptor/>"}, {"444455556666", "Other", std::nullopt}};

  c.config_sha256 = std::string(64, 'f');

  const std::string text = dump_config(c, DumpFor::StateFile);
  auto back = parse_config(text, ".", ConfigSource::StateFile);
  ASSERT_TRUE(back) << back.error().to_string() << "\n" << text;
  EXPECT_TRUE(*back == c) << text;
  EXPECT_EQ(dump_config(*back, DumpFor::StateFile), text);
}

TEST(DumpConfig, RoundTripsTheExample) {
  auto example = load_config_file(std::string(STSD_SOURCE_DIR) + "/config/example.json");
  ASSERT_TRUE(example) << example.error().to_string();
  auto back = parse_config(dump_config(*example, DumpFor::StateFile), ".");
  ASSERT_TRUE(back) << back.error().to_string();
  EXPECT_TRUE(*back == *example);
}
