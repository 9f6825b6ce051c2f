// Guards SAML Response verification (AssumeRoleWithSAML) and the built-in
// IdP's signing: round trips, interoperability with the xmlsec1 and openssl
// command-line tools, and the attacks a SAML verifier must refuse
// (signature wrapping, duplicate IDs, foreign keys, tampering, comment
// injection, DOCTYPE/entity bombs, encrypted assertions), and the time and
// SessionDuration readings the action relies on.
#include "stsd/domain/federation/saml_idp.h"
#include "stsd/domain/federation/saml_metadata.h"
#include "stsd/domain/federation/saml_response.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "stsd/common/time_format.h"
#include "stsd/crypto/crypto.h"

namespace fs = std::filesystem;
using namespace stsd::domain::federation;
namespace crypto = stsd::crypto;

namespace {

constexpr std::int64_t kIssueInstant = 1700000000;  // 2023-11-14T22:13:20Z
const std::string kRoleAttr = "https://aws.amazon.com/SAML/Attributes/Role";
const std::string kRoleValue =
    "arn:aws:iam::123456789012:role/SamlRole,arn:aws:iam::123456789012:saml-provider/MyIdP";

const SamlIdentityProvider& idp() {
  static const SamlIdentityProvider p = SamlIdentityProvider::generate("https://idp.example.com/saml");
  return p;
}
const SamlIdentityProvider& evil_idp() {
  static const SamlIdentityProvider p = SamlIdentityProvider::generate("https://idp.example.com/saml");
  return p;
}
std::vector<std::string> trusted() { return {idp().certificate_der()}; }

SamlIdentityProvider::ResponseSpec spec() {
  SamlIdentityProvider::ResponseSpec s;
  s.name_id = "alice@example.com";
  s.issue_instant = kIssueInstant;
  s.lifetime_seconds = 300;
  s.session_not_on_or_after = kIssueInstant + 7200;
  s.attributes = {{kRoleAttr, {kRoleValue}},
                  {"https://aws.amazon.com/SAML/Attributes/RoleSessionName", {"alice"}},
                  {"https://aws.amazon.com/SAML/Attributes/PrincipalTag:Dept", {"eng", "ops"}}};
  return s;
}

std::string mint_xml(const SamlIdentityProvider& p, const SamlIdentityProvider::ResponseSpec& s) {
  auto b64 = p.mint_response_base64(s);
  EXPECT_TRUE(b64.has_value()) << (b64 ? "" : b64.error());
  if (!b64) return {};
  auto xml = crypto::base64_decode(*b64);
  EXPECT_TRUE(xml.has_value());
  return xml.value_or("");
}
std::string mint_xml(const SamlIdentityProvider::ResponseSpec& s = spec()) { return mint_xml(idp(), s); }

auto verify_xml(const std::string& xml, const std::vector<std::string>& certs = trusted()) {
  return verify_saml_response(crypto::base64_encode(xml), certs);
}

// [begin, end) of the first occurrence of <tag ...>...</tag> (no nesting of
// the same tag in our documents).
std::pair<std::size_t, std::size_t> span(const std::string& xml, const std::string& tag, std::size_t from = 0) {
  const std::size_t b = xml.find("<" + tag, from);
  const std::string close = "</" + tag + ">";
  const std::size_t e = xml.find(close, b);
  if (b == std::string::npos || e == std::string::npos) return {std::string::npos, std::string::npos};
  return {b, e + close.size()};
}
std::string extract(const std::string& xml, const std::string& tag) {
  auto [b, e] = span(xml, tag);
  return b == std::string::npos ? std::string() : xml.substr(b, e - b);
}
std::string remove(std::string xml, const std::string& tag) {
  auto [b, e] = span(xml, tag);
  if (b != std::string::npos) xml.erase(b, e - b);
  return xml;
}
std::string replace_once(std::string s, const std::string& from, const std::string& to) {
  const std::size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << "missing: " << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}
std::string attr_value(const std::string& element_xml, const std::string& name) {
  const std::string key = " " + name + "=\"";
  const std::size_t b = element_xml.find(key);
  if (b == std::string::npos) return {};
  const std::size_t e = element_xml.find('"', b + key.size());
  return element_xml.substr(b + key.size(), e - b - key.size());
}

void expect_problem(const stsd::Result<SamlAssertionData, SamlError>& r, SamlProblem p) {
  ASSERT_FALSE(r.has_value()) << "accepted; name_id=" << r->name_id;
  EXPECT_EQ(to_string(r.error().problem), to_string(p)) << r.error().detail;
}

void expect_alice(const SamlAssertionData& d) {
  EXPECT_EQ(d.issuer, "https://idp.example.com/saml");
  EXPECT_EQ(d.name_id, "alice@example.com");
  EXPECT_EQ(d.name_id_format, "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent");
  EXPECT_EQ(d.recipient, "https://signin.aws.amazon.com/saml");
  EXPECT_EQ(d.subject_not_on_or_after, kIssueInstant + 300);
  EXPECT_EQ(d.not_before, kIssueInstant);
  EXPECT_EQ(d.not_on_or_after, kIssueInstant + 300);
  EXPECT_EQ(d.audiences, std::vector<std::string>{"urn:amazon:webservices"});
  EXPECT_EQ(d.session_not_on_or_after, kIssueInstant + 7200);
  EXPECT_EQ(d.status_code, "urn:oasis:names:tc:SAML:2.0:status:Success");
  ASSERT_EQ(d.attributes.size(), 3u);
  EXPECT_EQ(d.attributes[0].name, kRoleAttr);
  EXPECT_EQ(d.attributes[0].values, std::vector<std::string>{kRoleValue});
  EXPECT_EQ(d.attributes[1].values, std::vector<std::string>{"alice"});
  EXPECT_EQ(d.attributes[2].values, (std::vector<std::string>{"eng", "ops"}));
}

// ------------------------------------------------------------ round trips ----

TEST(SamlRoundTrip, AssertionSigned) {
  const std::string xml = mint_xml();
  EXPECT_NE(xml.find("rsa-sha256"), std::string::npos);
  auto r = verify_xml(xml);
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  expect_alice(*r);
  EXPECT_TRUE(r->assertion_signed);
  EXPECT_FALSE(r->response_signed);
  EXPECT_EQ(r->assertion_id, attr_value(extract(xml, "saml:Assertion"), "ID"));
}

TEST(SamlRoundTrip, ResponseSignedOnly) {
  auto s = spec();
  s.sign_assertion = false;
  s.sign_response = true;
  auto r = verify_xml(mint_xml(s));
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  expect_alice(*r);
  EXPECT_TRUE(r->response_signed);
  EXPECT_FALSE(r->assertion_signed);
}

TEST(SamlRoundTrip, BothSigned) {
  auto s = spec();
  s.sign_response = true;
  const std::string xml = mint_xml(s);
  auto r = verify_xml(xml);
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  expect_alice(*r);
  EXPECT_TRUE(r->response_signed);
  EXPECT_TRUE(r->assertion_signed);
}

TEST(SamlRoundTrip, Sha1) {
  auto s = spec();
  s.digest = "sha1";
  s.sign_response = true;
  const std::string xml = mint_xml(s);
  EXPECT_NE(xml.find("http://www.w3.org/2000/09/xmldsig#rsa-sha1"), std::string::npos);
  EXPECT_NE(xml.find("http://www.w3.org/2000/09/xmldsig#sha1"), std::string::npos);
  auto r = verify_xml(xml);
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  expect_alice(*r);
}

TEST(SamlRoundTrip, UnknownDigestIsRefused) {
  auto s = spec();
  s.digest = "md5";
  EXPECT_FALSE(idp().mint_response_base64(s).has_value());
}

TEST(SamlRoundTrip, ValuesNeedingEscapesSurvive) {
  auto s = spec();
  s.name_id = "O'Brien & <Sons> \"quoted\"";
  s.attributes = {{"a&b", {"x\ny", "  padded  "}}};
  auto r = verify_xml(mint_xml(s));
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  EXPECT_EQ(r->name_id, s.name_id);
  ASSERT_EQ(r->attributes.size(), 1u);
  EXPECT_EQ(r->attributes[0].name, "a&b");
  // Values are trimmed of surrounding XML whitespace (documented).
  EXPECT_EQ(r->attributes[0].values, (std::vector<std::string>{"x\ny", "padded"}));
}

TEST(SamlRoundTrip, ControlCharactersCannotBeMinted) {
  auto s = spec();
  s.name_id = std::string("a\x01" "b");
  EXPECT_FALSE(idp().mint_response_base64(s).has_value());
}

TEST(SamlRoundTrip, Base64WithLineBreaksIsAccepted) {
  auto b64 = idp().mint_response_base64(spec());
  ASSERT_TRUE(b64.has_value());
  std::string wrapped;
  for (std::size_t i = 0; i < b64->size(); i += 76) wrapped += b64->substr(i, 76) + "\r\n";
  auto r = verify_saml_response(wrapped, trusted());
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  EXPECT_EQ(r->name_id, "alice@example.com");
}

TEST(SamlRoundTrip, KeyInfoIsNotNeeded) {
  // KeyInfo lies outside SignedInfo; we never use it as a key anyway.
  auto r = verify_xml(remove(mint_xml(), "ds:KeyInfo"));
  ASSERT_TRUE(r.has_value()) << r.error().detail;
}

TEST(SamlRoundTrip, AnyTrustedCertificateMayHaveSigned) {
  auto r = verify_xml(mint_xml(), {evil_idp().certificate_der(), idp().certificate_der()});
  ASSERT_TRUE(r.has_value()) << r.error().detail;
}

TEST(SamlRoundTrip, ConcurrentMintAndVerify) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&ok, t] {
      for (int i = 0; i < 5; ++i) {
        auto s = spec();
        s.name_id = "user" + std::to_string(t * 100 + i);
        s.sign_response = (i % 2) == 0;
        auto b64 = idp().mint_response_base64(s);
        if (!b64) continue;
        auto r = verify_saml_response(*b64, trusted());
        if (r && r->name_id == s.name_id) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 20);
}

