#pragma once
// UTF-8 helpers the config checks need (internal to stsd_config); base64 and
// base32 come from stsd_crypto.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace stsd::config::detail {

bool is_valid_utf8(std::string_view text);
// Code points in valid UTF-8 (AWS length limits count characters, not bytes).
std::size_t utf8_length(std::string_view text);

}  // namespace stsd::config::detail
