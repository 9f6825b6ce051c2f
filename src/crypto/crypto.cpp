// Digests, HMAC, hex/base64/base32, randomness and constant-time helpers;
// ECDSA P-256 is ecdsa_p256.cpp, AES-256-GCM aead.cpp.
#include "stsd/crypto/crypto.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <utility>

#include "detail.h"
#include "stsd/crypto/openssl_ptr.h"

namespace stsd::crypto {

namespace detail {

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "stsd: fatal crypto error: %s\n", what);
  std::abort();
}

}  // namespace detail

namespace {

using detail::bytes_of;
using detail::die;

constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kBase64UrlAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kBase32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

// OpenSSL 3 fetches an algorithm implementation on every call made with the
// legacy EVP_sha256()-style objects or the one-shot HMAC(); fetching once and
// reusing per-thread MAC contexts takes that cost (most of a request's CPU)
// off the request path.
enum class Algorithm { Sha256, Sha1 };

const char* name_of(Algorithm a) { return a == Algorithm::Sha256 ? "SHA256" : "SHA1"; }

const EVP_MD* fetched_md(Algorithm a) {
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  static EVP_MD* const sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  const EVP_MD* md = a == Algorithm::Sha256 ? sha256 : sha1;
  if (md == nullptr) die("EVP_MD_fetch");
  return md;
}

// EVP_Digest allocates and frees a context on every call; one context per
// thread, re-initialised each time, does the same work without that.
EVP_MD_CTX* digest_context() {
  thread_local MdCtxPtr ctx;
  if (!ctx) {
    ctx.reset(EVP_MD_CTX_new());
    if (!ctx) die("EVP_MD_CTX_new");
  }
  return ctx.get();
}

// Writes the digest to out (at least EVP_MAX_MD_SIZE bytes); returns its size.
unsigned int digest_into(Algorithm a, std::string_view data, unsigned char* out) {
  EVP_MD_CTX* ctx = digest_context();
  unsigned int len = 0;
  if (EVP_DigestInit_ex2(ctx, fetched_md(a), nullptr) != 1 || EVP_DigestUpdate(ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, out, &len) != 1)
    die("EVP_Digest");
  return len;
}

std::string digest(Algorithm a, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = digest_into(a, data, out.data());
  return std::string(reinterpret_cast<const char*>(out.data()), len);
}

// One HMAC context per thread and digest, with the digest set once; each call
// re-keys it (EVP_MAC_init with a key and no parameters keeps the digest).
EVP_MAC_CTX* new_hmac_context(Algorithm a) {
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (mac == nullptr) die("EVP_MAC_fetch");
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  if (ctx == nullptr) die("EVP_MAC_CTX_new");
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(name_of(a)), 0),
      OSSL_PARAM_construct_end()};
  if (EVP_MAC_CTX_set_params(ctx, params) != 1) die("EVP_MAC_CTX_set_params");
  return ctx;
}

EVP_MAC_CTX* hmac_context(Algorithm a) {
  thread_local MacCtxPtr contexts[2];
  auto& ctx = contexts[static_cast<int>(a)];
  if (!ctx) ctx.reset(new_hmac_context(a));
  return ctx.get();
}

// Writes the MAC to out (at least EVP_MAX_MD_SIZE bytes); returns its size.
std::size_t hmac_into(Algorithm a, std::string_view key, std::string_view data, unsigned char* out) {
  std::size_t len = 0;
  // EVP_MAC_init treats a null key as "keep the previous key": never pass one.
  static const unsigned char kEmpty = 0;
  const unsigned char* key_ptr = key.empty() ? &kEmpty : bytes_of(key);
  EVP_MAC_CTX* ctx = hmac_context(a);
  if (EVP_MAC_init(ctx, key_ptr, key.size(), nullptr) != 1 ||
      EVP_MAC_update(ctx, bytes_of(data), data.size()) != 1 || EVP_MAC_final(ctx, out, &len, EVP_MAX_MD_SIZE) != 1)
    die("HMAC");
  return len;
}

