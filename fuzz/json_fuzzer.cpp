// Fuzz target: stsd::read_json (stsd/common/json.h), the one reader of JSON
// text stsd did not write (admin bodies, config and state files). Checks,
// beyond no crash: nothing deeper than the limit is ever built (issue 11
// item 8: 60,000-level arrays crashed the admin API in dump()); a document
// read with one limit is read the same with a larger one; dump() of what was
// read reads back equal; errors carry a message.
// Input: one byte choosing the depth limit (1..64), then the JSON text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "stsd/common/json.h"

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

// Depth of a document, walked with an explicit stack (never recursion).
template <class Json>
std::size_t depth_of(const Json& root) {
  std::size_t deepest = 0;
  std::vector<std::pair<const Json*, std::size_t>> todo{{&root, 0}};
  while (!todo.empty()) {
    auto [value, level] = todo.back();
    todo.pop_back();
    if (!value->is_structured()) continue;
    deepest = std::max(deepest, level + 1);
    for (const auto& child : *value) todo.emplace_back(&child, level + 1);
  }
  return deepest;
}

template <class Json>
void check(std::string_view text, std::size_t max_depth) {
  stsd::JsonLimits limits;
  limits.max_depth = max_depth;
  std::vector<stsd::JsonProblem> duplicates;
  auto doc = stsd::read_json<Json>(text, limits, &duplicates);
  if (!doc) {
    require(!doc.error().message.empty());
    return;
  }
  for (const auto& d : duplicates) require(d.message == "duplicate key");
  require(depth_of(*doc) <= max_depth);
  // Within the limit here: within any larger one too, with the same value.
  auto wider = stsd::read_json<Json>(text);
  require(wider.has_value());
  require(*wider == *doc);
  // What stsd writes back reads back (numbers aside: NaN-free JSON only holds finite doubles).
  const std::string dumped = doc->dump(-1, ' ', false, Json::error_handler_t::replace);
  auto again = stsd::read_json<Json>(dumped, limits);
  require(again.has_value());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size > 1024 * 1024) return -1;
  const std::size_t max_depth = 1 + data[0] % stsd::kDefaultMaxJsonDepth;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  check<nlohmann::json>(text, max_depth);
  check<nlohmann::ordered_json>(text, max_depth);
  return 0;
}
