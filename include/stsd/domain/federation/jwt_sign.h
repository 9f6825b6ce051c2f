#pragma once
// Minting JSON Web Tokens (compact JWS, RFC 7515) for stsd's own issuers:
// the built-in test OIDC issuer and GetWebIdentityToken, and the JWKS that
// publishes their public keys. The verifier is jwt_verify.h.
//
// Thread safety: every const member may be called concurrently. Nothing here
// throws (key generation failure aborts, as crypto::random_bytes does).
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "stsd/common/result.h"
#include "stsd/domain/federation/jwt_algorithm.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, kept out of this header

namespace stsd::domain::federation {

// A private key that mints tokens (built-in OIDC issuer, GetWebIdentityToken).
class JwtSigningKey {
 public:
  // RSA 2048 for RS*/PS*, the matching curve for ES*. Aborts the process if
  // OpenSSL cannot generate a key (as crypto::random_bytes does).
  static JwtSigningKey generate(JwtAlgorithm alg);
  // An unencrypted private key PEM (PKCS#8 or traditional). It must suit alg:
  // RSA of 2048..8192 bits for RS*/PS*, the right curve for ES*.
  static Result<JwtSigningKey, std::string> from_pem(std::string_view pem, JwtAlgorithm alg);

  // RFC 7638 JWK thumbprint (base64url SHA-256 of the canonical public JWK):
  // stable across restarts for a configured key.
  const std::string& kid() const { return kid_; }
  JwtAlgorithm algorithm() const { return alg_; }
  // {"alg","kid","kty","use":"sig", "n","e" | "crv","x","y"}: public members only.
  const std::string& public_jwk_json() const { return public_jwk_json_; }
  // Compact JWS over claims_json (used byte for byte; must be a JSON object).
  // The header is header_extra_json's members (a JSON object, or empty) plus
  // "alg" and "kid" (always ours) and "typ":"JWT" unless the extra header sets
  // typ. Fails only on invalid JSON or an OpenSSL error.
  Result<std::string, std::string> sign(std::string_view header_extra_json,
                                        std::string_view claims_json) const;

 private:
  JwtSigningKey() = default;
  static Result<JwtSigningKey, std::string> from_pkey(std::shared_ptr<evp_pkey_st> pkey,
                                                      JwtAlgorithm alg);
  JwtAlgorithm alg_ = JwtAlgorithm::RS256;
  std::shared_ptr<evp_pkey_st> pkey_;
  std::string kid_;
  std::string public_jwk_json_;
};

// {"keys":[...]} of the given keys' public JWKs, for a /.well-known/jwks.json
// document. Null pointers are skipped.
std::string jwks_json(const std::vector<const JwtSigningKey*>& keys);

}  // namespace stsd::domain::federation
