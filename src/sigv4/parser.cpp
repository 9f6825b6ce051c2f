// parse(): the syntax of the two signed forms, with the error texts and the
// check order of AWS's front end (Coral), as captured against live services:
//   1. both forms at once / neither form
//   2. missing components (all reported together)
//   3. 'Host' must be signed
//   4. algorithm
//   5. credential shape (5 elements)
//   6. scope date against X-Amz-Date
// SigV4a (AWS4-ECDSA-P256-SHA256) adds X-Amz-Region-Set to the components
// of step 2 and, in the header form, to the headers step 3 requires signed;
// its credential has 4 elements (no region). AWS's texts for these are not
// known; ours follow the wording of their SigV4 siblings.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "canonical_request.h"
#include "stsd/sigv4/sigv4.h"
#include "stsd/common/percent_encoding.h"

namespace stsd::sigv4 {

namespace {

constexpr std::string_view kMissingToken = "Request is missing Authentication Token";
constexpr std::string_view kFoundBoth =
    "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.";
constexpr std::string_view kHostNotSigned = "'Host' must be a 'SignedHeader' in the AWS Authorization.";
constexpr std::string_view kRegionSetNotSigned =
    "'X-Amz-Region-Set' must be a 'SignedHeader' in the AWS Authorization.";

Unexpected<Error> fail(ErrorKind kind, std::string message) { return unexpected(Error{kind, std::move(message)}); }

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// YYYYMMDD'T'HHMMSS'Z': only then does "the first 8 characters" mean a date.
bool is_basic_iso8601(std::string_view s) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return false;
  for (std::size_t i = 0; i < 15; ++i)
    if (i != 8 && !is_digit(s[i])) return false;
  return true;
}

// Java's String.split('/') semantics (trailing empty elements dropped), which
// is why AWS accepts a credential with a trailing slash.
std::vector<std::string_view> split_credential(std::string_view credential) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t slash = credential.find('/', start);
    if (slash == std::string_view::npos) {
      parts.push_back(credential.substr(start));
      break;
    }
    parts.push_back(credential.substr(start, slash - start));
    start = slash + 1;
  }
  while (!parts.empty() && parts.back().empty()) parts.pop_back();
  return parts;
}

std::vector<std::string> split_signed_headers(std::string_view list) {
  std::vector<std::string> names;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t semi = list.find(';', start);
    if (semi == std::string_view::npos) semi = list.size();
    std::string_view name = trim(list.substr(start, semi - start));
    if (!name.empty()) names.push_back(ascii_lower(name));
    start = semi + 1;
  }
  return names;
}

bool is_signed(const SignedRequestInfo& info, std::string_view name) {
  for (const auto& signed_name : info.signed_headers)
    if (signed_name == name) return true;
  return false;
}

// Stages 3 to 6, common to both forms.
Result<SignedRequestInfo, Error> finish(SignedRequestInfo info, std::string_view credential) {
  if (!is_signed(info, "host")) return fail(ErrorKind::SignatureDoesNotMatch, std::string(kHostNotSigned));
  // The presigned form signs the region set as a query parameter.
  if (info.is_sigv4a() && !info.presigned && !is_signed(info, "x-amz-region-set"))
    return fail(ErrorKind::SignatureDoesNotMatch, std::string(kRegionSetNotSigned));

  if (info.algorithm != kAlgorithmHmac && info.algorithm != kAlgorithmEcdsa)
    return fail(ErrorKind::IncompleteSignature, "Unsupported AWS 'algorithm': '" + info.algorithm +
                                                    "' (only AWS4-HMAC-SHA256 for now). ");

  auto parts = split_credential(credential);
  if (info.is_sigv4a()) {
    if (parts.size() != 4)
      return fail(ErrorKind::IncompleteSignature,
                  "Credential must have exactly 4 slash-delimited elements, e.g. keyid/date/service/term, got '" +
                      std::string(credential) + "'");
    info.credential.access_key_id = std::string(parts[0]);
    info.credential.date = std::string(parts[1]);
    info.credential.service = std::string(parts[2]);
    info.credential.terminator = std::string(parts[3]);
    info.credential.regionless = true;
  } else {
    if (parts.size() != 5)
      return fail(ErrorKind::IncompleteSignature,
                  "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, "
                  "got '" + std::string(credential) + "'");
    info.credential.access_key_id = std::string(parts[0]);
    info.credential.date = std::string(parts[1]);
    info.credential.region = std::string(parts[2]);
    info.credential.service = std::string(parts[3]);
    info.credential.terminator = std::string(parts[4]);
  }

  // A malformed date is the caller's clock check to report (AWS checks the
  // date format before the scope).
  if (is_basic_iso8601(info.amz_date)) {
    std::string_view day = std::string_view(info.amz_date).substr(0, 8);
    if (info.credential.date != day)
      return fail(ErrorKind::SignatureDoesNotMatch,
                  "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
                      info.credential.date + "' != '" + std::string(day) + "', from '" + info.amz_date + "'.");
  }
  return info;
}

