// The JOSE algorithm table, the OpenSSL glue and the JSON reader that JWT
// verification and signing share (jose.h), and the algorithm names.
#include "jose.h"

#include <openssl/core_names.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <array>

#include "stsd/common/json_limits.h"
#include "stsd/crypto/openssl_ptr.h"

namespace stsd::domain::federation {

namespace jose {

using nlohmann::json;

const Curve* find_curve(std::string_view name) {
  for (const Curve& c : kCurves)
    if (name == c.jose || name == c.group) return &c;
  return nullptr;
}

const EVP_MD* digest_of(Hash h) {
  static const std::array<EVP_MD*, 3> mds = {EVP_MD_fetch(nullptr, "SHA256", nullptr),
                                             EVP_MD_fetch(nullptr, "SHA384", nullptr),
                                             EVP_MD_fetch(nullptr, "SHA512", nullptr)};
  return mds[static_cast<std::size_t>(h)];
}

std::shared_ptr<evp_pkey_st> share(EVP_PKEY* p) { return {p, EVP_PKEY_free}; }

std::optional<std::string> bn_bytes(const BIGNUM* bn, int width) {
  if (bn == nullptr) return std::nullopt;
  int size = width > 0 ? width : BN_num_bytes(bn);
  std::string out(static_cast<std::size_t>(size), '\0');
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  if ((width > 0 ? BN_bn2binpad(bn, dst, width) : BN_bn2bin(bn, dst)) != size) return std::nullopt;
  return out;
}

std::optional<std::string> bn_param(const EVP_PKEY* pkey, const char* name, int width) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) return std::nullopt;
  crypto::BnPtr bn(raw);
  return bn_bytes(bn.get(), width);
}

bool configure_padding(Family family, EVP_PKEY_CTX* pctx) {
  if (family != Family::RsaPss) return true;
  return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
}

namespace {

// Members of every object in v, at any depth (v is at most kMaxJsonDepth deep).
std::size_t count_members(const json& v) {
  std::size_t n = v.is_object() ? v.size() : 0;
  if (v.is_structured())
    for (const json& e : v) n += count_members(e);
  return n;
}

}  // namespace

// Every member parsed fires one key event, so fewer members in the result
// than key events means a name was repeated.
Result<json, std::string> parse_object(std::string_view text) {
  int depth = 0;
  std::size_t keys = 0;
  json::parser_callback_t track = [&depth, &keys](int d, json::parse_event_t event, json&) {
    depth = std::max(depth, d);
    if (event == json::parse_event_t::key) ++keys;
    return true;
  };
  json j = json::parse(text, track, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return unexpected(std::string("is not a JSON object"));
  if (depth > static_cast<int>(kMaxJsonDepth))
    return unexpected("nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  if (count_members(j) != keys) return unexpected(std::string("repeats a member name"));
  return j;
}

}  // namespace jose

std::optional<JwtAlgorithm> parse_jwt_algorithm(std::string_view name) {
  for (std::size_t i = 0; i < std::size(jose::kAlgs); ++i)
    if (jose::kAlgs[i].name == name) return static_cast<JwtAlgorithm>(i);
  return std::nullopt;
}

std::string_view to_string(JwtAlgorithm alg) { return jose::info(alg).name; }

}  // namespace stsd::domain::federation
