// JwksFetcher without the network: a fake getter serves the documents, a
// FixedClock moves time, so cache, refresh and failure rules are exact.
#include "stsd/domain/jwks_fetcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>

#include "stsd/domain/federation/jwt_sign.h"
#include "stsd/domain/store.h"

namespace stsd::domain {
namespace {

using federation::JwtAlgorithm;
using federation::JwtSigningKey;

constexpr std::string_view kIssuer = "https://idp.example.test/tenant";

std::string jwks_of(const JwtSigningKey& k) { return federation::jwks_json({&k}); }

struct FakeIdp {
  std::mutex mutex;
  std::map<std::string, std::string> docs;  // url -> body
  std::map<std::string, int> hits;
  std::vector<std::vector<std::string>> thumbprints_seen;
  std::atomic<bool> down{false};
  std::atomic<int> delay_ms{0};

  HttpGetter getter() {
    return [this](const std::string& url, const std::vector<std::string>& thumbprints, std::chrono::milliseconds,
                  std::size_t) -> Result<std::string, std::string> {
      if (delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
      std::lock_guard lock(mutex);
      ++hits[url];
      thumbprints_seen.push_back(thumbprints);
      if (down) return unexpected(std::string("connection refused"));
      auto it = docs.find(url);
      if (it == docs.end()) return unexpected(std::string("HTTP 404"));
      return it->second;
    };
  }
  void serve(const std::string& jwks) {
    std::lock_guard lock(mutex);
    docs[std::string(kIssuer) + "/.well-known/openid-configuration"] =
        R"({"issuer":"https://idp.example.test/tenant","jwks_uri":"https://keys.example.test/jwks"})";
    docs["https://keys.example.test/jwks"] = jwks;
  }
  int jwks_hits() {
    std::lock_guard lock(mutex);
    return hits["https://keys.example.test/jwks"];
  }
};

OidcProvider provider() {
  OidcProvider p;
  p.account = "123456789012";
  p.url = std::string(kIssuer);
  p.arn = "arn:aws:iam::123456789012:oidc-provider/idp.example.test/tenant";
  p.thumbprints = {std::string(40, 'a')};
  return p;
}

class JwksFetcherTest : public ::testing::Test {
 protected:
  JwtSigningKey key1 = JwtSigningKey::generate(JwtAlgorithm::RS256);
  JwtSigningKey key2 = JwtSigningKey::generate(JwtAlgorithm::RS256);
  FakeIdp idp;
  FixedClock clock{1'700'000'000};
};

TEST(JwksDocuments, DiscoveryUrlJoinsWithOneSlash) {
  EXPECT_EQ(discovery_url("https://a.test"), "https://a.test/.well-known/openid-configuration");
  EXPECT_EQ(discovery_url("https://a.test/t/"), "https://a.test/t/.well-known/openid-configuration");
}

TEST(JwksDocuments, DiscoveryDocumentRules) {
  auto ok = parse_discovery_document(R"({"jwks_uri":"https://k.test/j"})", "https://i.test");
  ASSERT_TRUE(ok) << ok.error();
  EXPECT_EQ(*ok, "https://k.test/j");
  EXPECT_FALSE(parse_discovery_document("[]", "https://i.test"));
  EXPECT_FALSE(parse_discovery_document("not json", "https://i.test"));
  EXPECT_FALSE(parse_discovery_document(R"({"jwks_uri":1})", "https://i.test"));
  EXPECT_FALSE(parse_discovery_document(R"({"issuer":"x"})", "https://i.test"));
  // http key sets only for http issuers (local IdPs); never other schemes.
  EXPECT_FALSE(parse_discovery_document(R"({"jwks_uri":"http://k.test/j"})", "https://i.test"));
  EXPECT_TRUE(parse_discovery_document(R"({"jwks_uri":"http://k.test/j"})", "http://127.0.0.1:8080"));
  EXPECT_FALSE(parse_discovery_document(R"({"jwks_uri":"file:///etc/passwd"})", "http://127.0.0.1:8080"));
  // Size limit, checked before parsing.
  std::string big = R"({"jwks_uri":"https://k.test/j","pad":")" + std::string(2000, 'x') + "\"}";
  EXPECT_TRUE(parse_discovery_document(big, "https://i.test", 4096));
  EXPECT_FALSE(parse_discovery_document(big, "https://i.test", 1024));
}

TEST_F(JwksFetcherTest, FetchedJwksRules) {
  EXPECT_TRUE(parse_fetched_jwks(jwks_of(key1)));
  EXPECT_FALSE(parse_fetched_jwks(R"({"keys":[]})"));
  EXPECT_FALSE(parse_fetched_jwks("{}"));
  EXPECT_FALSE(parse_fetched_jwks(jwks_of(key1), 10));
  auto keys = parse_fetched_jwks(jwks_of(key1));
  ASSERT_TRUE(keys);
  EXPECT_TRUE(jwks_has_kid(**keys, key1.kid()));
  EXPECT_TRUE(jwks_has_kid(**keys, ""));
  EXPECT_FALSE(jwks_has_kid(**keys, key2.kid()));
}

TEST_F(JwksFetcherTest, FetchesThroughDiscoveryAndCaches) {
  idp.serve(jwks_of(key1));
  JwksFetcher fetcher(idp.getter(), clock);
  auto keys = fetcher.keys_for(provider(), key1.kid());
  ASSERT_TRUE(keys) << keys.error();
  EXPECT_TRUE(jwks_has_kid(**keys, key1.kid()));
  EXPECT_EQ(idp.jwks_hits(), 1);
  EXPECT_EQ(idp.thumbprints_seen.front(), provider().thumbprints);
  clock.advance(3599);
  ASSERT_TRUE(fetcher.keys_for(provider(), key1.kid()));
  EXPECT_EQ(fetcher.fetches_started(), 1u);
}

TEST_F(JwksFetcherTest, ExpiredCacheAnswersAtOnceAndRefreshesInTheBackground) {
  idp.serve(jwks_of(key1));
  JwksFetcher fetcher(idp.getter(), clock);
  ASSERT_TRUE(fetcher.keys_for(provider(), key1.kid()));
  clock.advance(3600);
  idp.delay_ms = 300;
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(fetcher.keys_for(provider(), key1.kid()));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(200));
  EXPECT_EQ(fetcher.fetches_started(), 2u);
}

TEST_F(JwksFetcherTest, UnknownKidRefreshesAtMostOncePerInterval) {
  idp.serve(jwks_of(key1));
  JwksFetcher fetcher(idp.getter(), clock);
  ASSERT_TRUE(fetcher.keys_for(provider(), key1.kid()));
  // The IdP rotates to key2: the first token with key2's kid refreshes...
  clock.advance(61);
  idp.serve(jwks_of(key2));
  auto keys = fetcher.keys_for(provider(), key2.kid());
  ASSERT_TRUE(keys);
  EXPECT_TRUE(jwks_has_kid(**keys, key2.kid()));
  EXPECT_EQ(fetcher.fetches_started(), 2u);
  // ...but made-up kids within the next minute do not fetch again.
  for (int i = 0; i < 20; ++i) {
    auto again = fetcher.keys_for(provider(), "made-up-" + std::to_string(i));
    ASSERT_TRUE(again);
    EXPECT_FALSE(jwks_has_kid(**again, "made-up-" + std::to_string(i)));
  }
  EXPECT_EQ(fetcher.fetches_started(), 2u);
  clock.advance(60);
  ASSERT_TRUE(fetcher.keys_for(provider(), "made-up-x"));
  EXPECT_EQ(fetcher.fetches_started(), 3u);
}

TEST_F(JwksFetcherTest, UnknownKidRightAfterFirstFetchWaitsForTheInterval) {
  idp.serve(jwks_of(key1));
  JwksFetcher fetcher(idp.getter(), clock);
  ASSERT_TRUE(fetcher.keys_for(provider(), key1.kid()));
  idp.serve(jwks_of(key2));
  clock.advance(30);
  auto keys = fetcher.keys_for(provider(), key2.kid());
  ASSERT_TRUE(keys);
  EXPECT_FALSE(jwks_has_kid(**keys, key2.kid()));
  EXPECT_EQ(fetcher.fetches_started(), 1u);
}

TEST_F(JwksFetcherTest, FailureIsRememberedForTheRetryInterval) {
  idp.down = true;
  JwksFetcher fetcher(idp.getter(), clock);
  auto keys = fetcher.keys_for(provider(), key1.kid());
  ASSERT_FALSE(keys);
  EXPECT_NE(keys.error().find("connection refused"), std::string::npos);
  EXPECT_FALSE(fetcher.keys_for(provider(), key1.kid()));
  EXPECT_EQ(fetcher.fetches_started(), 1u);
  idp.down = false;
  idp.serve(jwks_of(key1));
  clock.advance(10);
  EXPECT_TRUE(fetcher.keys_for(provider(), key1.kid()));
  EXPECT_EQ(fetcher.fetches_started(), 2u);
}

TEST_F(JwksFetcherTest, FailedRefreshKeepsTheOldSet) {
  idp.serve(jwks_of(key1));
  JwksFetcher fetcher(idp.getter(), clock);
  ASSERT_TRUE(fetcher.keys_for(provider(), key1.kid()));
  idp.down = true;
  clock.advance(61);
  auto keys = fetcher.keys_for(provider(), key2.kid());
  ASSERT_TRUE(keys);
  EXPECT_TRUE(jwks_has_kid(**keys, key1.kid()));
}

TEST_F(JwksFetcherTest, BadDocumentsFail) {
  JwksFetcher fetcher(idp.getter(), clock);
  {
    std::lock_guard lock(idp.mutex);
    idp.docs[std::string(kIssuer) + "/.well-known/openid-configuration"] = R"({"jwks_uri":"http://keys.example.test/jwks"})";
    idp.docs["http://keys.example.test/jwks"] = jwks_of(key1);
  }
  auto keys = fetcher.keys_for(provider(), key1.kid());
  ASSERT_FALSE(keys);
  EXPECT_NE(keys.error().find("https"), std::string::npos);
}

TEST_F(JwksFetcherTest, SlowIdpTimesOutWithinTheBound) {
  idp.serve(jwks_of(key1));
  idp.delay_ms = 2000;
  JwksFetchLimits limits;
  limits.fetch_timeout = std::chrono::milliseconds(200);
  JwksFetcher fetcher(idp.getter(), clock, limits);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(fetcher.keys_for(provider(), key1.kid()));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(1000));
}

TEST_F(JwksFetcherTest, ConcurrentRequestsShareOneFetch) {
  idp.serve(jwks_of(key1));
  idp.delay_ms = 100;
  JwksFetcher fetcher(idp.getter(), clock);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] {
      if (fetcher.keys_for(provider(), key1.kid())) ++ok;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 8);
  EXPECT_EQ(fetcher.fetches_started(), 1u);
}

TEST_F(JwksFetcherTest, ChangedThumbprintsStartOver) {
  idp.serve(jwks_of(key1));
  JwksFetcher fetcher(idp.getter(), clock);
  ASSERT_TRUE(fetcher.keys_for(provider(), key1.kid()));
  OidcProvider changed = provider();
  changed.thumbprints = {std::string(40, 'b')};
  ASSERT_TRUE(fetcher.keys_for(changed, key1.kid()));
  EXPECT_EQ(fetcher.fetches_started(), 2u);
  EXPECT_EQ(idp.thumbprints_seen.back(), changed.thumbprints);
}

TEST_F(JwksFetcherTest, KeepsAtMostMaxProvidersEntries) {
  idp.serve(jwks_of(key1));
  JwksFetchLimits limits;
  limits.max_providers = 2;
  JwksFetcher fetcher(idp.getter(), clock, limits);
  for (int i = 0; i < 3; ++i) {
    OidcProvider p = provider();
    p.arn += std::to_string(i);
    clock.advance(1);
    ASSERT_TRUE(fetcher.keys_for(p, key1.kid()));
  }
  EXPECT_EQ(fetcher.fetches_started(), 3u);
  // The least recently used (the first) was dropped: it fetches again; the last did not.
  OidcProvider last = provider();
  last.arn += "2";
  ASSERT_TRUE(fetcher.keys_for(last, key1.kid()));
  EXPECT_EQ(fetcher.fetches_started(), 3u);
  OidcProvider first = provider();
  first.arn += "0";
  ASSERT_TRUE(fetcher.keys_for(first, key1.kid()));
  EXPECT_EQ(fetcher.fetches_started(), 4u);
}

}  // namespace
}  // namespace stsd::domain