// The X-Amz-Region-Set header(s), joined with ',' in the order received as
// the canonical request joins them; nullopt when absent or blank.
std::optional<std::string> region_set_header(const Request& request) {
  std::string joined;
  bool found = false;
  for (const auto& h : request.headers) {
    if (!detail::iequals(h.name, "x-amz-region-set")) continue;
    if (found) joined += ',';
    found = true;
    joined += trim(h.value);
  }
  if (!found || trim(joined).empty()) return std::nullopt;
  return joined;
}

// "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...".
// Parameters are separated by commas and/or whitespace.
Result<SignedRequestInfo, Error> parse_header_form(const Request& request, const std::string& authorization) {
  std::string_view text = trim(authorization);
  std::size_t cut = 0;
  while (cut < text.size() && !is_space(text[cut])) ++cut;

  SignedRequestInfo info;
  info.algorithm = std::string(text.substr(0, cut));

  std::optional<std::string_view> credential, signed_headers, signature;
  std::size_t i = cut;
  while (i < text.size()) {
    while (i < text.size() && (is_space(text[i]) || text[i] == ',')) ++i;
    std::size_t start = i;
    while (i < text.size() && !is_space(text[i]) && text[i] != ',') ++i;
    if (start == i) break;
    std::string_view part = text.substr(start, i - start);
    std::size_t eq = part.find('=');
    if (eq == std::string_view::npos)
      return fail(ErrorKind::IncompleteSignature,
                  std::string("'").append(part).append("' not a valid key=value pair (missing equal-sign) in "
                                                       "Authorization header: '").append(authorization).append("'."));
    std::string_view key = part.substr(0, eq);
    std::string_view value = part.substr(eq + 1);
    // First occurrence wins, so a repeated parameter cannot override.
    if (key == "Credential" && !credential) credential = value;
    else if (key == "SignedHeaders" && !signed_headers) signed_headers = value;
    else if (key == "Signature" && !signature) signature = value;
  }

  const std::string* amz_date = detail::find_header(request, "x-amz-date");
  if (amz_date == nullptr) amz_date = detail::find_header(request, "date");
  std::optional<std::string> region_set;
  if (info.is_sigv4a()) region_set = region_set_header(request);

  std::string missing;
  if (!credential || credential->empty()) missing += "Authorization header requires 'Credential' parameter. ";
  if (!signature || signature->empty()) missing += "Authorization header requires 'Signature' parameter. ";
  if (!signed_headers) missing += "Authorization header requires 'SignedHeaders' parameter. ";
  if (amz_date == nullptr)
    missing += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  if (info.is_sigv4a() && !region_set)
    missing += "Authorization header requires existence of a 'X-Amz-Region-Set' header. ";
  if (!missing.empty()) return fail(ErrorKind::IncompleteSignature, missing + "Authorization=" + authorization);

  info.signed_headers = split_signed_headers(*signed_headers);
  info.signature = std::string(*signature);
  info.amz_date = std::string(trim(*amz_date));
  info.region_set = std::move(region_set);
  if (const std::string* token = detail::find_header(request, "x-amz-security-token")) info.security_token = *token;
  return finish(std::move(info), *credential);
}

