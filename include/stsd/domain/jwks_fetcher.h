#pragma once
// The keys of OIDC providers that have none configured, fetched from the
// issuer as AWS does: GET <issuer>/.well-known/openid-configuration, read its
// "jwks_uri", GET that, and verify tokens with the key set found there.
//
// Rules (per provider ARN; the cache lives here, outside the immutable Store,
// like MfaGuard's state, and is forgotten when the provider's URL or
// thumbprints change):
// - a fetched set is used for `cache_ttl` seconds; after that a token whose
//   kid is in the old set is still verified with it at once while a refresh
//   runs in the background (so an expired cache never makes a request wait);
// - a token whose kid is not in the cached set triggers a refresh, at most
//   once per `unknown_kid_refresh` seconds per provider (a stream of tokens
//   with made-up kids cannot turn stsd into a request amplifier; times are
//   the domain clock's whole seconds, so an interval of N allows a refresh
//   after N-1 to N seconds);
// - a failed fetch is answered for `failure_retry` seconds without trying
//   again; a fetch in flight is joined, never duplicated;
// - each document is at most `max_document` bytes, and both GETs together
//   get `fetch_timeout` (the HTTP getter enforces connect and total time).
//
// Threading, and why a request may wait here. The fetches run on this
// object's own worker threads, never on an I/O thread. stsd's HTTP handler
// interface is synchronous (a request in, a response out), so a request that
// has no usable key yet waits for its fetch, bounded by `fetch_timeout`
// (5 s). That wait does hold the I/O thread, and it is acceptable because it
// is rare and bounded: it happens only when there is nothing cached to answer
// with (the first token of a provider, or an unknown kid at most once a minute
// per provider, or after a failure at most once per `failure_retry`), every
// concurrent request for the same provider joins the one fetch in flight, and
// requests for other providers or other actions run on the other I/O threads.
// Everything else is answered from the cache without waiting.
//
// Thread-safe. Nothing here throws on the request path.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "stsd/common/result.h"
#include "stsd/domain/clock.h"
#include "stsd/domain/federation/jwt_verify.h"

namespace stsd::domain {

struct OidcProvider;

struct JwksFetchLimits {
  Seconds cache_ttl = 3600;
  Seconds unknown_kid_refresh = 60;
  Seconds failure_retry = 10;
  std::chrono::milliseconds fetch_timeout{5000};
  std::size_t max_document = 1024 * 1024;
  std::size_t workers = 2;
  std::size_t max_providers = 4096;  // cache entries; idle ones dropped first
};

// One HTTP(S) GET: the body of a 200 answer, or why not. https URLs must be
// trusted by the system store or by one of the thumbprints (40-hex SHA-1 of a
// certificate of the presented chain). Must give up after `timeout` and
// refuse bodies over `max_body` bytes.
using HttpGetter = std::function<Result<std::string, std::string>(
    const std::string& url, const std::vector<std::string>& thumbprints, std::chrono::milliseconds timeout,
    std::size_t max_body)>;

// "<issuer>/.well-known/openid-configuration" (one slash between).
std::string discovery_url(std::string_view issuer);

// The "jwks_uri" of an OpenID Provider Configuration document (OpenID
// Connect Discovery 1.0 section 3). Refused: more than max_size bytes, not a
// JSON object, no string jwks_uri, a jwks_uri that is not https:// (or
// http:// when the issuer itself is http://, for local IdPs).
Result<std::string, std::string> parse_discovery_document(std::string_view text, std::string_view issuer,
                                                          std::size_t max_size = 1024 * 1024);

// A JWKS document with at least one usable key (size-checked first).
Result<std::shared_ptr<const federation::Jwks>, std::string> parse_fetched_jwks(std::string_view text,
                                                                               std::size_t max_size = 1024 * 1024);

// Whether the set has a key with this kid (an empty kid matches any set with keys).
bool jwks_has_kid(const federation::Jwks& keys, std::string_view kid);

class JwksFetcher {
 public:
  JwksFetcher(HttpGetter get, const Clock& clock, JwksFetchLimits limits = {});
  ~JwksFetcher();
  JwksFetcher(const JwksFetcher&) = delete;
  JwksFetcher& operator=(const JwksFetcher&) = delete;

  // The key set to verify a token with `kid` from this provider (its `url`
  // is the issuer). May be a set without that kid (the verifier then reports
  // no matching key). An error when nothing could be fetched: the caller
  // answers IDPCommunicationError.
  Result<std::shared_ptr<const federation::Jwks>, std::string> keys_for(const OidcProvider& provider,
                                                                        std::string_view kid);

  // Fetches started so far (for tests and metrics).
  std::uint64_t fetches_started() const;

 private:
  struct Entry;
  struct Job {
    std::shared_ptr<Entry> entry;
    std::uint64_t epoch;
    std::string issuer;
    std::vector<std::string> thumbprints;
  };
  void start_locked(const std::shared_ptr<Entry>& e, Seconds now);
  void run_worker();
  Result<std::shared_ptr<const federation::Jwks>, std::string> fetch(const Job& job) const;
  void evict_locked();

  HttpGetter get_;
  const Clock& clock_;
  JwksFetchLimits limits_;
  mutable std::mutex mutex_;
  std::condition_variable done_;   // a fetch finished
  std::condition_variable queued_; // a job for the workers
  std::unordered_map<std::string, std::shared_ptr<Entry>> entries_;
  std::deque<Job> jobs_;
  std::uint64_t started_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace stsd::domain
