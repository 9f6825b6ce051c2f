// JWT signing for stsd's own issuers (the built-in OIDC issuer and
// GetWebIdentityToken): keys, their public JWKs and compact JWS. Test
// tooling and outbound tokens; nothing here reads a caller's input.
#include "stsd/domain/federation/jwt_sign.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "jose.h"
#include "stsd/crypto/crypto.h"
#include "stsd/crypto/openssl_ptr.h"

namespace stsd::domain::federation {

using nlohmann::json;

namespace {

using namespace jose;
using crypto::BioPtr;
using crypto::EcdsaSigPtr;
using crypto::MdCtxPtr;

constexpr std::size_t kMaxPemSize = 64 * 1024;

// OpenSSL's DER ECDSA signature as JOSE's R||S (RFC 7518 3.4).
std::optional<std::string> ecdsa_der_to_jose(std::string_view der, std::size_t field_size) {
  const unsigned char* p = bytes_of(der);
  EcdsaSigPtr s(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!s) return std::nullopt;
  const BIGNUM* r = nullptr;
  const BIGNUM* ss = nullptr;
  ECDSA_SIG_get0(s.get(), &r, &ss);
  auto rb = bn_bytes(r, static_cast<int>(field_size));
  auto sb = bn_bytes(ss, static_cast<int>(field_size));
  if (!rb || !sb) return std::nullopt;
  return *rb + *sb;
}

std::optional<std::string> sign_with(const AlgInfo& a, EVP_PKEY* pkey, std::string_view input) {
  MdCtxPtr md(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  std::size_t len = 0;
  std::string sig;
  bool ok = md && EVP_DigestSignInit(md.get(), &pctx, digest_of(a.hash), nullptr, pkey) == 1 &&
            configure_padding(a.family, pctx) &&
            EVP_DigestSign(md.get(), nullptr, &len, bytes_of(input), input.size()) == 1;
  if (ok) {
    sig.resize(len);
    ok = EVP_DigestSign(md.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, bytes_of(input),
                        input.size()) == 1;
    sig.resize(len);
  }
  if (!ok) {
    ERR_clear_error();
    return std::nullopt;
  }
  if (a.family == Family::Ecdsa) return ecdsa_der_to_jose(sig, a.curve->field_size);
  return sig;
}

}  // namespace

JwtSigningKey JwtSigningKey::generate(JwtAlgorithm alg) {
  const AlgInfo& a = info(alg);
  EVP_PKEY* raw = a.family == Family::Ecdsa ? EVP_EC_gen(a.curve->group) : EVP_RSA_gen(kMinRsaBits);
  Result<JwtSigningKey, std::string> key =
      raw ? from_pkey(share(raw), alg) : unexpected(std::string("key generation failed"));
  if (!key) {
    std::fprintf(stderr, "stsd: fatal crypto error: %s\n", key.error().c_str());
    std::abort();
  }
  return std::move(key).value();
}

Result<JwtSigningKey, std::string> JwtSigningKey::from_pem(std::string_view pem, JwtAlgorithm alg) {
  if (pem.size() > kMaxPemSize) return unexpected(std::string("PEM is too large"));
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  // A refusing passphrase callback: OpenSSL's default would prompt on the terminal.
  auto no_passphrase = [](char*, int, int, void*) { return -1; };
  EVP_PKEY* raw = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr) : nullptr;
  if (raw == nullptr) {
    ERR_clear_error();
    return unexpected(std::string("not an unencrypted private key PEM"));
  }
  return from_pkey(share(raw), alg);
}

Result<JwtSigningKey, std::string> JwtSigningKey::from_pkey(std::shared_ptr<evp_pkey_st> pkey, JwtAlgorithm alg) {
  const AlgInfo& a = info(alg);
  json jwk;
  if (a.family == Family::Ecdsa) {
    std::array<char, 64> group{};
    if (!EVP_PKEY_is_a(pkey.get(), "EC") ||
        EVP_PKEY_get_utf8_string_param(pkey.get(), OSSL_PKEY_PARAM_GROUP_NAME, group.data(), group.size(),
                                       nullptr) != 1 ||
        find_curve(group.data()) != a.curve) {
      ERR_clear_error();
      return unexpected(std::string(a.name) + " needs an EC key on " + std::string(a.curve->jose));
    }
    const int width = static_cast<int>(a.curve->field_size);
    auto x = bn_param(pkey.get(), OSSL_PKEY_PARAM_EC_PUB_X, width);
    auto y = bn_param(pkey.get(), OSSL_PKEY_PARAM_EC_PUB_Y, width);
    if (!x || !y) return unexpected(std::string("cannot read the EC public key"));
    jwk = {{"kty", "EC"}, {"crv", a.curve->jose}, {"x", crypto::base64url_encode(*x)},
           {"y", crypto::base64url_encode(*y)}};
  } else {
    const int bits = EVP_PKEY_is_a(pkey.get(), "RSA") ? EVP_PKEY_get_bits(pkey.get()) : 0;
    if (bits < kMinRsaBits || bits > kMaxRsaBits)
      return unexpected(std::string(a.name) + " needs an RSA key of 2048 to 8192 bits");
    auto n = bn_param(pkey.get(), OSSL_PKEY_PARAM_RSA_N);
    auto e = bn_param(pkey.get(), OSSL_PKEY_PARAM_RSA_E);
    if (!n || !e) return unexpected(std::string("cannot read the RSA public key"));
    jwk = {{"kty", "RSA"}, {"n", crypto::base64url_encode(*n)}, {"e", crypto::base64url_encode(*e)}};
  }
  JwtSigningKey key;
  key.alg_ = alg;
  key.pkey_ = std::move(pkey);
  // RFC 7638: the required members only, sorted, no whitespace, which is
  // exactly nlohmann's compact dump of this (ordered) object.
  key.kid_ = crypto::base64url_encode(crypto::sha256(jwk.dump()));
  jwk["kid"] = key.kid_;
  jwk["use"] = "sig";
  jwk["alg"] = a.name;
  key.public_jwk_json_ = jwk.dump();
  return key;
}

Result<std::string, std::string> JwtSigningKey::sign(std::string_view header_extra_json,
                                                     std::string_view claims_json) const {
  Result<json, std::string> header = header_extra_json.empty() ? Result<json, std::string>(json::object())
                                                               : parse_object(header_extra_json);
  if (!header) return unexpected("extra header " + header.error());
  // Never mint a payload that verifiers would read differently (a repeated name).
  if (auto claims = parse_object(claims_json); !claims) return unexpected("claims " + claims.error());
  const AlgInfo& a = info(alg_);
  (*header)["alg"] = a.name;
  (*header)["kid"] = kid_;
  if (!header->contains("typ")) (*header)["typ"] = "JWT";
  std::string input = crypto::base64url_encode(header->dump()) + "." + crypto::base64url_encode(claims_json);
  auto signature = sign_with(a, pkey_.get(), input);
  if (!signature) return unexpected(std::string("signing failed"));
  return input + "." + crypto::base64url_encode(*signature);
}

std::string jwks_json(const std::vector<const JwtSigningKey*>& keys) {
  json list = json::array();
  for (const JwtSigningKey* key : keys)
    if (key != nullptr) list.push_back(json::parse(key->public_jwk_json(), nullptr, false));
  return json{{"keys", std::move(list)}}.dump();
}

}  // namespace stsd::domain::federation
