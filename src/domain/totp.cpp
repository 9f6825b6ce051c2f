#include "stsd/domain/totp.h"

#include <cstdint>
#include <cstdio>

#include "stsd/crypto/crypto.h"

namespace stsd::domain {

std::string totp_code(std::string_view secret, Seconds at) {
  std::uint64_t counter = static_cast<std::uint64_t>(at) / kTotpStep;
  std::string msg(8, '\0');
  for (int i = 7; i >= 0; --i) {
    msg[i] = static_cast<char>(counter & 0xFF);
    counter >>= 8;
  }
  std::string mac = crypto::hmac_sha1(secret, msg);
  // RFC 4226 section 5.3 dynamic truncation.
  int offset = static_cast<unsigned char>(mac[19]) & 0x0F;
  std::uint32_t bin = (static_cast<std::uint32_t>(static_cast<unsigned char>(mac[offset]) & 0x7F) << 24) |
                      (static_cast<std::uint32_t>(static_cast<unsigned char>(mac[offset + 1])) << 16) |
                      (static_cast<std::uint32_t>(static_cast<unsigned char>(mac[offset + 2])) << 8) |
                      static_cast<std::uint32_t>(static_cast<unsigned char>(mac[offset + 3]));
  char buf[8];
  std::snprintf(buf, sizeof buf, "%06u", bin % 1000000U);
  return buf;
}

bool totp_verify(std::string_view secret, std::string_view code, Seconds now) {
  return totp_matching_step(secret, code, now).has_value();
}

std::optional<std::int64_t> totp_matching_step(std::string_view secret, std::string_view code, Seconds now) {
  std::optional<std::int64_t> step;
  for (Seconds drift : {-kTotpStep, Seconds{0}, kTotpStep})
    if (crypto::constant_time_equal(totp_code(secret, now + drift), code)) step = (now + drift) / kTotpStep;
  return step;
}

}  // namespace stsd::domain
