#pragma once
// UTC timestamps: the two shapes STS writes, the ISO 8601 forms stsd reads
// (IAM date conditions, SAML's xs:dateTime) and the calendar arithmetic
// behind them. The one home of date parsing: no module parses dates itself.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace stsd {

// 2019-01-12T21:23:08Z (Expiration: whole seconds, UTC).
std::string format_iso8601(std::int64_t epoch_seconds);
// 20190112T212308Z (SigV4's X-Amz-Date, "ISO 8601 basic").
std::string format_amz_date(std::int64_t epoch_seconds);
std::optional<std::int64_t> parse_amz_date(std::string_view text);
// 2019-01-12T21:23:08Z exactly (the shape format_iso8601 writes).
std::optional<std::int64_t> parse_iso8601_utc(std::string_view text);

// An instant with the fraction ISO 8601 allows (at most nanoseconds).
struct Iso8601Time {
  std::int64_t seconds = 0;  // since 1970-01-01T00:00:00Z
  std::int32_t nanoseconds = 0;
};
// ISO 8601 extended format as IAM's date condition operators take it:
// YYYY[-MM[-DD]][Thh[:mm[:ss[.f]]][Z|(+|-)hh[:mm]]] ('t' and 'z' in either
// case, at most nine fraction digits, no zone: UTC).
std::optional<Iso8601Time> parse_iso8601(std::string_view text);

// xs:dateTime as SAML uses it: YYYY-MM-DDThh:mm:ss[.fraction][Z|(+|-)hh:mm],
// to epoch seconds. No zone counts as UTC (SAML core 1.3.3 demands UTC with
// no zone, while IdPs write "Z"); fractions are truncated. nullopt for
// anything else, including out-of-range fields and leap seconds.
std::optional<std::int64_t> parse_xs_datetime(std::string_view text);

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
// days_from_civil): exact for every year, linear in the day, so a day past
// the month's end rolls over into the next month.
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day);
bool is_leap_year(std::int64_t year);
// 28..31; `month` 1..12.
unsigned days_in_month(std::int64_t year, unsigned month);

}  // namespace stsd
