// JWT verification: the JWKS an OIDC provider publishes, the compact JWS a
// caller sends (AssumeRoleWithWebIdentity's untrusted input) and its
// signature. Signing, which only stsd's own test issuers do, is jwt_sign.cpp.
#include "stsd/domain/federation/jwt_verify.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>

#include "jose.h"
#include "stsd/common/recent_entries.h"
#include "stsd/crypto/crypto.h"
#include "stsd/crypto/openssl_ptr.h"

namespace stsd::domain::federation {

using nlohmann::json;

struct JwtClaimSet {
  json claims;
};

namespace {

using namespace jose;
using crypto::BnPtr;
using crypto::EcdsaSigPtr;
using crypto::MdCtxPtr;
using crypto::ParamBldPtr;
using crypto::ParamsPtr;
using crypto::PkeyCtxPtr;
using crypto::PkeyPtr;

constexpr std::string_view kAwsTagsClaim = "https://aws.amazon.com/tags";

// --- keys from JWK members -------------------------------------------------------

BnPtr bn_from(std::string_view big_endian) {
  return BnPtr(BN_bin2bn(bytes_of(big_endian), static_cast<int>(big_endian.size()), nullptr));
}

// A public key from OSSL_PARAMs built by fill; nullptr (error queue cleared) on failure.
template <class Fill>
std::shared_ptr<evp_pkey_st> public_key_from(const char* type, Fill fill) {
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  ParamsPtr params(bld && fill(bld.get()) ? OSSL_PARAM_BLD_to_param(bld.get()) : nullptr);
  PkeyCtxPtr ctx(params ? EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr) : nullptr);
  EVP_PKEY* pkey = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    ERR_clear_error();
    return nullptr;
  }
  return share(pkey);
}

std::shared_ptr<evp_pkey_st> rsa_public_key(std::string_view n, std::string_view e) {
  BnPtr bn_n = bn_from(n), bn_e = bn_from(e);
  if (!bn_n || !bn_e) return nullptr;
  return public_key_from("RSA", [&](OSSL_PARAM_BLD* b) {
    return OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_N, bn_n.get()) == 1 &&
           OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_E, bn_e.get()) == 1;
  });
}

std::shared_ptr<evp_pkey_st> ec_public_key(const Curve& curve, std::string_view x, std::string_view y) {
  std::string point(1, '\x04');  // SEC1 uncompressed
  point.append(x).append(y);
  auto pkey = public_key_from("EC", [&](OSSL_PARAM_BLD* b) {
    return OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, curve.group, 0) == 1 &&
           OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) == 1;
  });
  if (!pkey) return nullptr;
  // An off-curve point must never reach a verifier.
  PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    ERR_clear_error();
    return nullptr;
  }
  return pkey;
}

// --- JOSE -> OpenSSL signature encoding (RFC 7518 3.4) ---------------------------

