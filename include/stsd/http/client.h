#pragma once
// A small HTTP(S) GET client for fetching OIDC discovery documents and key
// sets. Beast and Asio stay behind this header. Each call runs its own
// io_context on the calling thread (never one of the server's I/O threads:
// callers are stsd's fetcher workers), bounded in time and size:
// - one deadline covers resolve, connect, TLS handshake, request and answer;
// - the body is refused past `max_body` bytes, headers past 16 KiB;
// - only a 200 answer is a success; redirects are not followed (AWS requires
//   the discovery document and the jwks_uri to answer directly);
// - https: the server's chain must verify against the system trust store
//   (with the host name checked), or one certificate of the chain it presents
//   must have one of `thumbprints` (40 hex digits of the SHA-1 of its DER,
//   any case) — AWS's rule for OIDC providers, which lets a local IdP with a
//   self-signed certificate be trusted by registering that certificate's
//   thumbprint.
// Host names are resolved with the system resolver; a resolver that hangs
// can keep the calling thread past the deadline (getaddrinfo cannot be
// interrupted), never an I/O thread: the fetcher's waiters have their own
// bound. No proxy is used (HTTP(S)_PROXY are not read).
// Nothing here throws.
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "stsd/common/result.h"

namespace stsd::http {

struct ParsedUrl {
  bool https = false;
  std::string host;  // without brackets for IPv6 literals
  std::string port;  // digits; the scheme's default when absent
  std::string target;  // path and query, "/" when empty; no fragment
};

// http:// or https:// URLs of at most 2048 characters; no user info; a port
// of 1..65535.
Result<ParsedUrl, std::string> parse_http_url(std::string_view url);

// Whether a certificate's SHA-1 (hex, any case) is one of `thumbprints` (any case).
bool thumbprint_matches(const std::vector<std::string>& thumbprints, std::string_view sha1_hex);

struct HttpGetOptions {
  std::vector<std::string> thumbprints;
  std::chrono::milliseconds timeout{5000};
  std::size_t max_body = 1024 * 1024;
};

// The body of a 200 answer to GET url, or a short reason for logs.
Result<std::string, std::string> http_get(const std::string& url, const HttpGetOptions& options);

}  // namespace stsd::http