// --------------------------------------------------------------- metadata ----

TEST(SamlMetadataTest, RoundTrip) {
  const std::string xml = idp().metadata_xml("https://stsd.local/_stsd/saml/response");
  EXPECT_NE(xml.find("use=\"signing\""), std::string::npos);
  EXPECT_NE(xml.find("Location=\"https://stsd.local/_stsd/saml/response\""), std::string::npos);
  auto m = parse_saml_metadata(xml);
  ASSERT_TRUE(m.has_value()) << m.error();
  EXPECT_EQ(m->entity_id, "https://idp.example.com/saml");
  ASSERT_EQ(m->signing_certificates_der.size(), 1u);
  EXPECT_EQ(m->signing_certificates_der[0], idp().certificate_der());
  // The metadata certificate is what verification trusts.
  EXPECT_TRUE(verify_xml(mint_xml(), m->signing_certificates_der).has_value());
}

TEST(SamlMetadataTest, KeyDescriptorUseAndWrapping) {
  const std::string cert = crypto::base64_encode(idp().certificate_der());
  const std::string other = crypto::base64_encode(evil_idp().certificate_der());
  const std::string xml =
      "<md:EntitiesDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\">"
      "<md:EntityDescriptor entityID=\" urn:idp \"><md:IDPSSODescriptor protocolSupportEnumeration=\"x\">"
      "<md:KeyDescriptor use=\"encryption\"><KeyInfo xmlns=\"http://www.w3.org/2000/09/xmldsig#\"><X509Data>"
      "<X509Certificate>" + other + "</X509Certificate></X509Data></KeyInfo></md:KeyDescriptor>"
      "<md:KeyDescriptor><KeyInfo xmlns=\"http://www.w3.org/2000/09/xmldsig#\"><X509Data>"
      "<X509Certificate>\n" + cert.substr(0, 40) + "\n" + cert.substr(40) + "\n</X509Certificate>"
      "</X509Data></KeyInfo></md:KeyDescriptor>"
      "</md:IDPSSODescriptor></md:EntityDescriptor></md:EntitiesDescriptor>";
  auto m = parse_saml_metadata(xml);
  ASSERT_TRUE(m.has_value()) << m.error();
  EXPECT_EQ(m->entity_id, "urn:idp");
  ASSERT_EQ(m->signing_certificates_der.size(), 1u);
  EXPECT_EQ(m->signing_certificates_der[0], idp().certificate_der());
}

