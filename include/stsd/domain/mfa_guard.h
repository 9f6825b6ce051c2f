#pragma once
// What stsd remembers about MFA devices between requests, so that a TOTP
// code can neither be replayed nor guessed (RFC 6238 section 5.2: a verifier
// must not accept a code again after it was accepted once; RFC 4226 section
// 7.3: throttle a device after failed attempts).
//
// The rule, per device serial:
// - a code is accepted once: a code of a time step no later than the last
//   accepted one (within the ±1-step drift window) is refused as reused;
// - after `max_failures` wrong codes in a row the device is locked for
//   `lockout` seconds: every code, right or wrong, is refused until then;
//   an accepted code resets the count.
// State is keyed by serial, outside the (immutable, swapped) Store, so it
// survives a config change for the same device. Thread-safe (one mutex; MFA
// requests are rare); at most `max_devices` entries are kept, idle ones
// dropped first. Time is the domain clock's, so a moved clock moves locks.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "stsd/domain/clock.h"

namespace stsd::domain {

struct MfaLimits {
  int max_failures = 5;
  Seconds lockout = 300;
  std::size_t max_devices = 4096;
};

enum class MfaVerdict {
  Accepted,
  Invalid,  // not a code of this device now (counted towards the lock)
  Reused,   // already accepted (or older than the last accepted one)
  Locked,   // too many wrong codes: refused whatever the code
};

class MfaGuard {
 public:
  explicit MfaGuard(MfaLimits limits = {}) : limits_(limits) {}
  MfaGuard(const MfaGuard&) = delete;
  MfaGuard& operator=(const MfaGuard&) = delete;

  // Checks `code` for the device `serial` whose TOTP key is `secret`, and
  // records the outcome.
  MfaVerdict check(std::string_view serial, std::string_view secret, std::string_view code, Seconds now);

  std::size_t tracked_devices() const;

 private:
  struct DeviceState {
    std::int64_t last_accepted_step = -1;
    int failures = 0;
    Seconds locked_until = 0;
    Seconds last_seen = 0;
  };
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  DeviceState& state_of(std::string_view serial, Seconds now);  // mutex_ held

  MfaLimits limits_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, DeviceState, Hash, std::equal_to<>> devices_;
};

}  // namespace stsd::domain
