#pragma once
// The HTTP seam: plain request/response structs and a handler callback. Beast
// and Asio stay behind this header (pimpl); nothing above http/ sees them.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boost::asio { class io_context; }

namespace stsd::http {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw request-target, e.g. "/?Action=GetCallerIdentity"
  std::vector<std::pair<std::string, std::string>> headers;  // names as received
  std::string body;
  std::string remote_address;  // peer IP
  bool secure = false;          // arrived over TLS

  // First header with this name, case-insensitive; empty if absent.
  std::string_view header(std::string_view name) const;
  bool has_header(std::string_view name) const;
};

// A long-lived answer written in pieces (Server-Sent Events). The session
// writes the head without a Content-Length (the connection closes when the
// stream ends), then, on its own strand, asks next() for a piece whenever
// the previous piece is written, and again after poll_interval() when
// there was nothing to write. A piece must be written within the read
// timeout, else the connection closes (a client that stops reading is
// dropped, never waited for). No other thread is ever made to wait: the
// source is only ever pulled from, by this connection.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  // The next piece; "" when there is nothing to write now; nullopt: the end.
  virtual std::optional<std::string> next() = 0;
  virtual std::chrono::milliseconds poll_interval() const { return std::chrono::milliseconds(250); }
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // Content-Length is added by the server
  std::string body;
  // Set: the body is this stream (`body` is ignored); see ResponseStream.
  std::shared_ptr<ResponseStream> stream = nullptr;
};

// Called on an I/O thread for each complete request. Must not throw (the
// server still turns an escaped exception into a bare 500 and logs it).
using Handler = std::function<HttpResponse(const HttpRequest&)>;

// The answer to a request refused because the server-wide body budget is
// spent (the request has its head, no body); the connection then closes.
// Without one the server answers a bare 503.
using BusyHandler = std::function<HttpResponse(const HttpRequest&)>;

struct Limits {
  std::size_t header_limit = 16 * 1024;       // request line + headers, and trailers with them; above -> 400, empty body
  std::size_t body_limit = 10'000'000;        // AWS's limit; above -> 413, empty body
  std::size_t max_buffered_bytes = 256u << 20;  // request bodies held at once, all connections; above -> 503, close
  std::chrono::milliseconds read_timeout{10'000};  // to read one whole request once it started; also bounds each response write
  std::chrono::milliseconds idle_timeout{60'000};  // wait for a request's first byte (new or keep-alive connection)
  std::size_t max_connections = 10'000;       // lowered at start to what RLIMIT_NOFILE allows; when full, the
                                              // longest idle connection is closed for a new one (none idle: the new one)
  std::chrono::milliseconds shutdown_grace{5'000};  // drain in-flight requests on stop
};

struct ListenAddress {
  std::string host;  // "127.0.0.1", "0.0.0.0", "::1"
  unsigned short port = 0;  // 0 = pick a free port
};

struct TlsSettings {
  std::string cert_file;  // PEM chain; empty = plain HTTP
  std::string key_file;
};

class Server {
 public:
  Server(boost::asio::io_context& io, std::vector<ListenAddress> listen, Limits limits,
         Handler handler, TlsSettings tls = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Before start(): what a request refused for the body budget gets.
  void set_busy_handler(BusyHandler busy);
  // Binds and starts accepting. Throws std::runtime_error naming the address
  // when a bind fails (start-up only).
  void start();
  // The bound addresses (with real ports when 0 was asked for).
  std::vector<ListenAddress> bound() const;
  // Graceful stop: close acceptors, let in-flight requests finish (bounded by
  // shutdown_grace), then close idle connections. Safe to call from any thread.
  void stop();
  std::size_t active_connections() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace stsd::http
