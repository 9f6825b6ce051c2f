// Guards the config validation: each rule reports its exact JSON pointer and
// message, and one run collects every problem rather than the first.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "stsd/config/config.h"

using namespace stsd::config;
using nlohmann::json;

namespace {

// A valid document the cases below break one field at a time.
json valid_document() {
  return json::parse(R"({
    "accounts": [{ "id": "111122223333", "alias": "dev" }],
    "users": [
      { "account": "111122223333", "name": "alice",
        "access_keys": [{ "id": "AKIAALICE0000001", "secret": "s1" },
                        { "id": "AKIAALICE0000002", "secret": "s2" }],
        "mfa_devices": [{ "serial": "arn:aws:iam::111122223333:mfa/alice", "totp_secret": "JBSWY3DPEHPK3PXP" }],
        "tags": { "team": "blue" },
        "policies": [{ "Version": "2012-10-17", "Statement": [] }] },
      { "account": "111122223333", "name": "bob",
        "access_keys": [{ "id": "AKIABOB000000001", "secret": "s3" }] }
    ],
    "roles": [
      { "account": "111122223333", "name": "deploy" },
      { "account": "111122223333", "name": "audit" },
      { "account": "111122223333", "name": "ops", "max_session_duration": 7200 }
    ]
  })");
}

std::vector<std::string> problems_of(const std::string& text) {
  auto result = parse_config(text, ".");
  std::vector<std::string> out;
  if (result) return out;
  for (const auto& p : result.error().problems) out.push_back(p.to_string());
  return out;
}

std::vector<std::string> problems_of(const json& doc) { return problems_of(doc.dump()); }

// The valid document with `value` at `pointer`.
json with(const std::string& pointer, const json& value) {
  json doc = valid_document();
  doc[json::json_pointer(pointer)] = value;
  return doc;
}

using Problems = std::vector<std::string>;

}  // namespace

TEST(ConfigErrors, ValidDocumentHasNoProblems) { EXPECT_EQ(problems_of(valid_document()), Problems{}); }

TEST(ConfigErrors, WrongTypes) {
  EXPECT_EQ(problems_of(with("/users/0/access_keys/1/secret", 5)),
            Problems{"/users/0/access_keys/1/secret: must be a string"});
  EXPECT_EQ(problems_of(with("/users", json::object())), Problems{"/users: must be an array"});
  EXPECT_EQ(problems_of(with("/users/1", "bob")), Problems{"/users/1: must be an object"});
  EXPECT_EQ(problems_of(with("/users/0/tags", json::array())), Problems{"/users/0/tags: must be an object"});
  EXPECT_EQ(problems_of(with("/users/0/tags/team", 1)), Problems{"/users/0/tags/team: must be a string"});
  EXPECT_EQ(problems_of(std::string("[]")), Problems{"must be an object"});
}

TEST(ConfigErrors, UnknownFieldsAreRejected) {
  EXPECT_EQ(problems_of(with("/users/0/colour", "red")), Problems{"/users/0/colour: unknown field"});
  EXPECT_EQ(problems_of(with("/limits", json::object())), Problems{"/limits: unknown field"});
  // The pointer escapes "/" and "~" (RFC 6901).
  EXPECT_EQ(problems_of(with("/roles/0/a~1b~0c", 1)), Problems{"/roles/0/a~1b~0c: unknown field"});
}

TEST(ConfigErrors, RequiredFields) {
  json doc = valid_document();
  doc["users"][0].erase("name");
  doc["roles"][1].erase("account");
  EXPECT_EQ(problems_of(doc), (Problems{"/users/0/name: is required", "/roles/1/account: is required"}));

  json no_accounts = valid_document();
  no_accounts.erase("accounts");
  no_accounts.erase("users");
  no_accounts.erase("roles");
  EXPECT_EQ(problems_of(no_accounts), Problems{"/accounts: is required"});
  EXPECT_EQ(problems_of(std::string(R"({"accounts": []})")), Problems{"/accounts: must declare at least one account"});
}

