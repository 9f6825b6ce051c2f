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

#include "stsd/crypto/openssl_ptr.h"

namespace stsd::crypto {

namespace {

constexpr std::size_t kAeadKeySize = 32;
constexpr std::size_t kAeadNonceSize = 12;
constexpr std::size_t kAeadTagSize = 16;

constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kBase64UrlAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kBase32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

// Fail-fast for conditions no caller can recover from (see header).
[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "stsd: fatal crypto error: %s\n", what);
  std::abort();
}

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

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

const EVP_CIPHER* aes_256_gcm() {
  static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  if (cipher == nullptr) die("EVP_CIPHER_fetch");
  return cipher;
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

namespace {

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