TEST(SamlMetadataTest, Refusals) {
  const std::string good = idp().metadata_xml();
  EXPECT_FALSE(parse_saml_metadata("not xml").has_value());
  EXPECT_FALSE(parse_saml_metadata("<x/>").has_value());
  EXPECT_FALSE(parse_saml_metadata(
                   "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" entityID=\"e\">"
                   "<md:SPSSODescriptor/></md:EntityDescriptor>")
                   .has_value());
  EXPECT_FALSE(parse_saml_metadata(replace_once(good, "use=\"signing\"", "use=\"encryption\"")).has_value());
  EXPECT_FALSE(parse_saml_metadata(replace_once(good, "entityID=\"", "entityid=\"")).has_value());
  const std::string cert = crypto::base64_encode(idp().certificate_der());
  EXPECT_FALSE(parse_saml_metadata(replace_once(good, cert, crypto::base64_encode("not a certificate"))).has_value());
  EXPECT_FALSE(parse_saml_metadata("<!DOCTYPE x [<!ENTITY e \"v\">]>" + good.substr(good.find('\n') + 1)).has_value());
}

// ------------------------------------------------------- keys & tampering ----

TEST(SamlAttack, SignedByAnotherKeyIsUntrusted) {
  expect_problem(verify_xml(mint_xml(evil_idp(), spec())), SamlProblem::UntrustedKey);
}

TEST(SamlAttack, ResignedWithAnotherKeyClaimingTheTrustedCertificate) {
  // An attacker edits the assertion, re-signs it with their own key and
  // pastes the trusted certificate into KeyInfo: KeyInfo is never a key.
  auto s = spec();
  s.name_id = "admin@example.com";
  std::string xml = mint_xml(evil_idp(), s);
  xml = replace_once(xml, extract(xml, "ds:X509Certificate"),
                     "<ds:X509Certificate>" + crypto::base64_encode(idp().certificate_der()) +
                         "</ds:X509Certificate>");
  expect_problem(verify_xml(xml), SamlProblem::BadSignature);
}

