#pragma once
// JSON text -> nlohmann::json through stsd's one JSON reader
// (stsd/common/json.h: size and nesting limits), with duplicate keys reported
// as problems (nlohmann keeps the last silently). Internal to stsd_config.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stsd/config/config.h"

namespace stsd::config::detail {

// RFC 6901 reference token: "~" -> "~0", "/" -> "~1".
std::string escape_pointer_token(std::string_view token);

// The parsed document, or nullopt on a syntax error. Problems (the syntax
// error with its line and column, duplicate keys by pointer) are appended to
// `problems`; a document with duplicate keys is still returned so the
// caller can go on collecting problems.
std::optional<nlohmann::json> parse_document(std::string_view text, std::vector<ConfigProblem>& problems);

}  // namespace stsd::config::detail
