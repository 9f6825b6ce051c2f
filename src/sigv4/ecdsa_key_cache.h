#pragma once
// SigV4a stage 3 memoised: the ECDSA P-256 key depends only on the access key
// id and the secret (not on the date, region or service), and deriving it
// costs an HMAC per counter value plus a scalar multiplication, so a
// client's keys are kept, per thread, like the SigV4 signing keys.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stsd/crypto/crypto.h"

namespace stsd::sigv4::detail {

// Stage 3 without the cache: the private scalar (32 bytes, big-endian) of
// aws-c-auth's counter-mode KDF (see sigv4a_public_key in sigv4.h), or
// nullopt when none of the 254 counter values gave a candidate <= n - 2.
std::optional<std::string> derive_ecdsa_private_scalar(std::string_view access_key_id,
                                                       std::string_view secret_access_key);
// The key pair of that scalar.
std::optional<crypto::EcdsaP256Key> derive_ecdsa_key(std::string_view access_key_id,
                                                     std::string_view secret_access_key);

// A small bounded cache of derived key pairs, found by access key id and used
// only when derived from the very secret given (compared in constant time);
// otherwise derived again and the entry replaced, so a rotated secret never
// meets a key derived from the old one. When full, entries are replaced in
// turn. Secrets are wiped when replaced and when the cache is destroyed (the
// keys clear themselves). Not thread-safe: one per thread.
class EcdsaKeyCache {
 public:
  static constexpr std::size_t kDefaultCapacity = 32;

  explicit EcdsaKeyCache(std::size_t capacity = kDefaultCapacity);
  ~EcdsaKeyCache();
  EcdsaKeyCache(const EcdsaKeyCache&) = delete;
  EcdsaKeyCache& operator=(const EcdsaKeyCache&) = delete;

  // The key pair for this access key id and secret; nullptr when none can be
  // derived (never in practice; the caller then refuses the signature).
  const crypto::EcdsaP256Key* get(std::string_view access_key_id, std::string_view secret_access_key);

  std::size_t size() const { return entries_.size(); }
  std::size_t capacity() const { return capacity_; }
  // How many keys were derived rather than found (tests watch this).
  std::uint64_t derivations() const { return derivations_; }

 private:
  struct Entry {
    std::string access_key_id;
    std::string secret;
    std::optional<crypto::EcdsaP256Key> key;
  };

  void fill(Entry& e, std::string_view access_key_id, std::string_view secret_access_key);

  std::vector<Entry> entries_;
  std::size_t capacity_;
  std::size_t next_victim_ = 0;
  std::uint64_t derivations_ = 0;
};

// The calling thread's cache, used by verify() and the SigV4a signer.
EcdsaKeyCache& thread_ecdsa_key_cache();

}  // namespace stsd::sigv4::detail
