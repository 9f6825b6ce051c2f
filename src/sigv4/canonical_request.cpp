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
#include "stsd/sigv4/sigv4.h"
#include "stsd/common/percent_encoding.h"

namespace stsd::sigv4 {

namespace detail {

namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool is_space(char c) { return c == ' ' || c == '\t'; }

// Canonical URI: the path as received is encoded once more (AWS's "encode
// each segment twice" for every service but S3: the client encoded it once to
// put it on the wire), after optional normalisation.
std::string canonical_uri(std::string_view raw_path, bool normalize) {
  if (normalize) return uri_encode(normalize_path(raw_path), true);
  return raw_path.empty() ? std::string("/") : uri_encode(raw_path, true);
}

// Canonical query: every parameter decoded from the raw query and re-encoded
// with the unreserved set (%20 for a space), sorted by name then value.
std::string canonical_query(std::string_view raw_query, bool presigned, bool exclude_security_token) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (auto& p : parse_form_pairs(raw_query)) {
    if (presigned && p.name == "X-Amz-Signature") continue;
    if (exclude_security_token && p.name == "X-Amz-Security-Token") continue;
    pairs.emplace_back(uri_encode(p.name, false), uri_encode(p.value, false));
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [name, value] : pairs) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

// Header value: leading/trailing whitespace trimmed, inner runs collapsed to
// one space.
void append_trimmed(std::string& out, std::string_view value) {
  bool pending_space = false;
  bool started = false;
  for (char c : value) {
    if (is_space(c)) {
      pending_space = started;
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    started = true;
    out += c;
  }
}

// One "name:value\n" line per signed header, in the order the client listed
// them; repeated headers joined with ',' in the order received.
std::string canonical_headers(const Request& request, const std::vector<std::string>& signed_headers) {
  std::string out;
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
  return out;
}

std::string join_signed_headers(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ';';
    out += n;
  }
  return out;
}

}  // namespace

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = lower(c);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

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
  if (const std::string* sent = find_header(request, "x-amz-content-sha256")) {
    std::string value;
    append_trimmed(value, *sent);
    return value;
  }
  return crypto::sha256_hex(request.body);
}

std::string build_canonical_request(const Request& request, const SignedRequestInfo& info, bool normalize,
                                    bool exclude_security_token) {
  std::string out;
  out.reserve(256 + request.query.size() + request.path.size());
  out += request.method;
  out += '\n';
  out += canonical_uri(request.path, normalize);
  out += '\n';
  out += canonical_query(request.query, info.presigned, exclude_security_token);
  out += '\n';
  out += canonical_headers(request, info.signed_headers);
  out += '\n';
  out += join_signed_headers(info.signed_headers);
  out += '\n';
  out += payload_hash(request);
  return out;
}

}  // namespace detail

std::string canonical_request(const Request& request, const SignedRequestInfo& info, bool normalize_path) {
  return detail::build_canonical_request(request, info, normalize_path, false);
}

}  // namespace stsd::sigv4
