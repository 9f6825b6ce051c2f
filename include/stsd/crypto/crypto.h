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

// AES-256-GCM with a random 96-bit nonce. seal returns nonce || ciphertext || tag.
// key must be 32 bytes. open returns nullopt on any tampering or bad size.
std::string aead_seal(std::string_view key, std::string_view plaintext, std::string_view aad);
std::optional<std::string> aead_open(std::string_view key, std::string_view sealed, std::string_view aad);

}  // namespace stsd::crypto
