// Guards AssumeRoleWithSAML's rules, one test per rule and error branch, with
// responses minted by the built-in SAML IdP (domain/federation/builtin_idps.h)
// or by an IdP the test makes and registers through metadata: the provider,
// the signature, the issuer, the IdP's status, audience and recipient, the
// time window, the Role pairing, RoleSessionName and SessionDuration
// attributes, the trust policy with the SAML:* keys and TagSession /
// SetSourceIdentity, and the response's SAML fields.
#include <algorithm>

#include "stsd/crypto/crypto.h"
#include "world.h"

namespace stsd::testing {
namespace {

namespace fed = domain::federation;

const std::string kBuiltinProvider = "arn:aws:iam::111122223333:saml-provider/stsd";
const std::string kCorpProvider = "arn:aws:iam::111122223333:saml-provider/corp";
const std::string kSso = role_arn(kAccount, "sso");
const std::string kAttr = "https://aws.amazon.com/SAML/Attributes/";
const std::string kDenied = "Not authorized to perform sts:AssumeRoleWithSAML";

std::string saml_trust(const std::string& condition = "", const std::string& actions = R"("sts:AssumeRoleWithSAML")",
                       const std::string& provider = kBuiltinProvider) {
  return policy(trust(R"({"Federated":")" + provider + R"("})", actions, condition));
}

domain::StoreData with_sso(std::optional<std::string> trust_policy = saml_trust(), int max_duration = 3600) {
  domain::StoreData d = base_data();
  d.roles.push_back(make_role(kAccount, "sso", std::move(trust_policy), max_duration));
  return d;
}

// An assertion for alice naming the sso role and the built-in provider.
fed::SamlIdentityProvider::ResponseSpec spec(const std::string& provider = kBuiltinProvider) {
  fed::SamlIdentityProvider::ResponseSpec s;
  s.name_id = "alice@example.com";
  s.issue_instant = kNow;
  s.attributes = {{kAttr + "Role", {kSso + "," + provider}}, {kAttr + "RoleSessionName", {"alice"}}};
  return s;
}

std::string mint(const fed::SamlIdentityProvider& idp, const fed::SamlIdentityProvider::ResponseSpec& s) {
  auto response = idp.mint_response_base64(s);
  EXPECT_TRUE(response.has_value()) << (response ? "" : response.error());
  return response ? *response : std::string();
}

sts::AssumeRoleWithSAMLRequest request(const std::string& assertion, const std::string& provider = kBuiltinProvider,
                                       const std::string& role = kSso) {
  sts::AssumeRoleWithSAMLRequest r;
  r.RoleArn = role;
  r.PrincipalArn = provider;
  r.SAMLAssertion = assertion;
  return r;
}

void set_attribute(fed::SamlIdentityProvider::ResponseSpec& s, const std::string& name,
                   std::vector<std::string> values) {
  auto it = std::find_if(s.attributes.begin(), s.attributes.end(),
                         [&](const fed::SamlAttribute& a) { return a.name == kAttr + name; });
  if (it == s.attributes.end()) s.attributes.push_back({kAttr + name, std::move(values)});
  else it->values = std::move(values);
}

void remove_attribute(fed::SamlIdentityProvider::ResponseSpec& s, const std::string& name) {
  std::erase_if(s.attributes, [&](const fed::SamlAttribute& a) { return a.name == kAttr + name; });
}

TEST(AssumeRoleWithSAML, ExchangesABuiltinIdpResponse) {
  World w(with_sso());
  auto r = w.call(sts::assume_role_with_saml, request(mint(w.idps().saml(), spec())), nullptr);
  ASSERT_TRUE(succeeds(r));
  const std::string issuer = w.idps().saml().entity_id();
  EXPECT_EQ(r->Issuer, issuer);
  EXPECT_EQ(r->Subject, "alice@example.com");
  EXPECT_EQ(r->SubjectType, "persistent");  // the format's prefix stripped
  EXPECT_EQ(r->Audience, "https://signin.aws.amazon.com/saml");
  // BASE64(SHA1(Issuer + AccountId + "/" + ProviderName)), as the API reference defines it.
  EXPECT_EQ(r->NameQualifier, crypto::base64_encode(crypto::sha1(issuer + kAccount + "/stsd")));
  EXPECT_EQ(r->AssumedRoleUser->Arn, "arn:aws:sts::111122223333:assumed-role/sso/alice");
  EXPECT_EQ(r->Credentials->Expiration.seconds, kNow + 3600);
  EXPECT_FALSE(r->SourceIdentity.has_value());
}

TEST(AssumeRoleWithSAML, ARoleArnThatIsNotAnArnIsInvalid) {
  World w(with_sso());
  EXPECT_TRUE(fails_with(
      w.call(sts::assume_role_with_saml, request(mint(w.idps().saml(), spec()), kBuiltinProvider, "role/sso-xxxxxxxxxx"),
             nullptr),
      ErrorCode::ValidationError, "role/sso-xxxxxxxxxx is invalid"));
}

TEST(AssumeRoleWithSAML, AnUnknownProviderDoesNotExist) {
  World w(with_sso());
  EXPECT_TRUE(fails_with(w.call(sts::assume_role_with_saml,
                                request(mint(w.idps().saml(), spec()), "arn:aws:iam::111122223333:saml-provider/nope"),
                                nullptr),
                         ErrorCode::InvalidIdentityToken, "Specified provider doesn't exist."));
}

TEST(AssumeRoleWithSAML, AnUnsignedResponseHasAnInvalidSignature) {
  World w(with_sso());
  auto s = spec();
  s.sign_assertion = false;
  EXPECT_TRUE(fails_with(w.call(sts::assume_role_with_saml, request(mint(w.idps().saml(), s)), nullptr),
                         ErrorCode::InvalidIdentityToken, "Response signature invalid"));
}

TEST(AssumeRoleWithSAML, AResponseSignedByAnotherIdpHasAnInvalidSignature) {
  World w(with_sso());
  const auto stranger = fed::SamlIdentityProvider::generate(std::string(fed::kBuiltinSamlEntityId));
  EXPECT_TRUE(fails_with(w.call(sts::assume_role_with_saml, request(mint(stranger, spec())), nullptr),
                         ErrorCode::InvalidIdentityToken, "Response signature invalid"));
}

TEST(AssumeRoleWithSAML, NotBase64XmlIsAnInvalidResponse) {
  World w(with_sso());
  auto r = w.call(sts::assume_role_with_saml, request(crypto::base64_encode("<not-saml/>")), nullptr);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::InvalidIdentityToken);
  EXPECT_TRUE(r.error().message.starts_with("Invalid SAML response: ") ||
              r.error().message == "Response signature invalid")
      << r.error().message;
}

// A provider registered through metadata, as CreateSAMLProvider registers one.
struct CorpIdp {
  fed::SamlIdentityProvider idp = fed::SamlIdentityProvider::generate("https://idp.corp.example");
  domain::StoreData data(const std::string& metadata) const {
    domain::StoreData d = with_sso(saml_trust("", R"("sts:AssumeRoleWithSAML")", kCorpProvider));
    domain::SamlProvider p;
    p.account = kAccount;
    p.name = "corp";
    p.metadata = metadata;
    d.saml_providers.push_back(p);
    return d;
  }
};

TEST(AssumeRoleWithSAML, AProviderFromMetadataVerifiesItsIdpsResponses) {
  CorpIdp corp;
  World w(corp.data(corp.idp.metadata_xml()));
  auto r = w.call(sts::assume_role_with_saml, request(mint(corp.idp, spec(kCorpProvider)), kCorpProvider), nullptr);
  ASSERT_TRUE(succeeds(r));
  EXPECT_EQ(r->Issuer, "https://idp.corp.example");
  EXPECT_EQ(r->NameQualifier, crypto::base64_encode(crypto::sha1("https://idp.corp.example" + kAccount + "/corp")));
}

TEST(AssumeRoleWithSAML, TheIssuerMustBeTheProvidersEntityId) {
  CorpIdp corp;
  std::string metadata = corp.idp.metadata_xml();
  const std::string id = "https://idp.corp.example";
  metadata.replace(metadata.find(id), id.size(), "https://idp.other.example");
  World w(corp.data(metadata));
  EXPECT_TRUE(fails_with(
      w.call(sts::assume_role_with_saml, request(mint(corp.idp, spec(kCorpProvider)), kCorpProvider), nullptr),
      ErrorCode::InvalidIdentityToken, "Issuer not present in specified provider"));
}

TEST(AssumeRoleWithSAML, TheAudienceMustBeAwsSignIn) {
  World w(with_sso());
  auto s = spec();
  s.audience = "https://app.example";
  EXPECT_TRUE(fails_with(w.call(sts::assume_role_with_saml, request(mint(w.idps().saml(), s)), nullptr),
                         ErrorCode::InvalidIdentityToken, "The SAML assertion's audience is not AWS sign-in"));
}

TEST(AssumeRoleWithSAML, TheRecipientMustBeAwsSignIn) {
  World w(with_sso());
  auto s = spec();
  s.recipient = "https://app.example/saml";
  EXPECT_TRUE(fails_with(w.call(sts::assume_role_with_saml, request(mint(w.idps().saml(), s)), nullptr),
                         ErrorCode::InvalidIdentityToken, "The SAML assertion's recipient is not AWS sign-in"));
  s.recipient = "https://eu-west-1.signin.aws.amazon.com/saml";  // a regional sign-in endpoint is AWS's
  auto r = w.call(sts::assume_role_with_saml, request(mint(w.idps().saml(), s)), nullptr);
  ASSERT_TRUE(succeeds(r));
  EXPECT_EQ(r->Audience, "https://eu-west-1.signin.aws.amazon.com/saml");
}

TEST(AssumeRoleWithSAML, AnAssertionNotYetValidIsRefused) {
  World w(with_sso());
  auto s = spec();
  s.issue_instant = kNow + 301;
  EXPECT_TRUE(fails_with(w.call(sts::assume_role_with_saml, request(mint(w.idps().saml(), s)), nullptr),
                         ErrorCode::InvalidIdentityToken, "The SAML assertion is not valid yet (NotBefore)"));
}

TEST(AssumeRoleWithSAML, AnExpiredAssertionIsExpiredAfterFiveMinutesOfSkew) {
  World w(with_sso());
  auto s = spec();
  s.issue_instant = kNow - 900;
  s.lifetime_seconds = 300;  // NotOnOrAfter = now - 600
  EXPECT_TRUE(fails_with(w.call(sts::assume_role_with_saml, request(mint(w.idps().saml(), s)), nullptr),
                         ErrorCode::ExpiredTokenException,
                         "Token expired: current date/time 1700000000 must be before the expiration date/time "
                         "1699999400"));
}

TEST(AssumeRoleWithSAML, TheRoleAttributeMustPairTheRoleWithTheProvider) {
  World w(with_sso());
  auto s = spec();
  set_attribute(s, "Role", {role_arn(kAccount, "other") + "," + kBuiltinProvider});
  EXPECT_TRUE(fails_with(w.call(sts::assume_role_with_saml, request(mint(w.idps().saml(), s)), nullptr),
                         ErrorCode::AccessDenied, kDenied));
  // Either order, spaces around the comma allowed.
  set_attribute(s, "Role", {kBuiltinProvider + " , " + kSso});
  EXPECT_TRUE(succeeds(w.call(sts::assume_role_with_saml, request(mint(w.idps().saml(), s)), nullptr)));
}

TEST(AssumeRoleWithSAML, TheRoleMustBeInTheProvidersAccount) {
  domain::StoreData d = with_sso();
  d.roles.push_back(make_role(kMember, "sso", saml_trust()));
  World w(d);
  auto s = spec();
  const std::string member_role = role_arn(kMember, "sso");
  set_attribute(s, "Role", {member_role + "," + kBuiltinProvider});
  EXPECT_TRUE(fails_with(
      w.call(sts::assume_role_with_saml, request(mint(w.idps().saml(), s), kBuiltinProvider, member_role), nullptr),
      ErrorCode::AccessDenied, kDenied));
}

TEST(AssumeRoleWithSAML, RoleSessionNameIsRequiredAndChecked) {
  World w(with_sso());
  auto s = spec();
  remove_attribute(s, "RoleSessionName");
  EXPECT_TRUE(fails_with(w.call(sts::assume_role_with_saml, request(mint(w.idps().saml(), s)), nullptr),
                         ErrorCode::InvalidIdentityToken, "RoleSessionName is required in AuthnResponse"));
  set_attribute(s, "RoleSessionName", {"alice smith"});
  EXPECT_TRUE(fails_with(w.call(sts::assume_role_with_saml, request(mint(w.idps().saml(), s)), nullptr),
                         ErrorCode::InvalidIdentityToken,
                         "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}"));
}

TEST(AssumeRoleWithSAML, SessionDurationAttributeIsDigitsWithinTheRange) {
  World w(with_sso(saml_trust(), 43200));
  auto s = spec();
  set_attribute(s, "SessionDuration", {"1h"});
  EXPECT_TRUE(fails_with(w.call(sts::assume_role_with_saml, request(mint(w.idps().saml(), s)), nullptr),
                         ErrorCode::InvalidIdentityToken, "SessionDuration in AuthnResponse must be an integer"));
  set_attribute(s, "SessionDuration", {"899"});
  EXPECT_TRUE(fails_with(w.call(sts::assume_role_with_saml, request(mint(w.idps().saml(), s)), nullptr),
                         ErrorCode::InvalidIdentityToken, "SessionDuration in AuthnResponse must be between 900 and 43200"));
  set_attribute(s, "SessionDuration", {"7200"});
  auto r = w.call(sts::assume_role_with_saml, request(mint(w.idps().saml(), s)), nullptr);
  ASSERT_TRUE(succeeds(r));
  EXPECT_EQ(r->Credentials->Expiration.seconds, kNow + 7200);
  // DurationSeconds wins over the attribute.
  auto req = request(mint(w.idps().saml(), s));
  req.DurationSeconds = 1800;
  auto d = w.call(sts::assume_role_with_saml, req, nullptr);
  ASSERT_TRUE(succeeds(d));
  EXPECT_EQ(d->Credentials->Expiration.seconds, kNow + 1800);
}

TEST(AssumeRoleWithSAML, DurationIsBoundedByTheRolesMaxSessionDuration) {
  World w(with_sso());
  auto req = request(mint(w.idps().saml(), spec()));
  req.DurationSeconds = 3601;
  EXPECT_TRUE(fails_with(w.call(sts::assume_role_with_saml, req, nullptr), ErrorCode::ValidationError,
                         "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."));
}

TEST(AssumeRoleWithSAML, SessionNotOnOrAfterCapsTheSession) {
  World w(with_sso());
  auto s = spec();
  s.session_not_on_or_after = kNow + 1000;
  auto r = w.call(sts::assume_role_with_saml, request(mint(w.idps().saml(), s)), nullptr);
  ASSERT_TRUE(succeeds(r));
  EXPECT_EQ(r->Credentials->Expiration.seconds, kNow + 1000);
}

TEST(AssumeRoleWithSAML, TheTrustPolicySeesTheSamlKeys) {
  World w(with_sso(saml_trust(R"({"StringEquals":{"SAML:sub":"alice@example.com","SAML:sub_type":"persistent",)"
                              R"("SAML:aud":"https://signin.aws.amazon.com/saml"}})")));
  EXPECT_TRUE(succeeds(w.call(sts::assume_role_with_saml, request(mint(w.idps().saml(), spec())), nullptr)));
  auto s = spec();
  s.name_id = "mallory@example.com";
  EXPECT_TRUE(fails_with(w.call(sts::assume_role_with_saml, request(mint(w.idps().saml(), s)), nullptr),
                         ErrorCode::AccessDenied, kDenied));
}

TEST(AssumeRoleWithSAML, ADeclaredRoleWithoutTrustPolicyTrustsNoProvider) {
  World w(with_sso(std::nullopt));
  EXPECT_TRUE(fails_with(w.call(sts::assume_role_with_saml, request(mint(w.idps().saml(), spec())), nullptr),
                         ErrorCode::AccessDenied, kDenied));
}

TEST(AssumeRoleWithSAML, StrictModeKnowsOnlyDeclaredRoles) {
  World w(with_sso());
  auto s = spec();
  const std::string missing = role_arn(kAccount, "missing");
  set_attribute(s, "Role", {missing + "," + kBuiltinProvider});
  EXPECT_TRUE(fails_with(
      w.call(sts::assume_role_with_saml, request(mint(w.idps().saml(), s), kBuiltinProvider, missing), nullptr),
      ErrorCode::AccessDenied, kDenied));
}

TEST(AssumeRoleWithSAML, PrincipalTagsNeedTagSession) {
  auto s = spec();
  set_attribute(s, "PrincipalTag:team", {"blue"});
  set_attribute(s, "TransitiveTagKeys", {"team"});
  World w(with_sso());
  EXPECT_TRUE(fails_with(w.call(sts::assume_role_with_saml, request(mint(w.idps().saml(), s)), nullptr),
                         ErrorCode::AccessDenied, kDenied));
  World tagging(with_sso(saml_trust("", R"(["sts:AssumeRoleWithSAML","sts:TagSession"])")));
  auto r = tagging.call(sts::assume_role_with_saml, request(mint(tagging.idps().saml(), s)), nullptr);
  ASSERT_TRUE(succeeds(r));
  const domain::Session session = tagging.opened(*r->Credentials);
  EXPECT_EQ(session.tags, (std::vector<domain::Tag>{{"team", "blue"}}));
  EXPECT_EQ(session.transitive_tag_keys, (std::vector<std::string>{"team"}));
}

TEST(AssumeRoleWithSAML, ASourceIdentityNeedsSetSourceIdentity) {
  auto s = spec();
  set_attribute(s, "SourceIdentity", {"alice"});
  World w(with_sso());
  EXPECT_TRUE(fails_with(w.call(sts::assume_role_with_saml, request(mint(w.idps().saml(), s)), nullptr),
                         ErrorCode::AccessDenied, kDenied));
  World setting(with_sso(saml_trust("", R"(["sts:AssumeRoleWithSAML","sts:SetSourceIdentity"])")));
  auto r = setting.call(sts::assume_role_with_saml, request(mint(setting.idps().saml(), s)), nullptr);
  ASSERT_TRUE(succeeds(r));
  EXPECT_EQ(r->SourceIdentity, "alice");
}

}  // namespace
}  // namespace stsd::testing
