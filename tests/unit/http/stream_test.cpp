// Guards streamed answers (HttpResponse::stream, what the console's live
// Server-Sent Events use): the head has no Content-Length and announces the
// close, pieces are written as the source has them (polled when it has
// none), the end of the source ends the connection, a stop of the server
// ends open streams at once, and a client that stops reading is dropped
// after the read timeout instead of holding the source.
#include "test_support.h"

#include <atomic>
#include <deque>
#include <mutex>

namespace stsd::http::test {
namespace {

// Hands out the pieces it was given, then "" (nothing now) until ended.
class ScriptedStream : public ResponseStream {
 public:
  explicit ScriptedStream(std::deque<std::optional<std::string>> pieces, bool forever = false)
      : pieces_(std::move(pieces)), forever_(forever) {}
  std::optional<std::string> next() override {
    ++calls;
    std::lock_guard lock(mutex_);
    if (pieces_.empty()) return forever_ ? std::optional<std::string>("") : std::nullopt;
    auto piece = pieces_.front();
    if (!forever_ || pieces_.size() > 1) pieces_.pop_front();
    return piece;
  }
  std::chrono::milliseconds poll_interval() const override { return 10ms; }
  std::atomic<int> calls{0};

 private:
  std::mutex mutex_;
  std::deque<std::optional<std::string>> pieces_;
  bool forever_;
};

Handler streaming(std::shared_ptr<ScriptedStream> stream) {
  return [stream](const HttpRequest&) {
    HttpResponse r;
    r.headers.emplace_back("Content-Type", "text/event-stream");
    r.stream = stream;
    return r;
  };
}

// The head, then every piece (each ends with a blank line) until the close.
std::string read_until_closed(Client& client, std::string& body) {
  const std::string head = client.read_head();
  while (true) {
    auto more = client.read_head();  // pieces end with a blank line
    if (more.empty()) break;
    body += more;
  }
  return head;
}

TEST(HttpStreamTest, PiecesAreWrittenAsTheSourceHasThemUntilItEnds) {
  auto stream = std::make_shared<ScriptedStream>(
      std::deque<std::optional<std::string>>{"data: a\r\n\r\n", "", "", "data: b\r\n\r\n", std::nullopt});
  TestServer server(test_limits(), streaming(stream));
  Client client(server.port());
  ASSERT_TRUE(client.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::string body;
  const std::string head = read_until_closed(client, body);
  EXPECT_NE(head.find("HTTP/1.1 200 OK\r\n"), std::string::npos);
  EXPECT_NE(head.find("Content-Type: text/event-stream\r\n"), std::string::npos);
  EXPECT_NE(head.find("Connection: close\r\n"), std::string::npos);
  EXPECT_EQ(head.find("Content-Length"), std::string::npos);
  EXPECT_EQ(body, "data: a\r\n\r\ndata: b\r\n\r\n");
  EXPECT_TRUE(client.closed_within(500ms));
}

TEST(HttpStreamTest, StopEndsAnOpenStreamAtOnce) {
  auto stream = std::make_shared<ScriptedStream>(std::deque<std::optional<std::string>>{}, true);
  TestServer server(test_limits(), streaming(std::move(stream)));
  Client client(server.port());
  ASSERT_TRUE(client.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_FALSE(client.read_head().empty());
  const auto start = std::chrono::steady_clock::now();
  server.server().stop();
  EXPECT_TRUE(client.closed_within(500ms));
  server.stop_and_join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 900ms);
  EXPECT_EQ(server.server().active_connections(), 0u);
}

TEST(HttpStreamTest, AClientThatStopsReadingIsDropped) {
  Limits limits = test_limits();
  limits.read_timeout = 300ms;
  auto stream = std::make_shared<ScriptedStream>(
      std::deque<std::optional<std::string>>{std::string(1 << 20, 'x')}, true);
  auto* raw = stream.get();
  TestServer server(limits, streaming(std::move(stream)));
  Client client(server.port());
  ASSERT_TRUE(client.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n"));
  // Never read: the socket buffers fill, and a write cannot finish in time.
  const auto until = std::chrono::steady_clock::now() + 2000ms;
  while (raw->calls.load() == 0 && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(5ms);
  ASSERT_GT(raw->calls.load(), 0);
  EXPECT_TRUE(server.wait_for_connections(0, 5000ms)) << raw->calls.load() << " pieces asked for";
}

TEST(HttpStreamTest, HeadRequestGetsNoStream) {
  auto stream = std::make_shared<ScriptedStream>(std::deque<std::optional<std::string>>{"data: a\n\n"}, true);
  TestServer server(test_limits(), streaming(stream));
  Client client(server.port());
  ASSERT_TRUE(client.send("HEAD /events HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(stream->calls.load(), 0);
}

}  // namespace
}  // namespace stsd::http::test