std::optional<std::string> ecdsa_jose_to_der(std::string_view sig, std::size_t field_size) {
  if (sig.size() != 2 * field_size) return std::nullopt;
  EcdsaSigPtr s(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(bytes_of(sig), static_cast<int>(field_size), nullptr);
  BIGNUM* ss = BN_bin2bn(bytes_of(sig) + field_size, static_cast<int>(field_size), nullptr);
  if (!s || !r || !ss || ECDSA_SIG_set0(s.get(), r, ss) != 1) {
    BN_free(r);
    BN_free(ss);
    return std::nullopt;
  }
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(s.get(), &der);
  if (len <= 0) return std::nullopt;
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

// A context set up for (key, algorithm), copied for each check instead of
// EVP_DigestVerifyInit per token, which looks the algorithms up by name each
// time (a tenth of an RS256 AssumeRoleWithWebIdentity). Per thread, so no
// locks. An entry's context holds a reference to its key, so no other key can
// take the same address while it is cached.
MdCtxPtr verify_context(const AlgInfo& a, EVP_PKEY* pkey) {
  struct Prepared {
    const EVP_PKEY* key;
    const AlgInfo* alg;
    MdCtxPtr ready;
  };
  thread_local RecentEntries<Prepared, 16> prepared;
  const Prepared* found = prepared.find([&](const Prepared& p) { return p.key == pkey && p.alg == &a; });
  if (found == nullptr) {
    MdCtxPtr ready(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;  // owned by ready
    if (!ready || EVP_DigestVerifyInit(ready.get(), &pctx, digest_of(a.hash), nullptr, pkey) != 1 ||
        !configure_padding(a.family, pctx))
      return nullptr;
    found = &prepared.add({pkey, &a, std::move(ready)});
  }
  MdCtxPtr work(EVP_MD_CTX_new());
  if (!work || EVP_MD_CTX_copy_ex(work.get(), found->ready.get()) != 1) return nullptr;
  return work;
}

// Signatures this thread has verified, by (key, algorithm, exact bytes).
// Verification is a pure function of those, and a client replays one token
// for as long as it lives (SDKs re-read the same token file for every
// AssumeRoleWithWebIdentity), so a repeat costs a comparison instead of an
// RSA or ECDSA operation. Only successes are remembered: a hit needs the
// exact bytes of a signature that verified under the same key. Each entry
// holds a reference to its key, so no other key can take its address while
// it is remembered; a replaced JWKS brings new keys and so misses.
struct VerifiedSignature {
  PkeyPtr key;
  const AlgInfo* alg;
  std::string input;
  std::string signature;
};
// At most 32 x kMaxJwtSize bytes per thread.
using VerifiedSignatures = RecentEntries<VerifiedSignature, 32>;

bool verify_with(const AlgInfo& a, EVP_PKEY* pkey, std::string_view input, std::string_view sig) {
  thread_local VerifiedSignatures verified;
  if (verified.find([&](const VerifiedSignature& v) {
        return v.key.get() == pkey && v.alg == &a && v.signature == sig && v.input == input;
      }))
    return true;
  std::string der;
  std::string_view checked = sig;  // what OpenSSL verifies: DER for ECDSA
  if (a.family == Family::Ecdsa) {
    auto converted = ecdsa_jose_to_der(sig, a.curve->field_size);
    if (!converted) return false;
    der = std::move(*converted);
    checked = der;
  } else if (sig.size() != static_cast<std::size_t>(EVP_PKEY_get_size(pkey))) {
    // RFC 8017 8.1.2/8.2.2: exactly the modulus length. OpenSSL's PSS path
    // alone would accept a signature with its leading zero bytes stripped.
    return false;
  }
  MdCtxPtr md = verify_context(a, pkey);
  bool ok = md && EVP_DigestVerify(md.get(), bytes_of(checked), checked.size(), bytes_of(input), input.size()) == 1;
  if (!ok) {
    ERR_clear_error();
    return false;
  }
  if (EVP_PKEY_up_ref(pkey) == 1) verified.add({PkeyPtr(pkey), &a, std::string(input), std::string(sig)});
  return true;
}

// --- JSON and text helpers ----------------------------------------------------

// The registered claims (RFC 7519 4.1, OpenID Connect Core 2) must have their
// registered types, or the token is refused: a reader must never have to
// guess which of several shapes a verifier meant (an array "sub" matching a
// condition on one of its elements, a fractional or 64-bit-overflowing
// "exp"). NumericDates are integers from 0 to the end of year 9999, AWS
// requiring integer timestamps.
constexpr std::int64_t kMaxNumericDate = 253402300799;  // 9999-12-31T23:59:59Z

std::optional<std::string> registered_claim_problem(const json& claims) {
  for (const char* name : {"iss", "sub", "azp", "jti", "nonce"}) {
    auto it = claims.find(name);
    if (it != claims.end() && !it->is_string()) return std::string("claim \"") + name + "\" is not a string";
  }
  for (const char* name : {"aud", "amr"}) {
    auto it = claims.find(name);
    if (it == claims.end() || it->is_string()) continue;
    const bool strings = it->is_array() && std::all_of(it->begin(), it->end(), [](const json& e) { return e.is_string(); });
    if (!strings) return std::string("claim \"") + name + "\" is not a string or an array of strings";
  }
  for (const char* name : {"exp", "nbf", "iat", "auth_time"}) {
    auto it = claims.find(name);
    if (it == claims.end()) continue;
    const bool in_range = it->is_number_unsigned() ? it->get<std::uint64_t>() <= std::uint64_t(kMaxNumericDate)
                          : it->is_number_integer() ? it->get<std::int64_t>() >= 0 && it->get<std::int64_t>() <= kMaxNumericDate
                                                    : false;
    if (!in_range) return std::string("claim \"") + name + "\" is not an integer NumericDate from 0 to 253402300799";
  }
  return std::nullopt;
}

// JWS segments must be unpadded base64url with zero trailing bits, so that
// exactly one string encodes a given token (no malleable signatures).
std::optional<std::string> decode_segment(std::string_view s) {
  auto bytes = crypto::base64url_decode(s);
  if (!bytes || crypto::base64url_encode(*bytes) != s) return std::nullopt;
  return bytes;
}

// Attacker-supplied text bound for error details and logs.
std::string printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 64)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  if (s.size() > 64) out += "...";
  return out;
}

std::optional<std::string> scalar_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_unsigned()) return std::to_string(v.get<std::uint64_t>());
  if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
  return std::nullopt;
}

