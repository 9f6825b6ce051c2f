#pragma once
// stsd's own test identity providers (README, "Federation without an outside
// identity provider"): an OIDC issuer
// whose keys sign ID tokens minted by POST /_stsd/oidc/token, the separate
// keys of GetWebIdentityToken's per-account issuers, and a SAML IdP whose certificate signs responses
// minted by POST /_stsd/saml/response. Keys are made on first use, one per
// algorithm (RSA generation takes tens of milliseconds: start-up and servers
// that never federate must not pay for it), and live as long as the process.
#include <array>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stsd/domain/federation/jwt_sign.h"
#include "stsd/domain/federation/jwt_verify.h"
#include "stsd/domain/federation/saml_idp.h"

namespace stsd::domain::federation {

// The algorithms the built-in issuer signs with, one key each.
inline constexpr std::array<JwtAlgorithm, 7> kBuiltinJwtAlgorithms = {
    JwtAlgorithm::RS256, JwtAlgorithm::RS384, JwtAlgorithm::RS512, JwtAlgorithm::PS256,
    JwtAlgorithm::ES256, JwtAlgorithm::ES384, JwtAlgorithm::ES512};

inline constexpr std::string_view kBuiltinSamlEntityId = "https://saml.stsd.local";

// GetWebIdentityToken's algorithms (AWS offers these two), one key each.
inline constexpr std::array<JwtAlgorithm, 2> kOutboundJwtAlgorithms = {JwtAlgorithm::RS256, JwtAlgorithm::ES384};

// The issuer of an account's GetWebIdentityToken tokens. AWS gives each
// account its own issuer, https://<uuid>.tokens.sts.global.api.aws
// (IAM EnableOutboundWebIdentityFederation / GetOutboundWebIdentityFederationInfo,
// IssuerIdentifier), with its discovery document and keys under it. stsd's
// has the same shape under a name of its own, https://<uuid>.tokens.sts.stsd.local,
// the uuid derived from the account id (stable across restarts, different per
// account), so it never names AWS's domain. Its documents are served at
// /_stsd/outbound/<account>/.well-known/openid-configuration and .../jwks.json.
std::string outbound_issuer_url(std::string_view account);

// "http://<host>" or, for a request that came over TLS, "https://<host>":
// where documents served by stsd point back to it (a discovery document's
// jwks_uri). host is the request's Host header, used only if it is a valid
// URI authority (RFC 3986 3.2.2, 3.2.3): a name of letters, digits, "-" and
// "." (so also an IPv4 address) or a bracketed IPv6 address of hex digits,
// ":" and ".", then optionally ":" and 1 to 5 digits; 255 characters at
// most. Anything else (empty, spaces, quotes, "/", "@", "?", controls...)
// gives nullopt, so a forged Host is never reflected into a document.
std::optional<std::string> self_base_url(std::string_view host, bool secure);

// An OpenID Provider metadata document (OpenID Connect Discovery 1.0 section
// 3) for an issuer whose keys are at jwks_uri, who signs with algorithms and
// whose tokens carry claims.
std::string oidc_discovery_json(std::string_view issuer, std::string_view jwks_uri,
                                const std::vector<JwtAlgorithm>& algorithms, const std::vector<std::string>& claims);

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

  // GetWebIdentityToken's keys: never the test issuer's, so an application
  // that trusts the test issuer does not accept outbound tokens, and the
  // other way round. Shared by every account's issuer (each token's iss
  // names its account). nullptr: not RS256 or ES384.
  const JwtSigningKey* outbound_key(JwtAlgorithm alg) const;
  std::string outbound_jwks_json() const;

 private:
  struct Slot {
    std::once_flag once;
    std::unique_ptr<const JwtSigningKey> key;
    std::unique_ptr<const Jwks> jwks;
  };
  template <std::size_t N>
  static const Slot* slot(const std::array<JwtAlgorithm, N>& algorithms, std::array<Slot, N>& slots,
                          JwtAlgorithm alg);
  const Slot* slot(JwtAlgorithm alg) const;

  mutable std::array<Slot, kBuiltinJwtAlgorithms.size()> slots_;
  mutable std::array<Slot, kOutboundJwtAlgorithms.size()> outbound_slots_;
  mutable std::once_flag saml_once_;
  mutable std::unique_ptr<const SamlIdentityProvider> saml_;
};

}  // namespace stsd::domain::federation
