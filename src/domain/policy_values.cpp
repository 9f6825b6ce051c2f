// Value parsers behind the IAM condition operators (IAM User Guide,
// "IAM JSON policy elements: Condition operators"): dates, numbers, IP
// blocks, base64, plus the JSON nesting guard. All loops, no recursion, no
// exceptions.
#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <limits>

#include "stsd/common/time_format.h"
#include "stsd/domain/policy.h"

namespace stsd::domain {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

struct Decimal {
  bool negative = false;
  std::string_view integer;   // no leading zeros
  std::string_view fraction;  // no trailing zeros
};

// [+-]digits[.digits] or [+-].digits; nothing else (no exponent, no spaces).
std::optional<Decimal> parse_decimal(std::string_view s) {
  Decimal d;
  std::size_t pos = 0;
  if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) d.negative = s[pos++] == '-';
  const std::size_t int_begin = pos;
  while (pos < s.size() && is_digit(s[pos])) ++pos;
  std::string_view integer = s.substr(int_begin, pos - int_begin);
  std::string_view fraction;
  if (pos < s.size() && s[pos] == '.') {
    const std::size_t frac_begin = ++pos;
    while (pos < s.size() && is_digit(s[pos])) ++pos;
    fraction = s.substr(frac_begin, pos - frac_begin);
  }
  if (pos != s.size() || (integer.empty() && fraction.empty())) return std::nullopt;
  while (!integer.empty() && integer.front() == '0') integer.remove_prefix(1);
  while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
  d.integer = integer;
  d.fraction = fraction;
  if (integer.empty() && fraction.empty()) d.negative = false;  // -0 == 0
  return d;
}

int compare_magnitude(const Decimal& a, const Decimal& b) {
  if (a.integer.size() != b.integer.size()) return a.integer.size() < b.integer.size() ? -1 : 1;
  if (int c = a.integer.compare(b.integer); c != 0) return c < 0 ? -1 : 1;
  const std::size_t n = std::max(a.fraction.size(), b.fraction.size());
  for (std::size_t i = 0; i < n; ++i) {
    const char ca = i < a.fraction.size() ? a.fraction[i] : '0';
    const char cb = i < b.fraction.size() ? b.fraction[i] : '0';
    if (ca != cb) return ca < cb ? -1 : 1;
  }
  return 0;
}

using Address = std::array<std::uint8_t, 16>;