TEST(SamlAttack, NoTrustedCertificates) {
  expect_problem(verify_xml(mint_xml(), {}), SamlProblem::UntrustedKey);
}

TEST(SamlAttack, TamperedNameIdAfterSigning) {
  const std::string xml = replace_once(mint_xml(), ">alice@example.com<", ">admin@example.com<");
  expect_problem(verify_xml(xml), SamlProblem::BadSignature);
}

TEST(SamlAttack, TamperedAttributeUnderResponseSignature) {
  auto s = spec();
  s.sign_assertion = false;
  s.sign_response = true;
  const std::string xml = replace_once(mint_xml(s), "role/SamlRole", "role/Admin");
  expect_problem(verify_xml(xml), SamlProblem::BadSignature);
}

TEST(SamlAttack, TamperedAssertionUnderBothSignatures) {
  auto s = spec();
  s.sign_response = true;
  const std::string xml = replace_once(mint_xml(s), "NotOnOrAfter=\"", "NotOnOrAfter=\"2");
  auto r = verify_xml(xml);
  ASSERT_FALSE(r.has_value());
}

TEST(SamlAttack, TamperedSignatureValue) {
  std::string xml = mint_xml();
  const std::size_t at = xml.find("<ds:SignatureValue>") + std::string("<ds:SignatureValue>").size() + 10;
  xml[at] = xml[at] == 'A' ? 'B' : 'A';
  expect_problem(verify_xml(xml), SamlProblem::BadSignature);
}

TEST(SamlAttack, UnsignedResponse) {
  auto s = spec();
  s.sign_assertion = false;
  expect_problem(verify_xml(mint_xml(s)), SamlProblem::NotSigned);
}

TEST(SamlAttack, SignatureOnlyCountsAsDirectChild) {
  // The assertion's Signature moved into Response/Extensions signs nothing.
  std::string xml = mint_xml();
  const std::string sig = extract(xml, "ds:Signature");
  xml = remove(xml, "ds:Signature");
  xml = replace_once(xml, "<samlp:Status>", "<samlp:Extensions>" + sig + "</samlp:Extensions><samlp:Status>");
  expect_problem(verify_xml(xml), SamlProblem::NotSigned);
}

// ------------------------------------------------------ signature wrapping ----

TEST(SamlWrapping, SignedAssertionMovedIntoExtensions) {
  // XSW: the genuine signed assertion hides in Extensions; an unsigned evil
  // assertion (other ID) sits where the SP reads.
  const std::string xml = mint_xml();
  const std::string genuine = extract(xml, "saml:Assertion");
  std::string evil = remove(genuine, "ds:Signature");
  evil = replace_once(evil, ">alice@example.com<", ">admin@example.com<");
  evil = replace_once(evil, attr_value(genuine, "ID"), "_evil");
  std::string attacked = replace_once(xml, genuine, evil);
  attacked = replace_once(attacked, "<samlp:Status>",
                          "<samlp:Extensions>" + genuine + "</samlp:Extensions><samlp:Status>");
  expect_problem(verify_xml(attacked), SamlProblem::Malformed);
}

TEST(SamlWrapping, EvilAssertionCarriesGenuineSignatureWithGenuineInsideObject) {
  // XSW variant: the evil assertion keeps the genuine Signature, and the
  // genuine assertion (which that Signature references) is wrapped in a
  // ds:Object inside it.
  const std::string xml = mint_xml();
  const std::string genuine = extract(xml, "saml:Assertion");
  const std::string sig = extract(genuine, "ds:Signature");
  std::string evil = replace_once(genuine, ">alice@example.com<", ">admin@example.com<");
  evil = replace_once(evil, "ID=\"" + attr_value(genuine, "ID"), "ID=\"_evil");
  const std::string wrapped_sig =
      replace_once(sig, "</ds:Signature>", "<ds:Object>" + genuine + "</ds:Object></ds:Signature>");
  evil = replace_once(evil, sig, wrapped_sig);
  expect_problem(verify_xml(replace_once(xml, genuine, evil)), SamlProblem::Malformed);
}

TEST(SamlWrapping, EvilAssertionWithTheSameId) {
  const std::string xml = mint_xml();
  const std::string genuine = extract(xml, "saml:Assertion");
  std::string evil = remove(genuine, "ds:Signature");
  evil = replace_once(evil, ">alice@example.com<", ">admin@example.com<");
  const std::string attacked =
      replace_once(xml, genuine, evil + "<samlp:Extensions>" + genuine + "</samlp:Extensions>");
  auto r = verify_xml(attacked);
  expect_problem(r, SamlProblem::Malformed);
}

