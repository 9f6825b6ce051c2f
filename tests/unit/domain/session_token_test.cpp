// Guards self-contained session tokens: round trip, any tampering rejected,
// another key rejected, and a second codec with the same key accepts (restart).
#include <gtest/gtest.h>

#include <thread>

#include "stsd/crypto/crypto.h"
#include "stsd/domain/authorization_message.h"
#include "stsd/domain/credentials.h"
#include "stsd/domain/session_token.h"

using namespace stsd::domain;

namespace {
Session sample() {
  Session s;
  s.type = CredentialType::AssumedRole;
  s.principal_type = PrincipalType::AssumedRole;
  s.account = "123456789012";
  s.arn = "arn:aws:sts::123456789012:assumed-role/deploy/s1";
  s.user_id = "AROAEXAMPLEEXAMPLE12:s1";
  s.source_arn = "arn:aws:iam::123456789012:role/deploy";
  s.role_session_name = "s1";
  s.issued_at = 1700000000;
  s.expiration = 1700003600;
  s.mfa_authenticated = true;
  s.mfa_auth_time = 1700000000;
  s.chain_depth = 2;
  s.source_identity = "alice";
  s.tags = {{"team", "blue"}, {"Project", "x"}};
  s.transitive_tag_keys = {"team"};
  s.session_policy = R"({"Version":"2012-10-17","Statement":[]})";
  s.policy_arns = {"arn:aws:iam::aws:policy/ReadOnlyAccess"};
  return s;
}
}  // namespace

TEST(SessionToken, RoundTripsEveryField) {
  SessionTokenCodec codec(std::string(32, 'k'));
  Session s = sample();
  IssuedCredentials creds = issue_credentials(s, codec);
  EXPECT_EQ(creds.access_key_id.substr(0, 4), "ASIA");
  EXPECT_EQ(creds.secret_access_key.size(), 40u);
  EXPECT_GE(creds.session_token.size(), 100u);
  auto opened = codec.open(creds.session_token);
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, s);
}

TEST(SessionToken, RoundTripsDelegatedCredentials) {
  SessionTokenCodec codec(std::string(32, 'k'));
  Session s = sample();
  s.type = CredentialType::Delegated;
  IssuedCredentials creds = issue_credentials(s, codec);
  auto opened = codec.open(creds.session_token);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->type, CredentialType::Delegated);
  EXPECT_EQ(*opened, s);
}

TEST(SessionToken, SameKeyInAnotherInstanceAccepts) {
  Session s = sample();
  auto creds = issue_credentials(s, SessionTokenCodec(std::string(32, 'k')));
  EXPECT_TRUE(SessionTokenCodec(std::string(32, 'k')).open(creds.session_token));
  EXPECT_FALSE(SessionTokenCodec(std::string(32, 'j')).open(creds.session_token));
}

TEST(SessionToken, EveryByteTamperIsRejected) {
  SessionTokenCodec codec(std::string(32, 'k'));
  Session s = sample();
  auto token = issue_credentials(s, codec).session_token;
  auto raw = *stsd::crypto::base64_decode(token);
  for (std::size_t i = 0; i < raw.size(); ++i) {
    std::string bad = raw;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    EXPECT_FALSE(codec.open(stsd::crypto::base64_encode(bad))) << "byte " << i;
  }
}

TEST(SessionToken, GarbageIsRejected) {
  SessionTokenCodec codec(std::string(32, 'k'));
  for (const char* g : {"", "x", "====", "FwoGZXIvYXdzEXAMPLE", "AQoDYXdzEJr//////////wEa"})
    EXPECT_FALSE(codec.open(g)) << g;
}

// Issue 11 item 9: POST /_stsd/token-key/rotate replaces the key in the
// running codecs; what was sealed before no longer opens, on any thread.
TEST(SessionToken, ARotatedKeyRefusesOldTokensOnEveryThread) {
  SessionTokenCodec codec(std::string(32, 'k'));
  AuthorizationMessageCodec messages(std::string(32, 'k'));
  Session s = sample();
  const auto old_token = issue_credentials(s, codec).session_token;
  const auto old_message = messages.encode(R"({"allowed":false})");
  ASSERT_TRUE(codec.open(old_token));  // this thread now holds a copy of the old key

  codec.set_key(std::string(32, 'r'));
  messages.set_token_key(std::string(32, 'r'));
  EXPECT_FALSE(codec.open(old_token));
  EXPECT_FALSE(messages.decode("123456789012", old_message));
  const auto new_token = issue_credentials(s, codec).session_token;
  EXPECT_TRUE(codec.open(new_token));
  EXPECT_TRUE(SessionTokenCodec(std::string(32, 'r')).open(new_token));
  EXPECT_EQ(messages.decode("123456789012", messages.encode("{}")), "{}");
  std::thread other([&] {
    EXPECT_FALSE(codec.open(old_token));
    EXPECT_TRUE(codec.open(new_token));
  });
  other.join();
}
