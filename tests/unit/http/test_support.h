#pragma once
// A real stsd::http::Server on 127.0.0.1 port 0 with io_context threads, and
// a blocking POSIX-socket client that reads HTTP/1.1 responses by hand (so
// the tests do not trust the code they test to parse its own output).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <utility>  // before Asio (coroutine support in 1.74)

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <strings.h>
#include <thread>
#include <vector>

#include "stsd/http/server.h"

namespace stsd::http::test {

using namespace std::chrono_literals;

// Small timeouts so every test stays well under a second.
inline Limits test_limits() {
  Limits limits;
  limits.read_timeout = 2000ms;
  limits.idle_timeout = 2000ms;
  limits.shutdown_grace = 1000ms;
  return limits;
}

inline HttpResponse echo_target(const HttpRequest& request) {
  return HttpResponse{200, {{"Content-Type", "text/plain"}}, request.target};
}

// Starts on construction; stop() and joining happen in the destructor, so a
// failed assertion never leaves a thread running.
class TestServer {
 public:
  explicit TestServer(Limits limits = test_limits(), Handler handler = echo_target, unsigned threads = 2,
                      TlsSettings tls = {}, BusyHandler busy = {})
      : server_(io_, {ListenAddress{"127.0.0.1", 0}}, limits, std::move(handler), std::move(tls)) {
    if (busy) server_.set_busy_handler(std::move(busy));
    server_.start();
    for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  ~TestServer() { stop_and_join(); }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  unsigned short port() const { return server_.bound().at(0).port; }
  Server& server() { return server_; }

  // Returns once io_context::run() has returned on every thread.
  void stop_and_join() {
    server_.stop();
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }

  // Waits (briefly) until the server has taken `n` connections.
  bool wait_for_connections(std::size_t n, std::chrono::milliseconds limit = 1000ms) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (server_.active_connections() != n) {
      if (std::chrono::steady_clock::now() > until) return false;
      std::this_thread::sleep_for(2ms);
    }
    return true;
  }

 private:
  boost::asio::io_context io_;
  Server server_;
  std::vector<std::thread> threads_;
};

struct Response {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  std::optional<std::string> header(const std::string& name) const {
    for (const auto& [k, v] : headers)
      if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
    return std::nullopt;
  }
  int count(const std::string& name) const {
    int n = 0;
    for (const auto& [k, v] : headers) n += strcasecmp(k.c_str(), name.c_str()) == 0;
    return n;
  }
};

class Client {
 public:
  explicit Client(unsigned short port) : Client() { connect(port); }
  // A socket that connects later: connect() takes no new descriptor, so a
  // test can exhaust descriptors in between.
  Client() { fd_ = ::socket(AF_INET, SOCK_STREAM, 0); }

  bool connect(unsigned short port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    set_receive_timeout(2000ms);
    return connected_;
  }
  ~Client() { close(); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return connected_; }

  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  bool send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  void shutdown_write() { ::shutdown(fd_, SHUT_WR); }

  // One response; nullopt if the peer closed (or nothing came within 2 s).
  std::optional<Response> read_response() {
    std::size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos)
      if (!fill()) return std::nullopt;
    Response r;
    const std::string head = buffer_.substr(0, end);
    buffer_.erase(0, end + 4);
    std::size_t line_end = head.find("\r\n");
    const std::string status_line = head.substr(0, line_end);
    if (status_line.rfind("HTTP/1.", 0) != 0 || status_line.size() < 12) return std::nullopt;
    r.status = std::stoi(status_line.substr(9, 3));
    while (line_end != std::string::npos) {
      const std::size_t start = line_end + 2;
      line_end = head.find("\r\n", start);
      const std::string line = head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
      const auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      r.headers.emplace_back(line.substr(0, colon), value);
    }
    const std::size_t length = r.header("Content-Length") ? std::stoul(*r.header("Content-Length")) : 0;
    while (buffer_.size() < length)
      if (!fill()) return std::nullopt;
    r.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return r;
  }

  // Reads raw bytes up to "\r\n\r\n" (an interim 100 Continue, say).
  std::string read_head() {
    std::size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos)
      if (!fill()) return {};
    std::string out = buffer_.substr(0, end + 4);
    buffer_.erase(0, end + 4);
    return out;
  }

  // True if the server closed (EOF or reset) within `limit`, with no more data.
  bool closed_within(std::chrono::milliseconds limit) {
    if (!buffer_.empty()) return false;
    set_receive_timeout(limit);
    char c;
    const ssize_t n = ::recv(fd_, &c, 1, 0);
    set_receive_timeout(2000ms);
    return n == 0 || (n < 0 && (errno == ECONNRESET || errno == EPIPE));
  }

 private:
  bool fill() {
    char chunk[4096];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  void set_receive_timeout(std::chrono::milliseconds limit) {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(limit.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((limit.count() % 1000) * 1000);
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

inline std::string get(const std::string& target, const std::string& extra_headers = {}) {
  return "GET " + target + " HTTP/1.1\r\nHost: sts.test\r\n" + extra_headers + "\r\n";
}

inline std::string post(const std::string& target, const std::string& body, const std::string& extra_headers = {}) {
  return "POST " + target + " HTTP/1.1\r\nHost: sts.test\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
         "Content-Length: " + std::to_string(body.size()) + "\r\n" + extra_headers + "\r\n" + body;
}

}  // namespace stsd::http::test