TEST(SamlWrapping, DuplicateIdOnAnyElement) {
  // Only one assertion, but another element claims the assertion's ID.
  const std::string xml = mint_xml();
  const std::string id = attr_value(extract(xml, "saml:Assertion"), "ID");
  auto r = verify_xml(replace_once(xml, "<samlp:Status>", "<samlp:Status ID=\"" + id + "\">"));
  expect_problem(r, SamlProblem::Malformed);
  EXPECT_NE(r.error().detail.find("duplicate ID"), std::string::npos) << r.error().detail;
  // xml:id is registered by libxml2 itself: a clash is refused too.
  expect_problem(verify_xml(replace_once(xml, "<samlp:Status>", "<samlp:Status xml:id=\"" + id + "\">")),
                 SamlProblem::Malformed);
}

TEST(SamlWrapping, ResponseAndAssertionShareAnId) {
  auto s = spec();
  s.sign_assertion = false;
  s.sign_response = true;
  const std::string xml = mint_xml(s);
  const std::string rid = attr_value(xml.substr(xml.find("<samlp:Response")), "ID");
  const std::string aid = attr_value(extract(xml, "saml:Assertion"), "ID");
  expect_problem(verify_xml(replace_once(xml, "ID=\"" + aid, "ID=\"" + rid)), SamlProblem::Malformed);
}

TEST(SamlWrapping, ReferenceUriPointingElsewhere) {
  // The assertion's signature must reference the assertion itself.
  auto s = spec();
  const std::string xml = mint_xml(s);
  const std::string rid = attr_value(xml.substr(xml.find("<samlp:Response")), "ID");
  const std::string aid = attr_value(extract(xml, "saml:Assertion"), "ID");
  auto r = verify_xml(replace_once(xml, "URI=\"#" + aid + "\"", "URI=\"#" + rid + "\""));
  expect_problem(r, SamlProblem::BadSignature);
  EXPECT_NE(r.error().detail.find("Reference URI"), std::string::npos) << r.error().detail;
  // The empty URI (the whole document) and XPointer forms are refused too.
  expect_problem(verify_xml(replace_once(xml, "URI=\"#" + aid + "\"", "URI=\"\"")), SamlProblem::BadSignature);
  expect_problem(verify_xml(replace_once(xml, "URI=\"#" + aid + "\"", "URI=\"#xpointer(id('" + aid + "'))\"")),
                 SamlProblem::BadSignature);
}

TEST(SamlWrapping, SecondReferenceIsRefused) {
  const std::string xml = mint_xml();
  const std::string ref = extract(xml, "ds:Reference");
  expect_problem(verify_xml(replace_once(xml, ref, ref + ref)), SamlProblem::BadSignature);
}

TEST(SamlWrapping, DisallowedTransformIsRefused) {
  const std::string xml = mint_xml();
  auto r = verify_xml(replace_once(xml, "Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"",
                                   "Algorithm=\"http://www.w3.org/TR/1999/REC-xslt-19991116\""));
  expect_problem(r, SamlProblem::BadSignature);
}

TEST(SamlWrapping, TwoAssertions) {
  const std::string xml = mint_xml();
  const std::string genuine = extract(xml, "saml:Assertion");
  std::string second = replace_once(genuine, "ID=\"" + attr_value(genuine, "ID"), "ID=\"_second");
  expect_problem(verify_xml(replace_once(xml, "</samlp:Response>", second + "</samlp:Response>")),
                 SamlProblem::Malformed);
}

TEST(SamlWrapping, AssertionAddedToSignedResponse) {
  auto s = spec();
  s.sign_assertion = false;
  s.sign_response = true;
  const std::string xml = mint_xml(s);
  std::string evil = extract(xml, "saml:Assertion");
  evil = replace_once(evil, "ID=\"" + attr_value(evil, "ID"), "ID=\"_evil");
  auto r = verify_xml(replace_once(xml, "<samlp:Status>", evil + "<samlp:Status>"));
  ASSERT_FALSE(r.has_value());
}

TEST(SamlWrapping, TwoSignaturesOnOneElement) {
  const std::string xml = mint_xml();
  const std::string sig = extract(xml, "ds:Signature");
  expect_problem(verify_xml(replace_once(xml, sig, sig + sig)), SamlProblem::Malformed);
}

// ------------------------------------------------------ comment injection ----

