#pragma once
// Percent-encoding helpers shared by the parser and the canonical request
// (internal to stsd_sigv4).
#include <string>
#include <string_view>
#include <vector>

namespace stsd::sigv4::detail {

// RFC 3986 encoding as SigV4 wants it: every byte except the unreserved set
// A-Z a-z 0-9 - . _ ~ becomes %XX (uppercase hex). keep_slash leaves '/' as is
// (for paths).
std::string uri_encode(std::string_view text, bool keep_slash);

// Decodes %XX escapes; '+' becomes a space (the query is form-encoded on AWS
// query-protocol services). A malformed escape is kept literally, so any byte
// sequence decodes to something.
std::string query_decode(std::string_view text);

struct QueryParam {
  std::string name;   // decoded
  std::string value;  // decoded; empty for "name" and "name="
};

// Splits a raw query string on '&' (empty pieces skipped) and decodes both
// halves of each "name=value" pair. Order is preserved.
std::vector<QueryParam> parse_query(std::string_view raw_query);

}  // namespace stsd::sigv4::detail
