#pragma once
// Code-point view of a member value: the length AWS counts (Unicode code
// points, no normalisation) and whether the value matches a model pattern.
#include <cstddef>
#include <string_view>

#include "model_tables.h"

namespace stsd::service::model_detail {

struct TextFacts {
  std::size_t length = 0;     // code points; each invalid UTF-8 byte counts as one
  bool matches_pattern = true;  // false for invalid UTF-8 whenever a pattern applies
};

// One pass over text. pattern may be nullptr (then matches_pattern is true).
TextFacts scan_text(std::string_view text, const PatternSpec* pattern);

// The range of the sorted, disjoint ranges that holds cp, or nullptr (binary search).
const CodePointRange* find_range(std::span<const CodePointRange> ranges, char32_t cp);

}  // namespace stsd::service::model_detail
