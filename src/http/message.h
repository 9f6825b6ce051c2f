#pragma once
// Conversions between Beast messages and the plain seam structs. Internal to
// stsd_http: nothing outside src/http includes this header.
#include <utility>  // before Asio (coroutine support in 1.74)

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <string>

#include "stsd/http/server.h"

namespace stsd::http {

namespace beast_http = boost::beast::http;
using BeastRequest = beast_http::request<beast_http::string_body>;
using BeastResponse = beast_http::response<beast_http::string_body>;

// RFC 7231 IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT" (locale-free).
std::string http_date(std::chrono::system_clock::time_point when);

// Moves the body out of `request`; names keep their received spelling and order.
HttpRequest to_http_request(BeastRequest&& request, std::string remote_address, bool secure);

// Content-Length, Connection and Date are the server's: the handler's
// Content-Length/Transfer-Encoding are dropped, Date is added when missing,
// a HEAD answer keeps the length but sends no body.
BeastResponse to_beast_response(HttpResponse&& response, unsigned version, bool head_request,
                                bool keep_alive);

// A server-made answer (400, 413, 500): empty body, Content-Length: 0, Date,
// and no request id since no handler saw the request.
BeastResponse bare_response(int status, unsigned version, bool keep_alive);

// "/path" without the query string: the query may carry presigned signatures
// or identity tokens, so logs only ever see the path.
std::string loggable_target(std::string_view target);

}  // namespace stsd::http