std::string hmac(Algorithm a, std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  std::size_t len = hmac_into(a, key, data, out.data());
  return std::string(reinterpret_cast<const char*>(out.data()), len);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Writes into a string sized once: the per-character appends (a capacity
// check each) cost more than the encoding on session-token-sized inputs.
std::string base64_encode_with(std::string_view bytes, std::string_view alphabet, bool pad) {
  const std::size_t whole = bytes.size() / 3;
  const std::size_t rest = bytes.size() % 3;
  std::string out(whole * 4 + (rest == 0 ? 0 : pad ? 4 : rest + 1), '\0');
  char* o = out.data();
  const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
  for (std::size_t k = 0; k < whole; ++k, in += 3) {
    std::uint32_t v = (std::uint32_t(in[0]) << 16) | (std::uint32_t(in[1]) << 8) | in[2];
    *o++ = alphabet[(v >> 18) & 63];
    *o++ = alphabet[(v >> 12) & 63];
    *o++ = alphabet[(v >> 6) & 63];
    *o++ = alphabet[v & 63];
  }
  if (rest == 1) {
    std::uint32_t v = std::uint32_t(in[0]) << 16;
    *o++ = alphabet[(v >> 18) & 63];
    *o++ = alphabet[(v >> 12) & 63];
    if (pad) {
      *o++ = '=';
      *o++ = '=';
    }
  } else if (rest == 2) {
    std::uint32_t v = (std::uint32_t(in[0]) << 16) | (std::uint32_t(in[1]) << 8);
    *o++ = alphabet[(v >> 18) & 63];
    *o++ = alphabet[(v >> 12) & 63];
    *o++ = alphabet[(v >> 6) & 63];
    if (pad) *o++ = '=';
  }
  return out;
}

// Accepts padded or unpadded input; '=' may only appear as final padding.
std::optional<std::string> base64_decode_with(std::string_view text, std::string_view alphabet) {
  std::size_t end = text.size();
  std::size_t padding = 0;
  while (end > 0 && text[end - 1] == '=' && padding < 2) {
    --end;
    ++padding;
  }
  if (padding > 0 && text.size() % 4 != 0) return std::nullopt;
  std::string_view body = text.substr(0, end);
  if (body.size() % 4 == 1) return std::nullopt;

  // The symbol table is built once per alphabet (the two callers' constants).
  static const auto make_table = [](std::string_view symbols) {
    std::array<std::int8_t, 256> table{};
    table.fill(-1);
    for (std::size_t k = 0; k < symbols.size(); ++k) table[std::uint8_t(symbols[k])] = static_cast<std::int8_t>(k);
    return table;
  };
  static const std::array<std::int8_t, 256> standard = make_table(kBase64Alphabet);
  static const std::array<std::int8_t, 256> url = make_table(kBase64UrlAlphabet);
  const auto& table = alphabet == kBase64UrlAlphabet ? url : alphabet == kBase64Alphabet ? standard : make_table(alphabet);

  std::string out(body.size() / 4 * 3 + (body.size() % 4 == 0 ? 0 : body.size() % 4 - 1), '\0');
  char* o = out.data();
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : body) {
    const int v = table[std::uint8_t(c)];
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      *o++ = static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

}  // namespace

std::string sha256(std::string_view data) { return digest(Algorithm::Sha256, data); }
std::string sha1(std::string_view data) { return digest(Algorithm::Sha1, data); }
std::string hmac_sha256(std::string_view key, std::string_view data) { return hmac(Algorithm::Sha256, key, data); }
std::string hmac_sha1(std::string_view key, std::string_view data) { return hmac(Algorithm::Sha1, key, data); }

Sha256Digest sha256_digest(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  if (digest_into(Algorithm::Sha256, data, out.data()) != Sha256Digest{}.size()) die("sha256 size");
  Sha256Digest d;
  std::memcpy(d.data(), out.data(), d.size());
  return d;
}

Sha256Digest hmac_sha256_digest(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  if (hmac_into(Algorithm::Sha256, key, data, out.data()) != Sha256Digest{}.size()) die("hmac-sha256 size");
  Sha256Digest d;
  std::memcpy(d.data(), out.data(), d.size());
  return d;
}

void append_hex(std::string& out, std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::size_t at = out.size();
  out.resize(at + bytes.size() * 2);
  for (char b : bytes) {
    out[at++] = kDigits[std::uint8_t(b) >> 4];
    out[at++] = kDigits[std::uint8_t(b) & 0xF];
  }
}

// The OpenSSL context behind HmacSha256: keyed once, then re-initialised per
// message with a null key, which restores the keyed state (EVP_MAC_init).
struct HmacSha256::Context {
  EVP_MAC_CTX* mac = nullptr;
};

HmacSha256::HmacSha256(std::string_view key) : ctx_(new Context) {
  ctx_->mac = new_hmac_context(Algorithm::Sha256);
  static const unsigned char kEmpty = 0;
  const unsigned char* key_ptr = key.empty() ? &kEmpty : bytes_of(key);
  if (EVP_MAC_init(ctx_->mac, key_ptr, key.size(), nullptr) != 1) die("HMAC key");
}

HmacSha256::~HmacSha256() {
  if (ctx_ == nullptr) return;
  EVP_MAC_CTX_free(ctx_->mac);  // frees (and cleanses) the keyed state
  delete ctx_;
}

HmacSha256::HmacSha256(HmacSha256&& other) noexcept : ctx_(std::exchange(other.ctx_, nullptr)) {}

HmacSha256& HmacSha256::operator=(HmacSha256&& other) noexcept {
  if (this != &other) {
    HmacSha256 old(std::move(*this));
    ctx_ = std::exchange(other.ctx_, nullptr);
  }
  return *this;
}

Sha256Digest HmacSha256::mac(std::string_view data) {
  if (ctx_ == nullptr) die("HmacSha256 used after move");
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  std::size_t len = 0;
  if (EVP_MAC_init(ctx_->mac, nullptr, 0, nullptr) != 1 || EVP_MAC_update(ctx_->mac, bytes_of(data), data.size()) != 1 ||
      EVP_MAC_final(ctx_->mac, out.data(), &len, out.size()) != 1 || len != Sha256Digest{}.size())
    die("HMAC");
  Sha256Digest d;
  std::memcpy(d.data(), out.data(), d.size());
  return d;
}

std::string hex_encode(std::string_view bytes) {
  std::string out;
  append_hex(out, bytes);
  return out;
}

std::optional<std::string> hex_decode(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int hi = hex_value(hex[i]);
    int lo = hex_value(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>((hi << 4) | lo);
  }
  return out;
}

std::string base64_encode(std::string_view bytes) { return base64_encode_with(bytes, kBase64Alphabet, true); }
std::optional<std::string> base64_decode(std::string_view text) {
  return base64_decode_with(text, kBase64Alphabet);
}
std::string base64url_encode(std::string_view bytes) {
  return base64_encode_with(bytes, kBase64UrlAlphabet, false);
}
std::optional<std::string> base64url_decode(std::string_view text) {
  return base64_decode_with(text, kBase64UrlAlphabet);
}

std::string base32_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 4) / 5 * 8);
  std::uint64_t acc = 0;
  int bits = 0;
  for (char b : bytes) {
    acc = (acc << 8) | std::uint8_t(b);
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += kBase32Alphabet[(acc >> bits) & 31];
    }
  }
  if (bits > 0) out += kBase32Alphabet[(acc << (5 - bits)) & 31];
  while (out.size() % 8 != 0) out += '=';
  return out;
}

