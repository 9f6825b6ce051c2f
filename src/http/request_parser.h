#pragma once
// The request parser of a session: Beast's HTTP/1.1 grammar (basic_parser)
// writing straight into the seam's HttpRequest, with stsd's framing rules on
// top. Internal to stsd_http.
//
// - No Beast field container: its 16-bit offsets throw std::length_error on a
//   field over 64 KiB, from inside a completion handler. A field may be as
//   large as the head limit.
// - The head limit covers the whole head (Beast only bounds what is still
//   unparsed), every chunk-size line and, together with the head, the trailer
//   section. Trailer fields are counted and dropped: they never join the
//   request's headers.
// - Transfer-Encoding whose final coding is not chunked: 400 (RFC 9112 6.3);
//   any other coding before chunked: 501 (RFC 9112 6.1).
// - Body memory is reserved from the server-wide BodyBudget before it is
//   allocated; a request that does not fit fails with over_budget.
// - feed() never throws.
#include <utility>  // before Asio (coroutine support in 1.74)

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/system/error_code.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "stsd/http/server.h"

namespace stsd::http {

enum class RequestError {
  over_budget = 1,     // the server-wide body budget is spent: 503
  unsupported_coding,  // a transfer coding other than chunked: 501
  parser_exception,    // Beast threw while parsing: 400
};
boost::system::error_code make_error_code(RequestError e);

// Bytes of request bodies held at once across all connections. Thread-safe.
class BodyBudget {
 public:
  explicit BodyBudget(std::size_t limit) : limit_(limit) {}
  bool try_reserve(std::size_t n) {
    std::size_t used = used_.load(std::memory_order_relaxed);
    do {
      if (n > limit_ - used) return false;
    } while (!used_.compare_exchange_weak(used, used + n, std::memory_order_relaxed));
    return true;
  }
  void release(std::size_t n) { used_.fetch_sub(n, std::memory_order_relaxed); }
  std::size_t in_use() const { return used_.load(std::memory_order_relaxed); }
  std::size_t limit() const { return limit_; }

 private:
  const std::size_t limit_;
  std::atomic<std::size_t> used_{0};
};

class RequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  // Clears request's method, target, headers and body (keeping their
  // capacity) and fills them as the bytes arrive.
  RequestParser(HttpRequest& request, std::size_t header_limit, std::size_t body_limit, BodyBudget& budget);
  ~RequestParser() override { release_body(); }
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  // basic_parser::put, bounded and without exceptions. need_more: feed more.
  std::size_t feed(boost::asio::const_buffer buffer, boost::system::error_code& ec) noexcept;

  unsigned version() const { return version_; }
  bool head_request() const { return head_request_; }
  // "Expect: 100-continue" on HTTP/1.1.
  bool expects_continue() const { return expect_continue_ && version_ >= 11; }
  // Whether the connection may serve another request after this one.
  bool keep_alive() const;

  // The handler is done: free the headers and a large body, give its bytes back.
  void release_body();

 private:
  void on_request_impl(boost::beast::http::verb method, boost::beast::string_view method_str,
                       boost::beast::string_view target, int version, boost::system::error_code& ec) override;
  void on_response_impl(int, boost::beast::string_view, int, boost::system::error_code&) override {}
  void on_field_impl(boost::beast::http::field name, boost::beast::string_view name_string,
                     boost::beast::string_view value, boost::system::error_code& ec) override;
  void on_header_impl(boost::system::error_code& ec) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length, boost::system::error_code& ec) override;
  std::size_t on_body_impl(boost::beast::string_view body, boost::system::error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t size, boost::beast::string_view extensions,
                            boost::system::error_code& ec) override;
  std::size_t on_chunk_body_impl(std::uint64_t remain, boost::beast::string_view body,
                                 boost::system::error_code& ec) override;
  void on_finish_impl(boost::system::error_code& ec) override { ec = {}; }

  // Makes room for `total` body bytes, reserving the growth from the budget.
  bool reserve_body(std::size_t total, boost::system::error_code& ec);

  HttpRequest& request_;
  BodyBudget& budget_;
  const std::size_t header_limit_;
  const std::size_t body_limit_;
  std::size_t head_bytes_ = 0;     // the head as received, once complete
  std::size_t trailer_bytes_ = 0;  // the trailer fields, as name: value CRLF
  std::size_t reserved_ = 0;       // taken from budget_ for this body
  unsigned version_ = 11;
  bool head_request_ = false;
  bool expect_continue_ = false;
  bool transfer_encoding_ = false;  // a Transfer-Encoding field was received
  bool other_coding_ = false;       // it named a coding other than chunked
};

}  // namespace stsd::http

template <>
struct boost::system::is_error_code_enum<stsd::http::RequestError> : std::true_type {};
