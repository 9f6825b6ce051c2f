#pragma once
// UTC timestamps in the two shapes STS uses.
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

}  // namespace stsd
