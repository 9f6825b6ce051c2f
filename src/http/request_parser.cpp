#include "request_parser.h"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/rfc7230.hpp>

#include <algorithm>
#include <exception>
#include <limits>
#include <string>

namespace stsd::http {

namespace beast = boost::beast;
namespace beast_http = boost::beast::http;
using boost::system::error_code;

namespace {

// A body buffer this small stays with the connection for its next request.
constexpr std::size_t kKeptBodyCapacity = 16 * 1024;

class RequestErrorCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "stsd.http.request"; }
  std::string message(int value) const override {
    switch (static_cast<RequestError>(value)) {
      case RequestError::over_budget: return "server-wide body budget spent";
      case RequestError::unsupported_coding: return "unsupported transfer coding";
      case RequestError::parser_exception: return "parser failure";
    }
    return "unknown request error";
  }
};

}  // namespace

error_code make_error_code(RequestError e) {
  static const RequestErrorCategory category;
  return {static_cast<int>(e), category};
}

RequestParser::RequestParser(HttpRequest& request, std::size_t header_limit, std::size_t body_limit,
                             BodyBudget& budget)
    : request_(request), budget_(budget), header_limit_(header_limit), body_limit_(body_limit) {
  request_.method.clear();
  request_.target.clear();
  request_.headers.clear();
  request_.body.clear();
  if (request_.body.capacity() > kKeptBodyCapacity) std::string().swap(request_.body);
  this->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(header_limit, UINT32_MAX)));
  this->body_limit(static_cast<std::uint64_t>(body_limit));
}

std::size_t RequestParser::feed(boost::asio::const_buffer buffer, error_code& ec) noexcept {
  ec = {};
  if (is_done() || buffer.size() == 0) return 0;
  try {
    std::size_t used = 0;
    if (!is_header_done()) {
      // The head alone first, so that its size is known to the byte: Beast
      // bounds only the part not yet parsed.
      const bool was_eager = eager();
      eager(false);
      used = put(buffer, ec);
      eager(was_eager);
      head_bytes_ += used;
      if (ec == beast_http::error::need_more) {
        if (head_bytes_ + (buffer.size() - used) > header_limit_) ec = beast_http::error::header_limit;
        return used;
      }
      // Beast bounds each put by what it has not parsed yet, so a start line
      // consumed early leaves the fields a whole limit of their own.
      if (!ec && head_bytes_ > header_limit_) ec = beast_http::error::header_limit;
      if (ec || !was_eager || is_done() || used == buffer.size()) return used;
      buffer += used;
    }
    const std::size_t more = put(buffer, ec);
    // Waiting on a chunk-size line or the trailer section: bound what is buffered.
    if (ec == beast_http::error::need_more && buffer.size() - more > header_limit_)
      ec = beast_http::error::header_limit;
    return used + more;
  } catch (const std::exception&) {
    ec = RequestError::parser_exception;
  } catch (...) {
    ec = RequestError::parser_exception;
  }
  return 0;
}

bool RequestParser::keep_alive() const {
  // RFC 9112 6.1: Transfer-Encoding in HTTP/1.0 is faulty framing; close after.
  return basic_parser::keep_alive() && !(transfer_encoding_ && version_ < 11);
}

void RequestParser::release_body() {
  request_.body.clear();
  if (request_.body.capacity() > kKeptBodyCapacity) std::string().swap(request_.body);
  // Nor do a large head's fields stay with an idle connection.
  request_.headers.clear();
  if (request_.target.capacity() > kKeptBodyCapacity) std::string().swap(request_.target);
  budget_.release(reserved_);
  reserved_ = 0;
}

void RequestParser::on_request_impl(beast_http::verb method, beast::string_view method_str,
                                    beast::string_view target, int version, error_code& ec) {
  request_.method.assign(method_str.data(), method_str.size());
  request_.target.assign(target.data(), target.size());
  version_ = static_cast<unsigned>(version);
  head_request_ = method == beast_http::verb::head;
  ec = {};
}

void RequestParser::on_field_impl(beast_http::field name, beast::string_view name_string,
                                  beast::string_view value, error_code& ec) {
  ec = {};
  if (is_header_done()) {
    // A trailer field: it counts against the head limit and is dropped.
    trailer_bytes_ += name_string.size() + value.size() + 4;
    if (head_bytes_ + trailer_bytes_ > header_limit_) ec = beast_http::error::header_limit;
    return;
  }
  if (name == beast_http::field::expect && !request_.has_header("Expect"))
    expect_continue_ = beast::iequals(value, "100-continue");
  if (name == beast_http::field::transfer_encoding) {
    transfer_encoding_ = true;
    for (const auto coding : beast_http::token_list{value})
      if (!beast::iequals(coding, "chunked")) other_coding_ = true;
  }
  request_.headers.emplace_back(std::string(name_string.data(), name_string.size()),
                                std::string(value.data(), value.size()));
}

void RequestParser::on_header_impl(error_code& ec) {
  ec = {};
  if (transfer_encoding_) {
    // Without chunked last the body's end cannot be known (RFC 9112 6.3).
    if (!chunked()) return void(ec = beast_http::error::bad_transfer_encoding);
    if (other_coding_) return void(ec = RequestError::unsupported_coding);
  }
  // Reserved before 100 Continue is sent, so that a refusal comes first.
  if (const auto length = content_length(); length && *length > 0) reserve_body(static_cast<std::size_t>(*length), ec);
}

void RequestParser::on_body_init_impl(const boost::optional<std::uint64_t>&, error_code& ec) { ec = {}; }

std::size_t RequestParser::on_body_impl(beast::string_view body, error_code& ec) {
  ec = {};
  request_.body.append(body.data(), body.size());
  return body.size();
}

void RequestParser::on_chunk_header_impl(std::uint64_t size, beast::string_view, error_code& ec) {
  ec = {};
  // Beast has checked size against what is left of the body limit.
  if (size > 0) reserve_body(request_.body.size() + static_cast<std::size_t>(size), ec);
}

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t, beast::string_view body, error_code& ec) {
  return on_body_impl(body, ec);
}

bool RequestParser::reserve_body(std::size_t total, error_code& ec) {
  if (total <= reserved_) return true;
  // Chunked bodies grow by doubling, as std::string would, within the limit.
  const std::size_t target = reserved_ == 0 ? total : std::max(total, std::min(reserved_ * 2, body_limit_));
  if (!budget_.try_reserve(target - reserved_)) {
    ec = RequestError::over_budget;
    return false;
  }
  reserved_ = target;
  request_.body.reserve(target);
  return true;
}

}  // namespace stsd::http
