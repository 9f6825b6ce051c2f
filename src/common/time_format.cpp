#include "stsd/common/time_format.h"

#include <cctype>
#include <cstdio>
#include <ctime>

namespace stsd {

namespace {
std::string format(std::int64_t epoch_seconds, const char* pattern) {
  std::time_t t = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, pattern, &tm);
  return buf;
}
}  // namespace

std::string format_iso8601(std::int64_t epoch_seconds) { return format(epoch_seconds, "%Y-%m-%dT%H:%M:%SZ"); }
std::string format_amz_date(std::int64_t epoch_seconds) { return format(epoch_seconds, "%Y%m%dT%H%M%SZ"); }

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
  std::tm tm{};
  int year = num(0, 4), mon = num(4, 2), day = num(6, 2), h = num(9, 2), m = num(11, 2), sec = num(13, 2);
  if (year < 1970 || mon < 1 || mon > 12 || day < 1 || day > 31 || h < 0 || h > 23 || m < 0 || m > 59 ||
      sec < 0 || sec > 60)
    return std::nullopt;
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = h;
  tm.tm_min = m;
  tm.tm_sec = sec;
  return static_cast<std::int64_t>(timegm(&tm));
}

}  // namespace stsd