std::optional<std::string> base32_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 5 / 8);
  std::uint64_t acc = 0;
  int bits = 0;
  std::size_t symbols = 0;
  for (char c : text) {
    if (c == '=' || c == ' ') continue;
    int v = -1;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a';
    else if (c >= '2' && c <= '7') v = c - '2' + 26;
    if (v < 0) return std::nullopt;
    acc = (acc << 5) | static_cast<std::uint64_t>(v);
    bits += 5;
    ++symbols;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  // A final group of 1, 3 or 6 symbols cannot come from any byte string.
  std::size_t tail = symbols % 8;
  if (tail == 1 || tail == 3 || tail == 6) return std::nullopt;
  return out;
}

namespace {

void fill_random(char* out, std::size_t n) {
  // RAND_bytes takes an int length; fill in chunks.
  std::size_t done = 0;
  while (done < n) {
    std::size_t chunk = std::min<std::size_t>(n - done, 1 << 20);
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out + done), static_cast<int>(chunk)) != 1)
      die("RAND_bytes failed");
    done += chunk;
  }
}

// Each RAND_bytes call costs more (locking, reseed checks) than the bytes it
// returns; small draws are served from a per-thread block of CSPRNG output
// that is wiped as it is used. stsd never forks, so no two processes share it.
class RandomPool {
 public:
  void take(char* out, std::size_t n) {
    if (n > kBlock / 4) return fill_random(out, n);
    if (kBlock - used_ < n) {
      fill_random(block_.data(), kBlock);
      used_ = 0;
    }
    std::memcpy(out, block_.data() + used_, n);
    OPENSSL_cleanse(block_.data() + used_, n);
    used_ += n;
  }

