#include "stsd/domain/jwks_fetcher.h"

#include <algorithm>
#include <limits>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "stsd/domain/store.h"

namespace stsd::domain {

namespace {

constexpr Seconds kNever = std::numeric_limits<Seconds>::min() / 2;

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

}  // namespace

struct JwksFetcher::Entry {
  std::string url;
  std::vector<std::string> thumbprints;
  std::uint64_t epoch = 0;  // bumped when url/thumbprints change: older results are dropped
  std::shared_ptr<const federation::Jwks> keys;
  Seconds fetched_at = kNever;
  Seconds last_attempt = kNever;
  Seconds last_used = kNever;
  bool last_failed = false;
  std::string last_error;
  bool in_flight = false;
  std::uint64_t completed = 0;  // finished fetches, for waiters
};

std::string discovery_url(std::string_view issuer) {
  while (!issuer.empty() && issuer.back() == '/') issuer.remove_suffix(1);
  return std::string(issuer) + "/.well-known/openid-configuration";
}

Result<std::string, std::string> parse_discovery_document(std::string_view text, std::string_view issuer,
                                                          std::size_t max_size) {
  if (text.size() > max_size)
    return unexpected("the OpenID configuration is larger than " + std::to_string(max_size) + " bytes");
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return unexpected(std::string("the OpenID configuration is not a JSON object"));
  auto it = doc.find("jwks_uri");
  if (it == doc.end() || !it->is_string()) return unexpected(std::string("the OpenID configuration has no jwks_uri"));
  std::string uri = it->get<std::string>();
  const bool https = starts_with_ci(uri, "https://");
  const bool http = starts_with_ci(uri, "http://");
  if (!https && !(http && starts_with_ci(issuer, "http://")))
    return unexpected(std::string("the jwks_uri of the OpenID configuration is not an https:// URL"));
  if (uri.size() > 2048) return unexpected(std::string("the jwks_uri is longer than 2048 characters"));
  return uri;
}

Result<std::shared_ptr<const federation::Jwks>, std::string> parse_fetched_jwks(std::string_view text,
                                                                               std::size_t max_size) {
  if (text.size() > max_size) return unexpected("the JWKS is larger than " + std::to_string(max_size) + " bytes");
  auto keys = federation::Jwks::parse(text);
  if (!keys) return unexpected("the JWKS is not usable: " + keys.error());
  if (keys->size() == 0) return unexpected(std::string("the JWKS has no usable signature key"));
  return std::make_shared<const federation::Jwks>(std::move(*keys));
}

bool jwks_has_kid(const federation::Jwks& keys, std::string_view kid) {
  if (kid.empty()) return keys.size() > 0;
  return std::any_of(keys.keys().begin(), keys.keys().end(), [&](const auto& k) { return k.kid == kid; });
}

JwksFetcher::JwksFetcher(HttpGetter get, const Clock& clock, JwksFetchLimits limits)
    : get_(std::move(get)), clock_(clock), limits_(limits) {
  const std::size_t n = std::max<std::size_t>(1, limits_.workers);
  for (std::size_t i = 0; i < n; ++i) workers_.emplace_back([this] { run_worker(); });
}

JwksFetcher::~JwksFetcher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  queued_.notify_all();
  done_.notify_all();
  for (auto& t : workers_) t.join();
}

std::uint64_t JwksFetcher::fetches_started() const {
  std::lock_guard lock(mutex_);
  return started_;
}

void JwksFetcher::start_locked(const std::shared_ptr<Entry>& e, Seconds now) {
  e->in_flight = true;
  e->last_attempt = now;
  ++started_;
  jobs_.push_back(Job{e, e->epoch, e->url, e->thumbprints});
  queued_.notify_one();
}

void JwksFetcher::evict_locked() {
  if (entries_.size() < limits_.max_providers) return;
  auto victim = entries_.end();
  for (auto it = entries_.begin(); it != entries_.end(); ++it)
    if (!it->second->in_flight && (victim == entries_.end() || it->second->last_used < victim->second->last_used))
      victim = it;
  if (victim != entries_.end()) entries_.erase(victim);
}