TEST(SamlCommentInjection, NameIdReadsAsTheSignedWhole) {
  // The IdP signed "user@user.com.evil.com"; exclusive c14n drops comments,
  // so the signature still verifies after "<!---->" is inserted. We read the
  // whole text (what was signed), never just the first text node.
  auto s = spec();
  s.name_id = "user@user.com.evil.com";
  s.attributes = {{"https://aws.amazon.com/SAML/Attributes/RoleSessionName", {"user@user.com.evil.com"}}};
  std::string xml = mint_xml(s);
  xml = replace_once(xml, ">user@user.com.evil.com</saml:NameID>", ">user@user.com<!---->.evil.com</saml:NameID>");
  xml = replace_once(xml, ">user@user.com.evil.com</saml:AttributeValue>",
                     ">user@user.com<!-- x -->.evil.com</saml:AttributeValue>");
  auto r = verify_xml(xml);
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  EXPECT_EQ(r->name_id, "user@user.com.evil.com");
  ASSERT_EQ(r->attributes.size(), 1u);
  EXPECT_EQ(r->attributes[0].values, std::vector<std::string>{"user@user.com.evil.com"});
  // Processing instructions, unlike comments, are signed: inserting one breaks the signature.
  expect_problem(verify_xml(replace_once(xml, "<!---->", "<?pi x?>")), SamlProblem::BadSignature);
}

TEST(SamlCommentInjection, CdataIsPartOfTheValue) {
  auto s = spec();
  s.name_id = "user@user.com.evil.com";
  std::string xml = mint_xml(s);
  xml = replace_once(xml, ">user@user.com.evil.com<", "><![CDATA[user@user.com]]>.evil.com<");
  auto r = verify_xml(xml);
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  EXPECT_EQ(r->name_id, "user@user.com.evil.com");
}

// ----------------------------------------------------------- parse hygiene ----

TEST(SamlParsing, EntityBombIsRefusedFast) {
  std::string bomb = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">";
  std::string prev = "lol";
  for (int i = 1; i <= 9; ++i) {
    const std::string name = "lol" + std::to_string(i);
    bomb += "<!ENTITY " + name + " \"";
    for (int k = 0; k < 10; ++k) bomb += "&" + prev + ";";
    bomb += "\">";
    prev = name;
  }
  bomb += "]><samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\">&lol9;</samlp:Response>";
  const auto start = std::chrono::steady_clock::now();
  auto r = verify_xml(bomb);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  expect_problem(r, SamlProblem::Malformed);
  EXPECT_NE(r.error().detail.find("DOCTYPE"), std::string::npos) << r.error().detail;
  EXPECT_LT(elapsed, std::chrono::seconds(5));  // an expanding bomb takes minutes; slack for loaded CI
}

TEST(SamlParsing, ExternalEntityIsRefused) {
  const std::string xxe =
      "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
      "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\">&x;</samlp:Response>";
  expect_problem(verify_xml(xxe), SamlProblem::Malformed);
  // A DOCTYPE on an otherwise genuine signed response is refused as well.
  std::string xml = mint_xml();
  xml = replace_once(xml, "<samlp:Response", "<!DOCTYPE samlp:Response><samlp:Response");
  expect_problem(verify_xml(xml), SamlProblem::Malformed);
}

TEST(SamlParsing, GarbageIsMalformed) {
  expect_problem(verify_saml_response("%%% not base64 %%%", trusted()), SamlProblem::Malformed);
  expect_problem(verify_saml_response("", trusted()), SamlProblem::Malformed);
  expect_problem(verify_xml("definitely not xml"), SamlProblem::Malformed);
  expect_problem(verify_xml("<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\">"),
                 SamlProblem::Malformed);
  // Right name, wrong namespace.
  expect_problem(verify_xml("<Response ID=\"_a\"/>"), SamlProblem::Malformed);
  expect_problem(verify_xml("<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" ID=\"_r\"/>"),
                 SamlProblem::Malformed);
  expect_problem(verify_saml_response(std::string(kMaxSamlResponseBase64Size + 4, 'A'), trusted()),
                 SamlProblem::Malformed);
}

TEST(SamlParsing, EncryptedAssertionIsUnsupported) {
  const std::string xml =
      "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" "
      "xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_r\" Version=\"2.0\">"
      "<saml:Issuer>https://idp.example.com/saml</saml:Issuer>"
      "<saml:EncryptedAssertion><xenc:EncryptedData xmlns:xenc=\"http://www.w3.org/2001/04/xmlenc#\"/>"
      "</saml:EncryptedAssertion></samlp:Response>";
  expect_problem(verify_xml(xml), SamlProblem::Encrypted);
}

TEST(SamlParsing, BadIdIsMalformed) {
  const std::string xml = mint_xml();
  const std::string aid = attr_value(extract(xml, "saml:Assertion"), "ID");
  expect_problem(verify_xml(replace_once(xml, "ID=\"" + aid + "\"", "ID=\"1abc\"")), SamlProblem::Malformed);
}

