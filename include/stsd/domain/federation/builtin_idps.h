#pragma once
// stsd's own test identity providers (CONTRACT section 5): an OIDC issuer
// whose keys sign ID tokens minted by POST /_stsd/oidc/token and the tokens
// of GetWebIdentityToken, and a SAML IdP whose certificate signs responses
// minted by POST /_stsd/saml/response. Keys are made on first use, one per
// algorithm (RSA generation takes tens of milliseconds: start-up and servers
// that never federate must not pay for it), and live as long as the process.
#include <array>
#include <memory>
#include <mutex>
#include <string>

#include "stsd/domain/federation/jwt.h"
#include "stsd/domain/federation/saml.h"

namespace stsd::domain::federation {

// The algorithms the built-in issuer signs with, one key each.
inline constexpr std::array<JwtAlgorithm, 7> kBuiltinJwtAlgorithms = {
    JwtAlgorithm::RS256, JwtAlgorithm::RS384, JwtAlgorithm::RS512, JwtAlgorithm::PS256,
    JwtAlgorithm::ES256, JwtAlgorithm::ES384, JwtAlgorithm::ES512};

inline constexpr std::string_view kBuiltinSamlEntityId = "https://saml.stsd.local";

class BuiltinIdentityProviders {
 public:
  BuiltinIdentityProviders() = default;
  BuiltinIdentityProviders(const BuiltinIdentityProviders&) = delete;
  BuiltinIdentityProviders& operator=(const BuiltinIdentityProviders&) = delete;

  // nullptr: an algorithm the issuer has no key for.
  const JwtSigningKey* oidc_key(JwtAlgorithm alg) const;
  // The verification key of one algorithm as a JWK set; nullptr as above.
  const Jwks* oidc_jwks(JwtAlgorithm alg) const;
  // Every key, {"keys":[...]} (makes the ones not made yet).
  std::string oidc_jwks_json() const;
  const SamlIdentityProvider& saml() const;

 private:
  struct Slot {
    std::once_flag once;
    std::unique_ptr<const JwtSigningKey> key;
    std::unique_ptr<const Jwks> jwks;
  };
  const Slot* slot(JwtAlgorithm alg) const;

  mutable std::array<Slot, kBuiltinJwtAlgorithms.size()> slots_;
  mutable std::once_flag saml_once_;
  mutable std::unique_ptr<const SamlIdentityProvider> saml_;
};

}  // namespace stsd::domain::federation
