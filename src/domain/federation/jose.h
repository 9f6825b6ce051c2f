#pragma once
// What JWT verification (jwt_verify.cpp) and signing (jwt_sign.cpp) share
// inside stsd_federation: the algorithm table of RFC 7518 section 3.1, the
// OpenSSL glue both need and the strict JSON object reader. Internal: not
// under include/.
#include <openssl/evp.h>

#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "stsd/common/result.h"
#include "stsd/domain/federation/jwt_algorithm.h"

namespace stsd::domain::federation::jose {

inline constexpr int kMinRsaBits = 2048;
inline constexpr int kMaxRsaBits = 8192;  // bounds the verification cost an issuer can impose

// --- algorithm table (RFC 7518 section 3.1) --------------------------------

enum class Family { RsaPkcs1, RsaPss, Ecdsa };
enum class Hash { Sha256, Sha384, Sha512 };

struct Curve {
  std::string_view jose;     // JWK "crv"
  const char* group;         // OpenSSL group name
  std::size_t field_size;    // bytes of x, y, R and S
};
inline constexpr Curve kCurves[] = {{"P-256", "prime256v1", 32}, {"P-384", "secp384r1", 48}, {"P-521", "secp521r1", 66}};

struct AlgInfo {
  std::string_view name;
  Family family;
  Hash hash;
  const Curve* curve;  // ES* only
};
// Indexed by JwtAlgorithm.
inline constexpr AlgInfo kAlgs[] = {
    {"RS256", Family::RsaPkcs1, Hash::Sha256, nullptr}, {"RS384", Family::RsaPkcs1, Hash::Sha384, nullptr},
    {"RS512", Family::RsaPkcs1, Hash::Sha512, nullptr}, {"PS256", Family::RsaPss, Hash::Sha256, nullptr},
    {"PS384", Family::RsaPss, Hash::Sha384, nullptr},   {"PS512", Family::RsaPss, Hash::Sha512, nullptr},
    {"ES256", Family::Ecdsa, Hash::Sha256, &kCurves[0]}, {"ES384", Family::Ecdsa, Hash::Sha384, &kCurves[1]},
    {"ES512", Family::Ecdsa, Hash::Sha512, &kCurves[2]},
};

inline const AlgInfo& info(JwtAlgorithm alg) { return kAlgs[static_cast<std::size_t>(alg)]; }

// A JWK "crv" or an OpenSSL group name (OpenSSL reports P-256 as
// "prime256v1" but accepts either spelling); nullptr for other curves.
const Curve* find_curve(std::string_view name);
// Fetched once: an implicit fetch on every call costs more than the
// signature check itself. EVP_MD objects are shareable.
const EVP_MD* digest_of(Hash h);

// --- OpenSSL glue --------------------------------------------------------------

std::shared_ptr<evp_pkey_st> share(EVP_PKEY* p);
inline const unsigned char* bytes_of(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
// Big-endian bytes: minimal (RSA, RFC 7518 6.3.1.1) or left-padded to width (EC).
std::optional<std::string> bn_bytes(const BIGNUM* bn, int width = 0);
// A key's BIGNUM parameter (OSSL_PKEY_PARAM_*) as bn_bytes gives it.
std::optional<std::string> bn_param(const EVP_PKEY* pkey, const char* name, int width = 0);
// RFC 7518 3.5: for PS*, MGF1 with the signature hash (OpenSSL's default)
// and a salt as long as the hash, which verification then requires exactly.
bool configure_padding(Family family, EVP_PKEY_CTX* pctx);

// --- JSON ----------------------------------------------------------------------

// A JSON object, or why not: not JSON, not an object, nested beyond
// kMaxJsonDepth, or a member name repeated in some object. RFC 7515 4 and
// RFC 7519 4 let a parser refuse duplicates or keep the last; nlohmann keeps
// the last silently, so a token could show one "sub" to a reader that keeps
// the first and another to us.
Result<nlohmann::json, std::string> parse_object(std::string_view text);

}  // namespace stsd::domain::federation::jose