Result<std::shared_ptr<const federation::Jwks>, std::string> JwksFetcher::keys_for(const OidcProvider& provider,
                                                                                   std::string_view kid) {
  std::unique_lock lock(mutex_);
  if (stopping_) return unexpected(std::string("stsd is stopping"));
  const Seconds now = clock_.now();
  std::shared_ptr<Entry> e;  // shared: a waiter keeps it even if evicted meanwhile
  if (auto found = entries_.find(provider.arn); found != entries_.end()) {
    e = found->second;
  } else {
    evict_locked();
    e = std::make_shared<Entry>();
    entries_.emplace(provider.arn, e);
  }
  if (e->url != provider.url || e->thumbprints != provider.thumbprints) {
    // A provider deleted and created again, or given other thumbprints: start over.
    const std::uint64_t epoch = e->epoch + 1;
    *e = Entry{};
    e->epoch = epoch;
    e->url = provider.url;
    e->thumbprints = provider.thumbprints;
  }
  e->last_used = now;

  if (e->keys && jwks_has_kid(*e->keys, kid)) {
    if (now >= e->fetched_at + limits_.cache_ttl && !e->in_flight && now >= e->last_attempt + limits_.failure_retry)
      start_locked(e, now);  // refresh in the background; the old set answers meanwhile
    return e->keys;
  }

  const Seconds interval = e->keys ? limits_.unknown_kid_refresh : limits_.failure_retry;
  if (!e->in_flight) {
    if (e->last_attempt != kNever && now < e->last_attempt + interval) {
      if (e->keys) return e->keys;  // the verifier reports the unknown kid
      return unexpected(e->last_error.empty() ? std::string("the last fetch failed") : e->last_error);
    }
    start_locked(e, now);
  }
  const std::uint64_t seen = e->completed;
  const bool finished = done_.wait_for(lock, limits_.fetch_timeout + std::chrono::milliseconds(250),
                                       [&] { return stopping_ || e->completed != seen; });
  if (e->keys) return e->keys;
  if (!finished) return unexpected(std::string("timed out fetching the identity provider's keys"));
  return unexpected(e->last_error.empty() ? std::string("the fetch failed") : e->last_error);
}

Result<std::shared_ptr<const federation::Jwks>, std::string> JwksFetcher::fetch(const Job& job) const {
  const auto deadline = std::chrono::steady_clock::now() + limits_.fetch_timeout;
  auto remaining = [&] {
    return std::max(std::chrono::milliseconds(1), std::chrono::duration_cast<std::chrono::milliseconds>(
                                                      deadline - std::chrono::steady_clock::now()));
  };
  const std::string config_url = discovery_url(job.issuer);
  auto config = get_(config_url, job.thumbprints, remaining(), limits_.max_document);
  if (!config) return unexpected(config_url + ": " + config.error());
  auto jwks_uri = parse_discovery_document(*config, job.issuer, limits_.max_document);
  if (!jwks_uri) return unexpected(config_url + ": " + jwks_uri.error());
  if (std::chrono::steady_clock::now() >= deadline) return unexpected(std::string("timed out"));
  auto jwks = get_(*jwks_uri, job.thumbprints, remaining(), limits_.max_document);
  if (!jwks) return unexpected(*jwks_uri + ": " + jwks.error());
  auto keys = parse_fetched_jwks(*jwks, limits_.max_document);
  if (!keys) return unexpected(*jwks_uri + ": " + keys.error());
  return keys;
}

void JwksFetcher::run_worker() {
  std::unique_lock lock(mutex_);
  for (;;) {
    queued_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
    if (stopping_) return;
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    auto result = fetch(job);
    if (result)
      spdlog::info("OIDC provider {}: fetched {} verification key(s)", job.issuer, (*result)->size());
    else
      spdlog::warn("OIDC provider {}: cannot fetch its verification keys: {}", job.issuer, result.error());
    lock.lock();
    Entry& e = *job.entry;
    if (e.epoch == job.epoch) {
      if (result) {
        e.keys = std::move(*result);
        e.fetched_at = clock_.now();
        e.last_failed = false;
        e.last_error.clear();
      } else {
        e.last_failed = true;
        e.last_error = result.error();
      }
      e.in_flight = false;
      ++e.completed;
    }
    done_.notify_all();
  }
}

}  // namespace stsd::domain
