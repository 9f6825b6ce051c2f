#pragma once
// RFC 4122 version 4 UUIDs (section 4.4) in their 8-4-4-4-12 lowercase hex
// form, from random bits the caller draws: request ids from a per-thread
// PRNG, a token's jti from the CSPRNG.
#include <cstdint>
#include <string>
#include <string_view>

namespace stsd {

// The version (4) and variant (10xx) bits are set over `high` and `low`
// (the UUID's first and last eight bytes, big-endian).
std::string format_uuid4(std::uint64_t high, std::uint64_t low);
// The same from 16 random bytes (fewer are zero-padded, more ignored).
std::string format_uuid4(std::string_view random_bytes);

}  // namespace stsd
