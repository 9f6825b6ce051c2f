#include "signing_key_cache.h"

#include <algorithm>

namespace stsd::sigv4::detail {

crypto::Sha256Digest derive_signing_key(std::string_view secret_access_key, const CredentialScope& scope) {
  // kSecret -> kDate -> kRegion -> kService -> kSigning
  std::string k_secret;
  k_secret.reserve(4 + secret_access_key.size());
  k_secret += "AWS4";
  k_secret += secret_access_key;
  crypto::Sha256Digest key = crypto::hmac_sha256_digest(k_secret, scope.date);
  crypto::wipe(k_secret);
  key = crypto::hmac_sha256_digest(crypto::as_view(key), scope.region);
  key = crypto::hmac_sha256_digest(crypto::as_view(key), scope.service);
  return crypto::hmac_sha256_digest(crypto::as_view(key), scope.terminator);
}

SigningKeyCache::SigningKeyCache(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {
  entries_.reserve(capacity_);
}

SigningKeyCache::~SigningKeyCache() {
  for (auto& e : entries_) wipe(e);
}

bool SigningKeyCache::same_scope(const Entry& e, const CredentialScope& scope) {
  // Public values only: comparing them in variable time reveals nothing.
  return e.access_key_id == scope.access_key_id && e.date == scope.date && e.region == scope.region &&
         e.service == scope.service && e.terminator == scope.terminator;
}

void SigningKeyCache::wipe(Entry& e) {
  crypto::wipe(e.secret);
  e.key.fill(0);
  e.hmac.reset();
}

void SigningKeyCache::fill(Entry& e, std::string_view secret_access_key, const CredentialScope& scope) {
  wipe(e);
  e.access_key_id = scope.access_key_id;
  e.date = scope.date;
  e.region = scope.region;
  e.service = scope.service;
  e.terminator = scope.terminator;
  e.secret.assign(secret_access_key);
  e.key = derive_signing_key(secret_access_key, scope);
  e.hmac.emplace(crypto::as_view(e.key));
  ++derivations_;
}

SigningKeyCache::Entry& SigningKeyCache::find_or_derive(std::string_view secret_access_key,
                                                        const CredentialScope& scope) {
  for (auto& e : entries_) {
    if (!same_scope(e, scope)) continue;
    if (crypto::constant_time_equal(e.secret, secret_access_key)) return e;
    // Same key id and scope, another secret (the key was rotated): the
    // entry is stale, so it is re-derived in place.
    fill(e, secret_access_key, scope);
    return e;
  }
  if (entries_.size() < capacity_) {
    fill(entries_.emplace_back(), secret_access_key, scope);
    return entries_.back();
  }
  Entry& victim = entries_[next_victim_];
  next_victim_ = (next_victim_ + 1) % capacity_;
  fill(victim, secret_access_key, scope);
  return victim;
}

crypto::Sha256Digest SigningKeyCache::get(std::string_view secret_access_key, const CredentialScope& scope) {
  return find_or_derive(secret_access_key, scope).key;
}

crypto::Sha256Digest SigningKeyCache::sign(std::string_view secret_access_key, const CredentialScope& scope,
                                           std::string_view string_to_sign) {
  return find_or_derive(secret_access_key, scope).hmac->mac(string_to_sign);
}

SigningKeyCache& thread_signing_key_cache() {
  thread_local SigningKeyCache cache;
  return cache;
}

}  // namespace stsd::sigv4::detail
