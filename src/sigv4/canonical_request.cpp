// Stage 1, the canonical request:
// docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#create-canonical-request
//   <method>\n<canonical URI>\n<canonical query>\n<canonical headers>\n<signed headers>\n<payload hash>
#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "canonical_request.h"
#include "stsd/crypto/crypto.h"
#include "stsd/common/ascii.h"
#include "stsd/sigv4/sigv4.h"
#include "stsd/common/percent_encoding.h"

namespace stsd::sigv4 {

namespace detail {

namespace {


bool is_space(char c) { return c == ' ' || c == '\t'; }

// Canonical URI: the path as received is encoded once more (AWS's "encode
// each segment twice" for every service but S3: the client encoded it once to
// put it on the wire), after optional normalisation.
void append_canonical_uri(std::string& out, std::string_view raw_path, bool normalize) {
  // "/" (every STS request) is its own normal form and encoding.
  if (raw_path == "/" || (raw_path.empty() && !normalize)) {
    out += '/';
    return;
  }
  out += uri_encode(normalize ? normalize_path(raw_path) : std::string(raw_path), true);
}

// Canonical query: every parameter decoded from the raw query and re-encoded
// with the unreserved set (%20 for a space), sorted by name then value.
void append_canonical_query(std::string& out, std::string_view raw_query, bool presigned,
                            bool exclude_security_token) {
  if (raw_query.empty()) return;
  std::vector<std::pair<std::string, std::string>> pairs;
  for (auto& p : parse_form_pairs(raw_query)) {
    if (presigned && p.name == "X-Amz-Signature") continue;
    if (exclude_security_token && p.name == "X-Amz-Security-Token") continue;
    pairs.emplace_back(uri_encode(p.name, false), uri_encode(p.value, false));
  }
  std::sort(pairs.begin(), pairs.end());
  bool first = true;
  for (const auto& [name, value] : pairs) {
    if (!first) out += '&';
    first = false;
    out += name;
    out += '=';
    out += value;
  }
}

// Header value: leading/trailing whitespace trimmed, inner runs collapsed to
// one space.
// Appends word by word rather than byte by byte.
void append_trimmed(std::string& out, std::string_view value) {
  const std::size_t n = value.size();
  std::size_t i = 0;
  bool first = true;
  while (true) {
    while (i < n && is_space(value[i])) ++i;
    if (i == n) return;
    std::size_t start = i;
    while (i < n && !is_space(value[i])) ++i;
    if (!first) out += ' ';
    first = false;
    out.append(value.data() + start, i - start);
  }
}

// One "name:value\n" line per signed header, in the order the client listed
// them; repeated headers joined with ',' in the order received.
void append_canonical_headers(std::string& out, const Request& request,
                              const std::vector<std::string>& signed_headers) {
  for (const auto& name : signed_headers) {
    out += name;
    out += ':';
    bool first = true;
    for (const auto& h : request.headers) {
      if (!iequals(h.name, name)) continue;
      if (!first) out += ',';
      first = false;
      append_trimmed(out, h.value);
    }
    out += '\n';
  }
}

void append_signed_headers(std::string& out, const std::vector<std::string>& names) {
  bool first = true;
  for (const auto& n : names) {
    if (!first) out += ';';
    first = false;
    out += n;
  }
}

// The hashed payload: the x-amz-content-sha256 header when sent, otherwise
// hex(sha256(body)).
void append_payload_hash(std::string& out, const Request& request) {
  if (const std::string* sent = find_header(request, "x-amz-content-sha256")) return append_trimmed(out, *sent);
  crypto::append_hex(out, crypto::as_view(crypto::sha256_digest(request.body)));
}

}  // namespace

const std::string* find_header(const Request& request, std::string_view name) {
  for (const auto& h : request.headers)
    if (iequals(h.name, name)) return &h.value;
  return nullptr;
}

std::string normalize_path(std::string_view path) {
  std::vector<std::string_view> stack;
  std::string_view segment;
  std::size_t start = 0;
  while (true) {
    std::size_t slash = path.find('/', start);
    segment = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (segment == "..") {
      if (!stack.empty()) stack.pop_back();
    } else if (!segment.empty() && segment != ".") {
      stack.push_back(segment);
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  std::string out = "/";
  for (std::size_t i = 0; i < stack.size(); ++i) {
    if (i > 0) out += '/';
    out += stack[i];
  }
  // "/a/b/", "/a/b/." and "/a/b/c/.." keep a trailing slash (RFC 3986 5.2.4).
  bool trailing_slash = segment.empty() || segment == "." || segment == "..";
  if (!stack.empty() && trailing_slash) out += '/';
  return out;
}

std::string payload_hash(const Request& request) {
  std::string out;
  append_payload_hash(out, request);
  return out;
}

std::string build_canonical_request(const Request& request, const SignedRequestInfo& info, bool normalize,
                                    bool exclude_security_token) {
  // One string, sized for the common case, each part appended in place.
  std::size_t size = request.method.size() + request.path.size() + request.query.size() + 64 + 6;
  for (const auto& name : info.signed_headers) size += 2 * name.size() + 2;
  for (const auto& h : request.headers) size += h.value.size() + 1;
  std::string out;
  out.reserve(size);
  out += request.method;
  out += '\n';
  append_canonical_uri(out, request.path, normalize);
  out += '\n';
  append_canonical_query(out, request.query, info.presigned, exclude_security_token);
  out += '\n';
  append_canonical_headers(out, request, info.signed_headers);
  out += '\n';
  append_signed_headers(out, info.signed_headers);
  out += '\n';
  append_payload_hash(out, request);
  return out;
}

}  // namespace detail

std::string canonical_request(const Request& request, const SignedRequestInfo& info, bool normalize_path) {
  return detail::build_canonical_request(request, info, normalize_path, false);
}

}  // namespace stsd::sigv4
