#include "stsd/domain/mfa_guard.h"

#include <algorithm>

#include "stsd/domain/totp.h"

namespace stsd::domain {

namespace {
// The drift window: a code stays valid for its step and the next one.
constexpr std::int64_t kDriftSteps = 2;
}  // namespace

MfaVerdict MfaGuard::check(std::string_view serial, std::string_view secret, std::string_view code, Seconds now) {
  // The HMACs are computed outside the lock; they do not depend on the state.
  const auto step = totp_matching_step(secret, code, now);
  std::lock_guard lock(mutex_);
  DeviceState& d = state_of(serial, now);
  d.last_seen = now;
  // A lock further away than `lockout` means the clock was moved back: over.
  if (d.locked_until > now && d.locked_until - now <= limits_.lockout) return MfaVerdict::Locked;
  if (d.locked_until != 0) {
    d.locked_until = 0;
    d.failures = 0;
  }
  if (!step) {
    if (++d.failures >= limits_.max_failures) {
      d.locked_until = now + limits_.lockout;
      d.failures = 0;
    }
    return MfaVerdict::Invalid;
  }
  // Refused: the accepted step itself, or an older one still in the drift
  // window. Steps far behind mean the clock was moved back; they are new.
  if (d.last_accepted_step >= 0 && *step <= d.last_accepted_step && d.last_accepted_step - *step <= kDriftSteps)
    return MfaVerdict::Reused;
  d.last_accepted_step = *step;
  d.failures = 0;
  return MfaVerdict::Accepted;
}

std::size_t MfaGuard::tracked_devices() const {
  std::lock_guard lock(mutex_);
  return devices_.size();
}

MfaGuard::DeviceState& MfaGuard::state_of(std::string_view serial, Seconds now) {
  if (auto it = devices_.find(serial); it != devices_.end()) return it->second;
  if (devices_.size() >= limits_.max_devices) {
    // Idle devices first: unlocked, nothing accepted within the drift window.
    std::erase_if(devices_, [&](const auto& entry) {
      const DeviceState& d = entry.second;
      return d.locked_until <= now && now - d.last_seen > (kDriftSteps + 1) * kTotpStep;
    });
    if (devices_.size() >= limits_.max_devices) {
      auto oldest = std::min_element(devices_.begin(), devices_.end(), [](const auto& a, const auto& b) {
        return a.second.last_seen < b.second.last_seen;
      });
      devices_.erase(oldest);
    }
  }
  return devices_.emplace(std::string(serial), DeviceState{}).first->second;
}

}  // namespace stsd::domain