TEST(ConfigErrors, AccountIds) {
  EXPECT_EQ(problems_of(with("/accounts/0/id", "12345")),
            (Problems{
                "/accounts/0/id: must be 12 digits",
                "/users/0/account: account 111122223333 is not declared in /accounts",
                "/users/1/account: account 111122223333 is not declared in /accounts",
                "/roles/0/account: account 111122223333 is not declared in /accounts",
                "/roles/1/account: account 111122223333 is not declared in /accounts",
                "/roles/2/account: account 111122223333 is not declared in /accounts",
            }));
  EXPECT_EQ(problems_of(with("/users/1/account", "999999999999")),
            Problems{"/users/1/account: account 999999999999 is not declared in /accounts"});
  EXPECT_EQ(problems_of(with("/roles/0/account", "1111-2222-3333")), Problems{"/roles/0/account: must be 12 digits"});
  EXPECT_EQ(problems_of(with("/accounts/1", json{{"id", "111122223333"}})),
            Problems{"/accounts/1/id: duplicate account id \"111122223333\" (first at /accounts/0/id)"});
  EXPECT_EQ(problems_of(with("/accounts/0/alias", "Dev_Team")),
            Problems{"/accounts/0/alias: must be 3-63 characters of a-z, 0-9 and single hyphens, starting and "
                     "ending with a letter or digit"});
}

TEST(ConfigErrors, AccessKeys) {
  const std::string id_message = "must be 1-128 characters of A-Z, a-z, 0-9 and _";
  EXPECT_EQ(problems_of(with("/users/1/access_keys/0/id", "AKIAALICE0000002")),
            Problems{"/users/1/access_keys/0/id: duplicate access key id \"AKIAALICE0000002\" (first at "
                     "/users/0/access_keys/1/id)"});
  EXPECT_EQ(problems_of(with("/users/0/access_keys/0/id", "AKIA-ALICE")),
            Problems{"/users/0/access_keys/0/id: " + id_message});
  EXPECT_EQ(problems_of(with("/users/0/access_keys/0/id", std::string(129, 'A'))),
            Problems{"/users/0/access_keys/0/id: " + id_message});
  EXPECT_EQ(problems_of(with("/users/0/access_keys/0/id", "")), Problems{"/users/0/access_keys/0/id: " + id_message});
  // Shorter than AWS's 16 on purpose (the default's `test` key); 128 is AWS's maximum.
  EXPECT_EQ(problems_of(with("/users/0/access_keys/0/id", "k")), Problems{});
  EXPECT_EQ(problems_of(with("/users/0/access_keys/0/id", std::string(128, 'A'))), Problems{});
  EXPECT_EQ(problems_of(with("/users/0/access_keys/0/secret", "")),
            Problems{"/users/0/access_keys/0/secret: must not be empty"});
}

TEST(ConfigErrors, MaxSessionDurationBoundaries) {
  const Problems out_of_range{"/roles/2/max_session_duration: must be between 3600 and 43200"};
  EXPECT_EQ(problems_of(with("/roles/2/max_session_duration", 3599)), out_of_range);
  EXPECT_EQ(problems_of(with("/roles/2/max_session_duration", 3600)), Problems{});
  EXPECT_EQ(problems_of(with("/roles/2/max_session_duration", 43200)), Problems{});
  EXPECT_EQ(problems_of(with("/roles/2/max_session_duration", 43201)), out_of_range);
  EXPECT_EQ(problems_of(with("/roles/2/max_session_duration", -1)), out_of_range);
  EXPECT_EQ(problems_of(with("/roles/2/max_session_duration", 18446744073709551615ull)), out_of_range);
  const Problems not_integer{"/roles/2/max_session_duration: must be an integer"};
  EXPECT_EQ(problems_of(with("/roles/2/max_session_duration", 7200.5)), not_integer);
  EXPECT_EQ(problems_of(with("/roles/2/max_session_duration", "7200")), not_integer);
  EXPECT_EQ(problems_of(with("/roles/2/max_session_duration", true)), not_integer);
}