std::optional<std::vector<std::string>> string_list(const json& v) {
  std::vector<std::string> out;
  if (v.is_string()) return std::vector<std::string>{v.get<std::string>()};
  if (!v.is_array()) return std::nullopt;
  for (const json& e : v) {
    if (!e.is_string()) return std::nullopt;
    out.push_back(e.get<std::string>());
  }
  return out;
}

Unexpected<JwtError> jwt_error(JwtProblem p, std::string detail) { return unexpected(JwtError{p, std::move(detail)}); }

}  // namespace

// --- JWKS ------------------------------------------------------------------------

Result<Jwks, std::string> Jwks::parse(std::string_view json_text) {
  json doc = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return unexpected(std::string("JWKS is not a JSON object"));
  auto keys = doc.find("keys");
  if (keys == doc.end() || !keys->is_array()) return unexpected(std::string("JWKS has no \"keys\" array"));

  Jwks out;
  for (std::size_t i = 0; i < keys->size(); ++i) {
    const json& k = (*keys)[i];
    const std::string where = "JWKS keys[" + std::to_string(i) + "]";
    if (!k.is_object()) return unexpected(where + " is not an object");
    for (const char* secret : {"d", "p", "q", "dp", "dq", "qi", "oth"})
      if (k.contains(secret)) return unexpected(where + " contains private key member \"" + secret + "\"");
    // Optional string members; any other type makes the key unreadable.
    std::string member[4];
    const char* names[4] = {"kty", "kid", "use", "alg"};
    for (int m = 0; m < 4; ++m) {
      auto it = k.find(names[m]);
      if (it == k.end()) continue;
      if (!it->is_string()) return unexpected(where + " member \"" + names[m] + "\" is not a string");
      member[m] = it->get<std::string>();
    }
    const auto& [kty, kid, use, alg_name] = member;
    if (kty.empty()) return unexpected(where + " has no \"kty\"");

    // Keys meant for something other than verifying signatures are not ours.
    if (!use.empty() && use != "sig") continue;
    if (auto ops = k.find("key_ops"); ops != k.end()) {
      auto list = string_list(*ops);
      if (!list || std::find(list->begin(), list->end(), "verify") == list->end()) continue;
    }
    JwksKey key{JwksKey::Type::RSA, kid, std::nullopt, {}, nullptr};
    if (!alg_name.empty()) {
      key.alg = parse_jwt_algorithm(alg_name);
      if (!key.alg) continue;  // RSA-OAEP, HS256, EdDSA...: nothing we verify with
    }
    auto bytes_member = [&](const char* name) -> std::optional<std::string> {
      auto it = k.find(name);
      if (it == k.end() || !it->is_string()) return std::nullopt;
      auto bytes = crypto::base64url_decode(it->get<std::string>());
      if (!bytes || bytes->empty()) return std::nullopt;
      return bytes;
    };

    if (kty == "RSA") {
      auto n = bytes_member("n"), e = bytes_member("e");
      if (!n || !e) return unexpected(where + " (RSA) needs base64url \"n\" and \"e\"");
      key.pkey = rsa_public_key(*n, *e);
      if (!key.pkey) return unexpected(where + " is not a valid RSA public key");
      int bits = EVP_PKEY_get_bits(key.pkey.get());
      if (bits < kMinRsaBits || bits > kMaxRsaBits) continue;  // too weak or too costly to verify with
    } else if (kty == "EC") {
      auto crv = k.find("crv");
      if (crv == k.end() || !crv->is_string()) return unexpected(where + " (EC) has no string \"crv\"");
      const Curve* curve = find_curve(crv->get<std::string>());
      if (curve == nullptr || crv->get<std::string>() != curve->jose) continue;  // e.g. secp256k1
      auto x = bytes_member("x"), y = bytes_member("y");
      if (!x || !y || x->size() != curve->field_size || y->size() != curve->field_size)
        return unexpected(where + " (EC) needs \"x\" and \"y\" of " + std::to_string(curve->field_size) + " bytes");
      key.type = JwksKey::Type::EC;
      key.curve = std::string(curve->jose);
      key.pkey = ec_public_key(*curve, *x, *y);
      if (!key.pkey) return unexpected(where + " is not a point on " + key.curve);
    } else {
      continue;  // oct, OKP...: not an algorithm we accept
    }
    out.keys_.push_back(std::move(key));
  }
  return out;
}

