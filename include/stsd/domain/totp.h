#pragma once
// RFC 6238 TOTP (HMAC-SHA1, 30-second steps, 6 digits), as IAM virtual MFA
// devices use.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "stsd/domain/clock.h"

namespace stsd::domain {

inline constexpr Seconds kTotpStep = 30;

// The code for the step containing `at`.
std::string totp_code(std::string_view secret, Seconds at);
// Accepts the current step and one step either side (clock drift), comparing
// in constant time.
bool totp_verify(std::string_view secret, std::string_view code, Seconds now);
// The time step (at / 30) whose code `code` is, among the current step and
// one either side; nullopt when none. Every candidate is compared, in
// constant time.
std::optional<std::int64_t> totp_matching_step(std::string_view secret, std::string_view code, Seconds now);

}  // namespace stsd::domain