// Presigned URL: X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date,
// X-Amz-SignedHeaders, X-Amz-Signature[, X-Amz-Security-Token]. STS ignores
// X-Amz-Expires (15 minutes from X-Amz-Date whatever it says).
Result<SignedRequestInfo, Error> parse_query_form(const std::vector<FormPair>& params) {
  auto first = [&](std::string_view name) -> const std::string* {
    for (const auto& p : params)
      if (p.name == name) return &p.value;
    return nullptr;
  };
  static constexpr std::array<std::string_view, 5> kRequired = {
      "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"};
  std::string missing;
  for (auto name : kRequired) {
    const std::string* v = first(name);
    if (v == nullptr || v->empty())
      missing += "AWS query-string parameters must include '" + std::string(name) + "'. ";
  }
  const std::string* algorithm = first("X-Amz-Algorithm");
  const bool sigv4a = algorithm != nullptr && *algorithm == kAlgorithmEcdsa;
  const std::string* region_set = first("X-Amz-Region-Set");
  if (sigv4a && (region_set == nullptr || trim(*region_set).empty()))
    missing += "AWS query-string parameters must include 'X-Amz-Region-Set'. ";
  if (!missing.empty())
    return fail(ErrorKind::IncompleteSignature, missing + "Re-examine the query-string parameters.");

  SignedRequestInfo info;
  info.presigned = true;
  info.algorithm = *algorithm;
  if (sigv4a) info.region_set = std::string(trim(*region_set));
  info.signed_headers = split_signed_headers(*first("X-Amz-SignedHeaders"));
  info.signature = *first("X-Amz-Signature");
  info.amz_date = *first("X-Amz-Date");
  if (const std::string* token = first("X-Amz-Security-Token")) info.security_token = *token;
  const std::string credential = *first("X-Amz-Credential");
  return finish(std::move(info), credential);
}

}  // namespace

std::string CredentialScope::scope() const {
  if (regionless) return date + "/" + service + "/" + terminator;
  return date + "/" + region + "/" + service + "/" + terminator;
}

namespace {

// Glob match with '*' as the only wildcard; iterative (the last '*' is
// retried one character further on a mismatch), so linear-ish and without
// recursion whatever the pattern.
bool glob_matches(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0;
  std::size_t star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && ascii_lower(pattern[p]) == ascii_lower(text[t])) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace

bool region_set_covers(std::string_view region_set, std::string_view region) {
  if (region.empty()) return false;
  std::size_t start = 0;
  while (start <= region_set.size()) {
    std::size_t comma = region_set.find(',', start);
    if (comma == std::string_view::npos) comma = region_set.size();
    std::string_view entry = trim(region_set.substr(start, comma - start));
    if (!entry.empty() && glob_matches(entry, region)) return true;
    start = comma + 1;
  }
  return false;
}

Result<SignedRequestInfo, Error> parse(const Request& request) {
  const std::string* authorization = detail::find_header(request, "authorization");
  auto params = parse_form_pairs(request.query);
  bool query_auth = false;
  for (const auto& p : params) query_auth |= (p.name == "X-Amz-Algorithm");

  if (authorization != nullptr && query_auth) return fail(ErrorKind::SignatureDoesNotMatch, std::string(kFoundBoth));
  if (query_auth) return parse_query_form(params);
  // AWS treats an Authorization header that is not SigV4 at all ("Bearer x",
  // "AWS4") as no authentication.
  if (authorization == nullptr || trim(*authorization).substr(0, 5) != "AWS4-")
    return fail(ErrorKind::MissingAuthenticationToken, std::string(kMissingToken));
  return parse_header_form(request, *authorization);
}

}  // namespace stsd::sigv4
