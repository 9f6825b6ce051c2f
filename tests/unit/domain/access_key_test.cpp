// Guards AWS's access key id format: the account encoded in new-generation
// ids (the worked examples of
// https://awsteele.com/blog/2020/09/26/aws-access-key-format.html), secrets,
// unique ids.
#include <gtest/gtest.h>

#include <set>

#include "stsd/domain/access_key.h"

using namespace stsd::domain;

TEST(AccessKey, DecodesTheWorkedExample) {
  EXPECT_EQ(decode_account("ASIAY34FZKBOKMUTVV7A"), "609629065308");
}

TEST(AccessKey, EncodesPrefixesAsAwsDoes) {
  EXPECT_EQ(make_access_key_id("ASIA", "123456789012").substr(0, 12), "ASIARZPUZDIK");
  EXPECT_EQ(make_access_key_id("ASIA", "111111111111").substr(0, 12), "ASIARTXV5AHD");
  EXPECT_EQ(make_access_key_id("ASIA", "000000000000").substr(0, 12), "ASIAQAAAAAAA");
  // The 13th character carries the account's low bit.
  char odd = make_access_key_id("ASIA", "111111111111")[12];
  EXPECT_TRUE(odd >= 'Q' || (odd >= '2' && odd <= '7')) << odd;
  char even = make_access_key_id("ASIA", "123456789012")[12];
  EXPECT_TRUE(even >= 'A' && even <= 'P') << even;
}

TEST(AccessKey, RoundTripsManyAccounts) {
  for (const char* account : {"000000000000", "000000000001", "123456789012", "999999999999", "549755813887",
                              "111122223333", "609629065308"}) {
    for (int i = 0; i < 20; ++i) {
      std::string id = make_access_key_id("AKIA", account);
      ASSERT_EQ(id.size(), 20u);
      for (char c : id.substr(4)) ASSERT_TRUE((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7')) << id;
      EXPECT_EQ(decode_account(id), account) << id;
    }
  }
}

TEST(AccessKey, RandomTails) {
  std::set<std::string> ids;
  for (int i = 0; i < 200; ++i) ids.insert(make_access_key_id("ASIA", "123456789012"));
  EXPECT_GT(ids.size(), 195u);
}

TEST(AccessKey, DecodeRejectsMalformed) {
  EXPECT_FALSE(decode_account(""));
  EXPECT_FALSE(decode_account("ASIA"));
  EXPECT_FALSE(decode_account("ASIAY34FZKBOKMUTVV7"));     // 19 chars
  EXPECT_FALSE(decode_account("ASIAY34FZKBOKMUTVV7A1"));   // 21 chars
  EXPECT_FALSE(decode_account("ASIAY34FZKBOKMUTVV1A"));    // '1' is not base32
}

TEST(AccessKey, SecretsAre40CharsOfTheAwsAlphabet) {
  std::string s = make_secret_access_key();
  ASSERT_EQ(s.size(), 40u);
  for (char c : s) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/') << s;
  EXPECT_NE(s, make_secret_access_key());
}

TEST(AccessKey, StableUniqueIds) {
  std::string a = stable_unique_id("AROA", "arn:aws:iam::123456789012:role/x");
  EXPECT_EQ(a.size(), 21u);
  EXPECT_EQ(a.substr(0, 4), "AROA");
  EXPECT_EQ(a, stable_unique_id("AROA", "arn:aws:iam::123456789012:role/x"));
  EXPECT_NE(a, stable_unique_id("AROA", "arn:aws:iam::123456789012:role/y"));
}
