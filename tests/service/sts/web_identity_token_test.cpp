// Guards GetWebIdentityToken's rules, one test per rule and error branch:
// outbound federation switched on by a built-in OIDC provider, the signing
// algorithms, the calling session's lifetime, SubjectMode and Scope, the
// caller's policies with the action's condition keys, the payload limit,
// and the token itself (issuer, claims, verifiable with the outbound keys).
#include <nlohmann/json.hpp>

#include "stsd/crypto/crypto.h"
#include "stsd/domain/federation/jwt_verify.h"
#include "world.h"

namespace stsd::testing {
namespace {

namespace fed = domain::federation;
using nlohmann::json;

const std::string kAlice = "arn:aws:iam::111122223333:user/alice";

sts::GetWebIdentityTokenRequest request(const std::string& algorithm = "RS256") {
  sts::GetWebIdentityTokenRequest r;
  r.Audience = {"https://api.example"};
  r.SigningAlgorithm = algorithm;
  return r;
}

// The token's payload, after checking its signature with the outbound keys.
json verified_claims(const World& w, const std::string& token) {
  auto jwt = fed::parse_jwt(token);
  EXPECT_TRUE(jwt.has_value());
  auto keys = fed::Jwks::parse(w.idps().outbound_jwks_json());
  EXPECT_TRUE(keys.has_value());
  if (!jwt || !keys) return {};
  EXPECT_TRUE(fed::verify_jwt_signature(*jwt, *keys).has_value());
  // The built-in test issuer's keys must not verify it.
  auto test_keys = fed::Jwks::parse(w.idps().oidc_jwks_json());
  EXPECT_TRUE(test_keys && !fed::verify_jwt_signature(*jwt, *test_keys).has_value());
  const std::string& input = jwt->signing_input();
  const std::string payload = input.substr(input.find('.') + 1);
  auto decoded = crypto::base64url_decode(payload);
  EXPECT_TRUE(decoded.has_value());
  return decoded ? json::parse(*decoded) : json{};
}

TEST(GetWebIdentityToken, SignsATokenAboutTheCaller) {
  World w;
  const Caller alice = w.user("alice");
  auto req = request();
  req.Tags = std::vector<sts::Tag>{{"env", "test"}};
  auto r = w.call(sts::get_web_identity_token, req, &alice);
  ASSERT_TRUE(succeeds(r));
  EXPECT_EQ(r->Expiration->seconds, kNow + 300);  // the default
  const json c = verified_claims(w, *r->WebIdentityToken);
  EXPECT_EQ(c["iss"], fed::outbound_issuer_url(kAccount));
  EXPECT_EQ(c["aud"], "https://api.example");
  EXPECT_EQ(c["sub"], kAlice);
  EXPECT_EQ(c["iat"], kNow);
  EXPECT_EQ(c["exp"], kNow + 300);
  EXPECT_EQ(c["jti"].get<std::string>().size(), 36u);
  const json& aws = c["https://sts.amazonaws.com/"];
  EXPECT_EQ(aws["aws_account"], kAccount);
  EXPECT_EQ(aws["source_region"], "us-east-1");
  EXPECT_EQ(aws["principal_id"], kAlice);
  EXPECT_EQ(aws["principal_tags"]["team"], "blue");  // alice's user tag
  EXPECT_EQ(aws["request_tags"]["env"], "test");
}

TEST(GetWebIdentityToken, ES384AndSeveralAudiences) {
  World w;
  const Caller alice = w.user("alice");
  auto req = request("ES384");
  req.Audience = {"a", "b"};
  req.DurationSeconds = 60;
  auto r = w.call(sts::get_web_identity_token, req, &alice);
  ASSERT_TRUE(succeeds(r));
  const json c = verified_claims(w, *r->WebIdentityToken);
  EXPECT_EQ(c["aud"], json::array({"a", "b"}));
  EXPECT_EQ(c["exp"], kNow + 60);
}

TEST(GetWebIdentityToken, ARoleSessionsSubjectIsItsRole) {
  domain::StoreData d = base_data();
  d.roles.push_back(make_role(kAccount, "deploy", policy(trust(aws_principal(kAlice)))));
  World w(d);
  const Caller alice = w.user("alice");
  sts::AssumeRoleRequest assume;
  assume.RoleArn = role_arn(kAccount, "deploy");
  assume.RoleSessionName = "s";
  const Caller role = w.session(w.call(sts::assume_role, assume, &alice));
  auto r = w.call(sts::get_web_identity_token, request(), &role);
  ASSERT_TRUE(succeeds(r));
  const json c = verified_claims(w, *r->WebIdentityToken);
  EXPECT_EQ(c["sub"], role_arn(kAccount, "deploy"));
  EXPECT_EQ(c["https://sts.amazonaws.com/"]["principal_id"], "arn:aws:sts::111122223333:assumed-role/deploy/s");
}

TEST(GetWebIdentityToken, OutboundFederationNeedsABuiltinOidcProvider) {
  domain::StoreData d = base_data();
  d.oidc_providers.clear();
  World w(d);
  const Caller alice = w.user("alice");
  EXPECT_TRUE(fails_with(w.call(sts::get_web_identity_token, request(), &alice),
                         ErrorCode::OutboundWebIdentityFederationDisabled,
                         "Outbound web identity federation is not enabled: the config has no builtin OIDC provider"));
}

TEST(GetWebIdentityToken, OnlyRS256AndES384) {
  World w;
  const Caller alice = w.user("alice");
  for (const char* alg : {"RS384", "ES256", "HS256"})
    EXPECT_TRUE(fails_with(w.call(sts::get_web_identity_token, request(alg), &alice), ErrorCode::ValidationError,
                           std::string("1 validation error detected: Value '") + alg +
                               "' at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value "
                               "set: [RS256, ES384]"))
        << alg;
}

TEST(GetWebIdentityToken, ATokenMayNotOutliveTheCallingSession) {
  domain::StoreData d = base_data();
  d.roles.push_back(make_role(kAccount, "deploy", policy(trust(aws_principal(kAlice)))));
  World w(d);
  const Caller alice = w.user("alice");
  sts::AssumeRoleRequest assume;
  assume.RoleArn = role_arn(kAccount, "deploy");
  assume.RoleSessionName = "s";
  assume.DurationSeconds = 900;
  const Caller session = w.session(w.call(sts::assume_role, assume, &alice));
  w.clock().advance(700);  // 200 s left
  auto req = request();
  req.DurationSeconds = 300;
  EXPECT_TRUE(fails_with(w.call(sts::get_web_identity_token, req, &session), ErrorCode::SessionDurationEscalation,
                         "The requested DurationSeconds would outlive the credentials used to request the token"));
  req.DurationSeconds = 200;
  EXPECT_TRUE(succeeds(w.call(sts::get_web_identity_token, req, &session)));
}

TEST(GetWebIdentityToken, ScopeGoesOnlyWithOriginIdentityAndOneAudience) {
  World w;
  const Caller alice = w.user("alice");
  auto req = request();
  req.Scope = "read";
  EXPECT_TRUE(fails_with(
      w.call(sts::get_web_identity_token, req, &alice), ErrorCode::ValidationError,
      "Scope can be specified only when SubjectMode is OriginIdentity and exactly one Audience is requested."));
}

TEST(GetWebIdentityToken, OriginIdentityNeedsAPropagatedIdentity) {
  World w;
  const Caller alice = w.user("alice");
  auto req = request();
  req.SubjectMode = "OriginIdentity";
  EXPECT_TRUE(fails_with(w.call(sts::get_web_identity_token, req, &alice), ErrorCode::ValidationError,
                         "SubjectMode OriginIdentity requires a trusted identity propagation context with "
                         "aws:OriginIdentity/Subject in the calling session; this session has none."));
}

TEST(GetWebIdentityToken, TheCallersPoliciesSeeTheRequestsKeys) {
  domain::StoreData d = base_data();
  d.users[0].inline_policies = {inline_policy(
      "p", policy(R"({"Effect":"Allow","Action":"sts:GetWebIdentityToken","Resource":"*","Condition":{)"
                  R"("ForAllValues:StringEquals":{"sts:IdentityTokenAudience":["https://api.example"]},)"
                  R"("StringEquals":{"sts:SigningAlgorithm":"ES384"}}})"))};
  World w(d);
  const Caller alice = w.user("alice");
  EXPECT_TRUE(succeeds(w.call(sts::get_web_identity_token, request("ES384"), &alice)));
  auto r = w.call(sts::get_web_identity_token, request("RS256"), &alice);
  ASSERT_TRUE(fails_with(r, ErrorCode::AccessDenied, not_authorized(kAlice, "sts:GetWebIdentityToken")));
  EXPECT_FALSE(r.error().encoded_authorization_message.empty());
  auto other = request("ES384");
  other.Audience = {"https://elsewhere.example"};
  EXPECT_TRUE(fails_with(w.call(sts::get_web_identity_token, other, &alice), ErrorCode::AccessDenied,
                         not_authorized(kAlice, "sts:GetWebIdentityToken")));
}

TEST(GetWebIdentityToken, APayloadOverTheLimitIsRefused) {
  World w;
  const Caller alice = w.user("alice");
  auto req = request();
  std::vector<sts::Tag> tags;
  for (int i = 0; i < 50; ++i) tags.push_back({"key-" + std::to_string(i) + std::string(120, 'k'), std::string(256, 'v')});
  req.Tags = tags;
  EXPECT_TRUE(fails_with(w.call(sts::get_web_identity_token, req, &alice), ErrorCode::JWTPayloadSizeExceeded,
                         "The requested token's payload exceeds 16384 bytes"));
}

}  // namespace
}  // namespace stsd::testing
