#include "encoding.h"

#include <cstdint>

namespace stsd::config::detail {
namespace {

constexpr std::string_view kBase64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kBase32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int base64_value(char c) {
  const auto pos = kBase64Alphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

int base32_value(char c) {
  if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  const auto pos = kBase32Alphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

// Strips up to `max` trailing '='; when any was present the padded length
// must be a whole number of `block` characters.
std::optional<std::string_view> strip_padding(std::string_view text, std::size_t max, std::size_t block) {
  std::size_t pads = 0;
  while (pads < text.size() && text[text.size() - 1 - pads] == '=') ++pads;
  if (pads > max) return std::nullopt;
  if (pads > 0 && text.size() % block != 0) return std::nullopt;
  return text.substr(0, text.size() - pads);
}

// Decodes `bits`-wide digits MSB first; leftover bits (fewer than 8) are
// the encoder's zero fill and are dropped.
template <class ValueOf>
std::optional<std::string> decode_digits(std::string_view digits, int bits, ValueOf value_of) {
  std::string out;
  std::uint32_t buffer = 0;
  int held = 0;
  for (char c : digits) {
    const int v = value_of(c);
    if (v < 0) return std::nullopt;
    buffer = (buffer << bits) | static_cast<std::uint32_t>(v);
    held += bits;
    if (held >= 8) {
      held -= 8;
      out.push_back(static_cast<char>((buffer >> held) & 0xFF));
    }
  }
  return out;
}

std::string encode_digits(std::string_view bytes, int bits, std::string_view alphabet) {
  std::string out;
  std::uint32_t buffer = 0;
  int held = 0;
  const std::uint32_t mask = (1u << bits) - 1;
  for (unsigned char b : bytes) {
    buffer = (buffer << 8) | b;
    held += 8;
    while (held >= bits) {
      held -= bits;
      out.push_back(alphabet[(buffer >> held) & mask]);
    }
  }
  if (held > 0) out.push_back(alphabet[(buffer << (bits - held)) & mask]);
  return out;
}

}  // namespace

std::optional<std::string> base64_decode(std::string_view text) {
  const auto digits = strip_padding(text, 2, 4);
  // One leftover digit carries only 6 bits: never a valid encoding.
  if (!digits || digits->size() % 4 == 1) return std::nullopt;
  return decode_digits(*digits, 6, base64_value);
}

std::string base64_encode(std::string_view bytes) {
  std::string out = encode_digits(bytes, 6, kBase64Alphabet);
  while (out.size() % 4 != 0) out.push_back('=');
  return out;
}

std::optional<std::string> base32_decode(std::string_view text) {
  const auto digits = strip_padding(text, 6, 8);
  if (!digits) return std::nullopt;
  // Lengths a whole number of bytes can produce: 0, 2, 4, 5 or 7 digits mod 8.
  const std::size_t rest = digits->size() % 8;
  if (rest == 1 || rest == 3 || rest == 6) return std::nullopt;
  return decode_digits(*digits, 5, base32_value);
}

std::string base32_encode(std::string_view bytes) { return encode_digits(bytes, 5, kBase32Alphabet); }

bool is_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t extra = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;  // truncated sequence
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    static constexpr std::uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

std::size_t utf8_length(std::string_view text) {
  std::size_t n = 0;
  for (unsigned char c : text)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace stsd::config::detail
