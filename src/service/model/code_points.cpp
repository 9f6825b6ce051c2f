#include "code_points.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <regex>

#include "stsd/common/utf8.h"

namespace stsd::service::model_detail {

namespace {

// Compiled once per pattern; patterns are static tables, so the cache is bounded.
bool regex_matches(const PatternSpec& pattern, std::string_view text) {
  if (text.size() > kMaxRegexInput) return false;
  static std::mutex mutex;
  static std::map<const PatternSpec*, std::regex> compiled;
  const std::regex* re = nullptr;
  {
    std::lock_guard lock(mutex);
    auto it = compiled.find(&pattern);
    if (it == compiled.end())
      it = compiled.emplace(&pattern, std::regex(pattern.regex.begin(), pattern.regex.end(), std::regex::ECMAScript))
               .first;
    re = &it->second;
  }
  return std::regex_match(text.begin(), text.end(), *re);
}

}  // namespace

const CodePointRange* find_range(std::span<const CodePointRange> ranges, char32_t cp) {
  // First range whose end is not below cp; cp is inside it or in a gap.
  auto it = std::lower_bound(ranges.begin(), ranges.end(), cp,
                             [](const CodePointRange& r, char32_t c) { return r.last < c; });
  return it != ranges.end() && it->first <= cp ? &*it : nullptr;
}

TextFacts scan_text(std::string_view text, const PatternSpec* pattern) {
  TextFacts facts;
  // Runs of code points fall in one range (ASCII tokens, ARNs): the last
  // range found is tried before searching.
  const CodePointRange* last = nullptr;
  const bool by_regex = pattern != nullptr && !pattern->regex.empty();
  const auto allowed = [&](char32_t cp) {
    if (by_regex) return true;
    if (last != nullptr && last->first <= cp && cp <= last->last) return true;
    last = find_range(pattern->ranges, cp);
    return last != nullptr;
  };
  std::size_t i = 0;
  while (i < text.size()) {
    char32_t cp = 0;
    std::size_t n = utf8_sequence_length(text, i, &cp);
    ++facts.length;
    if (n == 0) {
      // Invalid UTF-8 never satisfies a pattern; skip one byte and go on counting.
      facts.matches_pattern = false;
      ++i;
      continue;
    }
    if (pattern != nullptr && facts.matches_pattern && !allowed(cp)) facts.matches_pattern = false;
    i += n;
  }
  if (pattern != nullptr && !by_regex && facts.length == 0 && !pattern->allow_empty) facts.matches_pattern = false;
  if (pattern == nullptr) facts.matches_pattern = true;
  // Invalid UTF-8 has already failed; a valid value is matched as a whole.
  if (by_regex && facts.matches_pattern) facts.matches_pattern = regex_matches(*pattern, text);
  return facts;
}

}  // namespace stsd::service::model_detail
