#include "stsd/common/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "stsd/common/utf8.h"

namespace stsd {

namespace {

constexpr char kHex[] = "0123456789abcdef";

// Appends `text` so that it stays on its log line and cannot pose as
// terminal control or as another line. Every log message goes through here
// (the formatter's message flag), so request-derived values (a key id from a
// presigned URL, an exception text quoting input) need no escaping of their
// own. Text: C0 controls and DEL as \n \r \t or \xNN, the backslash doubled
// (so an escape in the output always came from us), C1 controls and the
// Unicode line/paragraph separators as \uNNNN, bytes that are not UTF-8 as
// \xNN. JSON (the inside of a string): the JSON escapes, the same \uNNNN for
// DEL, C1 and U+2028/9, and U+FFFD for bytes that are not UTF-8, which JSON
// text cannot carry.
template <class Out>
void append_escaped(Out& out, std::string_view text, LogFormat format) {
  const bool json = format == LogFormat::Json;
  auto put = [&](std::string_view s) { out.append(s.data(), s.data() + s.size()); };
  auto put_u = [&](unsigned code) {
    const char esc[] = {'\\', 'u', kHex[(code >> 12) & 0xF], kHex[(code >> 8) & 0xF], kHex[(code >> 4) & 0xF],
                        kHex[code & 0xF]};
    put(std::string_view(esc, sizeof esc));
  };
  auto put_x = [&](unsigned char c) {
    const char esc[] = {'\\', 'x', kHex[c >> 4], kHex[c & 0xF]};
    put(std::string_view(esc, sizeof esc));
  };
  std::size_t run = 0;  // start of the pending run of bytes copied as they are
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    const bool plain = c >= 0x20 && c < 0x7F && c != '\\' && !(json && c == '"');
    if (plain) {
      ++i;
      continue;
    }
    std::size_t len = 1;
    if (c >= 0x80) {
      len = utf8_sequence_length(text, i);
      // Safe sequences stay in the run: all but C1 (C2 80..C2 9F) and U+2028/9 (E2 80 A8/A9).
      const auto b1 = len >= 2 ? static_cast<unsigned char>(text[i + 1]) : 0;
      const bool c1 = len == 2 && c == 0xC2 && b1 < 0xA0;
      const bool separator = len == 3 && c == 0xE2 && b1 == 0x80 &&
                             (static_cast<unsigned char>(text[i + 2]) & 0xFE) == 0xA8;
      if (len != 0 && !c1 && !separator) {
        i += len;
        continue;
      }
    }
    put(text.substr(run, i - run));
    if (c >= 0x80 && len == 0) {
      json ? put_u(0xFFFD) : put_x(c);
      len = 1;
    } else if (c >= 0x80) {
      put_u(len == 2 ? static_cast<unsigned char>(text[i + 1]) : 0x2028u | (static_cast<unsigned char>(text[i + 2]) & 1u));
    } else if (c == '\\' || c == '"') {
      const char esc[] = {'\\', static_cast<char>(c)};
      put(std::string_view(esc, 2));
    } else if (c == '\n') {
      put("\\n");
    } else if (c == '\r') {
      put("\\r");
    } else if (c == '\t') {
      put("\\t");
    } else {
      json ? put_u(c) : put_x(c);
    }
    i += len;
    run = i;
  }
  put(text.substr(run));
}

// The message flag (%k text, %j JSON): the message escaped as above.
class EscapedMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  explicit EscapedMessageFlag(LogFormat format) : format_(format) {}
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    append_escaped(dest, std::string_view(msg.payload.data(), msg.payload.size()), format_);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<EscapedMessageFlag>(format_);
  }

 private:
  LogFormat format_;
};

// The request fields of the line being formatted on this thread: spdlog's
// synchronous logger formats on the caller's thread, inside log_request.
thread_local const RequestLogLine* t_request_line = nullptr;

// %F in the JSON pattern: `,"request_id":...` for a request line, else nothing.
class RequestFieldsFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg&, const std::tm&, spdlog::memory_buf_t& dest) override {
    const RequestLogLine* line = t_request_line;
    if (line == nullptr) return;
    auto put = [&](std::string_view s) { dest.append(s.data(), s.data() + s.size()); };
    auto text = [&](std::string_view key, std::string_view value) {
      put(",\"");
      put(key);
      put("\":");
      if (value.empty()) return put("null");
      put("\"");
      append_escaped(dest, value, LogFormat::Json);
      put("\"");
    };
    auto number = [&](std::string_view key, std::int64_t value) {
      put(",\"");
      put(key);
      put("\":");
      put(std::to_string(value));
    };
    text("request_id", line->request_id);
    text("action", line->action);
    text("principal", line->principal);
    number("status", line->status);
    text("code", line->error_code);
    number("latency_us", line->latency_us);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<RequestFieldsFlag>(); }
};

LogFormat g_format = LogFormat::Text;

}  // namespace

void log_request(const RequestLogLine& line) {
  if (!spdlog::should_log(spdlog::level::info)) return;
  if (g_format == LogFormat::Json) {
    t_request_line = &line;
    spdlog::info("request");
    t_request_line = nullptr;
    return;
  }
  auto or_dash = [](std::string_view v) { return v.empty() ? std::string_view("-") : v; };
  spdlog::info("request_id={} action={} principal={} status={} code={} latency_us={}", or_dash(line.request_id),
               or_dash(line.action), or_dash(line.principal), line.status, or_dash(line.error_code),
               line.latency_us);
}

std::string escape_log_message(std::string_view message, LogFormat format) {
  std::string out;
  out.reserve(message.size());
  append_escaped(out, message, format);
  return out;
}

bool valid_log_level(std::string_view level) {
  return level == "trace" || level == "debug" || level == "info" || level == "warn" ||
         level == "error";
}

void log_always(std::string_view message) {
  // Straight to the sinks: the logger's level check is what this skips.
  const auto logger = spdlog::default_logger();
  const spdlog::details::log_msg msg(logger->name(), spdlog::level::info,
                                     spdlog::string_view_t(message.data(), message.size()));
  for (const auto& sink : logger->sinks()) sink->log(msg);
  logger->flush();
}

void setup_logging(std::string_view level, LogFormat format) {
  // stderr: test harnesses and docker read it live.
  auto logger = spdlog::stderr_logger_mt("stsd");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(std::string(level)));
  g_format = format;
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  if (format == LogFormat::Json) {
    formatter->add_flag<EscapedMessageFlag>('j', LogFormat::Json)
        .add_flag<RequestFieldsFlag>('F')
        .set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":"%j"%F})");
  } else {
    formatter->add_flag<EscapedMessageFlag>('k', LogFormat::Text).set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %k");
  }
  spdlog::set_formatter(std::move(formatter));
  spdlog::flush_on(spdlog::level::trace);
}

}  // namespace stsd
