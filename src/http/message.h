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
using BeastResponse = beast_http::response<beast_http::string_body>;

// RFC 7231 IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT" (locale-free).
std::string http_date(std::chrono::system_clock::time_point when);

// Content-Length, Connection and Date are the server's: the handler's
// Content-Length/Transfer-Encoding are dropped, Date is added when missing,
// a HEAD answer keeps the length but sends no body. The session writes
// serialize_response instead; this stays as its reference (the wire test).
BeastResponse to_beast_response(HttpResponse&& response, unsigned version, bool head_request,
                                bool keep_alive);

// The bytes Beast's serializer writes for to_beast_response(response, ...),
// built straight into `out` (cleared first): one buffer and one write per
// answer instead of a message, its field tree and a buffer sequence. Throws
// what to_beast_response throws (a field over 64 KiB). Returns whether the
// connection stays open after this answer. A server-made answer (400, 413,
// 500) is HttpResponse{status, {}, {}}: Content-Length: 0, Date, and no
// request id since no handler saw the request.
// The head of a streamed answer (HttpResponse::stream): status line, the
// handler's fields, Date, Connection: close and no Content-Length: the body
// ends when the connection does (RFC 9112 section 6.3, item 8).
void serialize_stream_head(const HttpResponse& response, unsigned version, std::string& out);

bool serialize_response(const HttpResponse& response, unsigned version, bool head_request, bool keep_alive,
                        std::string& out);

// "/path" without the query string: the query may carry presigned signatures
// or identity tokens, so logs only ever see the path.
std::string loggable_target(std::string_view target);

}  // namespace stsd::http
