#include "code_points.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <regex>

namespace stsd::service::model_detail {

namespace {

bool continuation(unsigned char b) { return (b & 0xC0) == 0x80; }

// Decodes one strict UTF-8 sequence (RFC 3629: no overlongs, no surrogates,
// nothing above U+10FFFF) at text[i]. Returns its byte count, 0 if invalid.
std::size_t decode_one(std::string_view text, std::size_t i, char32_t& cp) {
  const auto at = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const std::size_t left = text.size() - i;
  const unsigned char b0 = at(0);
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    if (left < 2 || !continuation(at(1))) return 0;
    cp = (char32_t(b0 & 0x1F) << 6) | (at(1) & 0x3F);
    return 2;
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (left < 3 || !continuation(at(1)) || !continuation(at(2))) return 0;
    if (b0 == 0xE0 && at(1) < 0xA0) return 0;  // overlong
    if (b0 == 0xED && at(1) > 0x9F) return 0;  // UTF-16 surrogate
    cp = (char32_t(b0 & 0x0F) << 12) | (char32_t(at(1) & 0x3F) << 6) | (at(2) & 0x3F);
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (left < 4 || !continuation(at(1)) || !continuation(at(2)) || !continuation(at(3))) return 0;
    if (b0 == 0xF0 && at(1) < 0x90) return 0;  // overlong
    if (b0 == 0xF4 && at(1) > 0x8F) return 0;  // above U+10FFFF
    cp = (char32_t(b0 & 0x07) << 18) | (char32_t(at(1) & 0x3F) << 12) | (char32_t(at(2) & 0x3F) << 6) |
         (at(3) & 0x3F);
    return 4;
  }
  return 0;
}

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
    std::size_t n = decode_one(text, i, cp);
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
