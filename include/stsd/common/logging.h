#pragma once
// Logging set-up. Everything logs through spdlog's default logger; this only
// chooses level and format (text or one JSON object per line). Every message
// is escaped on its way out (escape_log_message), so values from requests
// cannot start a line of their own or send terminal controls.
#include <string>
#include <string_view>

namespace stsd {

enum class LogFormat { Text, Json };

// Returns false if level is not one of trace|debug|info|warn|error.
bool valid_log_level(std::string_view level);
void setup_logging(std::string_view level, LogFormat format);

// A log message as the formatter writes it. Text: C0 controls and DEL as
// \n \r \t \xNN, "\" as "\\", C1 controls and U+2028/U+2029 as \uNNNN, bytes
// that are not UTF-8 as \xNN. Json: the body of a JSON string (\" \\ \n \r
// \t \u00NN), DEL, C1 and U+2028/9 as \uNNNN, bytes that are not UTF-8 as
// \ufffd. Everything else is copied as it is.
std::string escape_log_message(std::string_view message, LogFormat format);

}  // namespace stsd
