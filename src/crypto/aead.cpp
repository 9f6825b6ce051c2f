// AES-256-GCM sealing and opening (session tokens, authorization messages)
// with a per-thread keyed context per direction.
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <cstring>
#include <limits>

#include "detail.h"
#include "stsd/crypto/crypto.h"
#include "stsd/crypto/openssl_ptr.h"

namespace stsd::crypto {

using detail::bytes_of;
using detail::die;

namespace {

constexpr std::size_t kAeadKeySize = 32;
constexpr std::size_t kAeadNonceSize = 12;
constexpr std::size_t kAeadTagSize = 16;

const EVP_CIPHER* aes_256_gcm() {
  static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  if (cipher == nullptr) die("EVP_CIPHER_fetch");
  return cipher;
}

enum class Direction { Seal, Open };

// A per-thread AES-256-GCM context per direction with the key schedule of the
// last key used: every issuing request seals a session token and every call
// with temporary credentials opens one, nearly always under the same key.
// The caller sets a fresh nonce with Encrypt/DecryptInit_ex(ctx, 0, 0, 0, iv).
EVP_CIPHER_CTX* keyed_gcm_context(Direction direction, std::string_view key) {
  struct Keyed {
    CipherCtxPtr ctx;
    std::array<unsigned char, kAeadKeySize> key{};
    bool keyed = false;
    ~Keyed() { OPENSSL_cleanse(key.data(), key.size()); }
  };
  thread_local Keyed contexts[2];
  Keyed& k = contexts[direction == Direction::Seal ? 0 : 1];
  if (k.keyed && CRYPTO_memcmp(k.key.data(), key.data(), kAeadKeySize) == 0) return k.ctx.get();
  if (!k.ctx) k.ctx.reset(EVP_CIPHER_CTX_new());
  if (!k.ctx) die("EVP_CIPHER_CTX_new");
  const int encrypt = direction == Direction::Seal ? 1 : 0;
  if (EVP_CipherInit_ex(k.ctx.get(), aes_256_gcm(), nullptr, nullptr, nullptr, encrypt) != 1 ||
      EVP_CIPHER_CTX_ctrl(k.ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kAeadNonceSize), nullptr) != 1 ||
      EVP_CipherInit_ex(k.ctx.get(), nullptr, nullptr, bytes_of(key), nullptr, encrypt) != 1)
    die("aes-256-gcm: init");
  std::memcpy(k.key.data(), key.data(), kAeadKeySize);
  k.keyed = true;
  return k.ctx.get();
}

bool fits_int(std::size_t n) { return n <= static_cast<std::size_t>(std::numeric_limits<int>::max()); }

}  // namespace

std::string aead_seal(std::string_view key, std::string_view plaintext, std::string_view aad) {
  // A wrong key size is a wiring bug (config validates the key), not input.
  if (key.size() != kAeadKeySize) die("aead_seal: key must be 32 bytes");
  if (!fits_int(plaintext.size()) || !fits_int(aad.size())) die("aead_seal: input too large");

  std::string nonce = random_bytes(kAeadNonceSize);
  EVP_CIPHER_CTX* ctx = keyed_gcm_context(Direction::Seal, key);

  std::string out;
  out.resize(kAeadNonceSize + plaintext.size() + kAeadTagSize);
  out.replace(0, kAeadNonceSize, nonce);
  auto* cipher_out = reinterpret_cast<unsigned char*>(out.data() + kAeadNonceSize);

  int len = 0;
  if (EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, bytes_of(nonce)) != 1) die("aead_seal: init");
  if (!aad.empty() && EVP_EncryptUpdate(ctx, nullptr, &len, bytes_of(aad), static_cast<int>(aad.size())) != 1)
    die("aead_seal: aad");
  int written = 0;
  if (!plaintext.empty()) {
    if (EVP_EncryptUpdate(ctx, cipher_out, &len, bytes_of(plaintext), static_cast<int>(plaintext.size())) != 1)
      die("aead_seal: update");
    written = len;
  }
  if (EVP_EncryptFinal_ex(ctx, cipher_out + written, &len) != 1) die("aead_seal: final");
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, static_cast<int>(kAeadTagSize),
                          out.data() + kAeadNonceSize + plaintext.size()) != 1)
    die("aead_seal: tag");
  return out;
}

std::optional<std::string> aead_open(std::string_view key, std::string_view sealed, std::string_view aad) {
  if (key.size() != kAeadKeySize) return std::nullopt;
  if (sealed.size() < kAeadNonceSize + kAeadTagSize) return std::nullopt;
  if (!fits_int(sealed.size()) || !fits_int(aad.size())) return std::nullopt;

  std::string_view nonce = sealed.substr(0, kAeadNonceSize);
  std::string_view ciphertext = sealed.substr(kAeadNonceSize, sealed.size() - kAeadNonceSize - kAeadTagSize);
  std::string tag(sealed.substr(sealed.size() - kAeadTagSize));

  EVP_CIPHER_CTX* ctx = keyed_gcm_context(Direction::Open, key);
  std::string plain(ciphertext.size(), '\0');
  int len = 0;
  if (EVP_DecryptInit_ex(ctx, nullptr, nullptr, nullptr, bytes_of(nonce)) != 1) return std::nullopt;
  if (!aad.empty() && EVP_DecryptUpdate(ctx, nullptr, &len, bytes_of(aad), static_cast<int>(aad.size())) != 1)
    return std::nullopt;
  int written = 0;
  if (!ciphertext.empty()) {
    if (EVP_DecryptUpdate(ctx, reinterpret_cast<unsigned char*>(plain.data()), &len, bytes_of(ciphertext),
                          static_cast<int>(ciphertext.size())) != 1)
      return std::nullopt;
    written = len;
  }
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, static_cast<int>(kAeadTagSize), tag.data()) != 1)
    return std::nullopt;
  // Final verifies the tag; on failure the (already written) plaintext is discarded.
  if (EVP_DecryptFinal_ex(ctx, reinterpret_cast<unsigned char*>(plain.data()) + written, &len) != 1)
    return std::nullopt;
  return plain;
}

}  // namespace stsd::crypto
