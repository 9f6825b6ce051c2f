// Guards the per-thread signing-key cache: a hit only for the same key id,
// scope and secret; any other secret or scope derives afresh; bounded size.
#include "signing_key_cache.h"

#include <gtest/gtest.h>

#include <string>

#include "stsd/crypto/crypto.h"
#include "stsd/sigv4/sigv4.h"

namespace stsd::sigv4::detail {
namespace {

constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr std::string_view kOtherSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEZ";

CredentialScope scope(std::string key_id = "AKIDEXAMPLE", std::string date = "20150830",
                      std::string region = "us-east-1", std::string service = "iam") {
  return {std::move(key_id), std::move(date), std::move(region), std::move(service), "aws4_request"};
}

std::string hex(const crypto::Sha256Digest& d) { return crypto::hex_encode(crypto::as_view(d)); }

TEST(SigningKeyCache, DerivesTheDocumentedKeyThenHits) {
  SigningKeyCache cache;
  // AWS's documented signing key for this secret and scope.
  const std::string documented = "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9";
  EXPECT_EQ(hex(cache.get(kSecret, scope())), documented);
  EXPECT_EQ(cache.derivations(), 1u);
  EXPECT_EQ(hex(cache.get(kSecret, scope())), documented);
  EXPECT_EQ(cache.derivations(), 1u);  // the second call was a hit
  EXPECT_EQ(cache.size(), 1u);
}

TEST(SigningKeyCache, SameKeyIdAndScopeWithAnotherSecretMisses) {
  SigningKeyCache cache;
  auto good = cache.get(kSecret, scope());
  auto other = cache.get(kOtherSecret, scope());
  EXPECT_EQ(cache.derivations(), 2u);
  EXPECT_NE(good, other);
  EXPECT_EQ(other, derive_signing_key(kOtherSecret, scope()));
  // A rotated secret replaces the entry rather than adding one...
  EXPECT_EQ(cache.size(), 1u);
  // ...and the old secret is not served the new key, nor the new one the old.
  EXPECT_EQ(cache.get(kSecret, scope()), good);
  EXPECT_EQ(cache.derivations(), 3u);
  EXPECT_EQ(cache.get(kSecret, scope()), good);
  EXPECT_EQ(cache.derivations(), 3u);
}

TEST(SigningKeyCache, SecretsOfOtherLengthsOrPrefixesMiss) {
  SigningKeyCache cache;
  cache.get(kSecret, scope());
  std::string prefix(kSecret.substr(0, kSecret.size() - 1));
  EXPECT_EQ(cache.get(prefix, scope()), derive_signing_key(prefix, scope()));
  EXPECT_EQ(cache.get("", scope()), derive_signing_key("", scope()));
  EXPECT_EQ(cache.derivations(), 3u);
}

TEST(SigningKeyCache, EveryPartOfTheScopeIsPartOfTheKey) {
  SigningKeyCache cache;
  const CredentialScope scopes[] = {
      scope(),
      scope("AKIDOTHER"),
      scope("AKIDEXAMPLE", "20150831"),
      scope("AKIDEXAMPLE", "20150830", "eu-west-1"),
      scope("AKIDEXAMPLE", "20150830", "us-east-1", "sts"),
  };
  for (const auto& s : scopes) EXPECT_EQ(cache.get(kSecret, s), derive_signing_key(kSecret, s)) << s.scope();
  EXPECT_EQ(cache.derivations(), 5u);
  EXPECT_EQ(cache.size(), 5u);
  // The key id does not enter the derivation, but the date, region and
  // service do.
  EXPECT_EQ(cache.get(kSecret, scopes[0]), cache.get(kSecret, scopes[1]));
  EXPECT_NE(cache.get(kSecret, scopes[0]), cache.get(kSecret, scopes[2]));
  EXPECT_NE(cache.get(kSecret, scopes[0]), cache.get(kSecret, scopes[3]));
  EXPECT_NE(cache.get(kSecret, scopes[0]), cache.get(kSecret, scopes[4]));
  EXPECT_EQ(cache.derivations(), 5u);  // all hits now

  CredentialScope other_terminator = scope();
  other_terminator.terminator = "aws4_requesT";
  EXPECT_EQ(cache.get(kSecret, other_terminator), derive_signing_key(kSecret, other_terminator));
  EXPECT_EQ(cache.derivations(), 6u);
}

TEST(SigningKeyCache, BoundedAndReplacesInTurn) {
  SigningKeyCache cache(3);
  EXPECT_EQ(cache.capacity(), 3u);
  cache.get(kSecret, scope("K0"));
  cache.get(kSecret, scope("K1"));
  cache.get(kSecret, scope("K2"));
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_EQ(cache.derivations(), 3u);

  // A fourth entry evicts the oldest (K0); the size stays at the bound.
  cache.get(kSecret, scope("K3"));
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_EQ(cache.derivations(), 4u);
  cache.get(kSecret, scope("K1"));
  cache.get(kSecret, scope("K2"));
  cache.get(kSecret, scope("K3"));
  EXPECT_EQ(cache.derivations(), 4u);  // still cached
  EXPECT_EQ(cache.get(kSecret, scope("K0")), derive_signing_key(kSecret, scope("K0")));
  EXPECT_EQ(cache.derivations(), 5u);  // K0 was evicted, K1 goes now
  cache.get(kSecret, scope("K2"));
  cache.get(kSecret, scope("K3"));
  EXPECT_EQ(cache.derivations(), 5u);
  cache.get(kSecret, scope("K1"));
  EXPECT_EQ(cache.derivations(), 6u);
  EXPECT_EQ(cache.size(), 3u);
}

TEST(SigningKeyCache, SignIsStageFourUnderTheCachedKey) {
  SigningKeyCache cache;
  const std::string sts =
      "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n"
      "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59";
  // AWS's documented signature for the IAM ListUsers example.
  const std::string documented = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
  EXPECT_EQ(hex(cache.sign(kSecret, scope(), sts)), documented);
  EXPECT_EQ(hex(cache.sign(kSecret, scope(), sts)), documented);  // the keyed MAC restarts per message
  EXPECT_EQ(hex(cache.sign(kSecret, scope(), "other")),
            crypto::hex_encode(crypto::hmac_sha256(crypto::as_view(derive_signing_key(kSecret, scope())), "other")));
  EXPECT_EQ(cache.derivations(), 1u);
  // Another secret under the same key id and scope signs with its own key.
  EXPECT_NE(hex(cache.sign(kOtherSecret, scope(), sts)), documented);
  EXPECT_EQ(hex(cache.sign(kSecret, scope(), sts)), documented);
  EXPECT_EQ(cache.derivations(), 3u);
}

TEST(SigningKeyCache, VerifyUsesTheSecretGivenNotTheCachedOne) {
  // verify() caches per thread; a request signed with one secret must not
  // verify under another for the same key id and scope, in either order.
  Request r;
  r.method = "POST";
  r.path = "/";
  r.body = "Action=GetCallerIdentity&Version=2011-06-15";
  r.headers = {{"Host", "sts.amazonaws.com"}};
  sign(r, "AKIDCACHETEST", kSecret, "us-east-1", "sts", "20150830T123600Z");
  auto info = parse(r);
  ASSERT_TRUE(info.has_value());
  EXPECT_TRUE(verify(r, *info, kSecret));
  EXPECT_FALSE(verify(r, *info, kOtherSecret));
  EXPECT_TRUE(verify(r, *info, kSecret));
  EXPECT_FALSE(verify(r, *info, kOtherSecret));
  EXPECT_FALSE(verify(r, *info, kSecret.substr(1)));
  EXPECT_TRUE(verify(r, *info, kSecret));
}

}  // namespace
}  // namespace stsd::sigv4::detail
