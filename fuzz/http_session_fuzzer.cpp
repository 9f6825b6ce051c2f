// Fuzz target: the HTTP session itself (src/http/session.h with its
// RequestParser), fed raw bytes through an in-memory stream: pipelined
// requests, chunked bodies and trailers, 100-continue, the head, body and
// budget limits, handler failures, the close and drain.
// Input: byte 0 picks the read size (1..64, or 64 KiB when its top bit is
// set); the rest is what the client sends, followed by EOF.
// Checks beyond "no crash, no leak": what the server writes is a sequence of
// well-formed, Content-Length-framed responses; the handler never sees more
// than the limits allow; every reserved body byte is given back.
#include <utility>  // before Asio (coroutine support in 1.74)

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "session.h"

namespace {

namespace net = boost::asio;
using stsd::http::ConnectionExecutor;

void require(bool ok) {
  if (!ok) std::abort();  // libFuzzer reports a deadly signal with the input
}

// The client: reads return the input `chunk` bytes at a time, then EOF;
// writes are collected. Completions are posted, as a socket's would be.
// It is its own lowest layer, with the calls the session makes on a socket.
class FuzzStream {
 public:
  using executor_type = ConnectionExecutor;

  FuzzStream(ConnectionExecutor executor, std::string_view input, std::size_t chunk, std::string& output)
      : executor_(std::move(executor)), input_(input), chunk_(chunk), output_(output) {}

  executor_type get_executor() noexcept { return executor_; }

  template <class MutableBuffers, class Handler>
  void async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    boost::system::error_code ec;
    std::size_t n = 0;
    if (closed_) {
      ec = net::error::bad_descriptor;
    } else if (input_.empty()) {
      ec = net::error::eof;
    } else {
      n = net::buffer_copy(buffers, net::buffer(input_.data(), std::min(chunk_, input_.size())));
      input_.remove_prefix(n);
    }
    net::post(executor_, [h = std::forward<Handler>(handler), ec, n]() mutable { h(ec, n); });
  }

  template <class ConstBuffers, class Handler>
  void async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    boost::system::error_code ec;
    std::size_t n = 0;
    if (closed_) {
      ec = net::error::bad_descriptor;
    } else {
      for (auto it = net::buffer_sequence_begin(buffers); it != net::buffer_sequence_end(buffers); ++it) {
        const net::const_buffer b(*it);
        output_.append(static_cast<const char*>(b.data()), b.size());
        n += b.size();
      }
    }
    net::post(executor_, [h = std::forward<Handler>(handler), ec, n]() mutable { h(ec, n); });
  }

  // The lowest-layer calls of the session (timeouts never fire: input ends).
  void expires_after(std::chrono::steady_clock::duration) {}
  void close() { closed_ = true; }
  FuzzStream& socket() { return *this; }
  void shutdown(net::socket_base::shutdown_type, boost::system::error_code& ec) { ec = {}; }
  std::size_t available(boost::system::error_code& ec) {
    ec = {};
    return input_.size();
  }

 private:
  ConnectionExecutor executor_;
  std::string_view input_;
  std::size_t chunk_;
  std::string& output_;
  bool closed_ = false;
};

constexpr std::size_t kHeaderLimit = 1024;
constexpr std::size_t kBodyLimit = 2048;
constexpr std::size_t kBudget = 1536;  // below the body limit: the 503 path is reachable

stsd::http::Limits fuzz_limits() {
  stsd::http::Limits limits;
  limits.header_limit = kHeaderLimit;
  limits.body_limit = kBodyLimit;
  limits.max_buffered_bytes = kBudget;
  return limits;
}

stsd::http::HttpResponse handle(const stsd::http::HttpRequest& request) {
  std::size_t head = request.method.size() + request.target.size();
  for (const auto& [name, value] : request.headers) head += name.size() + value.size();
  require(head <= kHeaderLimit);
  require(request.body.size() <= kBodyLimit);
  if (request.target.find("throw") != std::string::npos) throw std::runtime_error("handler failure");
  stsd::http::HttpResponse response{200, {{"X-Body-Length", std::to_string(request.body.size())}}, request.target};
  // HEAD answers keep the length but send no body: tell the output check.
  if (request.method == "HEAD") response.headers.emplace_back("X-Head", "1");
  return response;
}

// Responses as the session writes them: status line, fields, Content-Length
// body (none for 1xx nor HEAD), back to back.
void require_well_formed(std::string_view out) {
  while (!out.empty()) {
    const auto end = out.find("\r\n\r\n");
    require(end != std::string_view::npos);
    const std::string_view head = out.substr(0, end + 2);
    require(head.starts_with("HTTP/1.0 ") || head.starts_with("HTTP/1.1 "));
    require(head.size() >= 12);
    const int status = (head[9] - '0') * 100 + (head[10] - '0') * 10 + (head[11] - '0');
    require(status >= 100 && status <= 599);
    out.remove_prefix(end + 4);
    if (status < 200) continue;
    const auto at = head.find("\r\nContent-Length: ");
    require(at != std::string_view::npos);
    const char* first = head.data() + at + 18;
    std::size_t length = 0;
    const auto parsed = std::from_chars(first, head.data() + head.size(), length);
    require(parsed.ec == std::errc());
    if (head.find("\r\nX-Head: 1\r\n") != std::string_view::npos) continue;
    require(length <= out.size());
    out.remove_prefix(length);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);  // a log line per refused input only slows the run
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static net::io_context io;
  static const auto core = [] {
    auto c = std::make_shared<stsd::http::ServerCore>(io, fuzz_limits(), handle);
    c->busy_handler = [](const stsd::http::HttpRequest&) { return stsd::http::HttpResponse{503, {}, "busy"}; };
    return c;
  }();

  const std::size_t chunk = (data[0] & 0x80) != 0 ? 65536 : (data[0] & 0x3f) + 1;
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string output;
  {
    auto strand = net::make_strand(io);
    auto session = std::make_shared<stsd::http::Session<FuzzStream>>(core, "198.51.100.7", strand, input, chunk,
                                                                     std::ref(output));
    net::post(strand, [session] { session->start(); });
  }
  io.restart();
  io.run();

  require(core->active() == 0);
  require(core->budget().in_use() == 0);
  require_well_formed(output);
  return 0;
}