TEST(SamlInstant, Formats) {
  EXPECT_EQ(stsd::parse_xs_datetime("2023-11-14T22:13:20Z"), 1700000000);
  EXPECT_EQ(stsd::parse_xs_datetime("2023-11-14T22:13:20.999Z"), 1700000000);
  EXPECT_EQ(stsd::parse_xs_datetime("2023-11-14T22:13:20"), 1700000000);
  EXPECT_EQ(stsd::parse_xs_datetime("2023-11-14T23:13:20+01:00"), 1700000000);
  EXPECT_EQ(stsd::parse_xs_datetime("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(stsd::parse_xs_datetime("2024-02-29T00:00:00Z"), 1709164800);
  EXPECT_FALSE(stsd::parse_xs_datetime("2023-02-29T00:00:00Z"));
  EXPECT_FALSE(stsd::parse_xs_datetime("2023-11-14T24:00:00Z"));
  EXPECT_FALSE(stsd::parse_xs_datetime("2023-11-14T22:13:60Z"));
  EXPECT_FALSE(stsd::parse_xs_datetime("2023-11-14 22:13:20Z"));
  EXPECT_FALSE(stsd::parse_xs_datetime("2023-11-14T22:13:20.Z"));
  EXPECT_FALSE(stsd::parse_xs_datetime("2023-11-14T22:13:20ZZ"));
  EXPECT_FALSE(stsd::parse_xs_datetime(""));
}

// Issue 11 item 15: an assertion without NotOnOrAfter was good forever. AWS
// requires SubjectConfirmationData/@NotOnOrAfter; the earlier bound wins.
TEST(SamlExpiry, NeedsTheSubjectConfirmationDataNotOnOrAfter) {
  SamlAssertionData d;
  EXPECT_EQ(saml_assertion_expiry(d), std::nullopt);
  d.not_on_or_after = kIssueInstant + 600;  // Conditions alone is not enough
  EXPECT_EQ(saml_assertion_expiry(d), std::nullopt);
  d.subject_not_on_or_after = kIssueInstant + 300;
  EXPECT_EQ(saml_assertion_expiry(d), kIssueInstant + 300);
  d.subject_not_on_or_after = kIssueInstant + 900;
  EXPECT_EQ(saml_assertion_expiry(d), kIssueInstant + 600);
  d.not_on_or_after.reset();
  EXPECT_EQ(saml_assertion_expiry(d), kIssueInstant + 900);
  // What the built-in IdP mints carries it, and verification reads it.
  auto minted = verify_saml_response(*idp().mint_response_base64(spec()), trusted());
  ASSERT_TRUE(minted.has_value()) << minted.error().detail;
  EXPECT_EQ(saml_assertion_expiry(*minted), kIssueInstant + 300);
}

// Issue 11 item 15: "3600abc" was read as 3600 (std::stoll).
TEST(SamlSessionDuration, DigitsOnly) {
  EXPECT_EQ(parse_saml_session_duration("3600"), 3600);
  EXPECT_EQ(parse_saml_session_duration("0900"), 900);
  EXPECT_EQ(parse_saml_session_duration("43200"), 43200);
  EXPECT_EQ(parse_saml_session_duration("999999999"), 999999999);
  for (std::string_view bad : {"", "3600abc", "abc", "+3600", "-3600", "36e2", "3600.0", " 3600", "3600 ", "0x10",
                               "1000000000", "99999999999999999999", "３６００"})
    EXPECT_EQ(parse_saml_session_duration(bad), std::nullopt) << bad;
}

// ---------------------------------------------- xmlsec1 / openssl CLI interop ----

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("stsd-saml-" + crypto::hex_encode(crypto::random_bytes(8)));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

bool have_tool(const char* name) {
  return std::system((std::string("command -v ") + name + " >/dev/null 2>&1").c_str()) == 0;
}
int run(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()); }
std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}
void write_file(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

TEST(SamlInterop, XmlsecCommandLineSignsWeVerify) {
  if (!have_tool("xmlsec1") || !have_tool("openssl")) GTEST_SKIP() << "xmlsec1 or openssl binary not installed";
  TempDir dir;
  const auto key = dir.path / "key.pem";
  const auto cert = dir.path / "cert.pem";
  const auto der = dir.path / "cert.der";
  ASSERT_EQ(run("openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 2 -subj /CN=cli-idp -keyout " +
                key.string() + " -out " + cert.string()),
            0);
  ASSERT_EQ(run("openssl x509 -in " + cert.string() + " -outform DER -out " + der.string()), 0);
  // A hand-written template (pretty-printed, fractional-second times, the
  // dsig namespace declared as default) as a third-party IdP would emit.
  const std::string tmpl = R"(<?xml version="1.0" encoding="UTF-8"?>
<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_resp1" Version="2.0" IssueInstant="2024-01-01T00:00:00.123Z">
  <saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">https://cli-idp.example</saml:Issuer>
  <samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
  <saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_assert1" Version="2.0" IssueInstant="2024-01-01T00:00:00.123Z">
    <saml:Issuer>https://cli-idp.example</saml:Issuer>
    <Signature xmlns="http://www.w3.org/2000/09/xmldsig#">
      <SignedInfo>
        <CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
        <SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>
        <Reference URI="#_assert1">
          <Transforms>
            <Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>
            <Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
          </Transforms>
          <DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
          <DigestValue/>
        </Reference>
      </SignedInfo>
      <SignatureValue/>
      <KeyInfo><X509Data><X509Certificate/></X509Data></KeyInfo>
    </Signature>
    <saml:Subject>
      <saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:transient">
        cli-user
      </saml:NameID>
      <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
        <saml:SubjectConfirmationData NotOnOrAfter="2024-01-01T00:05:00.5Z" Recipient="https://signin.aws.amazon.com/saml"/>
      </saml:SubjectConfirmation>
    </saml:Subject>
    <saml:Conditions NotBefore="2024-01-01T00:00:00Z" NotOnOrAfter="2024-01-01T00:05:00Z">
      <saml:AudienceRestriction><saml:Audience>urn:amazon:webservices</saml:Audience></saml:AudienceRestriction>
    </saml:Conditions>
    <saml:AttributeStatement>
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName">
        <saml:AttributeValue>cli-user</saml:AttributeValue>
      </saml:Attribute>
    </saml:AttributeStatement>
  </saml:Assertion>
</samlp:Response>
)";
  write_file(dir.path / "tmpl.xml", tmpl);
  const auto signed_path = dir.path / "signed.xml";
  ASSERT_EQ(run("xmlsec1 --sign --privkey-pem " + key.string() + "," + cert.string() +
                " --id-attr:ID urn:oasis:names:tc:SAML:2.0:assertion:Assertion --output " + signed_path.string() +
                " " + (dir.path / "tmpl.xml").string()),
            0);
  const std::string signed_xml = read_file(signed_path);
  ASSERT_NE(signed_xml.find("<SignatureValue>"), std::string::npos);

  const std::string cert_der = read_file(der);
  auto r = verify_xml(signed_xml, {cert_der});
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  EXPECT_TRUE(r->assertion_signed);
  EXPECT_EQ(r->issuer, "https://cli-idp.example");
  EXPECT_EQ(r->name_id, "cli-user");
  EXPECT_EQ(r->name_id_format, "urn:oasis:names:tc:SAML:2.0:nameid-format:transient");
  EXPECT_EQ(r->not_before, stsd::parse_xs_datetime("2024-01-01T00:00:00Z"));
  EXPECT_EQ(r->subject_not_on_or_after, stsd::parse_xs_datetime("2024-01-01T00:05:00Z"));
  EXPECT_EQ(r->audiences, std::vector<std::string>{"urn:amazon:webservices"});
  ASSERT_EQ(r->attributes.size(), 1u);
  EXPECT_EQ(r->attributes[0].values, std::vector<std::string>{"cli-user"});

  // Not trusted: our own IdP's certificate.
  expect_problem(verify_xml(signed_xml, trusted()), SamlProblem::UntrustedKey);
  // A one-character edit inside the signed assertion.
  expect_problem(verify_xml(replace_once(signed_xml, "cli-user\n", "cli-usex\n"), {cert_der}),
                 SamlProblem::BadSignature);

  // The same key and certificate as a configured IdP: xmlsec1 accepts what we mint.
  auto configured = SamlIdentityProvider::from_pem("https://cli-idp.example", read_file(key), read_file(cert));
  ASSERT_TRUE(configured.has_value()) << configured.error();
  EXPECT_EQ(configured->certificate_der(), cert_der);
  auto s = spec();
  s.sign_response = true;
  write_file(dir.path / "minted.xml", mint_xml(*configured, s));
  EXPECT_EQ(run("xmlsec1 --verify --pubkey-cert-pem " + cert.string() +
                " --id-attr:ID urn:oasis:names:tc:SAML:2.0:protocol:Response"
                " --node-xpath \"/*[local-name()='Response']/*[local-name()='Signature']\" " +
                (dir.path / "minted.xml").string()),
            0);
  EXPECT_EQ(run("xmlsec1 --verify --pubkey-cert-pem " + cert.string() +
                " --id-attr:ID urn:oasis:names:tc:SAML:2.0:assertion:Assertion"
                " --node-xpath \"//*[local-name()='Assertion']/*[local-name()='Signature']\" " +
                (dir.path / "minted.xml").string()),
            0);
  // And from_pem refuses a certificate that does not match the key.
  EXPECT_FALSE(SamlIdentityProvider::from_pem("x", read_file(key), idp().certificate_pem()).has_value());
}

TEST(SamlIdentity, CertificatePemMatchesDer) {
  const std::string pem = idp().certificate_pem();
  ASSERT_EQ(pem.rfind("-----BEGIN CERTIFICATE-----\n", 0), 0u);
  std::string body = pem.substr(28, pem.find("-----END") - 28);
  std::string compact;
  for (char c : body) if (c != '\n') compact += c;
  EXPECT_EQ(crypto::base64_decode(compact), idp().certificate_der());
  EXPECT_NE(idp().certificate_der(), evil_idp().certificate_der());
}

}  // namespace