TEST(ConfigErrors, NamesAndPaths) {
  const std::string name_message = "must be 1-64 characters of A-Z, a-z, 0-9 and +=,.@_-";
  EXPECT_EQ(problems_of(with("/roles/0/name", "bad name")), Problems{"/roles/0/name: " + name_message});
  EXPECT_EQ(problems_of(with("/roles/0/name", std::string(65, 'r'))), Problems{"/roles/0/name: " + name_message});
  EXPECT_EQ(problems_of(with("/roles/0/name", std::string(64, 'r'))), Problems{});
  EXPECT_EQ(problems_of(with("/roles/0/name", "a+=,.@_-Z9")), Problems{});
  EXPECT_EQ(problems_of(with("/users/1/name", "")), Problems{"/users/1/name: " + name_message});
  // IAM names are unique per account regardless of case.
  EXPECT_EQ(problems_of(with("/roles/1/name", "DEPLOY")),
            Problems{"/roles/1/name: duplicate role name \"DEPLOY\" in account 111122223333 (first at /roles/0/name)"});
  EXPECT_EQ(problems_of(with("/users/1/name", "Alice")),
            Problems{"/users/1/name: duplicate user name \"Alice\" in account 111122223333 (first at /users/0/name)"});

  const std::string path_message = "must be \"/\" or begin and end with \"/\" (at most 512 printable ASCII characters)";
  EXPECT_EQ(problems_of(with("/users/0/path", "eng")), Problems{"/users/0/path: " + path_message});
  EXPECT_EQ(problems_of(with("/users/0/path", "/eng")), Problems{"/users/0/path: " + path_message});
  EXPECT_EQ(problems_of(with("/roles/0/path", "/a b/")), Problems{"/roles/0/path: " + path_message});
  EXPECT_EQ(problems_of(with("/roles/0/path", "/eng/ops/")), Problems{});
}

TEST(ConfigErrors, MfaDevices) {
  const std::string base32_message = "must be base32 (A-Z and 2-7, RFC 4648)";
  EXPECT_EQ(problems_of(with("/users/0/mfa_devices/0/totp_secret", "not base32!")),
            Problems{"/users/0/mfa_devices/0/totp_secret: " + base32_message});
  // Three base32 digits cannot come from whole bytes.
  EXPECT_EQ(problems_of(with("/users/0/mfa_devices/0/totp_secret", "ABC")),
            Problems{"/users/0/mfa_devices/0/totp_secret: " + base32_message});
  EXPECT_EQ(problems_of(with("/users/0/mfa_devices/0/totp_secret", "")),
            Problems{"/users/0/mfa_devices/0/totp_secret: must not be empty"});
  EXPECT_EQ(problems_of(with("/users/0/mfa_devices/0/totp_secret", "jbswy3dpehpk3pxp")), Problems{});
  EXPECT_EQ(problems_of(with("/users/0/mfa_devices/0/serial", "short")),
            Problems{"/users/0/mfa_devices/0/serial: must be 9-256 characters of A-Z, a-z, 0-9 and +=/:,.@_-"});
  EXPECT_EQ(problems_of(with("/users/1/mfa_devices", json::array({{{"serial", "arn:aws:iam::111122223333:mfa/alice"},
                                                                   {"totp_secret", "JBSWY3DPEHPK3PXP"}}}))),
            Problems{"/users/1/mfa_devices/0/serial: duplicate MFA serial \"arn:aws:iam::111122223333:mfa/alice\" "
                     "(first at /users/0/mfa_devices/0/serial)"});
}

