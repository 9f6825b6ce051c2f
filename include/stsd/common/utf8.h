#pragma once
// Strict UTF-8 (RFC 3629 section 4 and Unicode's table 3-7: no overlong
// forms, no UTF-16 surrogates, nothing above U+10FFFF): the one decoder that
// the log escaper, the XML error writer, the model's length and pattern
// checks and the config checks share. Header-only: the log and XML writers
// call it per byte on the request path.
#include <cstddef>
#include <string_view>

namespace stsd {

// The byte count (1..4) of the well-formed sequence at text[i], or 0 when
// the bytes there are not UTF-8 (including a sequence cut off by the end).
// With `code_point`, also the scalar value it encodes.
inline std::size_t utf8_sequence_length(std::string_view text, std::size_t i, char32_t* code_point = nullptr) {
  const std::size_t left = i < text.size() ? text.size() - i : 0;
  const auto at = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const auto continuation = [&](std::size_t k, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return k < left && at(k) >= lo && at(k) <= hi;
  };
  if (left == 0) return 0;
  const unsigned char b0 = at(0);
  char32_t cp = 0;
  std::size_t length = 0;
  if (b0 < 0x80) {
    cp = b0;
    length = 1;
  } else if (b0 >= 0xC2 && b0 <= 0xDF) {
    if (!continuation(1)) return 0;
    cp = (char32_t(b0 & 0x1F) << 6) | (at(1) & 0x3F);
    length = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    // E0: the second byte from A0 (shorter forms are overlong); ED: up to 9F
    // (above it the UTF-16 surrogates).
    const unsigned char lo = b0 == 0xE0 ? 0xA0 : 0x80, hi = b0 == 0xED ? 0x9F : 0xBF;
    if (!continuation(1, lo, hi) || !continuation(2)) return 0;
    cp = (char32_t(b0 & 0x0F) << 12) | (char32_t(at(1) & 0x3F) << 6) | (at(2) & 0x3F);
    length = 3;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    // F0: the second byte from 90 (overlong below); F4: up to 8F (U+10FFFF).
    const unsigned char lo = b0 == 0xF0 ? 0x90 : 0x80, hi = b0 == 0xF4 ? 0x8F : 0xBF;
    if (!continuation(1, lo, hi) || !continuation(2) || !continuation(3)) return 0;
    cp = (char32_t(b0 & 0x07) << 18) | (char32_t(at(1) & 0x3F) << 12) | (char32_t(at(2) & 0x3F) << 6) |
         (at(3) & 0x3F);
    length = 4;
  } else {
    return 0;  // a continuation byte, C0/C1 (always overlong) or F5..FF
  }
  if (code_point != nullptr) *code_point = cp;
  return length;
}

// Every byte of `text` belongs to a well-formed sequence.
inline bool is_valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = utf8_sequence_length(text, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

// Code points in valid UTF-8 (AWS length limits count characters, not
// bytes): the bytes that are not continuation bytes.
inline std::size_t utf8_code_points(std::string_view text) {
  std::size_t n = 0;
  for (unsigned char c : text)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace stsd
