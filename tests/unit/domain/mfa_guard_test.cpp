// Guards the MFA rule (issue 11 item 13): a code is accepted once per device
// (RFC 6238 section 5.2), five wrong codes in a row lock the device for the
// lockout, the state is per serial and bounded.
#include <gtest/gtest.h>

#include "stsd/domain/mfa_guard.h"
#include "stsd/domain/totp.h"

using namespace stsd::domain;

namespace {
const std::string kSecret = "12345678901234567890";
constexpr Seconds kNow = 1700000010;  // a step boundary is at 1700000010 - 0
const std::string kSerial = "arn:aws:iam::111122223333:mfa/alice";

std::string wrong_code(Seconds now) {
  for (int i = 0;; ++i) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%06d", (i * 7919) % 1000000);
    if (!totp_matching_step(kSecret, buf, now)) return buf;
  }
}
}  // namespace

TEST(MfaGuard, AcceptsACodeOnce) {
  MfaGuard g;
  const std::string code = totp_code(kSecret, kNow);
  EXPECT_EQ(g.check(kSerial, kSecret, code, kNow), MfaVerdict::Accepted);
  EXPECT_EQ(g.check(kSerial, kSecret, code, kNow), MfaVerdict::Reused);
  // Still within the drift window a step later: still reused.
  EXPECT_EQ(g.check(kSerial, kSecret, code, kNow + 30), MfaVerdict::Reused);
  // The previous step's code (older than the accepted one) is refused too.
  EXPECT_EQ(g.check(kSerial, kSecret, totp_code(kSecret, kNow - 30), kNow), MfaVerdict::Reused);
  // The next step's code is new.
  EXPECT_EQ(g.check(kSerial, kSecret, totp_code(kSecret, kNow + 30), kNow + 30), MfaVerdict::Accepted);
  // Another device keeps its own state.
  EXPECT_EQ(g.check("arn:aws:iam::111122223333:mfa/bob", kSecret, code, kNow), MfaVerdict::Accepted);
}

TEST(MfaGuard, LocksAfterFiveWrongCodes) {
  MfaGuard g(MfaLimits{5, 300, 16});
  for (int i = 0; i < 4; ++i) EXPECT_EQ(g.check(kSerial, kSecret, wrong_code(kNow), kNow), MfaVerdict::Invalid);
  // A good code resets the count...
  EXPECT_EQ(g.check(kSerial, kSecret, totp_code(kSecret, kNow), kNow), MfaVerdict::Accepted);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(g.check(kSerial, kSecret, wrong_code(kNow), kNow), MfaVerdict::Invalid);
  // ...five in a row lock: even the right code is refused until the lock ends.
  EXPECT_EQ(g.check(kSerial, kSecret, totp_code(kSecret, kNow + 60), kNow + 60), MfaVerdict::Locked);
  EXPECT_EQ(g.check(kSerial, kSecret, totp_code(kSecret, kNow + 299), kNow + 299), MfaVerdict::Locked);
  EXPECT_EQ(g.check(kSerial, kSecret, totp_code(kSecret, kNow + 300), kNow + 300), MfaVerdict::Accepted);
}

TEST(MfaGuard, AClockMovedBackEndsALockAndForgetsOldSteps) {
  MfaGuard g(MfaLimits{5, 300, 16});
  EXPECT_EQ(g.check(kSerial, kSecret, totp_code(kSecret, kNow), kNow), MfaVerdict::Accepted);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(g.check(kSerial, kSecret, wrong_code(kNow), kNow), MfaVerdict::Invalid);
  const Seconds earlier = kNow - 3600;
  EXPECT_EQ(g.check(kSerial, kSecret, totp_code(kSecret, earlier), earlier), MfaVerdict::Accepted);
}

TEST(MfaGuard, KeepsAtMostMaxDevices) {
  MfaGuard g(MfaLimits{5, 300, 4});
  for (int i = 0; i < 10; ++i)
    g.check("serial-" + std::to_string(i), kSecret, totp_code(kSecret, kNow + 100 * i), kNow + 100 * i);
  EXPECT_LE(g.tracked_devices(), 4u);
}
