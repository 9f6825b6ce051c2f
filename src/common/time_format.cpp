#include "stsd/common/time_format.h"

#include <cctype>
#include <cstdio>
#include <ctime>

namespace stsd {

namespace {

// Howard Hinnant's civil-calendar algorithms (days_from_civil below):
// exact, and far cheaper than gmtime_r/strftime/timegm on a path every
// request takes.
struct Civil {
  std::int64_t year;
  unsigned month, day, hour, minute, second;
};

Civil civil_from_epoch(std::int64_t epoch_seconds) {
  std::int64_t days = epoch_seconds / 86400;
  std::int64_t rest = epoch_seconds % 86400;
  if (rest < 0) rest += 86400, --days;
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const auto secs = static_cast<unsigned>(rest);
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2), m, d, secs / 3600, secs / 60 % 60, secs % 60};
}

void put_digits(std::string& out, unsigned value, int width) {
  char buf[4];
  for (int i = width - 1; i >= 0; --i, value /= 10) buf[i] = static_cast<char>('0' + value % 10);
  out.append(buf, static_cast<std::size_t>(width));
}

// extended: 2019-01-12T21:23:08Z, else 20190112T212308Z.
std::string format_fast(std::int64_t epoch_seconds, bool extended) {
  const Civil c = civil_from_epoch(epoch_seconds);
  std::string out;
  out.reserve(20);
  put_digits(out, static_cast<unsigned>(c.year), 4);
  if (extended) out += '-';
  put_digits(out, c.month, 2);
  if (extended) out += '-';
  put_digits(out, c.day, 2);
  out += 'T';
  put_digits(out, c.hour, 2);
  if (extended) out += ':';
  put_digits(out, c.minute, 2);
  if (extended) out += ':';
  put_digits(out, c.second, 2);
  out += 'Z';
  return out;
}

// Years 1000..9999 (four digits, as strftime prints them); others go to strftime.
constexpr std::int64_t kYear1000 = -30610224000;   // 1000-01-01T00:00:00Z
constexpr std::int64_t kYear10000 = 253402300800;  // 10000-01-01T00:00:00Z

std::string format(std::int64_t epoch_seconds, const char* pattern) {
  std::time_t t = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, pattern, &tm);
  return buf;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly n digits at text[pos...]; advances pos.
std::optional<int> fixed_digits(std::string_view text, std::size_t& pos, std::size_t n) {
  if (pos + n > text.size()) return std::nullopt;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    char c = text[pos + i];
    if (!is_digit(c)) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  pos += n;
  return v;
}

}  // namespace

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool is_leap_year(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(std::int64_t y, unsigned m) {
  static constexpr unsigned kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap_year(y) ? 29 : kDays[m - 1];
}

std::string format_iso8601(std::int64_t epoch_seconds) {
  if (epoch_seconds >= kYear1000 && epoch_seconds < kYear10000) return format_fast(epoch_seconds, true);
  return format(epoch_seconds, "%Y-%m-%dT%H:%M:%SZ");
}
std::string format_amz_date(std::int64_t epoch_seconds) {
  if (epoch_seconds >= kYear1000 && epoch_seconds < kYear10000) return format_fast(epoch_seconds, false);
  return format(epoch_seconds, "%Y%m%dT%H%M%SZ");
}

std::optional<std::int64_t> parse_iso8601_utc(std::string_view s) {
  // 2019-01-12T21:23:08Z -> 20190112T212308Z
  if (s.size() != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':') return std::nullopt;
  std::string basic;
  for (char c : s)
    if (c != '-' && c != ':') basic += c;
  return parse_amz_date(basic);
}

std::optional<std::int64_t> parse_amz_date(std::string_view s) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return std::nullopt;
  auto num = [&](std::size_t pos, std::size_t len) -> int {
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(s[i]))) return -1;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  int year = num(0, 4), mon = num(4, 2), day = num(6, 2), h = num(9, 2), m = num(11, 2), sec = num(13, 2);
  if (year < 1970 || mon < 1 || mon > 12 || day < 1 || day > 31 || h < 0 || h > 23 || m < 0 || m > 59 ||
      sec < 0 || sec > 60)
    return std::nullopt;
  // Linear in every field, so out-of-range days and second 60 roll over as timegm's did.
  return days_from_civil(year, static_cast<unsigned>(mon), static_cast<unsigned>(day)) * 86400 + h * 3600 + m * 60 +
         sec;
}

