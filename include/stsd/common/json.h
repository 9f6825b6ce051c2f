#pragma once
// The one way stsd reads JSON text it did not write itself (admin request
// bodies, config and state files; later policies and JWT parts): a size limit
// checked before parsing, and a nesting limit checked while parsing, by the
// SAX pass that builds the document. nlohmann's parser is a loop, not a
// recursion, but what follows a parse is not: dump(), copies and walks of a
// 100,000-level document exhaust the stack. Here a document deeper than the
// limit is refused at its first too-deep bracket and is never built, so no
// code downstream ever recurses deeper than the limit.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "stsd/common/json_limits.h"
#include "stsd/common/result.h"

namespace stsd {

// Larger than any body the HTTP layer accepts by default (10,000,000 bytes).
inline constexpr std::size_t kDefaultMaxJsonBytes = 16 * 1024 * 1024;

struct JsonLimits {
  std::size_t max_depth = kDefaultMaxJsonDepth;  // an array or object opens one level
  std::size_t max_bytes = kDefaultMaxJsonBytes;
};

struct JsonProblem {
  std::string pointer;  // RFC 6901 pointer of the place; empty: the text as a whole
  std::string message;  // "invalid JSON at line L, column C: ...", "nested deeper than 64 levels", ...
  std::string to_string() const { return pointer.empty() ? message : pointer + ": " + message; }
};

// Parses `text` into Json (nlohmann::json or nlohmann::ordered_json) within
// `limits`. Never throws on input. Duplicate keys: nlohmann keeps the last
// value; when `duplicate_keys` is given, each repeat is also appended to it
// as {pointer, "duplicate key"} and parsing goes on.
template <class Json>
Result<Json, JsonProblem> read_json(std::string_view text, const JsonLimits& limits = {},
                                    std::vector<JsonProblem>* duplicate_keys = nullptr);

extern template Result<nlohmann::json, JsonProblem> read_json<nlohmann::json>(std::string_view, const JsonLimits&,
                                                                              std::vector<JsonProblem>*);
extern template Result<nlohmann::ordered_json, JsonProblem> read_json<nlohmann::ordered_json>(
    std::string_view, const JsonLimits&, std::vector<JsonProblem>*);

// RFC 6901 reference token: "~" -> "~0", "/" -> "~1".
std::string escape_json_pointer_token(std::string_view token);

}  // namespace stsd
