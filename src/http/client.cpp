#include "stsd/http/client.h"

#include <utility>  // before Asio (coroutine support in 1.74)

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cctype>
#include <chrono>
#include <exception>
#include <optional>

#include "stsd/common/ascii.h"

namespace stsd::http {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

constexpr std::size_t kMaxUrl = 2048;
constexpr std::size_t kMaxHeader = 16 * 1024;

bool is_ip_literal(const std::string& host) {
  boost::system::error_code ec;
  net::ip::make_address(host, ec);
  return !ec;
}

std::string sha1_hex(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (X509_digest(cert, EVP_sha1(), md, &n) != 1) return {};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < n; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

bhttp::request<bhttp::empty_body> make_request(const ParsedUrl& u) {
  bhttp::request<bhttp::empty_body> req{bhttp::verb::get, u.target, 11};
  const bool default_port = u.port == (u.https ? "443" : "80");
  std::string host = u.host.find(':') != std::string::npos ? "[" + u.host + "]" : u.host;
  if (!default_port) host += ":" + u.port;
  req.set(bhttp::field::host, host);
  req.set(bhttp::field::user_agent, "stsd");
  req.set(bhttp::field::accept, "application/json");
  req.set(bhttp::field::connection, "close");
  return req;
}

using Clock = std::chrono::steady_clock;

// Each step is an asynchronous operation on the call's own io_context, run
// until it completes or the call's deadline passes. (Plain completion
// handlers rather than C++20 coroutines: Boost 1.74's awaitable is not
// available to clang with libstdc++, which the fuzz build uses.) After a
// time-out nothing runs the io_context again: the pending handlers are
// destroyed with it, never called.
class Steps {
 public:
  Steps(net::io_context& io, Clock::time_point deadline) : io_(io), deadline_(deadline) {}

  // start(handler) starts one operation whose handler takes (error_code, ...).
  template <class Start>
  beast::error_code run(Start&& start) {
    bool done = false;
    beast::error_code result;
    start([&done, &result](beast::error_code ec, auto&&...) {
      result = ec;
      done = true;
    });
    while (!done) {
      if (io_.stopped()) io_.restart();
      if (io_.run_one_until(deadline_) == 0 && Clock::now() >= deadline_) return net::error::timed_out;
    }
    return result;
  }

 private:
  net::io_context& io_;
  Clock::time_point deadline_;
};

std::string describe(const beast::error_code& ec, std::size_t max_body) {
  if (ec == bhttp::error::body_limit) return "the answer is larger than " + std::to_string(max_body) + " bytes";
  if (ec == bhttp::error::header_limit) return "the answer's header is too large";
  if (ec == net::error::timed_out) return "timed out";
  return ec.message();
}

template <class Stream>
Result<std::string, std::string> exchange(Steps& steps, Stream& stream, const ParsedUrl& u, std::size_t max_body) {
  auto req = make_request(u);
  if (auto ec = steps.run([&](auto h) { bhttp::async_write(stream, req, h); }))
    return unexpected(describe(ec, max_body));
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.header_limit(kMaxHeader);
  parser.body_limit(max_body);
  // The body is read piece by piece and measured here too: the size cap
  // must hold whatever the framing (Content-Length, chunked, until close).
  const auto too_large = [&] {
    return unexpected("the answer is larger than " + std::to_string(max_body) + " bytes");
  };
  if (auto ec = steps.run([&](auto h) { bhttp::async_read_header(stream, buffer, parser, h); }))
    return unexpected(describe(ec, max_body));
  if (auto length = parser.content_length(); length && *length > max_body) return too_large();
  while (!parser.is_done()) {
    if (auto ec = steps.run([&](auto h) { bhttp::async_read_some(stream, buffer, parser, h); }))
      return unexpected(describe(ec, max_body));
    if (parser.get().body().size() > max_body) return too_large();
  }
  const auto& res = parser.get();
  const int status = static_cast<int>(res.result_int());
  if (status >= 300 && status < 400)
    return unexpected("HTTP " + std::to_string(status) + " (redirects are not followed)");
  if (status != 200) return unexpected("HTTP " + std::to_string(status));
  return std::string(res.body());
}

Result<std::string, std::string> run_get(net::io_context& io, const ParsedUrl& u, const HttpGetOptions& options,
                                         net::ssl::context& tls) {
  Steps steps(io, Clock::now() + options.timeout);
  tcp::resolver resolver(io);
  tcp::resolver::results_type endpoints;
  if (auto ec = steps.run([&](auto h) {
        resolver.async_resolve(u.host, u.port, [&endpoints, h](beast::error_code e, tcp::resolver::results_type r) mutable {
          endpoints = std::move(r);
          h(e);
        });
      }))
    return unexpected(describe(ec, options.max_body));
  if (!u.https) {
    beast::tcp_stream stream(io);
    if (auto ec = steps.run([&](auto h) { stream.async_connect(endpoints, h); }))
      return unexpected(describe(ec, options.max_body));
    auto out = exchange(steps, stream, u, options.max_body);
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    return out;
  }
  beast::ssl_stream<beast::tcp_stream> stream(io, tls);
  SSL* ssl = stream.native_handle();
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (is_ip_literal(u.host)) {
    X509_VERIFY_PARAM_set1_ip_asc(param, u.host.c_str());
  } else {
    SSL_set_tlsext_host_name(ssl, u.host.c_str());
    X509_VERIFY_PARAM_set1_host(param, u.host.c_str(), 0);
  }
  if (auto ec = steps.run([&](auto h) { beast::get_lowest_layer(stream).async_connect(endpoints, h); }))
    return unexpected(describe(ec, options.max_body));
  if (auto ec = steps.run([&](auto h) { stream.async_handshake(net::ssl::stream_base::client, h); }))
    return unexpected(describe(ec, options.max_body));
  // verify_none lets the handshake finish; the verdict is ours to take here.
  bool trusted = SSL_get_verify_result(ssl) == X509_V_OK && SSL_get0_peer_certificate(ssl) != nullptr;
  if (!trusted) {
    if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl))
      for (int i = 0; i < sk_X509_num(chain) && !trusted; ++i)
        trusted = thumbprint_matches(options.thumbprints, sha1_hex(sk_X509_value(chain, i)));
    if (X509* leaf = SSL_get0_peer_certificate(ssl); leaf && !trusted)
      trusted = thumbprint_matches(options.thumbprints, sha1_hex(leaf));
  }
  if (!trusted)
    return unexpected(std::string("the server certificate is not trusted (") +
                      X509_verify_cert_error_string(SSL_get_verify_result(ssl)) +
                      ") and no certificate of its chain has a registered thumbprint");
  return exchange(steps, stream, u, options.max_body);
}

}  // namespace

