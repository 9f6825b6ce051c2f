#pragma once
// SAML 2.0 Response verification for AssumeRoleWithSAML: verify a base64
// <samlp:Response> against the SAML provider's metadata certificates. This
// is the SAML code that reads untrusted input (with saml_metadata.h, which
// reads the operator's). XML Signature is done by xmlsec1 (OpenSSL backend)
// over libxml2 trees: no home-made canonicaliser.
//
// Only protocol facts are checked here (well-formedness, structure,
// signatures, which element each signature covers). Audience, Recipient and
// the time windows are the caller's, because AWS words those errors itself.
//
// Thread safety: every function may be called concurrently; each call parses
// its own document and uses its own xmlsec contexts and keys. Nothing here
// throws.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stsd/common/result.h"

namespace stsd::domain::federation {

inline constexpr std::string_view kSamlProtocolNs = "urn:oasis:names:tc:SAML:2.0:protocol";
inline constexpr std::string_view kSamlAssertionNs = "urn:oasis:names:tc:SAML:2.0:assertion";
inline constexpr std::string_view kSamlMetadataNs = "urn:oasis:names:tc:SAML:2.0:metadata";
inline constexpr std::string_view kSamlNameIdFormatPrefix = "urn:oasis:names:tc:SAML:2.0:nameid-format:";
inline constexpr std::string_view kSamlStatusSuccess = "urn:oasis:names:tc:SAML:2.0:status:Success";
inline constexpr std::string_view kAwsSamlRecipient = "https://signin.aws.amazon.com/saml";
inline constexpr std::string_view kAwsSamlAudience = "urn:amazon:webservices";

// Responses larger than this are refused before parsing (AWS caps
// SAMLAssertion at 100000 characters).
inline constexpr std::size_t kMaxSamlResponseBase64Size = 1024 * 1024;

struct SamlAttribute {
  std::string name;                 // Attribute/@Name
  std::vector<std::string> values;  // AttributeValue texts, in document order
};

// What the signed Assertion says. Every field comes from an element a
// verified signature covers; string values have leading/trailing XML
// whitespace trimmed (pretty-printed IdP output would otherwise leak
// newlines into ARNs and names).
struct SamlAssertionData {
  std::string issuer;  // Assertion/Issuer; Response/Issuer only if the Response is signed
  std::string name_id, name_id_format;  // Subject/NameID and its @Format (may be empty)
  // The first bearer SubjectConfirmation's SubjectConfirmationData.
  std::string recipient;
  std::optional<std::int64_t> subject_not_on_or_after;  // epoch seconds
  // Conditions.
  std::optional<std::int64_t> not_before, not_on_or_after;
  // Every AudienceRestriction/Audience, flattened (SAML ANDs several
  // restrictions; AWS only asks that its audience is among them).
  std::vector<std::string> audiences;
  std::optional<std::int64_t> session_not_on_or_after;  // first AuthnStatement
  std::vector<SamlAttribute> attributes;                 // all AttributeStatements
  // Response/Status/StatusCode/@Value (top level). Covered by a signature
  // only when response_signed; an unsigned status proves nothing either way.
  std::string status_code;
  std::string response_id, assertion_id;
  bool response_signed = false, assertion_signed = false;
};

enum class SamlProblem {
  Malformed,     // not base64, not XML, DOCTYPE, wrong structure, duplicate IDs, bad times
  NotSigned,     // neither the Response nor the Assertion carries a Signature
  BadSignature,  // a Signature that does not verify, or does not cover exactly its parent
  UntrustedKey,  // the Signature names (KeyInfo) a certificate that is not trusted
  Encrypted,     // EncryptedAssertion/EncryptedID/EncryptedAttribute anywhere: unsupported (no decryption key)
};
struct SamlError {
  SamlProblem problem;
  std::string detail;  // for logs; never contains key material
};
std::string_view to_string(SamlProblem problem);

// When AWS stops accepting the assertion: the earlier of
// SubjectConfirmationData/@NotOnOrAfter and Conditions/@NotOnOrAfter.
// nullopt when SubjectConfirmationData has no NotOnOrAfter, which AWS
// requires ("exactly one SubjectConfirmation element with a
// SubjectConfirmationData element that includes both the NotOnOrAfter
// attribute and a Recipient attribute", IAM User Guide, "Configure SAML
// assertions for the authentication response"): without it an assertion
// would be good forever.
std::optional<std::int64_t> saml_assertion_expiry(const SamlAssertionData& data);

// The SessionDuration attribute's value: one to nine ASCII digits and
// nothing else ("3600abc", "+3600", "36e2", " 3600" give nullopt; the
// attribute text is already trimmed). Its range is the caller's.
std::optional<std::int64_t> parse_saml_session_duration(std::string_view text);

// base64_response: SAMLAssertion as sent (a base64 Response; whitespace and
// line breaks are ignored). trusted_certs_der: the provider's metadata
// signing certificates.
//
// Rules (they defeat signature wrapping: the data read is the data signed):
// - libxml2 parse without network, DTD or entity substitution; any DOCTYPE
//   is refused before its internal subset is read (no entity bombs).
// - The root is samlp:Response; the document holds exactly one
//   saml:Assertion anywhere and it is a direct child of the Response.
// - Only Response/@ID and Assertion/@ID are registered as XML IDs; they must
//   be NCNames, and no ID/Id/id/xml:id value may occur twice in the document.
// - A Signature counts only as a direct child of the Response or Assertion
//   (at most one each). It must have exactly one Reference, whose URI is
//   "#" + its parent's ID; reference transforms are limited to
//   enveloped-signature and exclusive c14n (with or without comments), the
//   SignedInfo c14n to exclusive c14n, and algorithms to RSA/ECDSA with
//   SHA-1/256/384/512. xmlsec verifies it with each trusted certificate's
//   public key in turn; KeyInfo is never used as a key.
// - Every signature present must verify; at least one must be present.
// - Text is the concatenation of an element's text and CDATA children:
//   comments (which exclusive c14n does not sign) are skipped, so
//   "a@b.com<!---->.evil.com" reads as "a@b.com.evil.com", which is what was
//   signed. A child element inside a text value is Malformed.
// - Times are xs:dateTime ("Z", no zone, or +hh:mm; fractions truncated).
Result<SamlAssertionData, SamlError> verify_saml_response(
    std::string_view base64_response, const std::vector<std::string>& trusted_certs_der);

}  // namespace stsd::domain::federation
