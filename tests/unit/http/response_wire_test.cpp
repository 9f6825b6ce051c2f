// serialize_response must put on the wire exactly what Beast's serializer
// writes for the same answer as a Beast message (to_beast_response below):
// the same status line, fields in the same order and spelling, the same
// Connection / Content-Length and body rules.
#include <utility>  // before Asio (coroutine support in 1.74)

#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "message.h"
#include "stsd/common/ascii.h"

namespace stsd::http {
namespace {

namespace beast = boost::beast;
namespace beast_http = boost::beast::http;
using BeastResponse = beast_http::response<beast_http::string_body>;

// The reference: the handler's answer as a Beast message, with the server's
// rules (Content-Length, Connection and Date are the server's: the handler's
// Content-Length/Transfer-Encoding are dropped, Date is added when missing,
// a HEAD answer keeps the length but sends no body). serialize_response must
// write what Beast's serializer writes for it.
BeastResponse to_beast_response(HttpResponse&& response, unsigned version, bool head_request, bool keep_alive) {
  BeastResponse out;
  out.version(version);
  const int status = response.status >= 100 && response.status <= 599 ? response.status : 500;
  out.result(static_cast<unsigned>(status));
  bool has_date = false;
  for (auto& [name, value] : response.headers) {
    if (iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding")) continue;
    if (iequals(name, "Connection")) {
      if (iequals(value, "close")) keep_alive = false;
      continue;
    }
    if (iequals(name, "Date")) has_date = true;
    out.insert(beast::string_view(name.data(), name.size()), beast::string_view(value.data(), value.size()));
  }
  if (!has_date) out.set(beast_http::field::date, http_date(std::chrono::system_clock::now()));
  out.keep_alive(keep_alive);
  if (status < 200 || status == 204 || status == 304) return out;  // RFC 7230 3.3.3: no body, no length
  out.content_length(response.body.size());
  if (!head_request) out.body() = std::move(response.body);
  return out;
}

std::string beast_wire(BeastResponse& message) {
  beast_http::response_serializer<beast_http::string_body> serializer{message};
  std::string out;
  beast::error_code ec;
  while (!serializer.is_done()) {
    std::size_t size = 0;
    serializer.next(ec, [&](beast::error_code&, const auto& buffers) {
      for (const auto buffer : beast::buffers_range_ref(buffers)) {
        out.append(static_cast<const char*>(buffer.data()), buffer.size());
        size += buffer.size();
      }
    });
    EXPECT_FALSE(ec) << ec.message();
    if (ec) break;
    serializer.consume(size);
  }
  return out;
}

// A Date the server adds is "now": blank its value so a second boundary
// between the two calls cannot fail the comparison.
std::string without_added_date(std::string wire) {
  const auto at = wire.find("\r\nDate: ");
  if (at != std::string::npos) wire.replace(at + 8, 29, std::string(29, '#'));
  return wire;
}

struct Case {
  const char* name;
  HttpResponse response;
  unsigned version = 11;
  bool head = false;
  bool keep_alive = true;
};

void expect_same_wire(const Case& c) {
  SCOPED_TRACE(c.name);
  BeastResponse message = to_beast_response(HttpResponse(c.response), c.version, c.head, c.keep_alive);
  const std::string expected = beast_wire(message);
  std::string ours = "left over from the previous answer";
  const bool keep_alive = serialize_response(c.response, c.version, c.head, c.keep_alive, ours);
  EXPECT_EQ(without_added_date(ours), without_added_date(expected));
  EXPECT_EQ(keep_alive, message.keep_alive());
}

TEST(HttpResponseWireTest, MatchesBeastSerializer) {
  const HttpResponse xml{200, {{"Content-Type", "text/xml"}, {"x-amzn-RequestId", "r-1"}}, "<a>b</a>"};
  const Case cases[] = {
      {"plain 1.1 keep-alive", xml},
      {"1.1 close", xml, 11, false, false},
      {"1.0 keep-alive", xml, 10, false, true},
      {"1.0 close", xml, 10, false, false},
      {"other version", xml, 12, false, true},
      {"HEAD keeps the length, drops the body", xml, 11, true, true},
      {"empty body", HttpResponse{200, {}, {}}},
      {"server-owned fields dropped",
       HttpResponse{200,
                    {{"content-length", "99"}, {"A", "1"}, {"Transfer-Encoding", "chunked"}, {"CONNECTION", "keep-alive"}},
                    "x"}},
      {"handler asks to close", HttpResponse{200, {{"Connection", "close"}}, "x"}},
      {"handler asks to close on 1.0", HttpResponse{200, {{"Connection", "Close"}}, "x"}, 10, false, true},
      {"close with spaces is not close", HttpResponse{200, {{"Connection", " close"}}, "x"}},
      {"handler date kept", HttpResponse{200, {{"date", "Sun, 06 Nov 1994 08:49:37 GMT"}, {"B", "2"}}, "x"}},
      {"repeated names grouped at the first",
       HttpResponse{200, {{"X-A", "1"}, {"B", "2"}, {"x-a", "3"}, {"C", "4"}, {"X-A", "5"}, {"b", "6"}}, "x"}},
      {"values trimmed", HttpResponse{200, {{"A", " \t v w \t "}, {"B", "   "}, {"C", ""}}, "x"}},
      {"empty name", HttpResponse{200, {{"", "v"}}, "x"}},
      {"no content", HttpResponse{204, {{"A", "1"}}, "dropped"}},
      {"not modified", HttpResponse{304, {}, "dropped"}},
      {"continue", HttpResponse{100, {}, {}}},
      {"switching", HttpResponse{101, {}, "dropped"}, 10, false, true},
      {"unknown reason", HttpResponse{299, {}, "x"}},
      {"client error", HttpResponse{403, {{"Content-Type", "text/xml"}}, "<Error/>"}},
      {"throttled", HttpResponse{429, {}, {}}},
      {"server error", HttpResponse{503, {}, "busy"}},
      {"status too low", HttpResponse{0, {}, "x"}},
      {"status too high", HttpResponse{700, {}, "x"}},
      {"bare 413 on 1.0", HttpResponse{413, {}, {}}, 10, false, false},
      {"large body", HttpResponse{200, {}, std::string(100'000, 'z')}},
  };
  for (const auto& c : cases) expect_same_wire(c);
}

TEST(HttpResponseWireTest, OversizedFieldThrowsLikeBeast) {
  for (const HttpResponse& response : {HttpResponse{200, {{std::string(70'000, 'n'), "v"}}, {}},
                                       HttpResponse{200, {{"A", "1"}, {"B", std::string(65'534, 'v')}}, {}}}) {
    std::string beast_what;
    try {
      to_beast_response(HttpResponse(response), 11, false, true);
    } catch (const std::length_error& e) {
      beast_what = e.what();
    }
    std::string out;
    try {
      serialize_response(response, 11, false, true, out);
      ADD_FAILURE() << "no exception";
    } catch (const std::length_error& e) {
      EXPECT_EQ(e.what(), beast_what);
    }
  }
}

TEST(HttpResponseWireTest, FieldJustUnderTheLimitIsWritten) {
  const HttpResponse response{200, {{"A", std::string(65'533, 'v')}}, {}};
  BeastResponse message = to_beast_response(HttpResponse(response), 11, false, true);
  std::string out;
  serialize_response(response, 11, false, true, out);
  EXPECT_EQ(without_added_date(out), without_added_date(beast_wire(message)));
}

// The added Date is the current second's, also when it comes from the cache.
TEST(HttpResponseWireTest, AddedDateIsTheCurrentSecond) {
  for (int i = 0; i < 3; ++i) {
    const std::string before = http_date(std::chrono::system_clock::now());
    std::string out;
    serialize_response(HttpResponse{200, {}, "x"}, 11, false, true, out);
    const std::string after = http_date(std::chrono::system_clock::now());
    const auto at = out.find("\r\nDate: ");
    ASSERT_NE(at, std::string::npos) << out;
    const std::string date = out.substr(at + 8, 29);
    EXPECT_TRUE(date == before || date == after) << date;
  }
}

}  // namespace
}  // namespace stsd::http
