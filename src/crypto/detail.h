#pragma once
// What the files of stsd_crypto share (internal: not under include/).
#include <string_view>

namespace stsd::crypto::detail {

// Fail-fast for conditions no caller can recover from (crypto.h): prints
// and aborts.
[[noreturn]] void die(const char* what);

inline const unsigned char* bytes_of(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace stsd::crypto::detail
