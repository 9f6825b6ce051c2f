// Guards issue 11 item 17: a logged value from a request (a presigned URL's
// key id carrying %0A, an ESC sequence) must not start a log line of its own
// or drive the terminal, in text format; JSON format must stay one valid JSON
// object per line. Escaping happens once, in the message formatter.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <string>
#include <vector>

#include "stsd/common/logging.h"

namespace stsd {
namespace {

TEST(LogEscape, TextKeepsOneLineAndNoControls) {
  EXPECT_EQ(escape_log_message("plain key=value é 日本 😀", LogFormat::Text), "plain key=value é 日本 😀");
  EXPECT_EQ(escape_log_message("a\nb\rc\td", LogFormat::Text), "a\\nb\\rc\\td");
  EXPECT_EQ(escape_log_message(std::string("nul\0!", 5), LogFormat::Text), "nul\\x00!");
  EXPECT_EQ(escape_log_message("\x1b[31mred\x7f", LogFormat::Text), "\\x1b[31mred\\x7f");
  EXPECT_EQ(escape_log_message("back\\slash \\n", LogFormat::Text), "back\\\\slash \\\\n");
  EXPECT_EQ(escape_log_message("quote \" stays", LogFormat::Text), "quote \" stays");
  // C1 controls (U+009B is CSI on some terminals) and the Unicode line separators.
  EXPECT_EQ(escape_log_message("\xc2\x9b" "31m \xc2\x85 \xe2\x80\xa8 \xe2\x80\xa9 \xc2\xa0", LogFormat::Text),
            "\\u009b31m \\u0085 \\u2028 \\u2029 \xc2\xa0");
  // Bytes that are not UTF-8: lone, overlong, surrogate, truncated.
  EXPECT_EQ(escape_log_message("\xff \xc0\x8a \xed\xa0\x80 \xe2\x80", LogFormat::Text),
            "\\xff \\xc0\\x8a \\xed\\xa0\\x80 \\xe2\\x80");
}

TEST(LogEscape, JsonIsAValidStringBody) {
  const std::string nasty = "a\"b\\c\nd\x01\x1b[0m\x7f\xc2\x9b\xe2\x80\xa8\xff\xc3\xa9";
  const std::string body = escape_log_message(nasty, LogFormat::Json);
  EXPECT_EQ(body, "a\\\"b\\\\c\\nd\\u0001\\u001b[0m\\u007f\\u009b\\u2028\\ufffd\xc3\xa9");
  auto parsed = nlohmann::json::parse("\"" + body + "\"", nullptr, false);
  ASSERT_FALSE(parsed.is_discarded());
  EXPECT_EQ(parsed.get<std::string>(), "a\"b\\c\nd\x01\x1b[0m\x7f\xc2\x9b\xe2\x80\xa8\xef\xbf\xbd\xc3\xa9");
}

// The real logger, as main() sets it up: what a request value becomes on stderr.
TEST(LogEscape, SetupLoggingEscapesEveryMessage) {
  for (LogFormat format : {LogFormat::Text, LogFormat::Json}) {
    spdlog::drop("stsd");
    setup_logging("info", format);
    testing::internal::CaptureStderr();
    spdlog::warn("permissive auth: unknown access key {} accepted", "AKIA\n2026-01-01T00:00:00.000Z error forged\x1b]0;x\x07");
    const std::string out = testing::internal::GetCapturedStderr();
    ASSERT_FALSE(out.empty());
    EXPECT_EQ(out.find('\n'), out.size() - 1) << out;  // one line
    EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
    EXPECT_EQ(out.find('\x07'), std::string::npos) << out;
    if (format == LogFormat::Json) {
      auto line = nlohmann::json::parse(out, nullptr, false);
      ASSERT_FALSE(line.is_discarded()) << out;
      EXPECT_EQ(line["msg"], "permissive auth: unknown access key AKIA\n2026-01-01T00:00:00.000Z error "
                             "forged\x1b]0;x\x07 accepted");
    } else {
      EXPECT_NE(out.find("AKIA\\n2026-01-01T00:00:00.000Z error forged\\x1b]0;x\\x07 accepted"), std::string::npos)
          << out;
    }
  }
  spdlog::drop("stsd");
}

// Issue 16 item 8: with --log-format json a request's fields are keys of its
// line, not text inside "msg"; text format keeps key=value.
TEST(RequestLog, JsonCarriesTheFieldsAsKeys) {
  spdlog::drop("stsd");
  setup_logging("info", LogFormat::Json);
  testing::internal::CaptureStderr();
  log_request({"0b1c2d3e-0000-4000-8000-000000000000", "AssumeRole", "arn:aws:iam::000000000000:user/te\"st", 403,
               "AccessDenied", 1234});
  log_request({"id-2", "", "", 400, "", 7});
  spdlog::info("not a request");
  const std::string out = testing::internal::GetCapturedStderr();
  std::vector<nlohmann::json> lines;
  for (std::size_t start = 0, end; (end = out.find('\n', start)) != std::string::npos; start = end + 1)
    lines.push_back(nlohmann::json::parse(out.substr(start, end - start)));
  ASSERT_EQ(lines.size(), 3u) << out;
  EXPECT_EQ(lines[0]["msg"], "request");
  EXPECT_EQ(lines[0]["request_id"], "0b1c2d3e-0000-4000-8000-000000000000");
  EXPECT_EQ(lines[0]["action"], "AssumeRole");
  EXPECT_EQ(lines[0]["principal"], "arn:aws:iam::000000000000:user/te\"st");
  EXPECT_EQ(lines[0]["status"], 403);
  EXPECT_EQ(lines[0]["code"], "AccessDenied");
  EXPECT_EQ(lines[0]["latency_us"], 1234);
  EXPECT_TRUE(lines[1]["action"].is_null());
  EXPECT_TRUE(lines[1]["principal"].is_null());
  EXPECT_TRUE(lines[1]["code"].is_null());
  EXPECT_EQ(lines[1]["status"], 400);
  EXPECT_FALSE(lines[2].contains("request_id")) << out;
  spdlog::drop("stsd");
}

TEST(RequestLog, TextKeepsKeyValuePairs) {
  spdlog::drop("stsd");
  setup_logging("info", LogFormat::Text);
  testing::internal::CaptureStderr();
  log_request({"id-1", "GetCallerIdentity", "", 200, "", 42});
  const std::string out = testing::internal::GetCapturedStderr();
  EXPECT_NE(out.find(" info request_id=id-1 action=GetCallerIdentity principal=- status=200 code=- latency_us=42\n"),
            std::string::npos)
      << out;
  spdlog::drop("stsd");
}

}  // namespace
}  // namespace stsd
