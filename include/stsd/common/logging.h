#pragma once
// Logging set-up. Everything logs through spdlog's default logger; this only
// chooses level and format (text or one JSON object per line).
#include <string_view>

namespace stsd {

enum class LogFormat { Text, Json };

// Returns false if level is not one of trace|debug|info|warn|error.
bool valid_log_level(std::string_view level);
void setup_logging(std::string_view level, LogFormat format);

}  // namespace stsd
