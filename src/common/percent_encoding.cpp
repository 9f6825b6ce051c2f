#include "stsd/common/percent_encoding.h"

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
  std::string out;
  out.reserve(text.size());
  std::size_t run = 0;  // start of the pending span copied as it is
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c != '+' && c != '%') continue;
    if (c == '%' && !(i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0)) continue;
    out.append(text.data() + run, i - run);
    if (c == '+') {
      out += ' ';
    } else {
      out += static_cast<char>((hex_value(text[i + 1]) << 4) | hex_value(text[i + 2]));
      i += 2;
    }
    run = i + 1;
  }
  out.append(text.data() + run, text.size() - run);
  return out;
}

std::vector<FormPair> parse_form_pairs(std::string_view text) {
  std::vector<FormPair> pairs;
  while (!text.empty()) {
    const auto amp = text.find('&');
    const std::string_view piece = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (piece.empty()) continue;
    const auto eq = piece.find('=');
    pairs.push_back({form_decode(piece.substr(0, eq)),
                     eq == std::string_view::npos ? std::string() : form_decode(piece.substr(eq + 1))});
  }
  return pairs;
}

}  // namespace stsd