// --- parsing -------------------------------------------------------------------------

struct JwtParser {
  static Result<Jwt, JwtError> parse(std::string_view compact) {
    auto malformed = [](std::string detail) { return jwt_error(JwtProblem::Malformed, std::move(detail)); };
    if (compact.size() > kMaxJwtSize) return malformed("token is longer than 20000 characters");
    const auto dot1 = compact.find('.');
    const auto dot2 = dot1 == std::string_view::npos ? dot1 : compact.find('.', dot1 + 1);
    if (dot2 == std::string_view::npos || compact.find('.', dot2 + 1) != std::string_view::npos)
      return malformed("token is not a compact JWS of three segments");

    auto header_text = decode_segment(compact.substr(0, dot1));
    if (!header_text) return malformed("header is not base64url");
    auto header = parse_object(*header_text);
    if (!header) return malformed("header " + header.error());
    auto alg = header->find("alg");
    if (alg == header->end() || !alg->is_string()) return malformed("header has no string \"alg\"");
    auto parsed_alg = parse_jwt_algorithm(alg->get<std::string>());
    if (!parsed_alg)
      return jwt_error(JwtProblem::UnsupportedAlgorithm,
                       "algorithm \"" + printable(alg->get<std::string>()) + "\" is not accepted");
    // No extension is understood, so any critical one invalidates the token.
    if (header->contains("crit")) return malformed("header has \"crit\" parameters, none are supported");
    for (const char* name : {"kid", "typ", "cty"}) {
      auto it = header->find(name);
      if (it != header->end() && !it->is_string()) return malformed(std::string("header \"") + name + "\" is not a string");
    }
    auto kid = header->find("kid");

    auto claims_text = decode_segment(compact.substr(dot1 + 1, dot2 - dot1 - 1));
    if (!claims_text) return malformed("payload is not base64url");
    auto claims = parse_object(*claims_text);
    if (!claims) return malformed("payload " + claims.error());
    if (auto problem = registered_claim_problem(*claims)) return malformed(std::move(*problem));

    auto signature = decode_segment(compact.substr(dot2 + 1));
    if (!signature || signature->empty()) return malformed("signature is missing or not base64url");

    Jwt jwt;
    jwt.alg = *parsed_alg;
    jwt.kid = kid != header->end() ? kid->get<std::string>() : std::string();
    jwt.header_json = std::move(*header_text);
    jwt.claims_json = std::move(*claims_text);
    jwt.signing_input_ = std::string(compact.substr(0, dot2));
    jwt.signature_ = std::move(*signature);
    jwt.claims_ = std::make_shared<const JwtClaimSet>(JwtClaimSet{std::move(*claims)});
    return jwt;
  }
};

// Parsing is a pure function of the token's bytes, and a client replays one
// token for as long as it lives: each thread remembers its last parses of
// tokens up to kMemoTokenSize, so a repeat costs a comparison and a copy.
Result<Jwt, JwtError> parse_jwt(std::string_view compact) {
  constexpr std::size_t kMemoTokenSize = 8192;
  struct Parsed {
    std::string compact;
    Jwt jwt;
  };
  thread_local RecentEntries<Parsed, 16> memo;
  if (const Parsed* hit = memo.find([&](const Parsed& p) { return p.compact == compact; })) return hit->jwt;
  auto jwt = JwtParser::parse(compact);
  if (jwt && compact.size() <= kMemoTokenSize) memo.add({std::string(compact), *jwt});
  return jwt;
}

// --- claims ------------------------------------------------------------------------

namespace {
const json* find_claim(const std::shared_ptr<const JwtClaimSet>& set, std::string_view name) {
  if (!set) return nullptr;
  auto it = set->claims.find(std::string(name));
  return it == set->claims.end() ? nullptr : &*it;
}
}  // namespace