Result<ParsedUrl, std::string> parse_http_url(std::string_view url) {
  if (url.size() > kMaxUrl) return unexpected(std::string("the URL is too long"));
  ParsedUrl out;
  const std::string scheme = ascii_lower(url.substr(0, url.find("://") == std::string_view::npos ? 0 : url.find("://")));
  if (scheme == "https") out.https = true;
  else if (scheme != "http") return unexpected(std::string("not an http:// or https:// URL"));
  std::string_view rest = url.substr(scheme.size() + 3);
  if (auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  const auto end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, end);
  std::string_view target = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  if (authority.find('@') != std::string_view::npos) return unexpected(std::string("user info in the URL"));
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return unexpected(std::string("bad IPv6 host"));
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return unexpected(std::string("bad host"));
      port = after.substr(1);
    }
  } else {
    const auto colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (out.host.empty()) return unexpected(std::string("no host in the URL"));
  for (char c : out.host)
    if (std::isspace(static_cast<unsigned char>(c)) || std::iscntrl(static_cast<unsigned char>(c)))
      return unexpected(std::string("bad host"));
  if (port.empty()) {
    out.port = out.https ? "443" : "80";
  } else {
    if (port.size() > 5) return unexpected(std::string("bad port"));
    unsigned long n = 0;
    for (char c : port) {
      if (c < '0' || c > '9') return unexpected(std::string("bad port"));
      n = n * 10 + static_cast<unsigned>(c - '0');
    }
    if (n == 0 || n > 65535) return unexpected(std::string("bad port"));
    out.port = std::to_string(n);
  }
  out.target = target.empty() ? "/" : std::string(target);
  if (out.target.front() == '?') out.target.insert(out.target.begin(), '/');
  for (char c : out.target)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return unexpected(std::string("bad character in the URL path"));
  return out;
}

bool thumbprint_matches(const std::vector<std::string>& thumbprints, std::string_view sha1_hex) {
  if (sha1_hex.size() != 40) return false;
  const std::string want = ascii_lower(sha1_hex);
  for (const auto& t : thumbprints)
    if (t.size() == 40 && ascii_lower(t) == want) return true;
  return false;
}

Result<std::string, std::string> http_get(const std::string& url, const HttpGetOptions& options) {
  auto parsed = parse_http_url(url);
  if (!parsed) return unexpected(parsed.error());
  try {
    net::ssl::context tls(net::ssl::context::tls_client);
    tls.set_default_verify_paths();
    tls.set_verify_mode(net::ssl::verify_none);
    // Declared first, destroyed last: the streams go before it, and their
    // pending handlers (after a time-out) are dropped with it.
    net::io_context io(1);
    auto out = run_get(io, *parsed, options, tls);
    if (!out && out.error() == "timed out")
      return unexpected("timed out after " + std::to_string(options.timeout.count()) + " ms");
    return out;
  } catch (const std::exception& e) {
    return unexpected(std::string(e.what()));
  }
}

}  // namespace stsd::http
