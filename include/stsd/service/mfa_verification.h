#pragma once
// The MFA a request presents (SerialNumber and TokenCode of AssumeRole and
// GetSessionToken), checked against the calling IAM user's devices.
#include <cstdint>
#include <optional>
#include <string>

#include "stsd/common/result.h"
#include "stsd/common/sts_error.h"
#include "stsd/domain/mfa_guard.h"
#include "stsd/service/caller.h"

namespace stsd::service {

// MFA check for the request's SerialNumber/TokenCode against the caller's IAM user, through
// `guard` (a code is accepted once; a device is locked after repeated wrong
// codes: domain/mfa_guard.h). Returns true when MFA was presented and
// verified, false when not presented; AccessDenied with AWS's texts otherwise.
Result<bool> verify_mfa(const std::optional<std::string>& serial, const std::optional<std::string>& code,
                        const Caller& caller, domain::MfaGuard& guard, std::int64_t now);

}  // namespace stsd::service