std::optional<Iso8601Time> parse_iso8601(std::string_view s) {
  std::size_t pos = 0;
  auto year = fixed_digits(s, pos, 4);
  if (!year) return std::nullopt;
  int month = 1, day = 1, hour = 0, minute = 0, second = 0;
  std::int32_t nanos = 0;
  if (pos < s.size() && s[pos] == '-') {
    ++pos;
    auto m = fixed_digits(s, pos, 2);
    if (!m || *m < 1 || *m > 12) return std::nullopt;
    month = *m;
    if (pos < s.size() && s[pos] == '-') {
      ++pos;
      auto d = fixed_digits(s, pos, 2);
      if (!d || *d < 1 || *d > static_cast<int>(days_in_month(*year, static_cast<unsigned>(month))))
        return std::nullopt;
      day = *d;
    }
  }
  std::int64_t offset_seconds = 0;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == 't')) {
    ++pos;
    auto h = fixed_digits(s, pos, 2);
    if (!h || *h > 23) return std::nullopt;
    hour = *h;
    if (pos < s.size() && s[pos] == ':') {
      ++pos;
      auto mi = fixed_digits(s, pos, 2);
      if (!mi || *mi > 59) return std::nullopt;
      minute = *mi;
      if (pos < s.size() && s[pos] == ':') {
        ++pos;
        auto se = fixed_digits(s, pos, 2);
        if (!se || *se > 59) return std::nullopt;
        second = *se;
        if (pos < s.size() && s[pos] == '.') {
          ++pos;
          std::size_t digits = 0;
          while (pos < s.size() && is_digit(s[pos])) {
            if (++digits > 9) return std::nullopt;
            nanos = nanos * 10 + (s[pos++] - '0');
          }
          if (digits == 0) return std::nullopt;
          for (std::size_t i = digits; i < 9; ++i) nanos *= 10;
        }
      }
    }
    if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
      ++pos;
    } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
      const int sign = s[pos++] == '-' ? -1 : 1;
      auto oh = fixed_digits(s, pos, 2);
      if (!oh || *oh > 23) return std::nullopt;
      int om = 0;
      if (pos < s.size()) {
        if (s[pos] == ':') ++pos;
        auto m = fixed_digits(s, pos, 2);
        if (!m || *m > 59) return std::nullopt;
        om = *m;
      }
      offset_seconds = sign * (*oh * 3600 + om * 60);
    }
  }
  if (pos != s.size()) return std::nullopt;
  Iso8601Time t;
  t.seconds = days_from_civil(*year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 + hour * 3600 +
              minute * 60 + second - offset_seconds;
  t.nanoseconds = nanos;
  return t;
}

std::optional<std::int64_t> parse_xs_datetime(std::string_view s) {
  auto digits = [&](std::size_t pos, std::size_t n) -> std::optional<int> {
    if (pos + n > s.size()) return std::nullopt;
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  const auto year = digits(0, 4), month = digits(5, 2), day = digits(8, 2);
  const auto hour = digits(11, 2), minute = digits(14, 2), second = digits(17, 2);
  if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
  if (*month < 1 || *month > 12 || *day < 1 || *hour > 23 || *minute > 59 || *second > 59) return std::nullopt;
  if (*day > static_cast<int>(days_in_month(*year, static_cast<unsigned>(*month)))) return std::nullopt;
  std::size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    const std::size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return std::nullopt;
  }
  std::int64_t offset = 0;
  if (pos < s.size()) {
    if (s[pos] == 'Z') {
      ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
      const auto oh = digits(pos + 1, 2), om = digits(pos + 4, 2);
      if (!oh || !om || pos + 3 >= s.size() || s[pos + 3] != ':' || *oh > 14 || *om > 59) return std::nullopt;
      offset = (*oh * 3600 + *om * 60) * (s[pos] == '+' ? 1 : -1);
      pos += 6;
    } else {
      return std::nullopt;
    }
  }
  if (pos != s.size()) return std::nullopt;
  const std::int64_t days = days_from_civil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day));
  return days * 86400 + *hour * 3600 + *minute * 60 + *second - offset;
}

}  // namespace stsd
