// Guards SigV4a (AWS4-ECDSA-P256-SHA256) against the official test suite
// (aws-c-auth's tests/aws-signing-test-suite/v4a, copied to the shared
// testdata): for every case, the key derived from the credentials against
// public-key.json, each stage of both signed forms against the expected
// files, the suite's signatures (randomised ECDSA, so verified rather than
// compared) and the signed requests through parse() and verify(), and
// tampering, one byte or one key at a time, that must fail.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "stsd/common/percent_encoding.h"
#include "stsd/crypto/crypto.h"
#include "stsd/sigv4/sigv4.h"

namespace stsd::sigv4 {
namespace {

namespace fs = std::filesystem;

const fs::path kSuiteDir = fs::path(STSD_SHARED_DIR) / "testdata" / "sigv4" / "v4a";
// Obsolete HTTP line folding; commonly excluded (see the suite's README).
constexpr std::string_view kExcluded = "get-header-value-multiline";

// The cases with expected outputs: two of the suite's 40
// (get-vanilla-query-order-key and -value) ship only their inputs.
std::vector<std::string> case_names() {
  std::vector<std::string> names;
  std::error_code ec;
  if (!fs::is_directory(kSuiteDir, ec)) return names;
  for (const auto& entry : fs::directory_iterator(kSuiteDir, ec)) {
    std::string name = entry.path().filename().string();
    if (entry.is_directory() && name != kExcluded && fs::exists(entry.path() / "header-signed-request.txt", ec))
      names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  text.erase(std::remove(text.begin(), text.end(), '\r'), text.end());
  return text;
}

std::string trim_newlines(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// A raw HTTP/1.1 request as the suite writes it: "METHOD target HTTP/1.1"
// (the target may contain spaces), "Name:value" lines, a blank line, a body.
Request parse_http(const std::string& text) {
  Request r;
  std::size_t eol = text.find('\n');
  std::string line = text.substr(0, eol);
  std::size_t first = line.find(' ');
  std::size_t last = line.rfind(' ');
  r.method = line.substr(0, first);
  std::string target = line.substr(first + 1, last - first - 1);
  std::size_t q = target.find('?');
  r.path = target.substr(0, q);
  if (q != std::string::npos) r.query = target.substr(q + 1);

  std::size_t pos = eol == std::string::npos ? text.size() : eol + 1;
  while (pos < text.size()) {
    eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    std::string header = text.substr(pos, eol - pos);
    pos = eol + 1;
    if (header.empty()) {
      if (pos < text.size()) r.body = text.substr(pos);
      break;
    }
    std::size_t colon = header.find(':');
    r.headers.push_back({header.substr(0, colon), header.substr(colon + 1)});
  }
  return r;
}

struct Context {
  std::string access_key_id;
  std::string secret;
  std::optional<std::string> token;
  std::string region;  // the region set the suite signed for
  std::string service;
  std::string amz_date;
  long expires = 0;
  bool normalize = true;
  bool sign_body = false;
  bool omit_session_token = false;
};

Context read_context(const fs::path& dir) {
  auto j = nlohmann::json::parse(read_text(dir / "context.json"));
  Context c;
  c.access_key_id = j.at("credentials").at("access_key_id").get<std::string>();
  c.secret = j.at("credentials").at("secret_access_key").get<std::string>();
  if (j.at("credentials").contains("token")) c.token = j.at("credentials").at("token").get<std::string>();
  c.region = j.at("region").get<std::string>();
  c.service = j.at("service").get<std::string>();
  // "2015-08-30T12:36:00Z" -> "20150830T123600Z"
  for (char ch : j.at("timestamp").get<std::string>())
    if (ch != '-' && ch != ':') c.amz_date += ch;
  c.expires = j.value("expiration_in_seconds", 0L);
  c.normalize = j.value("normalize", true);
  c.sign_body = j.value("sign_body", false);
  c.omit_session_token = j.value("omit_session_token", false);
  return c;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string remove_query_param(const std::string& query, std::string_view name) {
  std::string out;
  std::size_t start = 0;
  while (start <= query.size()) {
    std::size_t amp = query.find('&', start);
    if (amp == std::string::npos) amp = query.size();
    std::string piece = query.substr(start, amp - start);
    if (piece.rfind(std::string(name) + "=", 0) != 0) {
      if (!out.empty()) out += '&';
      out += piece;
    }
    start = amp + 1;
  }
  return out;
}

std::string* header_of(Request& r, std::string_view name) {
  for (auto& h : r.headers)
    if (lower(h.name) == name) return &h.value;
  return nullptr;
}

class Sigv4aCorpus : public ::testing::TestWithParam<std::string> {
 protected:
  fs::path dir() const { return kSuiteDir / GetParam(); }
  std::string file(std::string_view name) const { return read_text(dir() / name); }
  Context ctx() const { return read_context(dir()); }

  // Every stage of a signed request against the expected files.
  void check_stages(const std::string& form, const Request& signed_request, const Request& canonical_input) {
    Context c = ctx();
    auto parsed = parse(signed_request);
    ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
    const SignedRequestInfo& info = *parsed;
    EXPECT_TRUE(info.is_sigv4a());
    EXPECT_EQ(info.presigned, form == "query");
    EXPECT_EQ(info.credential.access_key_id, c.access_key_id);
    EXPECT_TRUE(info.credential.regionless);
    EXPECT_EQ(info.credential.service, c.service);
    EXPECT_EQ(info.amz_date, c.amz_date);
    EXPECT_EQ(info.region_set, c.region);

    std::string canonical = canonical_request(canonical_input, info, c.normalize);
    EXPECT_EQ(canonical, file(form + "-canonical-request.txt"));
    std::string sts = string_to_sign_v4a(info.amz_date, info.credential, canonical);
    EXPECT_EQ(sts, file(form + "-string-to-sign.txt"));
    // The suite's stand-alone signature of the expected string to sign.
    EXPECT_TRUE(sigv4a_signature_matches(c.access_key_id, c.secret, file(form + "-string-to-sign.txt"),
                                         trim_newlines(file(form + "-signature.txt"))));
    // And the signature inside the signed request, through the verifier.
    EXPECT_TRUE(sigv4a_signature_matches(c.access_key_id, c.secret, sts, info.signature));
    EXPECT_TRUE(verify(signed_request, info, c.secret, c.normalize));
    // A fresh signature of ours verifies too.
    EXPECT_TRUE(sigv4a_signature_matches(c.access_key_id, c.secret, sts,
                                         sigv4a_signature(c.access_key_id, c.secret, sts)));
  }

  bool accepted(const Request& r, std::optional<std::string> secret = std::nullopt) const {
    Context c = ctx();
    auto parsed = parse(r);
    return parsed.has_value() && verify(r, *parsed, secret.value_or(c.secret), c.normalize);
  }

  // Each mutation changes one byte (or adds one where the part is empty).
  void check_mutations(const Request& original, const std::function<void(Request&)>& mutate_signature,
                       const std::function<void(Request&)>& mutate_query) {
    ASSERT_TRUE(accepted(original));
    auto bump = [](char& c) { c = static_cast<char>(c == 'z' ? 'y' : c + 1); };
    std::vector<std::pair<std::string, std::function<void(Request&)>>> mutations = {
        {"method", [&](Request& r) { bump(r.method.back()); }},
        {"path", [](Request& r) { r.path += 'x'; }},
        {"host header", [&](Request& r) {
           std::string& host = *header_of(r, "host");
           bump(host[host.find_first_not_of(' ')]);
         }},
        {"query", mutate_query},
        {"body", [&](Request& r) {
           if (r.body.empty()) r.body = "x";
           else bump(r.body[0]);
         }},
        {"signature", mutate_signature},
    };
    for (const auto& [what, mutate] : mutations) {
      Request r = original;
      mutate(r);
      EXPECT_FALSE(accepted(r)) << "mutated " << what;
    }
    // The wrong key: another secret, or the same secret under another key id
    // (the id is an input of the key derivation).
    Context c = ctx();
    EXPECT_FALSE(accepted(original, c.secret + "x")) << "another secret";
    Request other_id = original;
    for (auto& h : other_id.headers)
      if (lower(h.name) == "authorization") h.value.replace(h.value.find(c.access_key_id), c.access_key_id.size(),
                                                            c.access_key_id + "2");
    if (const std::size_t at = other_id.query.find("X-Amz-Credential=" + c.access_key_id); at != std::string::npos)
      other_id.query.insert(at + 17 + c.access_key_id.size(), "2");
    EXPECT_FALSE(accepted(other_id)) << "another access key id";
  }
};

TEST_P(Sigv4aCorpus, PublicKeyIsDerivedFromTheCredentials) {
  Context c = ctx();
  auto expected = nlohmann::json::parse(file("public-key.json"));
  auto key = sigv4a_public_key(c.access_key_id, c.secret);
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(key->x, lower(expected.at("X").get<std::string>()));
  EXPECT_EQ(key->y, lower(expected.at("Y").get<std::string>()));
}

TEST_P(Sigv4aCorpus, HeaderFormStages) {
  Request r = parse_http(file("header-signed-request.txt"));
  check_stages("header", r, r);
  Context c = ctx();
  auto parsed = parse(r);
  ASSERT_TRUE(parsed.has_value());
  // The token travels whether signed or not (post-sts-header-after).
  EXPECT_EQ(parsed->security_token, c.token);
}

TEST_P(Sigv4aCorpus, QueryFormStages) {
  Request r = parse_http(file("query-signed-request.txt"));
  Context c = ctx();
  // With omit_session_token the signer appended the token after signing.
  Request canonical_input = r;
  if (c.omit_session_token) canonical_input.query = remove_query_param(r.query, "X-Amz-Security-Token");
  check_stages("query", r, canonical_input);
  auto parsed = parse(r);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->security_token, c.token);
}

// The canonical request from the unsigned request.txt, adding what a signer
// adds, with every header signed.
SignedRequestInfo info_for(const Context& c, const Request& r, bool presigned) {
  SignedRequestInfo info;
  info.presigned = presigned;
  info.algorithm = std::string(kAlgorithmEcdsa);
  info.amz_date = c.amz_date;
  info.credential = {c.access_key_id, c.amz_date.substr(0, 8), "", c.service, "aws4_request", true};
  info.region_set = c.region;
  std::set<std::string> names;
  for (const auto& h : r.headers) names.insert(lower(h.name));
  info.signed_headers.assign(names.begin(), names.end());
  return info;
}

TEST_P(Sigv4aCorpus, HeaderFormFromUnsignedRequest) {
  Context c = ctx();
  Request r = parse_http(file("request.txt"));
  r.headers.push_back({"X-Amz-Date", c.amz_date});
  r.headers.push_back({"X-Amz-Region-Set", c.region});
  if (c.token && !c.omit_session_token) r.headers.push_back({"X-Amz-Security-Token", *c.token});
  if (c.sign_body) r.headers.push_back({"x-amz-content-sha256", crypto::sha256_hex(r.body)});
  EXPECT_EQ(canonical_request(r, info_for(c, r, false), c.normalize), file("header-canonical-request.txt"));
}

TEST_P(Sigv4aCorpus, QueryFormFromUnsignedRequest) {
  Context c = ctx();
  Request r = parse_http(file("request.txt"));
  SignedRequestInfo info = info_for(c, r, true);
  std::string signed_list;
  for (const auto& n : info.signed_headers) signed_list += (signed_list.empty() ? "" : ";") + n;
  std::string& q = r.query;
  if (!q.empty()) q += '&';
  q += "X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256&X-Amz-Credential=" +
       stsd::uri_encode(c.access_key_id + "/" + info.credential.scope()) + "&X-Amz-Date=" + c.amz_date +
       "&X-Amz-SignedHeaders=" + stsd::uri_encode(signed_list) + "&X-Amz-Expires=" + std::to_string(c.expires) +
       "&X-Amz-Region-Set=" + stsd::uri_encode(c.region);
  if (c.token && !c.omit_session_token) q += "&X-Amz-Security-Token=" + stsd::uri_encode(*c.token);
  EXPECT_EQ(canonical_request(r, info, c.normalize), file("query-canonical-request.txt"));
}

TEST_P(Sigv4aCorpus, HeaderFormTamperingFails) {
  Request r = parse_http(file("header-signed-request.txt"));
  check_mutations(
      r,
      [](Request& m) {
        std::string& auth = *header_of(m, "authorization");
        auth.back() = auth.back() == '0' ? '1' : '0';
      },
      [](Request& m) {
        if (m.query.empty()) m.query = "x";
        else m.query.back() = static_cast<char>(m.query.back() == 'z' ? 'y' : m.query.back() + 1);
      });
  Request date = r;
  (*header_of(date, "x-amz-date"))[14] = '1';
  EXPECT_FALSE(accepted(date)) << "mutated X-Amz-Date";
  // The region set is signed: widening it after signing breaks the signature.
  Request widened = r;
  *header_of(widened, "x-amz-region-set") = "*";
  EXPECT_FALSE(accepted(widened)) << "mutated X-Amz-Region-Set";
}

TEST_P(Sigv4aCorpus, QueryFormTamperingFails) {
  Request r = parse_http(file("query-signed-request.txt"));
  check_mutations(
      r,
      [](Request& m) {
        std::size_t at = m.query.find("X-Amz-Signature=") + 16;
        // The last digit of the DER signature (a byte of s).
        std::size_t end = m.query.find('&', at);
        std::size_t last = (end == std::string::npos ? m.query.size() : end) - 1;
        m.query[last] = m.query[last] == '0' ? '1' : '0';
      },
      [](Request& m) {
        // The seconds of X-Amz-Date: still the scope's day, so only the
        // signature can catch it.
        std::size_t at = m.query.find("X-Amz-Date=") + 11 + 14;
        m.query[at] = m.query[at] == '0' ? '1' : '0';
      });
  Request widened = r;
  std::size_t at = widened.query.find("X-Amz-Region-Set=") + 17;
  widened.query.replace(at, widened.query.find('&', at) - at, "%2A");
  EXPECT_FALSE(accepted(widened)) << "mutated X-Amz-Region-Set";
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(V4a, Sigv4aCorpus, ::testing::ValuesIn(case_names()), test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Sigv4aCorpus);

TEST(Sigv4aCorpusSuite, IsPresent) {
  std::error_code ec;
  if (!fs::is_directory(kSuiteDir, ec))
    GTEST_SKIP() << "SigV4a test suite not found at " << kSuiteDir.string()
                 << " (set STSD_SHARED_DIR to the shared folder)";
  EXPECT_EQ(case_names().size(), 37u);
}

}  // namespace
}  // namespace stsd::sigv4
