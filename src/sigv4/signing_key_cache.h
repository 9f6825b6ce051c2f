#pragma once
// Stage 3 memoised: the signing key depends only on the secret and the
// credential scope (a day, a region, a service), so a client's requests of one
// day all share it. AWS's SDKs cache it for the same reason; the verifier does
// it per thread and saves four HMACs a request. Each entry also keeps an HMAC
// context keyed with the signing key, so stage 4 skips the key schedule.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stsd/crypto/crypto.h"
#include "stsd/sigv4/sigv4.h"

namespace stsd::sigv4::detail {

// Stage 3 without the cache (raw bytes in a fixed-size value).
crypto::Sha256Digest derive_signing_key(std::string_view secret_access_key, const CredentialScope& scope);

// A small bounded cache of derived keys. An entry is found by the public
// parts of the scope (access key id, date, region, service, terminator) and
// used only when it was derived from the very secret given, compared in
// constant time; otherwise the key is derived and the entry replaced, so a
// rotated secret never meets a key derived from the old one. When full, the
// entries are replaced in turn. Secrets and keys are wiped when replaced and
// when the cache is destroyed. Not thread-safe: one per thread.
class SigningKeyCache {
 public:
  static constexpr std::size_t kDefaultCapacity = 32;

  explicit SigningKeyCache(std::size_t capacity = kDefaultCapacity);
  ~SigningKeyCache();
  SigningKeyCache(const SigningKeyCache&) = delete;
  SigningKeyCache& operator=(const SigningKeyCache&) = delete;

  // The signing key for this secret and scope.
  crypto::Sha256Digest get(std::string_view secret_access_key, const CredentialScope& scope);
  // Stage 4 in raw bytes: HMAC(signing key, string_to_sign).
  crypto::Sha256Digest sign(std::string_view secret_access_key, const CredentialScope& scope,
                            std::string_view string_to_sign);

  std::size_t size() const { return entries_.size(); }
  std::size_t capacity() const { return capacity_; }
  // How many keys were derived rather than found (tests watch this).
  std::uint64_t derivations() const { return derivations_; }

 private:
  struct Entry {
    std::string access_key_id;
    std::string date;
    std::string region;
    std::string service;
    std::string terminator;
    std::string secret;
    crypto::Sha256Digest key{};
    std::optional<crypto::HmacSha256> hmac;  // keyed with key
  };

  Entry& find_or_derive(std::string_view secret_access_key, const CredentialScope& scope);
  static bool same_scope(const Entry& e, const CredentialScope& scope);
  void fill(Entry& e, std::string_view secret_access_key, const CredentialScope& scope);
  static void wipe(Entry& e);

  std::vector<Entry> entries_;
  std::size_t capacity_;
  std::size_t next_victim_ = 0;
  std::uint64_t derivations_ = 0;
};

// The calling thread's cache, used by verify().
SigningKeyCache& thread_signing_key_cache();

}  // namespace stsd::sigv4::detail
