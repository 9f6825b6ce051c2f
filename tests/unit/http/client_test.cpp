// The fetch client: URL parsing and thumbprint matching without the network,
// then real GETs against a local Beast-free socket server on port 0.
#include "stsd/http/client.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

namespace stsd::http {
namespace {

TEST(HttpClientUrl, Parses) {
  auto u = parse_http_url("https://idp.example.test/tenant/.well-known/openid-configuration");
  ASSERT_TRUE(u) << u.error();
  EXPECT_TRUE(u->https);
  EXPECT_EQ(u->host, "idp.example.test");
  EXPECT_EQ(u->port, "443");
  EXPECT_EQ(u->target, "/tenant/.well-known/openid-configuration");
  u = parse_http_url("HTTP://127.0.0.1:8080");
  ASSERT_TRUE(u);
  EXPECT_FALSE(u->https);
  EXPECT_EQ(u->port, "8080");
  EXPECT_EQ(u->target, "/");
  u = parse_http_url("http://[::1]:9000/k?x=1#frag");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->target, "/k?x=1");
}

TEST(HttpClientUrl, Refuses) {
  for (const char* bad : {"ftp://a.test/", "https://", "https://user@a.test/", "http://a.test:0/", "http://a.test:65536/",
                          "http://a.test:8x/", "https://[::1/", "a.test/path", "http://a b/"})
    EXPECT_FALSE(parse_http_url(bad)) << bad;
  EXPECT_FALSE(parse_http_url("https://a.test/" + std::string(3000, 'p')));
}

TEST(HttpClientThumbprint, MatchesCaseInsensitively) {
  const std::string upper = "9E99A48A9960B14926BB7F3B02E22DA2B0AB7280";
  const std::string lower = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280";
  EXPECT_TRUE(thumbprint_matches({upper}, lower));
  EXPECT_TRUE(thumbprint_matches({lower}, upper));
  EXPECT_TRUE(thumbprint_matches({std::string(40, '0'), upper}, lower));
  EXPECT_FALSE(thumbprint_matches({std::string(40, '0')}, lower));
  EXPECT_FALSE(thumbprint_matches({}, lower));
  EXPECT_FALSE(thumbprint_matches({upper.substr(0, 39)}, lower.substr(0, 39)));
}

// A one-shot server: answers the first connection with `response`, or never
// answers when it is empty (to exercise the timeout).
class OneShotServer {
 public:
  explicit OneShotServer(std::string response) : response_(std::move(response)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 4);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      char buf[4096];
      (void)::recv(c, buf, sizeof buf, 0);
      if (!response_.empty()) (void)::send(c, response_.data(), response_.size(), MSG_NOSIGNAL);
      else std::this_thread::sleep_for(std::chrono::milliseconds(1500));
      ::close(c);
    });
  }
  ~OneShotServer() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string url(const std::string& path = "/") const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

 private:
  std::string response_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

std::string answer(int status, const std::string& body, const std::string& extra = "") {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extra +
         "Connection: close\r\n\r\n" + body;
}

TEST(HttpClientGet, ReturnsTheBodyOf200) {
  OneShotServer server(answer(200, R"({"keys":[]})"));
  auto body = http_get(server.url("/jwks"), {});
  ASSERT_TRUE(body) << body.error();
  EXPECT_EQ(*body, R"({"keys":[]})");
}

TEST(HttpClientGet, DoesNotFollowRedirects) {
  OneShotServer server(answer(302, "", "Location: http://example.test/\r\n"));
  auto body = http_get(server.url(), {});
  ASSERT_FALSE(body);
  EXPECT_NE(body.error().find("redirect"), std::string::npos);
}

TEST(HttpClientGet, RefusesOtherStatuses) {
  OneShotServer server(answer(404, "nope"));
  EXPECT_FALSE(http_get(server.url(), {}));
}

TEST(HttpClientGet, RefusesBodiesOverTheLimit) {
  OneShotServer server(answer(200, std::string(5000, 'x')));
  HttpGetOptions options;
  options.max_body = 1000;
  auto body = http_get(server.url(), options);
  ASSERT_FALSE(body) << body->size();
  EXPECT_NE(body.error().find("larger"), std::string::npos) << body.error();

}

TEST(HttpClientGet, RefusesChunkedBodiesOverTheLimit) {
  std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
  for (int i = 0; i < 10; ++i) chunked += "200\r\n" + std::string(512, 'x') + "\r\n";
  chunked += "0\r\n\r\n";
  OneShotServer server(chunked);
  HttpGetOptions options;
  options.max_body = 1000;
  auto body = http_get(server.url(), options);
  ASSERT_FALSE(body);
  EXPECT_NE(body.error().find("larger"), std::string::npos) << body.error();
}

TEST(HttpClientGet, AcceptsChunkedBodiesWithinTheLimit) {
  OneShotServer server("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
  auto body = http_get(server.url(), {});
  ASSERT_TRUE(body) << body.error();
  EXPECT_EQ(*body, "abc");
}

TEST(HttpClientGet, GivesUpAtTheTimeout) {
  OneShotServer server("");
  HttpGetOptions options;
  options.timeout = std::chrono::milliseconds(300);
  const auto t0 = std::chrono::steady_clock::now();
  auto body = http_get(server.url(), options);
  EXPECT_FALSE(body);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(1200));
}

TEST(HttpClientGet, ConnectionRefusedIsAnError) {
  int port = 0;
  {
    OneShotServer server(answer(200, ""));
    port = std::stoi(server.url().substr(17));
    (void)http_get(server.url(), {});
  }
  EXPECT_FALSE(http_get("http://127.0.0.1:" + std::to_string(port) + "/", {}));
}

}  // namespace
}  // namespace stsd::http
