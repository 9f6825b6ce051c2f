#pragma once
// stsd's built-in test SAML identity provider: mints signed Responses that
// AssumeRoleWithSAML accepts (test tooling; the verifier is saml_response.h).
// Immutable once built; every const member may be called concurrently.
// OpenSSL allocation failure while generating an identity aborts, as
// crypto::random_bytes does.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stsd/common/result.h"

#include "stsd/domain/federation/saml_response.h"

namespace stsd::domain::federation {

// --- Built-in test IdP -------------------------------------------------------

// A signing identity: an RSA private key and its X.509 certificate. Immutable
// once built; copies share nothing mutable.
class SamlIdentityProvider {
 public:
  // RSA 2048 key and a self-signed certificate (SHA-256, valid from one day
  // ago for ten years) made with OpenSSL 3 at start-up.
  static SamlIdentityProvider generate(std::string entity_id);
  // A configured identity (stable across restarts): an unencrypted private
  // key PEM and its certificate PEM, which must hold the matching public key.
  static Result<SamlIdentityProvider, std::string> from_pem(std::string entity_id,
                                                            std::string_view private_key_pem,
                                                            std::string_view certificate_pem);

  const std::string& entity_id() const { return entity_id_; }
  const std::string& certificate_der() const { return certificate_der_; }
  std::string certificate_pem() const;
  // md:EntityDescriptor with an IDPSSODescriptor, a KeyDescriptor
  // use="signing" carrying the certificate, the persistent and transient
  // NameIDFormats and an HTTP-POST SingleSignOnService at sso_location
  // (the entity id when empty): what CreateSAMLProvider accepts.
  std::string metadata_xml(std::string_view sso_location = {}) const;

  struct ResponseSpec {
    std::string name_id;
    std::string name_id_format = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";
    std::string recipient = std::string(kAwsSamlRecipient);  // also Response/@Destination
    std::string audience = std::string(kAwsSamlAudience);
    std::int64_t issue_instant = 0;       // epoch seconds; NotBefore too
    std::int64_t lifetime_seconds = 300;  // NotOnOrAfter = issue_instant + lifetime
    std::optional<std::int64_t> session_not_on_or_after;
    std::vector<SamlAttribute> attributes;  // AttributeValue xsi:type="xs:string"
    bool sign_assertion = true;
    bool sign_response = false;
    std::string digest = "sha256";  // "sha256" (rsa-sha256) or "sha1" (rsa-sha1)
  };
  // A samlp:Response with one Assertion, signed as the spec asks (both: the
  // Assertion first, so the Response signature covers it), serialised as
  // UTF-8 and base64-encoded as an IdP would POST it. With neither signature
  // the result is unsigned (for tests). Fails on a digest other than
  // "sha256"/"sha1", on values XML cannot carry (control characters, invalid
  // UTF-8), and if xmlsec fails (a broken installation).
  Result<std::string, std::string> mint_response_base64(const ResponseSpec& spec) const;

 private:
  SamlIdentityProvider() = default;
  std::string entity_id_;
  std::string private_key_pem_;  // loaded per mint: xmlsec consumes its key objects
  std::string certificate_der_;
};

}  // namespace stsd::domain::federation
