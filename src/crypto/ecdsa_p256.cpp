// ECDSA over P-256 (SigV4a's signature algorithm): keys from a private
// scalar or public coordinates, digest signing and verification.
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/params.h>

#include <utility>

#include "detail.h"
#include "stsd/crypto/crypto.h"
#include "stsd/crypto/openssl_ptr.h"

namespace stsd::crypto {

using detail::bytes_of;
using detail::die;

namespace {

constexpr std::size_t kP256FieldSize = 32;
constexpr const char* kP256GroupName = "prime256v1";

const EC_GROUP* p256_group() {
  static EC_GROUP* const group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
  if (group == nullptr) die("EC_GROUP_new_by_curve_name(P-256)");
  return group;
}

// An EC EVP_PKEY from the uncompressed public point (and the private scalar
// when given); nullptr, with OpenSSL's error queue cleared, when rejected.
EVP_PKEY* p256_pkey_from(std::string_view uncompressed_point, const BIGNUM* private_scalar) {
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  bool built = bld && OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                                      kP256GroupName, 0) == 1 &&
               OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, uncompressed_point.data(),
                                                uncompressed_point.size()) == 1;
  if (built && private_scalar != nullptr)
    built = OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, private_scalar) == 1;
  SecretParamsPtr params(built ? OSSL_PARAM_BLD_to_param(bld.get()) : nullptr);
  PkeyCtxPtr ctx(params ? EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr)
                                                           : nullptr);
  EVP_PKEY* pkey = nullptr;
  const int selection = private_scalar != nullptr ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, selection, params.get()) != 1) {
    ERR_clear_error();
    return nullptr;
  }
  // An off-curve point must never reach the verifier.
  PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    ERR_clear_error();
    EVP_PKEY_free(pkey);
    return nullptr;
  }
  return pkey;
}

std::string coordinate(const EVP_PKEY* pkey, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) die("EVP_PKEY_get_bn_param(EC public point)");
  BnPtr bn(raw);
  std::string out(kP256FieldSize, '\0');
  if (BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size())) !=
      static_cast<int>(out.size()))
    die("BN_bn2binpad(EC coordinate)");
  return out;
}

}  // namespace

struct EcdsaP256Key::Key {
  EVP_PKEY* pkey = nullptr;
};

std::optional<EcdsaP256Key> EcdsaP256Key::from_private_scalar(std::string_view scalar) {
  if (scalar.size() != kP256FieldSize) return std::nullopt;
  const EC_GROUP* group = p256_group();
  SecretBnPtr d(BN_secure_new());
  if (!d || BN_bin2bn(bytes_of(scalar), static_cast<int>(scalar.size()), d.get()) == nullptr) die("BN_bin2bn");
  // 1 <= d < n: nothing else is a private key.
  if (BN_is_zero(d.get()) || BN_cmp(d.get(), EC_GROUP_get0_order(group)) >= 0) return std::nullopt;
  BN_set_flags(d.get(), BN_FLG_CONSTTIME);

  EcPointPtr q(EC_POINT_new(group));
  std::array<unsigned char, 1 + 2 * kP256FieldSize> point{};
  if (!q || EC_POINT_mul(group, q.get(), d.get(), nullptr, nullptr, nullptr) != 1 ||
      EC_POINT_point2oct(group, q.get(), POINT_CONVERSION_UNCOMPRESSED, point.data(), point.size(), nullptr) !=
          point.size())
    die("EC_POINT_mul(P-256)");
  EVP_PKEY* pkey = p256_pkey_from(std::string_view(reinterpret_cast<const char*>(point.data()), point.size()), d.get());
  if (pkey == nullptr) die("EVP_PKEY_fromdata(P-256 key pair)");
  return EcdsaP256Key(new Key{pkey}, true);
}

std::optional<EcdsaP256Key> EcdsaP256Key::from_public_coordinates(std::string_view x, std::string_view y) {
  if (x.size() != kP256FieldSize || y.size() != kP256FieldSize) return std::nullopt;
  std::string point(1, '\x04');  // SEC1 uncompressed
  point.append(x).append(y);
  EVP_PKEY* pkey = p256_pkey_from(point, nullptr);
  if (pkey == nullptr) return std::nullopt;
  return EcdsaP256Key(new Key{pkey}, false);
}

EcdsaP256Key::~EcdsaP256Key() {
  if (key_ == nullptr) return;
  EVP_PKEY_free(key_->pkey);  // clears the private scalar
  delete key_;
}

EcdsaP256Key::EcdsaP256Key(EcdsaP256Key&& other) noexcept
    : key_(std::exchange(other.key_, nullptr)), private_(std::exchange(other.private_, false)) {}

EcdsaP256Key& EcdsaP256Key::operator=(EcdsaP256Key&& other) noexcept {
  if (this != &other) {
    EcdsaP256Key old(std::move(*this));
    key_ = std::exchange(other.key_, nullptr);
    private_ = std::exchange(other.private_, false);
  }
  return *this;
}

std::string EcdsaP256Key::public_x() const {
  if (key_ == nullptr) die("EcdsaP256Key used after move");
  return coordinate(key_->pkey, OSSL_PKEY_PARAM_EC_PUB_X);
}

std::string EcdsaP256Key::public_y() const {
  if (key_ == nullptr) die("EcdsaP256Key used after move");
  return coordinate(key_->pkey, OSSL_PKEY_PARAM_EC_PUB_Y);
}

bool EcdsaP256Key::verify_digest(const Sha256Digest& digest, std::string_view der_signature) const {
  if (key_ == nullptr) die("EcdsaP256Key used after move");
  // A P-256 DER signature is at most 72 bytes; anything far longer is not one.
  if (der_signature.empty() || der_signature.size() > 256) return false;
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key_->pkey, nullptr));
  if (!ctx) die("EVP_PKEY_CTX_new_from_pkey");
  // The digest is signed as is (SigV4a hashes the string to sign once).
  const int ok = EVP_PKEY_verify_init(ctx.get()) == 1
                     ? EVP_PKEY_verify(ctx.get(), bytes_of(der_signature), der_signature.size(),
                                       reinterpret_cast<const unsigned char*>(digest.data()), digest.size())
                     : -1;
  if (ok != 1) ERR_clear_error();
  return ok == 1;
}

std::optional<std::string> EcdsaP256Key::sign_digest(const Sha256Digest& digest) const {
  if (key_ == nullptr) die("EcdsaP256Key used after move");
  if (!private_) return std::nullopt;
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key_->pkey, nullptr));
  std::size_t len = 0;
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 ||
      EVP_PKEY_sign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(digest.data()),
                    digest.size()) != 1)
    die("EVP_PKEY_sign(P-256): size");
  std::string der(len, '\0');
  if (EVP_PKEY_sign(ctx.get(), reinterpret_cast<unsigned char*>(der.data()), &len,
                    reinterpret_cast<const unsigned char*>(digest.data()), digest.size()) != 1)
    die("EVP_PKEY_sign(P-256)");
  der.resize(len);
  return der;
}

}  // namespace stsd::crypto
