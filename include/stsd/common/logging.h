#pragma once
// Logging set-up. Everything logs through spdlog's default logger; this only
// chooses level and format (text or one JSON object per line). Every message
// is escaped on its way out (escape_log_message), so values from requests
// cannot start a line of their own or send terminal controls.
#include <cstdint>
#include <string>
#include <string_view>

namespace stsd {

enum class LogFormat { Text, Json };

// Returns false if level is not one of trace|debug|info|warn|error.
bool valid_log_level(std::string_view level);
void setup_logging(std::string_view level, LogFormat format);

// An info line written whatever the log level: the start-up facts a
// supervisor or a test harness reads, such as the address of each listener
// with the port the kernel chose for --listen HOST:0.
void log_always(std::string_view message);

// A log message as the formatter writes it. Text: C0 controls and DEL as
// \n \r \t \xNN, "\" as "\\", C1 controls and U+2028/U+2029 as \uNNNN, bytes
// that are not UTF-8 as \xNN. Json: the body of a JSON string (\" \\ \n \r
// \t \u00NN), DEL, C1 and U+2028/9 as \uNNNN, bytes that are not UTF-8 as
// \ufffd. Everything else is copied as it is.
std::string escape_log_message(std::string_view message, LogFormat format);

// The one line logged per API request (README, --log-format). Empty strings
// are absent values.
struct RequestLogLine {
  std::string_view request_id;
  std::string_view action;
  std::string_view principal;
  int status = 0;
  std::string_view error_code;
  std::int64_t latency_us = 0;
};

// At info level. Text: `request_id=... action=... principal=... status=...
// code=... latency_us=...` ("-" for an absent value). Json: the same fields
// as keys of the line's object next to "msg":"request" (null for an absent
// value), so that log pipelines (jq, Loki, CloudWatch) need no parsing of msg.
void log_request(const RequestLogLine& line);

}  // namespace stsd
