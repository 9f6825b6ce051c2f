#include "stsd/common/uuid.h"

namespace stsd {

std::string format_uuid4(std::uint64_t hi, std::uint64_t lo) {
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  id.reserve(36);
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) id += '-';
    const std::uint64_t half = i < 16 ? hi : lo;
    id += kHex[(half >> (4 * (15 - i % 16))) & 0xF];
  }
  return id;
}

std::string format_uuid4(std::string_view random_bytes) {
  std::uint64_t half[2] = {0, 0};
  for (std::size_t i = 0; i < 16; ++i) {
    const auto byte = i < random_bytes.size() ? static_cast<unsigned char>(random_bytes[i]) : 0u;
    half[i / 8] = (half[i / 8] << 8) | byte;
  }
  return format_uuid4(half[0], half[1]);
}

}  // namespace stsd
