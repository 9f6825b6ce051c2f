#pragma once
// Percent-encoding as the Query protocol and SigV4 use it (one copy for the
// protocol decoder, the SigV4 canonicaliser and the tests).
#include <string>
#include <string_view>
#include <vector>

namespace stsd {

// RFC 3986: every byte except A-Z a-z 0-9 - . _ ~ becomes %XX (uppercase
// hex); keep_slash leaves '/' as is (for paths).
std::string uri_encode(std::string_view text, bool keep_slash = false);

// application/x-www-form-urlencoded decoding: %XX escapes, '+' is a space. A
// malformed escape is kept literally, so any byte sequence decodes.
std::string form_decode(std::string_view text);

struct FormPair {
  std::string name;   // decoded
  std::string value;  // decoded; empty for "name" and "name="
};

// Calls f(name, value) with the raw (still encoded) halves of each piece of
// `text` split on '&', in order; empty pieces are skipped, and a piece
// without '=' has an empty value. One splitter for every form reader.
template <class F>
void for_each_raw_form_pair(std::string_view text, F&& f) {
  while (!text.empty()) {
    const auto amp = text.find('&');
    const std::string_view piece = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (piece.empty()) continue;
    const auto eq = piece.find('=');
    f(piece.substr(0, eq), eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1));
  }
}

// Splits on '&' (empty pieces skipped) and decodes both halves, in order.
std::vector<FormPair> parse_form_pairs(std::string_view text);

}  // namespace stsd