 private:
  static constexpr std::size_t kBlock = 4096;
  std::array<char, kBlock> block_{};
  std::size_t used_ = kBlock;
};

}  // namespace

std::string random_bytes(std::size_t n) {
  thread_local RandomPool pool;
  std::string out(n, '\0');
  pool.take(out.data(), n);
  return out;
}

std::string random_string(std::size_t n, std::string_view alphabet) {
  std::string out;
  if (n == 0 || alphabet.empty()) return out;
  out.reserve(n);
  const std::uint64_t size = alphabet.size();
  // Largest multiple of size below 2^32: draws at or above it are rejected,
  // so every symbol is equally likely.
  const std::uint64_t limit = (std::uint64_t{1} << 32) - ((std::uint64_t{1} << 32) % size);
  while (out.size() < n) {
    std::string pool = random_bytes((n - out.size()) * 4 + 16);
    for (std::size_t i = 0; i + 4 <= pool.size() && out.size() < n; i += 4) {
      std::uint64_t v = (std::uint64_t(std::uint8_t(pool[i])) << 24) | (std::uint64_t(std::uint8_t(pool[i + 1])) << 16) |
                        (std::uint64_t(std::uint8_t(pool[i + 2])) << 8) | std::uint8_t(pool[i + 3]);
      if (v < limit) out += alphabet[v % size];
    }
  }
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

void wipe(std::string& secret) {
  if (!secret.empty()) OPENSSL_cleanse(secret.data(), secret.size());
  secret.clear();
}

std::optional<int> compare_big_endian_constant_time(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return std::nullopt;
  // From the most significant byte on: gt records "a > b" at the first
  // differing byte, eq stays 1 while the bytes so far are equal. Both are
  // updated with arithmetic only, for every byte.
  std::uint32_t gt = 0;
  std::uint32_t eq = 1;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::uint32_t x = std::uint8_t(a[i]);
    const std::uint32_t y = std::uint8_t(b[i]);
    gt |= ((y - x) >> 31) & eq;  // y - x wraps (top bit set) exactly when x > y
    eq &= ((x ^ y) - 1) >> 31;   // (x ^ y) - 1 wraps exactly when x == y
  }
  return static_cast<int>(gt + gt + eq) - 1;  // gt: 1, eq: 0, neither: -1
}

void increment_big_endian_constant_time(std::string& value) {
  std::uint32_t carry = 1;
  for (std::size_t i = value.size(); i > 0; --i) {
    const std::uint32_t digit = std::uint32_t(std::uint8_t(value[i - 1])) + carry;
    value[i - 1] = static_cast<char>(digit & 0xFF);
    carry = digit >> 8;
  }
}

}  // namespace stsd::crypto
