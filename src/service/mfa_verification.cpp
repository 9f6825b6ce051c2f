#include "stsd/service/mfa_verification.h"

namespace stsd::service {

Result<bool> verify_mfa(const std::optional<std::string>& serial, const std::optional<std::string>& code,
                        const Caller& caller, domain::MfaGuard& guard, std::int64_t now) {
  if (!serial && !code) return false;
  if (!serial || !code)
    return fail(ErrorCode::AccessDenied,
                "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.");
  const domain::MfaDevice* device = nullptr;
  if (caller.user != nullptr)
    for (const auto& d : caller.user->mfa_devices)
      if (d.serial == *serial) device = &d;
  if (device == nullptr)
    return fail(ErrorCode::AccessDenied,
                "Please verify your MFA serial number is valid and associated with this user.");
  // A wrong, reused or locked-out code gets AWS's one answer: which it was
  // is not for the caller to learn.
  if (guard.check(device->serial, device->secret, *code, now) != domain::MfaVerdict::Accepted)
    return fail(ErrorCode::AccessDenied, "MultiFactorAuthentication failed with invalid MFA one time pass code. ");
  return true;
}

}  // namespace stsd::service
