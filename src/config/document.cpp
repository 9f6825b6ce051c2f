#include "document.h"

#include "stsd/common/json.h"

namespace stsd::config::detail {

std::string escape_pointer_token(std::string_view token) { return escape_json_pointer_token(token); }

std::optional<nlohmann::json> parse_document(std::string_view text, std::vector<ConfigProblem>& problems) {
  // The one JSON reader (stsd/common/json.h): its depth limit (64) is deep
  // enough for any policy document and keeps dump() and policy evaluation
  // far from the stack's end.
  std::vector<JsonProblem> duplicates;
  auto doc = read_json<nlohmann::json>(text, JsonLimits{}, &duplicates);
  for (auto& d : duplicates) problems.push_back({std::move(d.pointer), std::move(d.message)});
  if (!doc) {
    problems.push_back({doc.error().pointer, doc.error().message});
    return std::nullopt;
  }
  return std::move(*doc);
}

}  // namespace stsd::config::detail
