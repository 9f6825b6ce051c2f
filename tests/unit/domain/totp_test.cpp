// Guards TOTP against RFC 6238 appendix B (SHA-1 rows, low six digits).
#include <gtest/gtest.h>

#include "stsd/domain/totp.h"

using namespace stsd::domain;

TEST(Totp, Rfc6238Vectors) {
  const std::string secret = "12345678901234567890";
  EXPECT_EQ(totp_code(secret, 59), "287082");           // 94287082
  EXPECT_EQ(totp_code(secret, 1111111109), "081804");   // 07081804
  EXPECT_EQ(totp_code(secret, 1111111111), "050471");   // 14050471
  EXPECT_EQ(totp_code(secret, 1234567890), "005924");   // 89005924
  EXPECT_EQ(totp_code(secret, 2000000000), "279037");   // 69279037
  EXPECT_EQ(totp_code(secret, 20000000000), "353130");  // 65353130
}

TEST(Totp, VerifyAcceptsOneStepOfDrift) {
  const std::string secret = "12345678901234567890";
  const Seconds now = 1234567890;
  EXPECT_TRUE(totp_verify(secret, totp_code(secret, now), now));
  EXPECT_TRUE(totp_verify(secret, totp_code(secret, now - 30), now));
  EXPECT_TRUE(totp_verify(secret, totp_code(secret, now + 30), now));
  EXPECT_FALSE(totp_verify(secret, totp_code(secret, now - 90), now));
  EXPECT_FALSE(totp_verify(secret, "000000", now));
  EXPECT_FALSE(totp_verify(secret, "", now));
}