bool parse_ipv4(std::string_view s, std::uint8_t* out) {
  int part = 0;
  std::size_t pos = 0;
  while (true) {
    std::size_t digits = 0;
    int v = 0;
    while (pos < s.size() && is_digit(s[pos]) && digits < 4) {
      v = v * 10 + (s[pos++] - '0');
      ++digits;
    }
    if (digits == 0 || digits > 3 || v > 255) return false;
    out[part++] = static_cast<std::uint8_t>(v);
    if (part == 4) return pos == s.size();
    if (pos >= s.size() || s[pos] != '.') return false;
    ++pos;
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 4291 text forms: eight groups, one "::", optional trailing dotted quad.
bool parse_ipv6(std::string_view s, Address& out) {
  std::array<std::uint16_t, 8> groups{};
  int count = 0;
  int gap = -1;  // index where "::" sits
  std::size_t pos = 0;
  if (s.substr(0, 2) == "::") {
    gap = 0;
    pos = 2;
    if (pos == s.size()) {
      out.fill(0);
      return true;
    }
  } else if (!s.empty() && s[0] == ':') {
    return false;
  }
  while (pos < s.size()) {
    if (count == 8) return false;
    // An embedded IPv4 tail takes two groups.
    const std::size_t next_colon = s.find(':', pos);
    const std::string_view token = s.substr(pos, next_colon == std::string_view::npos ? s.npos : next_colon - pos);
    if (next_colon == std::string_view::npos && token.find('.') != std::string_view::npos) {
      std::uint8_t v4[4];
      if (count > 6 || !parse_ipv4(token, v4)) return false;
      groups[static_cast<std::size_t>(count++)] = static_cast<std::uint16_t>(v4[0] << 8 | v4[1]);
      groups[static_cast<std::size_t>(count++)] = static_cast<std::uint16_t>(v4[2] << 8 | v4[3]);
      pos = s.size();
      break;
    }
    if (token.empty() || token.size() > 4) return false;
    std::uint16_t v = 0;
    for (char c : token) {
      const int h = hex_value(c);
      if (h < 0) return false;
      v = static_cast<std::uint16_t>(v << 4 | h);
    }
    groups[static_cast<std::size_t>(count++)] = v;
    pos += token.size();
    if (pos == s.size()) break;
    ++pos;  // the ':'
    if (pos < s.size() && s[pos] == ':') {
      if (gap >= 0) return false;
      gap = count;
      ++pos;
    } else if (pos == s.size()) {
      return false;  // trailing single ':'
    }
  }
  std::array<std::uint16_t, 8> full{};
  if (gap < 0) {
    if (count != 8) return false;
    full = groups;
  } else {
    if (count > 7) return false;
    const int tail = count - gap;
    for (int i = 0; i < gap; ++i) full[static_cast<std::size_t>(i)] = groups[static_cast<std::size_t>(i)];
    for (int i = 0; i < tail; ++i)
      full[static_cast<std::size_t>(8 - tail + i)] = groups[static_cast<std::size_t>(gap + i)];
  }
  for (std::size_t i = 0; i < 8; ++i) {
    out[2 * i] = static_cast<std::uint8_t>(full[i] >> 8);
    out[2 * i + 1] = static_cast<std::uint8_t>(full[i] & 0xff);
  }
  return true;
}

// Either family as 16 bytes, IPv4 as ::ffff:a.b.c.d so the families compare.
bool parse_address(std::string_view s, Address& out, bool& v4) {
  out.fill(0);
  if (s.find(':') == std::string_view::npos) {
    v4 = true;
    out[10] = out[11] = 0xff;
    return parse_ipv4(s, out.data() + 12);
  }
  v4 = false;
  return parse_ipv6(s, out);
}

bool is_v4_mapped(const Address& a) {
  for (std::size_t i = 0; i < 10; ++i)
    if (a[i] != 0) return false;
  return a[10] == 0xff && a[11] == 0xff;
}

}  // namespace

std::size_t json_nesting_depth(std::string_view text) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

std::optional<PolicyTime> parse_policy_date(std::string_view text) {
  if (text.empty()) return std::nullopt;
  bool all_digits = true;
  for (char c : text) all_digits = all_digits && is_digit(c);
  if (all_digits) {
    // Epoch seconds; IAM accepts 0 .. 2^63-1.
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return PolicyTime{v, 0};
  }
  auto t = parse_iso8601(text);
  if (!t) return std::nullopt;
  return PolicyTime{t->seconds, t->nanoseconds};
}

std::optional<int> compare_policy_numbers(std::string_view a, std::string_view b) {
  auto x = parse_decimal(a);
  auto y = parse_decimal(b);
  if (!x || !y) return std::nullopt;
  if (x->negative != y->negative) return x->negative ? -1 : 1;
  const int magnitude = compare_magnitude(*x, *y);
  return x->negative ? -magnitude : magnitude;
}

bool ip_in_cidr(std::string_view address, std::string_view block) {
  std::string_view base = block;
  int prefix = -1;
  if (auto slash = block.find('/'); slash != std::string_view::npos) {
    base = block.substr(0, slash);
    std::string_view bits = block.substr(slash + 1);
    if (bits.empty() || bits.size() > 3) return false;
    prefix = 0;
    for (char c : bits) {
      if (!is_digit(c)) return false;
      prefix = prefix * 10 + (c - '0');
    }
  }
  Address net{}, addr{};
  bool net_v4 = false, addr_v4 = false;
  if (!parse_address(base, net, net_v4) || !parse_address(address, addr, addr_v4)) return false;
  const int max_bits = net_v4 ? 32 : 128;
  if (prefix < 0) prefix = max_bits;
  if (prefix > max_bits) return false;
  if (net_v4 && !addr_v4 && !is_v4_mapped(addr)) return false;
  // Compare the leading prefix bits of the 16-byte forms (IPv4 sits in the last 4 bytes).
  int bits = net_v4 ? 96 + prefix : prefix;
  for (std::size_t i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    const std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
    if ((net[i] & mask) != (addr[i] & mask)) return false;
  }
  return true;
}

std::optional<std::string> decode_policy_base64(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    int pad = 0;
    std::uint32_t chunk = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      const char c = text[i + j];
      if (c == '=') {
        // Padding only at the very end, at most two.
        if (!last || j < 2) return std::nullopt;
        ++pad;
        chunk <<= 6;
        continue;
      }
      const int v = value(c);
      if (v < 0 || pad > 0) return std::nullopt;
      chunk = chunk << 6 | static_cast<std::uint32_t>(v);
    }
    out.push_back(static_cast<char>(chunk >> 16 & 0xff));
    if (pad < 2) out.push_back(static_cast<char>(chunk >> 8 & 0xff));
    if (pad < 1) out.push_back(static_cast<char>(chunk & 0xff));
  }
  return out;
}

}  // namespace stsd::domain
