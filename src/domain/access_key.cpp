#include "stsd/domain/access_key.h"

#include <cstdint>

#include "stsd/crypto/crypto.h"

namespace stsd::domain {

namespace {
constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::uint64_t kAccountMask = 0x7FFFFFFFFF80ULL;
}  // namespace

std::string make_access_key_id(std::string_view prefix, std::string_view account) {
  // 40 bits: the "new generation" flag (bit 39) and the account shifted right
  // by one; the account's low bit goes into the next character's top bit.
  std::uint64_t a = std::stoull(std::string(account));
  std::uint64_t head = (1ULL << 39) | (a >> 1);
  std::string bytes(5, '\0');
  for (int i = 4; i >= 0; --i) {
    bytes[i] = static_cast<char>(head & 0xFF);
    head >>= 8;
  }
  std::string id(prefix);
  id += crypto::base32_encode(bytes);  // 5 bytes -> 8 chars, no padding
  std::string tail = crypto::random_string(8, kBase32);
  auto r = static_cast<std::size_t>(kBase32.find(tail[0]) % 16);
  tail[0] = kBase32[(a & 1) ? 16 + r : r];
  id += tail;
  return id;
}

std::string make_secret_access_key() {
  return crypto::random_string(
      40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
}

std::optional<std::string> decode_account(std::string_view access_key_id) {
  if (access_key_id.size() != 20) return std::nullopt;
  auto raw = crypto::base32_decode(access_key_id.substr(4));
  if (!raw || raw->size() != 10) return std::nullopt;
  std::uint64_t z = 0;
  for (int i = 0; i < 6; ++i) z = (z << 8) | static_cast<unsigned char>((*raw)[i]);
  std::uint64_t account = (z & kAccountMask) >> 7;
  std::string out = std::to_string(account);
  if (out.size() > 12) return std::nullopt;
  return std::string(12 - out.size(), '0') + out;
}

std::string stable_unique_id(std::string_view prefix, std::string_view arn) {
  std::string digest = crypto::sha256(arn);
  std::string id(prefix);
  for (int i = 0; id.size() < 21; ++i) id += kBase32[static_cast<unsigned char>(digest[i]) % 32];
  return id;
}

std::string random_unique_id(std::string_view prefix) {
  return std::string(prefix) + crypto::random_string(21 - prefix.size(), kBase32);
}

}  // namespace stsd::domain