std::vector<std::string> Jwt::claim_names() const {
  std::vector<std::string> out;
  if (claims_)
    for (const auto& [name, value] : claims_->claims.items()) out.push_back(name);
  return out;
}

std::optional<std::string> Jwt::string_claim(std::string_view name) const {
  const json* v = find_claim(claims_, name);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return v->get<std::string>();
}

std::vector<std::string> Jwt::audiences() const {
  const json* v = find_claim(claims_, "aud");
  auto list = v ? string_list(*v) : std::nullopt;
  return list ? std::move(*list) : std::vector<std::string>{};
}

std::optional<std::int64_t> Jwt::numeric_claim(std::string_view name) const {
  const json* v = find_claim(claims_, name);
  if (v == nullptr || !v->is_number_integer()) return std::nullopt;
  if (v->is_number_unsigned() && v->get<std::uint64_t>() > std::uint64_t(std::numeric_limits<std::int64_t>::max()))
    return std::nullopt;
  return v->get<std::int64_t>();
}

std::optional<std::vector<std::string>> Jwt::claim_strings(std::string_view name) const {
  const json* v = find_claim(claims_, name);
  if (v == nullptr) return std::nullopt;
  if (!v->is_array()) {
    auto one = scalar_text(*v);
    return one ? std::optional(std::vector<std::string>{std::move(*one)}) : std::nullopt;
  }
  std::vector<std::string> out;
  for (const json& e : *v) {
    auto text = scalar_text(e);
    if (!text) return std::nullopt;
    out.push_back(std::move(*text));
  }
  return out;
}

std::optional<std::string> Jwt::claim_json(std::string_view name) const {
  const json* v = find_claim(claims_, name);
  if (v == nullptr) return std::nullopt;
  return v->dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<std::optional<WebIdentitySessionTags>, std::string> Jwt::aws_session_tags() const {
  const json* v = find_claim(claims_, kAwsTagsClaim);
  if (v == nullptr) return std::optional<WebIdentitySessionTags>();
  if (!v->is_object()) return unexpected(std::string("the tags claim is not a JSON object"));
  WebIdentitySessionTags tags;
  if (auto p = v->find("principal_tags"); p != v->end()) {
    if (!p->is_object()) return unexpected(std::string("principal_tags is not a JSON object"));
    for (const auto& [key, value] : p->items()) {
      auto values = string_list(value);
      // AWS writes each tag value as a one-element array; a bare string is tolerated.
      if (!values || values->size() != 1)
        return unexpected("principal_tags \"" + printable(key) + "\" is not a single string value");
      tags.principal_tags.emplace_back(key, std::move(values->front()));
    }
  }
  if (auto t = v->find("transitive_tag_keys"); t != v->end()) {
    auto keys = t->is_array() ? string_list(*t) : std::nullopt;
    if (!keys) return unexpected(std::string("transitive_tag_keys is not an array of strings"));
    tags.transitive_tag_keys = std::move(*keys);
  }
  return std::optional(std::move(tags));
}

// --- verification --------------------------------------------------------------------

Result<void, JwtError> verify_jws_signature(JwtAlgorithm alg, std::string_view kid, std::string_view signing_input,
                                            std::string_view signature, const Jwks& jwks) {
  const AlgInfo& a = info(alg);
  bool any_candidate = false;
  for (const JwksKey& key : jwks.keys()) {
    if (!kid.empty() && key.kid != kid) continue;
    if (key.alg && *key.alg != alg) continue;
    const bool suits = a.family == Family::Ecdsa
                           ? key.type == JwksKey::Type::EC && key.curve == a.curve->jose
                           : key.type == JwksKey::Type::RSA;
    if (!suits) continue;
    any_candidate = true;
    if (verify_with(a, key.pkey.get(), signing_input, signature)) return {};
  }
  if (!any_candidate) {
    std::string which = kid.empty() ? "no key" : "no key with kid \"" + printable(kid) + "\"";
    return jwt_error(JwtProblem::NoMatchingKey, which + " in the JWKS can verify " + std::string(a.name));
  }
  return jwt_error(JwtProblem::BadSignature, "signature does not verify");
}

Result<void, JwtError> verify_jwt_signature(const Jwt& jwt, const Jwks& jwks) {
  return verify_jws_signature(jwt.alg, jwt.kid, jwt.signing_input(), jwt.signature(), jwks);
}

}  // namespace stsd::domain::federation