TEST(ConfigErrors, TokenKey) {
  EXPECT_EQ(problems_of(with("/token_key", "not base64!")), Problems{"/token_key: must be base64 of exactly 32 bytes"});
  // base64 of 16 bytes.
  EXPECT_EQ(problems_of(with("/token_key", "AAAAAAAAAAAAAAAAAAAAAA==")),
            Problems{"/token_key: must be base64 of exactly 32 bytes, not 16"});
  EXPECT_EQ(problems_of(with("/token_key", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")), Problems{});
}

TEST(ConfigErrors, TopLevelScalars) {
  EXPECT_EQ(problems_of(with("/role_mode", "lax")), Problems{"/role_mode: must be \"auto\" or \"strict\""});
  EXPECT_EQ(problems_of(with("/region", "US East")), Problems{"/region: must be a region name such as us-east-1"});
  EXPECT_EQ(problems_of(with("/region", "us-gov-west-1")), Problems{});
  EXPECT_EQ(problems_of(with("/admin_token", "")), Problems{"/admin_token: must not be empty"});
}

TEST(ConfigErrors, TagsAndPolicies) {
  EXPECT_EQ(problems_of(with("/users/0/tags/aws:team", "x")),
            Problems{"/users/0/tags/aws:team: tag keys beginning with aws: are reserved for AWS"});
  EXPECT_EQ(problems_of(with("/roles/0/tags/k", std::string(257, 'v'))),
            Problems{"/roles/0/tags/k: must be at most 256 characters"});
  EXPECT_EQ(problems_of(with("/roles/0/tags/" + std::string(129, 'k'), "v")),
            Problems{"/roles/0/tags/" + std::string(129, 'k') + ": tag key must be 1-128 characters"});
  EXPECT_EQ(problems_of(with("/users/0/policies/0", "{}")),
            Problems{"/users/0/policies/0: must be an object (a policy document)"});
  EXPECT_EQ(problems_of(with("/roles/0/trust_policy", json::array())),
            Problems{"/roles/0/trust_policy: must be an object (a policy document)"});
}

TEST(ConfigErrors, Providers) {
  json doc = valid_document();
  doc["oidc_providers"] = json::parse(R"([
    { "account": "111122223333", "url": "ftp://issuer" },
    { "account": "111122223333", "url": "https://issuer.example.com", "client_ids": [""],
      "thumbprints": ["abc"], "jwks": { "keys": [] }, "jwks_file": "jwks.json" },
    { "account": "111122223333", "url": "https://issuer.example.com", "jwks": [] }
  ])");
  doc["saml_providers"] = json::parse(R"([
    { "account": "111122223333", "name": "My IdP", "metadata": "" },
    { "account": "111122223333", "name": "MyIdP", "metadata": "<x/>", "metadata_file": "m.xml" }
  ])");
  EXPECT_EQ(problems_of(doc),
            (Problems{
                "/oidc_providers/0/url: must be an https:// (or http://) URL of at most 255 characters",
                "/oidc_providers/1/client_ids/0: must be 1-255 characters",
                "/oidc_providers/1/thumbprints/0: must be 40 hexadecimal characters",
                "/oidc_providers/1: give jwks or jwks_file, not both",
                "/oidc_providers/2/url: duplicate OIDC provider \"https://issuer.example.com\" in "
                "account 111122223333 (first at /oidc_providers/1/url)",
                "/oidc_providers/2/jwks: must be a JWK set: an object with a \"keys\" array",
                "/saml_providers/0/name: must be 1-128 characters of A-Z, a-z, 0-9 and ._-",
                "/saml_providers/0/metadata: must not be empty",
                "/saml_providers/1: give metadata or metadata_file, not both",
            }));
}

TEST(ConfigErrors, BuiltinProviders) {
  json doc = valid_document();
  doc["accounts"].push_back({{"id", "444455556666"}});
  doc["oidc_providers"] = json::parse(R"([
    { "account": "111122223333", "url": "https://oidc.stsd.local", "builtin": true },
    { "account": "444455556666", "url": "https://other.stsd.local", "builtin": true, "jwks": { "keys": [] } },
    { "account": "444455556666", "url": "https://issuer.example.com", "builtin": "yes" }
  ])");
  doc["saml_providers"] = json::parse(R"([
    { "account": "111122223333", "name": "stsd", "builtin": true },
    { "account": "444455556666", "name": "stsd", "builtin": true, "metadata": "<x/>" }
  ])");
  EXPECT_EQ(problems_of(doc),
            (Problems{
                "/oidc_providers/1/url: must be \"https://oidc.stsd.local\": all built-in OIDC providers share one issuer",
                "/oidc_providers/1: a builtin provider has stsd's own keys: give no jwks or jwks_file",
                "/oidc_providers/2/builtin: must be true or false",
                "/saml_providers/1: a builtin provider has stsd's own certificate: give no metadata or metadata_file",
            }));
}

