// Guards AssumeRoleWithWebIdentity's rules, one test per rule and error
// branch, with ID tokens minted by the built-in OIDC issuer
// (domain/federation/builtin_idps.h) or by a key the provider does not
// know: ProviderId (OAuth 2.0) refused, the token's form, issuer, key,
// signature, audience, times and outbound-token claim, the trust policy with
// the token's claims as condition keys and the TagSession /
// SetSourceIdentity follow-ups, the duration limits, and the response.
#include <nlohmann/json.hpp>

#include "world.h"

namespace stsd::testing {
namespace {

using domain::federation::JwtAlgorithm;
using nlohmann::json;

const std::string kProvider = "arn:aws:iam::111122223333:oidc-provider/oidc.stsd.local";
const std::string kApp = role_arn(kAccount, "app");
const std::string kDenied = "Not authorized to perform sts:AssumeRoleWithWebIdentity";

std::string federated_trust(const std::string& condition = "",
                            const std::string& actions = R"("sts:AssumeRoleWithWebIdentity")") {
  return policy(trust(R"({"Federated":")" + kProvider + R"("})", actions, condition));
}

domain::StoreData with_app(std::optional<std::string> trust_policy = federated_trust(), int max_duration = 3600) {
  domain::StoreData d = base_data();
  d.roles.push_back(make_role(kAccount, "app", std::move(trust_policy), max_duration));
  return d;
}

json claims(const std::string& sub = "system:serviceaccount:ns:app") {
  return {{"iss", kBuiltinIssuer}, {"aud", "sts.amazonaws.com"}, {"sub", sub}, {"iat", kNow}, {"exp", kNow + 600}};
}

std::string mint(const World& w, const json& c, JwtAlgorithm alg = JwtAlgorithm::RS256) {
  auto token = w.idps().oidc_key(alg)->sign("", c.dump());
  EXPECT_TRUE(token.has_value());
  return token ? *token : std::string();
}

sts::AssumeRoleWithWebIdentityRequest request(const std::string& token, const std::string& role = kApp) {
  sts::AssumeRoleWithWebIdentityRequest r;
  r.RoleArn = role;
  r.RoleSessionName = "pod";
  r.WebIdentityToken = token;
  return r;
}

TEST(AssumeRoleWithWebIdentity, ExchangesABuiltinIssuerToken) {
  World w(with_app());
  auto r = w.call(sts::assume_role_with_web_identity, request(mint(w, claims())), nullptr);
  ASSERT_TRUE(succeeds(r));
  EXPECT_EQ(r->SubjectFromWebIdentityToken, "system:serviceaccount:ns:app");
  EXPECT_EQ(r->Audience, "sts.amazonaws.com");
  EXPECT_EQ(r->Provider, kProvider);
  EXPECT_EQ(r->AssumedRoleUser->Arn, "arn:aws:sts::111122223333:assumed-role/app/pod");
  EXPECT_EQ(r->Credentials->Expiration.seconds, kNow + 3600);
  EXPECT_FALSE(r->PackedPolicySize.has_value());
  const domain::Session s = w.opened(*r->Credentials);
  EXPECT_EQ(s.source_arn, kApp);
  EXPECT_EQ(s.chain_depth, 1);
}

TEST(AssumeRoleWithWebIdentity, EveryBuiltinAlgorithmVerifies) {
  World w(with_app());
  for (JwtAlgorithm alg : domain::federation::kBuiltinJwtAlgorithms)
    EXPECT_TRUE(succeeds(w.call(sts::assume_role_with_web_identity, request(mint(w, claims(), alg)), nullptr)))
        << domain::federation::to_string(alg);
}

TEST(AssumeRoleWithWebIdentity, ARoleArnThatIsNotAnArnIsInvalid) {
  World w(with_app());
  EXPECT_TRUE(fails_with(w.call(sts::assume_role_with_web_identity, request(mint(w, claims()), "not-a-role-arn-at-all"),
                                nullptr),
                         ErrorCode::ValidationError, "not-a-role-arn-at-all is invalid"));
}

TEST(AssumeRoleWithWebIdentity, OAuthAccessTokensAreRefused) {
  World w(with_app());
  auto r = request(mint(w, claims()));
  r.ProviderId = "graph.facebook.com";
  EXPECT_TRUE(fails_with(w.call(sts::assume_role_with_web_identity, r, nullptr), ErrorCode::InvalidIdentityToken,
                         "stsd cannot verify OAuth 2.0 access tokens (ProviderId graph.facebook.com); use an OpenID "
                         "Connect ID token from a configured OIDC provider"));
}

TEST(AssumeRoleWithWebIdentity, ATokenThatIsNotAJwtIsInvalid) {
  World w(with_app());
  auto r = w.call(sts::assume_role_with_web_identity, request("not.a.jwt"), nullptr);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::InvalidIdentityToken);
  EXPECT_TRUE(r.error().message.starts_with("The web identity token is not a valid signed JWT: "));
}

TEST(AssumeRoleWithWebIdentity, AnIssuerWithoutProviderInTheRolesAccountIsUnknown) {
  World w(with_app());
  json c = claims();
  c["iss"] = "https://elsewhere.example";
  EXPECT_TRUE(fails_with(w.call(sts::assume_role_with_web_identity, request(mint(w, c)), nullptr),
                         ErrorCode::InvalidIdentityToken,
                         "No OpenIDConnect provider found in your account for https://elsewhere.example"));
  // The provider is in 111122223333: a role of another account does not find it.
  domain::StoreData d = with_app();
  d.roles.push_back(make_role(kMember, "app", federated_trust()));
  World other(d);
  EXPECT_TRUE(fails_with(
      other.call(sts::assume_role_with_web_identity, request(mint(other, claims()), role_arn(kMember, "app")), nullptr),
      ErrorCode::InvalidIdentityToken, "No OpenIDConnect provider found in your account for " + kBuiltinIssuer));
}

TEST(AssumeRoleWithWebIdentity, AKeyTheIssuerDoesNotHaveCannotBeFound) {
  World w(with_app());
  const auto stranger = domain::federation::JwtSigningKey::generate(JwtAlgorithm::RS256);
  auto token = stranger.sign("", claims().dump());
  ASSERT_TRUE(token);
  EXPECT_TRUE(fails_with(w.call(sts::assume_role_with_web_identity, request(*token), nullptr),
                         ErrorCode::InvalidIdentityToken,
                         "Couldn't retrieve verification key from your identity provider,  please reference "
                         "AssumeRoleWithWebIdentity documentation for requirements"));
}

TEST(AssumeRoleWithWebIdentity, AForgedSignatureIsInvalid) {
  World w(with_app());
  std::string token = mint(w, claims());
  // Another payload under the issuer's header and signature.
  const std::string forged_payload = mint(w, claims("system:serviceaccount:ns:admin"));
  const auto first_dot = token.find('.'), second_dot = token.rfind('.');
  const auto f1 = forged_payload.find('.'), f2 = forged_payload.rfind('.');
  token = token.substr(0, first_dot + 1) + forged_payload.substr(f1 + 1, f2 - f1 - 1) + token.substr(second_dot);
  EXPECT_TRUE(fails_with(w.call(sts::assume_role_with_web_identity, request(token), nullptr),
                         ErrorCode::InvalidIdentityToken, "The web identity token signature is invalid"));
}

TEST(AssumeRoleWithWebIdentity, TheAudienceMustBeAClientIdOfTheProvider) {
  World w(with_app());
  json c = claims();
  c["aud"] = "someone-else";
  EXPECT_TRUE(fails_with(w.call(sts::assume_role_with_web_identity, request(mint(w, c)), nullptr),
                         ErrorCode::InvalidIdentityToken, "Incorrect token audience"));
  // An authorized party among the client ids is the audience.
  c["azp"] = "stsd";
  auto r = w.call(sts::assume_role_with_web_identity, request(mint(w, c)), nullptr);
  ASSERT_TRUE(succeeds(r));
  EXPECT_EQ(r->Audience, "stsd");
}

TEST(AssumeRoleWithWebIdentity, ATokenWithoutExpiryIsInvalid) {
  World w(with_app());
  json c = claims();
  c.erase("exp");
  EXPECT_TRUE(fails_with(w.call(sts::assume_role_with_web_identity, request(mint(w, c)), nullptr),
                         ErrorCode::InvalidIdentityToken, "The web identity token has no integer exp claim"));
}

TEST(AssumeRoleWithWebIdentity, AnExpiredTokenIsExpiredAfterFiveMinutesOfSkew) {
  World w(with_app());
  json c = claims();
  c["exp"] = kNow - 300;  // within the skew
  EXPECT_TRUE(succeeds(w.call(sts::assume_role_with_web_identity, request(mint(w, c)), nullptr)));
  c["exp"] = kNow - 301;
  EXPECT_TRUE(fails_with(w.call(sts::assume_role_with_web_identity, request(mint(w, c)), nullptr),
                         ErrorCode::ExpiredTokenException,
                         "Token expired: current date/time 1700000000 must be before the expiration date/time "
                         "1699999699"));
}

TEST(AssumeRoleWithWebIdentity, ATokenNotYetValidOrIssuedInTheFutureIsInvalid) {
  World w(with_app());
  json c = claims();
  c["nbf"] = kNow + 301;
  EXPECT_TRUE(fails_with(w.call(sts::assume_role_with_web_identity, request(mint(w, c)), nullptr),
                         ErrorCode::InvalidIdentityToken, "The web identity token is not valid yet (nbf)"));
  c = claims();
  c["iat"] = kNow + 301;
  EXPECT_TRUE(fails_with(w.call(sts::assume_role_with_web_identity, request(mint(w, c)), nullptr),
                         ErrorCode::InvalidIdentityToken, "The web identity token was issued in the future (iat)"));
}

TEST(AssumeRoleWithWebIdentity, TokensOfGetWebIdentityTokenAreRefused) {
  World w(with_app());
  json c = claims();
  c["https://sts.amazonaws.com/"] = {{"aws_account", kAccount}};
  EXPECT_TRUE(fails_with(w.call(sts::assume_role_with_web_identity, request(mint(w, c)), nullptr),
                         ErrorCode::InvalidIdentityToken,
                         "Tokens from GetWebIdentityToken cannot be used with AssumeRoleWithWebIdentity"));
}

TEST(AssumeRoleWithWebIdentity, TheTrustPolicySeesTheTokensClaims) {
  World w(with_app(federated_trust(R"({"StringEquals":{"oidc.stsd.local:sub":"system:serviceaccount:ns:app",)"
                                   R"("oidc.stsd.local:aud":"sts.amazonaws.com"}})")));
  EXPECT_TRUE(succeeds(w.call(sts::assume_role_with_web_identity, request(mint(w, claims())), nullptr)));
  EXPECT_TRUE(fails_with(
      w.call(sts::assume_role_with_web_identity, request(mint(w, claims("system:serviceaccount:ns:other"))), nullptr),
      ErrorCode::AccessDenied, kDenied));
}

TEST(AssumeRoleWithWebIdentity, CustomClaimsAreConditionKeysToo) {
  World w(with_app(federated_trust(R"({"StringLike":{"oidc.stsd.local:repository":"org/*"}})")));
  json c = claims();
  c["repository"] = "org/service";
  EXPECT_TRUE(succeeds(w.call(sts::assume_role_with_web_identity, request(mint(w, c)), nullptr)));
  c["repository"] = "fork/service";
  EXPECT_TRUE(fails_with(w.call(sts::assume_role_with_web_identity, request(mint(w, c)), nullptr),
                         ErrorCode::AccessDenied, kDenied));
}

TEST(AssumeRoleWithWebIdentity, ATrustPolicyForAnotherPrincipalDenies) {
  World w(with_app(policy(trust(aws_principal("arn:aws:iam::111122223333:root"), R"("sts:AssumeRoleWithWebIdentity")"))));
  EXPECT_TRUE(fails_with(w.call(sts::assume_role_with_web_identity, request(mint(w, claims())), nullptr),
                         ErrorCode::AccessDenied, kDenied));
}

TEST(AssumeRoleWithWebIdentity, ADeclaredRoleWithoutTrustPolicyTrustsNoProvider) {
  World w(with_app(std::nullopt));
  EXPECT_TRUE(fails_with(w.call(sts::assume_role_with_web_identity, request(mint(w, claims())), nullptr),
                         ErrorCode::AccessDenied, kDenied));
}

TEST(AssumeRoleWithWebIdentity, StrictModeKnowsOnlyDeclaredRoles) {
  World w(with_app());
  EXPECT_TRUE(fails_with(
      w.call(sts::assume_role_with_web_identity, request(mint(w, claims()), role_arn(kAccount, "nope")), nullptr),
      ErrorCode::AccessDenied, kDenied));
}

json tagged_claims() {
  json c = claims();
  c["https://aws.amazon.com/tags"] = {{"principal_tags", {{"team", {"blue"}}}}, {"transitive_tag_keys", {"team"}}};
  return c;
}

TEST(AssumeRoleWithWebIdentity, AssertedTagsNeedTagSessionInTheTrustPolicy) {
  World w(with_app());
  EXPECT_TRUE(fails_with(w.call(sts::assume_role_with_web_identity, request(mint(w, tagged_claims())), nullptr),
                         ErrorCode::AccessDenied, kDenied));
  World tagging(with_app(federated_trust("", R"(["sts:AssumeRoleWithWebIdentity","sts:TagSession"])")));
  auto r = tagging.call(sts::assume_role_with_web_identity, request(mint(tagging, tagged_claims())), nullptr);
  ASSERT_TRUE(succeeds(r));
  const domain::Session s = tagging.opened(*r->Credentials);
  EXPECT_EQ(s.tags, (std::vector<domain::Tag>{{"team", "blue"}}));
  EXPECT_EQ(s.transitive_tag_keys, (std::vector<std::string>{"team"}));
  EXPECT_TRUE(r->PackedPolicySize.has_value());
}

TEST(AssumeRoleWithWebIdentity, AnAssertedSourceIdentityNeedsSetSourceIdentity) {
  json c = claims();
  c["https://aws.amazon.com/source_identity"] = "alice";
  World w(with_app());
  EXPECT_TRUE(fails_with(w.call(sts::assume_role_with_web_identity, request(mint(w, c)), nullptr),
                         ErrorCode::AccessDenied, kDenied));
  World setting(with_app(federated_trust("", R"(["sts:AssumeRoleWithWebIdentity","sts:SetSourceIdentity"])")));
  auto r = setting.call(sts::assume_role_with_web_identity, request(mint(setting, c)), nullptr);
  ASSERT_TRUE(succeeds(r));
  EXPECT_EQ(r->SourceIdentity, "alice");
}

TEST(AssumeRoleWithWebIdentity, MalformedSessionTagsInTheTokenAreInvalid) {
  World w(with_app(federated_trust("", R"(["sts:AssumeRoleWithWebIdentity","sts:TagSession"])")));
  json c = claims();
  c["https://aws.amazon.com/tags"] = "not an object";
  auto r = w.call(sts::assume_role_with_web_identity, request(mint(w, c)), nullptr);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::InvalidIdentityToken);
  EXPECT_TRUE(r.error().message.starts_with("Invalid session tags in the web identity token: "));
}

TEST(AssumeRoleWithWebIdentity, DurationIsBoundedByTheRolesMaxSessionDuration) {
  World w(with_app(federated_trust(), 7200));
  auto r = request(mint(w, claims()));
  r.DurationSeconds = 7201;
  EXPECT_TRUE(fails_with(w.call(sts::assume_role_with_web_identity, r, nullptr), ErrorCode::ValidationError,
                         "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."));
  r.DurationSeconds = 7200;
  auto ok = w.call(sts::assume_role_with_web_identity, r, nullptr);
  ASSERT_TRUE(succeeds(ok));
  EXPECT_EQ(ok->Credentials->Expiration.seconds, kNow + 7200);
}

TEST(AssumeRoleWithWebIdentity, ASessionPolicyIsCarriedAndCounted) {
  World w(with_app());
  auto r = request(mint(w, claims()));
  r.Policy = policy(allow("s3:GetObject"));
  auto ok = w.call(sts::assume_role_with_web_identity, r, nullptr);
  ASSERT_TRUE(succeeds(ok));
  EXPECT_TRUE(ok->PackedPolicySize.has_value());
  EXPECT_EQ(w.opened(*ok->Credentials).session_policy, r.Policy);
}

}  // namespace
}  // namespace stsd::testing
