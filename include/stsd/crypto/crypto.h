#pragma once
// Thin OpenSSL 3 wrappers. Byte strings are std::string (may hold any byte).
// Leaf library: knows nothing of HTTP, STS or the store.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace stsd::crypto {

// Digests and MACs (raw bytes out).
std::string sha256(std::string_view data);
std::string sha1(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);
std::string hmac_sha1(std::string_view key, std::string_view data);

// The same SHA-256 results in a fixed-size value, for hot paths that would
// otherwise allocate a string per digest (32 bytes is beyond SSO).
using Sha256Digest = std::array<char, 32>;
Sha256Digest sha256_digest(std::string_view data);
Sha256Digest hmac_sha256_digest(std::string_view key, std::string_view data);
inline std::string_view as_view(const Sha256Digest& d) { return {d.data(), d.size()}; }

// HMAC-SHA256 under one key for many messages: the key schedule (hashing the
// inner and outer pads) is done once, here, instead of once per message.
// Holds key material; not thread-safe (one per thread, like a cache entry).
class HmacSha256 {
 public:
  explicit HmacSha256(std::string_view key);
  ~HmacSha256();
  HmacSha256(HmacSha256&& other) noexcept;
  HmacSha256& operator=(HmacSha256&& other) noexcept;
  HmacSha256(const HmacSha256&) = delete;
  HmacSha256& operator=(const HmacSha256&) = delete;

  Sha256Digest mac(std::string_view data);

 private:
  struct Context;  // EVP_MAC_CTX, kept out of this header
  Context* ctx_;
};

// Lowercase hex.
std::string hex_encode(std::string_view bytes);
std::optional<std::string> hex_decode(std::string_view hex);
// Appends the lowercase hex of bytes to out (no temporary string).
void append_hex(std::string& out, std::string_view bytes);
inline std::string sha256_hex(std::string_view data) { return hex_encode(as_view(sha256_digest(data))); }

// RFC 4648 base64 (with padding) and base64url (no padding on output; decode
// accepts both padded and unpadded). Decoding rejects invalid characters.
std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);
std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

// RFC 4648 base32, alphabet A-Z2-7. Decoding is case-insensitive, ignores
// '=' padding and spaces (TOTP secrets are often written that way).
std::string base32_encode(std::string_view bytes);
std::optional<std::string> base32_decode(std::string_view text);

// CSPRNG (RAND_bytes). Aborts the process if the CSPRNG fails: no key may
// ever come from a weaker source.
std::string random_bytes(std::size_t n);
// n characters drawn uniformly (rejection sampling, no modulo bias) from alphabet.
std::string random_string(std::size_t n, std::string_view alphabet);

// Constant-time comparison (CRYPTO_memcmp); different lengths compare false
// without an early exit on content.
bool constant_time_equal(std::string_view a, std::string_view b);

// Overwrites the string's bytes (OPENSSL_cleanse, not optimised away) and
// empties it; for secrets a cache no longer needs.
void wipe(std::string& secret);

// Unsigned big-endian integers of equal size (key derivations): -1, 0 or 1
// as a < b, a == b, a > b, reading every byte whatever the values (no early
// exit); different sizes compare as nullopt.
std::optional<int> compare_big_endian_constant_time(std::string_view a, std::string_view b);
// value + 1 modulo 2^(8 * size), touching every byte.
void increment_big_endian_constant_time(std::string& value);

// ECDSA over NIST P-256 (prime256v1), as SigV4a uses it: a key held by
// OpenSSL (EVP_PKEY), with its private half when made from a scalar.
// Signatures are DER (SEQUENCE of r, s) over a SHA-256 digest given as is.
// Immutable once made: one key may be used by several threads.
class EcdsaP256Key {
 public:
  // The key pair of a 32-byte big-endian private scalar d, 1 <= d < n (the
  // group order); nullopt otherwise. The public point is d * G.
  static std::optional<EcdsaP256Key> from_private_scalar(std::string_view scalar);
  // A public key from its affine coordinates (32 bytes each, big-endian);
  // nullopt when the point is not on the curve.
  static std::optional<EcdsaP256Key> from_public_coordinates(std::string_view x, std::string_view y);

  ~EcdsaP256Key();
  EcdsaP256Key(EcdsaP256Key&& other) noexcept;
  EcdsaP256Key& operator=(EcdsaP256Key&& other) noexcept;
  EcdsaP256Key(const EcdsaP256Key&) = delete;
  EcdsaP256Key& operator=(const EcdsaP256Key&) = delete;

  // The public point's affine coordinates, 32 bytes each, big-endian.
  std::string public_x() const;
  std::string public_y() const;
  bool has_private_key() const { return private_; }

  // True only for a well-formed DER signature of digest by this key (OpenSSL
  // refuses non-canonical DER and trailing bytes).
  bool verify_digest(const Sha256Digest& digest, std::string_view der_signature) const;
  // A fresh (randomised) DER signature of digest; nullopt without the
  // private half.
  std::optional<std::string> sign_digest(const Sha256Digest& digest) const;

 private:
  struct Key;  // EVP_PKEY, kept out of this header
  EcdsaP256Key(Key* key, bool has_private) : key_(key), private_(has_private) {}
  Key* key_;
  bool private_;
};

// AES-256-GCM with a random 96-bit nonce. seal returns nonce || ciphertext || tag.
// key must be 32 bytes. open returns nullopt on any tampering or bad size.
std::string aead_seal(std::string_view key, std::string_view plaintext, std::string_view aad);
std::optional<std::string> aead_open(std::string_view key, std::string_view sealed, std::string_view aad);

}  // namespace stsd::crypto
