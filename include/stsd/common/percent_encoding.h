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

// Splits on '&' (empty pieces skipped) and decodes both halves, in order.
std::vector<FormPair> parse_form_pairs(std::string_view text);

}  // namespace stsd
