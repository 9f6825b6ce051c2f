// Fuzz target: the SigV4 parser (sigv4::parse, both signed forms, SigV4 and
// SigV4a) and, for what it accepts, every later stage and the verifier.
// Input: a raw HTTP/1.1 request as the AWS SigV4 test suite writes it:
//   "METHOD target HTTP/1.1\n" "Name:value\n"... "\n" body
// (CR bytes are dropped; a line starting with a space or tab continues the
// previous header's value, as in the suite's multiline case).
// Checks beyond "no crash": signing the input's method/path/query/body with
// sigv4::sign, and with sigv4::sign_v4a, yields a request that parse()
// accepts and verify() passes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "stsd/common/percent_encoding.h"
#include "stsd/sigv4/sigv4.h"

namespace {

using stsd::sigv4::Request;

constexpr std::string_view kAccessKeyId = "AKIDEXAMPLE";
constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

void require(bool ok) {
  if (!ok) std::abort();
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

Request parse_http(std::string_view input) {
  std::string text;
  text.reserve(input.size());
  for (char c : input)
    if (c != '\r') text += c;

  Request r;
  std::size_t eol = text.find('\n');
  const std::string line = text.substr(0, eol);
  const std::size_t first = line.find(' ');
  const std::size_t last = line.rfind(' ');
  r.method = line.substr(0, first);
  if (first != std::string::npos) {
    const std::string target = last > first ? line.substr(first + 1, last - first - 1) : line.substr(first + 1);
    const std::size_t q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query = target.substr(q + 1);
  }
  std::size_t pos = eol == std::string::npos ? text.size() : eol + 1;
  while (pos < text.size()) {
    eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    const std::string header = text.substr(pos, eol - pos);
    pos = eol + 1;
    if (header.empty()) {
      if (pos < text.size()) r.body = text.substr(pos);
      break;
    }
    if ((header[0] == ' ' || header[0] == '\t') && !r.headers.empty()) {
      r.headers.back().value += "\n" + header;
      continue;
    }
    const std::size_t colon = header.find(':');
    if (colon == std::string::npos)
      r.headers.push_back({header, ""});
    else
      r.headers.push_back({header.substr(0, colon), header.substr(colon + 1)});
  }
  return r;
}

const std::string* header(const Request& r, std::string_view name) {
  for (const auto& h : r.headers)
    if (iequals(h.name, name)) return &h.value;
  return nullptr;
}

void exercise_stages(const Request& request) {
  auto info = stsd::sigv4::parse(request);
  if (!info) {
    require(!info.error().message.empty());
    return;
  }
  for (bool normalize : {true, false}) {
    const std::string canonical = stsd::sigv4::canonical_request(request, *info, normalize);
    const std::string to_sign = stsd::sigv4::string_to_sign(info->amz_date, info->credential, canonical);
    const std::string key = stsd::sigv4::signing_key(kSecret, info->credential);
    const std::string sig = stsd::sigv4::signature(key, to_sign);
    require(sig.size() == 64);
    if (info->is_sigv4a()) {
      const std::string to_sign_v4a = stsd::sigv4::string_to_sign_v4a(info->amz_date, info->credential, canonical);
      (void)stsd::sigv4::sigv4a_signature_matches(info->credential.access_key_id, kSecret, to_sign_v4a,
                                                  info->signature);
      (void)stsd::sigv4::region_set_covers(info->region_set.value_or(""), "us-east-1");
    }
    (void)stsd::sigv4::verify(request, *info, kSecret, normalize);
  }
}

// sign() then parse() and verify() must agree, for any method, path, query
// and body (a query that itself names X-Amz-Algorithm is the presigned form,
// which sign() does not make).
void round_trip(const Request& input) {
  for (const auto& pair : stsd::parse_form_pairs(input.query))
    if (pair.name == "X-Amz-Algorithm") return;
  Request r;
  r.method = input.method;
  r.path = input.path;
  r.query = input.query;
  r.body = input.body;
  if (const std::string* host = header(input, "host")) r.headers.push_back({"Host", *host});
  if (const std::string* type = header(input, "content-type")) r.headers.push_back({"Content-Type", *type});
  const std::string* token = header(input, "x-amz-security-token");
  stsd::sigv4::sign(r, kAccessKeyId, kSecret, "us-east-1", "sts", "20150830T123600Z",
                    token ? std::optional<std::string_view>(*token) : std::nullopt);
  auto info = stsd::sigv4::parse(r);
  require(info.has_value());
  require(info->credential.access_key_id == kAccessKeyId);
  require(stsd::sigv4::verify(r, *info, kSecret));

  // The same request signed with SigV4a (replacing SigV4's headers).
  stsd::sigv4::sign_v4a(r, kAccessKeyId, kSecret, "us-east-1,eu-*", "sts", "20150830T123600Z",
                        token ? std::optional<std::string_view>(*token) : std::nullopt);
  auto info_v4a = stsd::sigv4::parse(r);
  require(info_v4a.has_value());
  require(info_v4a->is_sigv4a() && info_v4a->region_set == "us-east-1,eu-*");
  require(stsd::sigv4::verify(r, *info_v4a, kSecret));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return -1;  // bigger inputs only slow the search down
  const Request request = parse_http(std::string_view(reinterpret_cast<const char*>(data), size));
  exercise_stages(request);
  round_trip(request);
  return 0;
}
