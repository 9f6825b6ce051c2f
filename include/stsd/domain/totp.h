#pragma once
// RFC 6238 TOTP (HMAC-SHA1, 30-second steps, 6 digits), as IAM virtual MFA
// devices use.
#include <string>
#include <string_view>

#include "stsd/domain/clock.h"

namespace stsd::domain {

// The code for the step containing `at`.
std::string totp_code(std::string_view secret, Seconds at);
// Accepts the current step and one step either side (clock drift), comparing
// in constant time.
bool totp_verify(std::string_view secret, std::string_view code, Seconds now);

}  // namespace stsd::domain
