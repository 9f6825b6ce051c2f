#include "stsd/http/client.h"

#include <utility>  // before Asio (coroutine support in 1.74)

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cctype>
#include <exception>
#include <optional>

namespace stsd::http {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

constexpr std::size_t kMaxUrl = 2048;
constexpr std::size_t kMaxHeader = 16 * 1024;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

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

struct Outcome {
  std::optional<Result<std::string, std::string>> result;
  void set(Result<std::string, std::string> r) {
    if (!result) result.emplace(std::move(r));
  }
};

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

template <class Stream>
net::awaitable<void> exchange(Stream& stream, const ParsedUrl& u, std::size_t max_body, Outcome& out) {
  auto req = make_request(u);
  co_await bhttp::async_write(stream, req, net::use_awaitable);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.header_limit(kMaxHeader);
  parser.body_limit(max_body);
  // The body is read piece by piece and measured here too: the size cap
  // must hold whatever the framing (Content-Length, chunked, until close).
  const auto too_large = [&] { out.set(unexpected("the answer is larger than " + std::to_string(max_body) + " bytes")); };
  co_await bhttp::async_read_header(stream, buffer, parser, net::use_awaitable);
  if (auto length = parser.content_length(); length && *length > max_body) {
    too_large();
    co_return;
  }
  while (!parser.is_done()) {
    co_await bhttp::async_read_some(stream, buffer, parser, net::use_awaitable);
    if (parser.get().body().size() > max_body) {
      too_large();
      co_return;
    }
  }
  const auto& res = parser.get();
  const int status = static_cast<int>(res.result_int());
  if (status >= 300 && status < 400) {
    out.set(unexpected("HTTP " + std::to_string(status) + " (redirects are not followed)"));
  } else if (status != 200) {
    out.set(unexpected("HTTP " + std::to_string(status)));
  } else {
    out.set(std::string(res.body()));
  }
}

net::awaitable<void> run_get(ParsedUrl u, HttpGetOptions options, net::ssl::context& tls, Outcome& out) {
  auto ex = co_await net::this_coro::executor;
  try {
    tcp::resolver resolver(ex);
    auto endpoints = co_await resolver.async_resolve(u.host, u.port, net::use_awaitable);
    if (!u.https) {
      beast::tcp_stream stream(ex);
      co_await stream.async_connect(endpoints, net::use_awaitable);
      co_await exchange(stream, u, options.max_body, out);
      beast::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
      co_return;
    }
    beast::ssl_stream<beast::tcp_stream> stream(ex, tls);
    SSL* ssl = stream.native_handle();
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    if (is_ip_literal(u.host)) {
      X509_VERIFY_PARAM_set1_ip_asc(param, u.host.c_str());
    } else {
      SSL_set_tlsext_host_name(ssl, u.host.c_str());
      X509_VERIFY_PARAM_set1_host(param, u.host.c_str(), 0);
    }
    co_await beast::get_lowest_layer(stream).async_connect(endpoints, net::use_awaitable);
    co_await stream.async_handshake(net::ssl::stream_base::client, net::use_awaitable);
    // verify_none lets the handshake finish; the verdict is ours to take here.
    bool trusted = SSL_get_verify_result(ssl) == X509_V_OK && SSL_get0_peer_certificate(ssl) != nullptr;
    if (!trusted) {
      if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl))
        for (int i = 0; i < sk_X509_num(chain) && !trusted; ++i)
          trusted = thumbprint_matches(options.thumbprints, sha1_hex(sk_X509_value(chain, i)));
      if (X509* leaf = SSL_get0_peer_certificate(ssl); leaf && !trusted)
        trusted = thumbprint_matches(options.thumbprints, sha1_hex(leaf));
    }
    if (!trusted) {
      out.set(unexpected(std::string("the server certificate is not trusted (") +
                         X509_verify_cert_error_string(SSL_get_verify_result(ssl)) +
                         ") and no certificate of its chain has a registered thumbprint"));
      co_return;
    }
    co_await exchange(stream, u, options.max_body, out);
  } catch (const boost::system::system_error& e) {
    if (e.code() == bhttp::error::body_limit)
      out.set(unexpected("the answer is larger than " + std::to_string(options.max_body) + " bytes"));
    else if (e.code() == bhttp::error::header_limit)
      out.set(unexpected(std::string("the answer's header is too large")));
    else
      out.set(unexpected(e.code().message()));
  } catch (const std::exception& e) {
    out.set(unexpected(std::string(e.what())));
  }
}

}  // namespace

Result<ParsedUrl, std::string> parse_http_url(std::string_view url) {
  if (url.size() > kMaxUrl) return unexpected(std::string("the URL is too long"));
  ParsedUrl out;
  const std::string scheme = lower(url.substr(0, url.find("://") == std::string_view::npos ? 0 : url.find("://")));
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
  const std::string want = lower(sha1_hex);
  for (const auto& t : thumbprints)
    if (t.size() == 40 && lower(t) == want) return true;
  return false;
}

Result<std::string, std::string> http_get(const std::string& url, const HttpGetOptions& options) {
  auto parsed = parse_http_url(url);
  if (!parsed) return unexpected(parsed.error());
  try {
    net::ssl::context tls(net::ssl::context::tls_client);
    tls.set_default_verify_paths();
    tls.set_verify_mode(net::ssl::verify_none);
    Outcome out;
    net::io_context io(1);
    net::co_spawn(io, run_get(std::move(*parsed), options, tls, out), [](std::exception_ptr) {});
    io.run_for(options.timeout);
    if (!out.result) return unexpected("timed out after " + std::to_string(options.timeout.count()) + " ms");
    return std::move(*out.result);
  } catch (const std::exception& e) {
    return unexpected(std::string(e.what()));
  }
}

}  // namespace stsd::http
