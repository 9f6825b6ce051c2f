// SigV4a stage 3: the ECDSA P-256 key derived from the credentials, as
// aws-c-auth's source/key_derivation.c specifies it (NIST SP 800-108 KDF in
// counter mode with HMAC-SHA256), and its per-thread cache.
#include "ecdsa_key_cache.h"

#include <algorithm>
#include <array>

#include "stsd/sigv4/sigv4.h"

namespace stsd::sigv4::detail {

namespace {

// Candidates above this (the P-256 group order n minus 2) are skipped, so
// that candidate + 1 is a private key in [1, n - 1].
constexpr std::array<unsigned char, 32> kOrderMinusTwo = {
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x4F};

// aws-c-auth gives up after this counter value (it never gets that far:
// each candidate is refused with probability about 2^-32).
constexpr int kMaxCounter = 254;

// The HMAC input for one counter value:
//   0x00000001 || "AWS4-ECDSA-P256-SHA256" || 0x00 || access key id || counter || 0x00000100
// (the SP 800-108 iteration "i" = 1, Label, separator, Context, and the
// output length L = 256 bits; the counter sits inside the context).
std::string fixed_input(std::string_view access_key_id, int counter) {
  std::string input;
  input.reserve(32 + access_key_id.size());
  input.append("\x00\x00\x00\x01", 4);
  input += kAlgorithmEcdsa;
  input += '\0';
  input += access_key_id;
  input += static_cast<char>(counter);
  input.append("\x00\x00\x01\x00", 4);
  return input;
}

}  // namespace

std::optional<std::string> derive_ecdsa_private_scalar(std::string_view access_key_id,
                                                       std::string_view secret_access_key) {
  std::string input_key;
  input_key.reserve(5 + secret_access_key.size());
  input_key += "AWS4A";
  input_key += secret_access_key;
  const std::string_view order_minus_two(reinterpret_cast<const char*>(kOrderMinusTwo.data()), kOrderMinusTwo.size());

  std::optional<std::string> scalar;
  for (int counter = 1; counter <= kMaxCounter && !scalar; ++counter) {
    crypto::Sha256Digest candidate = crypto::hmac_sha256_digest(input_key, fixed_input(access_key_id, counter));
    std::string k(crypto::as_view(candidate));
    candidate.fill(0);
    // Secret-dependent: compared and incremented in constant time.
    if (crypto::compare_big_endian_constant_time(k, order_minus_two).value_or(1) <= 0) {
      crypto::increment_big_endian_constant_time(k);
      scalar = std::move(k);
    } else {
      crypto::wipe(k);
    }
  }
  crypto::wipe(input_key);
  return scalar;
}

std::optional<crypto::EcdsaP256Key> derive_ecdsa_key(std::string_view access_key_id,
                                                     std::string_view secret_access_key) {
  std::optional<std::string> scalar = derive_ecdsa_private_scalar(access_key_id, secret_access_key);
  if (!scalar) return std::nullopt;
  std::optional<crypto::EcdsaP256Key> key = crypto::EcdsaP256Key::from_private_scalar(*scalar);
  crypto::wipe(*scalar);
  return key;
}

EcdsaKeyCache::EcdsaKeyCache(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {
  entries_.reserve(capacity_);
}

EcdsaKeyCache::~EcdsaKeyCache() {
  for (auto& e : entries_) crypto::wipe(e.secret);
}

void EcdsaKeyCache::fill(Entry& e, std::string_view access_key_id, std::string_view secret_access_key) {
  crypto::wipe(e.secret);
  e.key.reset();
  e.access_key_id.assign(access_key_id);
  e.secret.assign(secret_access_key);
  e.key = derive_ecdsa_key(access_key_id, secret_access_key);
  ++derivations_;
}

const crypto::EcdsaP256Key* EcdsaKeyCache::get(std::string_view access_key_id, std::string_view secret_access_key) {
  Entry* entry = nullptr;
  for (auto& e : entries_) {
    // The key id is public: comparing it in variable time reveals nothing.
    if (e.access_key_id != access_key_id) continue;
    entry = &e;
    // Same key id, another secret (the key was rotated): re-derived in place.
    if (!crypto::constant_time_equal(e.secret, secret_access_key)) fill(e, access_key_id, secret_access_key);
    break;
  }
  if (entry == nullptr && entries_.size() < capacity_) {
    entry = &entries_.emplace_back();
    fill(*entry, access_key_id, secret_access_key);
  } else if (entry == nullptr) {
    entry = &entries_[next_victim_];
    next_victim_ = (next_victim_ + 1) % capacity_;
    fill(*entry, access_key_id, secret_access_key);
  }
  return entry->key ? &*entry->key : nullptr;
}

EcdsaKeyCache& thread_ecdsa_key_cache() {
  thread_local EcdsaKeyCache cache;
  return cache;
}

}  // namespace stsd::sigv4::detail
