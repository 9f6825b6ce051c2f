#include "stsd/common/percent_encoding.h"

#include <algorithm>
#include <cstring>

namespace stsd {

namespace {

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string uri_encode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() + text.size() / 2);
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c) || (keep_slash && c == '/')) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

std::string form_decode(std::string_view text) {
  // An empty view may have no data at all, which memchr must not be given.
  if (text.empty()) return {};
  std::string out;
  out.reserve(text.size());
  // Long values (tokens, policies) are mostly plain: memchr finds the next
  // '+' and '%' a vector at a time, and the text between is copied at once.
  const char* const end = text.data() + text.size();
  const auto next = [end](const char* from, char c) {
    const void* hit = std::memchr(from, c, static_cast<std::size_t>(end - from));
    return hit != nullptr ? static_cast<const char*>(hit) : end;
  };
  const char* run = text.data();  // start of the pending span copied as it is
  const char* plus = next(run, '+');
  const char* percent = next(run, '%');
  while (plus != end || percent != end) {
    const char* at = std::min(plus, percent);
    out.append(run, at);
    if (at == plus) {
      out += ' ';
      run = at + 1;
      plus = next(run, '+');
      continue;
    }
    // A '%' without two hex digits is kept as it is.
    const bool escape = end - at > 2 && hex_value(at[1]) >= 0 && hex_value(at[2]) >= 0;
    if (escape) {
      out += static_cast<char>((hex_value(at[1]) << 4) | hex_value(at[2]));
      run = at + 3;
    } else {
      out += '%';
      run = at + 1;
    }
    percent = next(run, '%');
  }
  out.append(run, end);
  return out;
}

std::vector<FormPair> parse_form_pairs(std::string_view text) {
  std::vector<FormPair> pairs;
  for_each_raw_form_pair(text, [&](std::string_view name, std::string_view value) {
    pairs.push_back({form_decode(name), form_decode(value)});
  });
  return pairs;
}

}  // namespace stsd
