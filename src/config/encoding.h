#pragma once
// Small text codecs the config file needs (internal to stsd_config). Kept
// here rather than borrowed from stsd_crypto so config stays a leaf on common.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace stsd::config::detail {

// RFC 4648 section 4 base64; padding optional on input, written on output.
std::optional<std::string> base64_decode(std::string_view text);
std::string base64_encode(std::string_view bytes);

// RFC 4648 section 6 base32 (A-Z2-7), as authenticator apps show TOTP keys.
// Input is case-insensitive with optional padding; output is upper case
// without padding.
std::optional<std::string> base32_decode(std::string_view text);
std::string base32_encode(std::string_view bytes);

bool is_valid_utf8(std::string_view text);
// Code points in valid UTF-8 (AWS length limits count characters, not bytes).
std::size_t utf8_length(std::string_view text);

}  // namespace stsd::config::detail
