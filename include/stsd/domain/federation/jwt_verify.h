#pragma once
// JSON Web Tokens for web-identity federation: parse and verify compact JWS
// (RFC 7515) against a JSON Web Key Set (RFC 7517). This is the JWT code
// that reads untrusted input (AssumeRoleWithWebIdentity's token, an OIDC
// provider's JWKS); minting tokens is jwt_sign.h.
//
// Thread safety: every const member and free function may be called
// concurrently (each operation uses its own OpenSSL contexts; keys are
// immutable and shared). Nothing here throws.
//
// Clients replay one token for as long as it lives, so each thread remembers
// its last successful parses (tokens up to 8 KB) and signature checks (by key,
// algorithm and exact bytes): a repeat costs a comparison, not JSON parsing
// and an RSA or ECDSA operation. Both are pure functions of what they are
// keyed by, so the answers are the same; only successes are remembered.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stsd/common/result.h"
#include "stsd/domain/federation/jwt_algorithm.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, kept out of this header

namespace stsd::domain::federation {

// AWS caps WebIdentityToken at 20000 characters; larger input is refused
// before any decoding.
inline constexpr std::size_t kMaxJwtSize = 20000;

// One usable public key of a JWKS.
struct JwksKey {
  enum class Type { RSA, EC };
  Type type;
  std::string kid;                     // may be empty
  std::optional<JwtAlgorithm> alg;     // the JWK's "alg", if it named one we support
  std::string curve;                   // EC only: "P-256", "P-384" or "P-521"
  std::shared_ptr<evp_pkey_st> pkey;   // public key, shared read-only
};

// The verification keys of a JSON Web Key Set ({"keys":[...]}).
// Kept: RSA (n, e; 2048..8192 bits) and EC (P-256/P-384/P-521, x, y).
// Silently skipped, as RFC 7517 section 5 allows: other "kty" (oct, OKP...),
// "use" other than "sig", "key_ops" without "verify", an "alg" we do not
// support, RSA keys under 2048 bits. Refused (parse error): text that is not
// a JSON object with a "keys" array, a key that is not an object, a supported
// key with missing or malformed members or an invalid EC point, and any key
// carrying private members ("d", "p", ...): publishing those is a leak the
// operator must hear about, not a detail to hide.
class Jwks {
 public:
  static Result<Jwks, std::string> parse(std::string_view json_text);

  std::size_t size() const { return keys_.size(); }
  const std::vector<JwksKey>& keys() const { return keys_; }

 private:
  std::vector<JwksKey> keys_;
};

struct JwtClaimSet;  // parsed claims (nlohmann::json), private to jwt_verify.cpp

// The session tags claim of AssumeRoleWithWebIdentity
// ("https://aws.amazon.com/tags"), structurally decoded; limits on counts and
// lengths are the service's job.
struct WebIdentitySessionTags {
  std::vector<std::pair<std::string, std::string>> principal_tags;  // sorted by key
  std::vector<std::string> transitive_tag_keys;
};

// A parsed compact JWS whose signature has NOT been verified yet: read its
// claims only after verify_jwt_signature succeeded.
class Jwt {
 public:
  JwtAlgorithm alg = JwtAlgorithm::RS256;
  std::string kid;          // header "kid"; empty if absent
  std::string header_json;  // decoded protected header
  std::string claims_json;  // decoded payload (a JSON object)

  // A string claim; nullopt if absent or not a string.
  std::optional<std::string> string_claim(std::string_view name) const;
  // "aud" as a string or an array of strings (RFC 7519 4.1.3); empty if
  // absent or of any other shape (an array with a non-string included).
  std::vector<std::string> audiences() const;
  // An integer claim (exp, nbf, iat: parse_jwt has checked their range). AWS
  // requires integer NumericDates, so 1.5, "1", true or values outside int64
  // give nullopt.
  std::optional<std::int64_t> numeric_claim(std::string_view name) const;
  // A claim as string values, for trust-policy condition keys (amr, email,
  // email_verified...): a string, a boolean ("true"/"false") or an integer
  // gives one value; an array of those gives one value each. Absent, null,
  // objects, fractions and nested arrays give nullopt.
  std::optional<std::vector<std::string>> claim_strings(std::string_view name) const;
  // The names of the top-level claims, in the payload's order.
  std::vector<std::string> claim_names() const;
  // Any claim re-serialised as compact JSON; nullopt if absent.
  std::optional<std::string> claim_json(std::string_view name) const;
  // The "https://aws.amazon.com/tags" claim: nullopt if absent, an error if
  // present but not {"principal_tags":{"k":["v"]|"v",...},
  // "transitive_tag_keys":["k",...]} (both optional; other members ignored).
  Result<std::optional<WebIdentitySessionTags>, std::string> aws_session_tags() const;

  // What the signature covers (the first two segments, as received) and the
  // decoded signature bytes.
  const std::string& signing_input() const { return signing_input_; }
  const std::string& signature() const { return signature_; }

 private:
  friend struct JwtParser;
  std::string signing_input_;
  std::string signature_;
  std::shared_ptr<const JwtClaimSet> claims_;
};

enum class JwtProblem { Malformed, UnsupportedAlgorithm, NoMatchingKey, BadSignature };
struct JwtError {
  JwtProblem problem;
  std::string detail;  // for logs and error messages; never contains key material
};

// Splits and decodes a compact JWS. Refuses: more than kMaxJwtSize
// characters, other than exactly 3 segments (so JWE too), non-canonical or
// padded base64url, an empty signature, a header or payload that is not a
// JSON object (or nests deeper than 32 levels, or repeats a member name in
// any object), a missing/non-string "alg", a non-string "kid"/"typ"/"cty",
// any "crit" header (we understand no extensions: RFC 7515 4.1.11),
// registered claims of another type than registered (iss, sub, azp, jti,
// nonce: strings; aud, amr: a string or an array of strings; exp, nbf, iat,
// auth_time: integers from 0 to 253402300799, the end of year 9999), and
// algorithms other than RS*/PS*/ES* (UnsupportedAlgorithm). These checks are
// part of the parse, so the per-thread parse memo keeps them.
Result<Jwt, JwtError> parse_jwt(std::string_view compact);

// Checks the signature against the set. Key choice: a token with a kid is
// tried only against keys with that kid; one without is tried against every
// key. A key must match the algorithm family (RSA for RS/PS, EC of the
// curve the ES algorithm names) and its own "alg", if any. No candidate
// gives NoMatchingKey; candidates that all fail give BadSignature. ES
// signatures are JOSE R||S of exactly twice the curve's field size; PS uses
// MGF1 with the same hash and salt length = hash length (RFC 7518 3.5).
Result<void, JwtError> verify_jwt_signature(const Jwt& jwt, const Jwks& jwks);
// The same check on already-split parts (signature as raw bytes), for JWS
// whose payload is not a JWT, such as the RFC 7520 examples.
Result<void, JwtError> verify_jws_signature(JwtAlgorithm alg, std::string_view kid, std::string_view signing_input,
                                            std::string_view signature, const Jwks& jwks);

}  // namespace stsd::domain::federation