TEST(ConfigErrors, SyntaxErrorsGiveLineAndColumn) {
  auto result = parse_config("{\n  \"region\": \"us-east-1\",\n  \"accounts\": [\n}\n", ".");
  ASSERT_FALSE(result);
  ASSERT_EQ(result.error().problems.size(), 1u);
  const auto& p = result.error().problems[0];
  EXPECT_EQ(p.json_pointer, "");
  EXPECT_EQ(p.message.rfind("invalid JSON at line 4, column 1: ", 0), 0u) << p.message;

  // The newline that ends a truncated literal is where it went wrong, not
  // "column 0" of the next line.
  auto literal = parse_config("{\n \"accounts\": [],\n \"x\": tru\n}", ".");
  ASSERT_FALSE(literal);
  EXPECT_EQ(literal.error().problems[0].message.rfind("invalid JSON at line 3, column 10: syntax error", 0), 0u)
      << literal.error().problems[0].message;

  // Bytes nlohmann quotes from a broken string are escaped, not passed on.
  auto bytes = parse_config("{\"a\": \"\xff\"}", ".");
  ASSERT_FALSE(bytes);
  EXPECT_NE(bytes.error().problems[0].message.find("last read: '\"\\xFF'"), std::string::npos)
      << bytes.error().problems[0].message;

  auto empty = parse_config("", ".");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().problems[0].message.rfind("invalid JSON at line 1, column 1: ", 0), 0u);
}

TEST(ConfigErrors, DuplicateKeysAndDeepNesting) {
  EXPECT_EQ(problems_of(std::string(R"({"accounts": [{"id": "111122223333", "id": "444455556666"}]})")),
            Problems{"/accounts/0/id: duplicate key"});
  EXPECT_EQ(problems_of(std::string(R"({"users": [], "users": []})")),
            (Problems{"/users: duplicate key", "/accounts: is required"}));
  // The root object and 63 arrays fit; the 64th array is one too many.
  const std::string deep = R"({"accounts": [{"id": "111122223333"}], "x": )" + std::string(100, '[');
  std::string pointer = "/x";
  for (int i = 0; i < 63; ++i) pointer += "/0";
  EXPECT_EQ(problems_of(deep), Problems{pointer + ": nested deeper than 64 levels"});
}

TEST(ConfigErrors, EveryProblemIsCollected) {
  json doc = valid_document();
  doc["region"] = 1;
  doc["accounts"][0]["id"] = "1";
  doc["accounts"].push_back({{"id", "444455556666"}});
  doc["users"][0]["account"] = "444455556666";
  doc["users"][0]["colour"] = "red";
  doc["users"][0]["access_keys"][1]["secret"] = 5;
  doc["users"][1]["access_keys"][0]["id"] = "AKIAALICE0000001";
  doc["roles"][2]["max_session_duration"] = 60;
  doc["roles"][0]["name"] = "no spaces please";
  auto result = parse_config(doc.dump(), ".");
  ASSERT_FALSE(result);
  std::vector<ConfigProblem> expected{
      {"/region", "must be a string"},
      {"/accounts/0/id", "must be 12 digits"},
      {"/users/0/colour", "unknown field"},
      {"/users/0/access_keys/1/secret", "must be a string"},
      {"/users/1/account", "account 111122223333 is not declared in /accounts"},
      {"/users/1/access_keys/0/id",
       "duplicate access key id \"AKIAALICE0000001\" (first at /users/0/access_keys/0/id)"},
      {"/roles/0/account", "account 111122223333 is not declared in /accounts"},
      {"/roles/0/name", "must be 1-64 characters of A-Z, a-z, 0-9 and +=,.@_-"},
      {"/roles/1/account", "account 111122223333 is not declared in /accounts"},
      {"/roles/2/account", "account 111122223333 is not declared in /accounts"},
      {"/roles/2/max_session_duration", "must be between 3600 and 43200"},
  };
  EXPECT_EQ(result.error().problems, expected);
  EXPECT_EQ(result.error().to_string().substr(0, 34), "/region: must be a string\n/account");
}
