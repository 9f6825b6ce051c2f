// Guards self-contained session tokens: round trip, any tampering rejected,
// another key rejected, and a second codec with the same key accepts (restart).
#include <gtest/gtest.h>

#include "stsd/crypto/crypto.h"
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
