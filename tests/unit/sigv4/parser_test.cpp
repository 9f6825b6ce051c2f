// Guards sigv4::parse(): each error branch with AWS's exact text, the check
// order, both signed forms, and that no byte sequence makes it crash.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "stsd/sigv4/sigv4.h"

namespace stsd::sigv4 {
namespace {

constexpr std::string_view kGoodAuth =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sts/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";

Request with_auth(std::string_view authorization, bool with_date = true) {
  Request r;
  r.method = "POST";
  r.path = "/";
  r.headers.push_back({"Host", "sts.amazonaws.com"});
  if (with_date) r.headers.push_back({"X-Amz-Date", "20150830T123600Z"});
  r.headers.push_back({"Authorization", std::string(authorization)});
  return r;
}

Request with_query(std::string query) {
  Request r;
  r.method = "GET";
  r.path = "/";
  r.query = std::move(query);
  r.headers.push_back({"Host", "sts.amazonaws.com"});
  return r;
}

Error parse_error(const Request& r) {
  auto parsed = parse(r);
  EXPECT_FALSE(parsed.has_value());
  if (parsed) return Error{ErrorKind::MissingAuthenticationToken, "<parsed>"};
  return parsed.error();
}

void expect_error(const Request& r, ErrorKind kind, std::string_view message) {
  Error e = parse_error(r);
  EXPECT_EQ(e.kind, kind);
  EXPECT_EQ(e.message, message);
}

// --- the header form ------------------------------------------------------

TEST(ParseHeader, ValidHeader) {
  auto parsed = parse(with_auth(kGoodAuth));
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_FALSE(parsed->presigned);
  EXPECT_EQ(parsed->algorithm, "AWS4-HMAC-SHA256");
  EXPECT_EQ(parsed->credential.access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(parsed->credential.date, "20150830");
  EXPECT_EQ(parsed->credential.region, "us-east-1");
  EXPECT_EQ(parsed->credential.service, "sts");
  EXPECT_EQ(parsed->credential.terminator, "aws4_request");
  EXPECT_EQ(parsed->credential.scope(), "20150830/us-east-1/sts/aws4_request");
  EXPECT_EQ(parsed->signed_headers, (std::vector<std::string>{"host", "x-amz-date"}));
  EXPECT_EQ(parsed->signature, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  EXPECT_EQ(parsed->amz_date, "20150830T123600Z");
  EXPECT_FALSE(parsed->security_token);
}

TEST(ParseHeader, SeparatorsAndHeaderNameCase) {
  // Commas, commas with spaces, or bare spaces all separate parameters.
  for (std::string_view auth :
       {"AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/sts/aws4_request,SignedHeaders=host,Signature=ab",
        "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/sts/aws4_request, SignedHeaders=host,  Signature=ab",
        "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/sts/aws4_request SignedHeaders=host Signature=ab",
        "  AWS4-HMAC-SHA256   Credential=AKID/20150830/us-east-1/sts/aws4_request ,SignedHeaders=host ,Signature=ab "}) {
    Request r = with_auth(auth);
    r.headers.back().name = "aUtHoRiZaTiOn";
    r.headers[1].name = "x-amz-date";
    auto parsed = parse(r);
    ASSERT_TRUE(parsed.has_value()) << auth << ": " << parsed.error().message;
    EXPECT_EQ(parsed->credential.access_key_id, "AKID");
    EXPECT_EQ(parsed->signature, "ab");
    EXPECT_EQ(parsed->signed_headers, std::vector<std::string>{"host"});
  }
}

TEST(ParseHeader, SignedHeadersAreLowercased) {
  auto parsed = parse(with_auth(
      "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/sts/aws4_request, SignedHeaders=Host;X-Amz-Date, "
      "Signature=ab"));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->signed_headers, (std::vector<std::string>{"host", "x-amz-date"}));
}

TEST(ParseHeader, SecurityTokenHeader) {
  Request r = with_auth(kGoodAuth);
  r.headers.push_back({"x-amz-security-token", "FQoGZXIvYXdzEXAMPLE"});
  auto parsed = parse(r);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->security_token, "FQoGZXIvYXdzEXAMPLE");
}

TEST(ParseHeader, DateHeaderFallback) {
  Request r = with_auth(kGoodAuth, false);
  r.headers.push_back({"Date", "20150830T123600Z"});
  auto parsed = parse(r);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->amz_date, "20150830T123600Z");
  // X-Amz-Date wins over Date.
  r.headers.push_back({"X-Amz-Date", "20150830T123700Z"});
  EXPECT_EQ(parse(r)->amz_date, "20150830T123700Z");
}

TEST(ParseHeader, NoAuthenticationAtAll) {
  Request r = with_auth(kGoodAuth);
  r.headers.pop_back();
  expect_error(r, ErrorKind::MissingAuthenticationToken, "Request is missing Authentication Token");
}

TEST(ParseHeader, NonSigV4AuthorizationCountsAsMissing) {
  for (std::string_view auth : {"", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.x", "AWS4", "AWS AKID:sig", "aws4-hmac-sha256 x"})
    expect_error(with_auth(auth), ErrorKind::MissingAuthenticationToken, "Request is missing Authentication Token");
}

TEST(ParseHeader, BothFormsAtOnce) {
  Request r = with_auth("X");
  r.query = "X-Amz-Algorithm";
  expect_error(r, ErrorKind::SignatureDoesNotMatch,
               "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.");
}

TEST(ParseHeader, MissingEqualSign) {
  // The hadoop capture: a space inside the credential splits it in two.
  const std::string auth =
      "AWS4-HMAC-SHA256 Credential=not valid/20180109/us-east-1/sts/aws4_request, "
      "SignedHeaders=host;x-amz-date, Signature=abc";
  expect_error(with_auth(auth), ErrorKind::IncompleteSignature,
               "'valid/20180109/us-east-1/sts/aws4_request' not a valid key=value pair (missing equal-sign) in "
               "Authorization header: '" + auth + "'.");
  expect_error(with_auth("AWS4-HMAC-SHA256 FooBar, BazBurp"), ErrorKind::IncompleteSignature,
               "'FooBar' not a valid key=value pair (missing equal-sign) in Authorization header: "
               "'AWS4-HMAC-SHA256 FooBar, BazBurp'.");
}

TEST(ParseHeader, AllComponentsMissing) {
  expect_error(with_auth("AWS4-", false), ErrorKind::IncompleteSignature,
               "Authorization header requires 'Credential' parameter. "
               "Authorization header requires 'Signature' parameter. "
               "Authorization header requires 'SignedHeaders' parameter. "
               "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
               "Authorization=AWS4-");
}

TEST(ParseHeader, SomeComponentsMissing) {
  expect_error(with_auth("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE"), ErrorKind::IncompleteSignature,
               "Authorization header requires 'Signature' parameter. "
               "Authorization header requires 'SignedHeaders' parameter. "
               "Authorization=AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE");
  expect_error(with_auth("AWS4- Signature=b, Credential=a"), ErrorKind::IncompleteSignature,
               "Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4- Signature=b, Credential=a");
  expect_error(with_auth("AWS4-HMAC-SHA256 Credential=, SignedHeaders=host, Signature="), ErrorKind::IncompleteSignature,
               "Authorization header requires 'Credential' parameter. "
               "Authorization header requires 'Signature' parameter. "
               "Authorization=AWS4-HMAC-SHA256 Credential=, SignedHeaders=host, Signature=");
}

TEST(ParseHeader, MissingDateOnly) {
  expect_error(with_auth(kGoodAuth, false), ErrorKind::IncompleteSignature,
               "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=" +
                   std::string(kGoodAuth));
}

TEST(ParseHeader, HostMustBeSigned) {
  for (std::string_view auth :
       {"AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/sts/aws4_request, SignedHeaders=x-amz-date, Signature=ab",
        "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/sts/aws4_request, SignedHeaders=, Signature=ab"})
    expect_error(with_auth(auth), ErrorKind::SignatureDoesNotMatch,
                 "'Host' must be a 'SignedHeader' in the AWS Authorization.");
}

TEST(ParseHeader, UnsupportedAlgorithm) {
  // Its credential has 4 elements, but the algorithm is checked first.
  expect_error(with_auth("AWS4-ECDSA-P384-SHA384 Credential=AKID/20150830/sts/aws4_request, "
                         "SignedHeaders=host;x-amz-date;x-amz-region-set, Signature=3045"),
               ErrorKind::IncompleteSignature,
               "Unsupported AWS 'algorithm': 'AWS4-ECDSA-P384-SHA384' (only AWS4-HMAC-SHA256 for now). ");
  expect_error(with_auth("AWS4-HMAC-SHA25 Credential=AKID/20150830/us-east-1/sts/aws4_request, SignedHeaders=host, "
                         "Signature=ab"),
               ErrorKind::IncompleteSignature,
               "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA25' (only AWS4-HMAC-SHA256 for now). ");
}

TEST(ParseHeader, CredentialMustHaveFiveElements) {
  for (std::string_view credential : {"AKIDEXAMPLE", "a/b/c/d", "AKID/20150830/us-east-1/sts/aws4_request/extra",
                                      "a/b/c/d/", "////"}) {
    std::string auth = "AWS4-HMAC-SHA256 Credential=" + std::string(credential) +
                       ", SignedHeaders=host;x-amz-date, Signature=ab";
    expect_error(with_auth(auth), ErrorKind::IncompleteSignature,
                 "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" +
                     std::string(credential) + "'");
  }
}

TEST(ParseHeader, TrailingSlashInCredentialIsIgnored) {
  auto parsed = parse(with_auth(
      "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/sts/aws4_request/, SignedHeaders=host, Signature=ab"));
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_EQ(parsed->credential.terminator, "aws4_request");
}

TEST(ParseHeader, EmptyScopeElementsParse) {
  // Wrong region/service/terminator are the authenticator's to report.
  auto parsed = parse(with_auth("AWS4-HMAC-SHA256 Credential=AKID/20150830//x/aws5_request, SignedHeaders=host, "
                                "Signature=ab"));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->credential.region, "");
  EXPECT_EQ(parsed->credential.service, "x");
  EXPECT_EQ(parsed->credential.terminator, "aws5_request");
}

TEST(ParseHeader, ScopeDateMustMatchAmzDate) {
  Request r = with_auth(kGoodAuth);
  r.headers[1].value = "20150831T000000Z";
  expect_error(r, ErrorKind::SignatureDoesNotMatch,
               "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
               "'20150830' != '20150831', from '20150831T000000Z'.");
}

TEST(ParseHeader, MalformedDateIsLeftToTheClockCheck) {
  // AWS reports the date format before the scope; parse() leaves it alone.
  Request r = with_auth(kGoodAuth);
  r.headers[1].value = "2015/08/30T12/36/00Z";
  auto parsed = parse(r);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->amz_date, "2015/08/30T12/36/00Z");
}

TEST(ParseHeader, OrderComponentsBeforeHostBeforeAlgorithmBeforeCredential) {
  expect_error(with_auth("AWS4-X Credential=a, SignedHeaders=x"), ErrorKind::IncompleteSignature,
               "Authorization header requires 'Signature' parameter. Authorization=AWS4-X Credential=a, SignedHeaders=x");
  expect_error(with_auth("AWS4-X Credential=a, SignedHeaders=x, Signature=b"), ErrorKind::SignatureDoesNotMatch,
               "'Host' must be a 'SignedHeader' in the AWS Authorization.");
  expect_error(with_auth("AWS4-X Credential=a, SignedHeaders=host, Signature=b"), ErrorKind::IncompleteSignature,
               "Unsupported AWS 'algorithm': 'AWS4-X' (only AWS4-HMAC-SHA256 for now). ");
}

// --- the presigned query form ----------------------------------------------

constexpr std::string_view kGoodQuery =
    "Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256"
    "&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=20150830T123600Z"
    "&X-Amz-Expires=60&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Security-Token=FQo%2Babc%3D%3D"
    "&X-Amz-Signature=e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d";

TEST(ParseQuery, ValidPresignedUrl) {
  auto parsed = parse(with_query(std::string(kGoodQuery)));
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_TRUE(parsed->presigned);
  EXPECT_EQ(parsed->algorithm, "AWS4-HMAC-SHA256");
  EXPECT_EQ(parsed->credential.access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(parsed->credential.scope(), "20150830/us-east-1/sts/aws4_request");
  EXPECT_EQ(parsed->signed_headers, (std::vector<std::string>{"host", "x-k8s-aws-id"}));
  EXPECT_EQ(parsed->amz_date, "20150830T123600Z");
  EXPECT_EQ(parsed->security_token, "FQo+abc==");
  EXPECT_EQ(parsed->signature, "e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d");
}

TEST(ParseQuery, OnlyXAmzAlgorithmSelectsTheQueryForm) {
  expect_error(with_query("X-Amz-Credential=a&X-Amz-Signature=b&X-Amz-SignedHeaders=c&X-Amz-Date=d"),
               ErrorKind::MissingAuthenticationToken, "Request is missing Authentication Token");
  expect_error(with_query("X-Amz-Algorith"), ErrorKind::MissingAuthenticationToken,
               "Request is missing Authentication Token");
}

TEST(ParseQuery, AllParametersMissing) {
  expect_error(with_query("X-Amz-Algorithm"), ErrorKind::IncompleteSignature,
               "AWS query-string parameters must include 'X-Amz-Algorithm'. "
               "AWS query-string parameters must include 'X-Amz-Credential'. "
               "AWS query-string parameters must include 'X-Amz-Signature'. "
               "AWS query-string parameters must include 'X-Amz-SignedHeaders'. "
               "AWS query-string parameters must include 'X-Amz-Date'. "
               "Re-examine the query-string parameters.");
}

TEST(ParseQuery, OneParameterMissing) {
  expect_error(with_query("X-Amz-Algorithm=a&X-Amz-Credential=b&X-Amz-Signature=c&X-Amz-Date=d"),
               ErrorKind::IncompleteSignature,
               "AWS query-string parameters must include 'X-Amz-SignedHeaders'. "
               "Re-examine the query-string parameters.");
}

TEST(ParseQuery, UnsupportedAlgorithm) {
  expect_error(with_query("X-Amz-Algorithm=AWS4-ECDSA-P384-SHA384&X-Amz-Credential=AKID%2F20150830%2Fsts%2F"
                          "aws4_request&X-Amz-Signature=c&X-Amz-SignedHeaders=host&X-Amz-Date=20150830T123600Z"),
               ErrorKind::IncompleteSignature,
               "Unsupported AWS 'algorithm': 'AWS4-ECDSA-P384-SHA384' (only AWS4-HMAC-SHA256 for now). ");
}

TEST(ParseQuery, CredentialIsPercentDecoded) {
  expect_error(with_query("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20150830%2Fus-east-1"
                          "&X-Amz-Signature=c&X-Amz-SignedHeaders=host&X-Amz-Date=20150830T123600Z"),
               ErrorKind::IncompleteSignature,
               "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got "
               "'AKID/20150830/us-east-1'");
}

TEST(ParseQuery, HostMustBeSigned) {
  expect_error(with_query("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20150830%2Fus-east-1%2Fsts%2F"
                          "aws4_request&X-Amz-Signature=c&X-Amz-SignedHeaders=x-amz-date&X-Amz-Date=20150830T123600Z"),
               ErrorKind::SignatureDoesNotMatch, "'Host' must be a 'SignedHeader' in the AWS Authorization.");
}

TEST(ParseQuery, ScopeDateMustMatch) {
  expect_error(with_query("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20150829%2Fus-east-1%2Fsts%2F"
                          "aws4_request&X-Amz-Signature=c&X-Amz-SignedHeaders=host&X-Amz-Date=20150830T123600Z"),
               ErrorKind::SignatureDoesNotMatch,
               "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
               "'20150829' != '20150830', from '20150830T123600Z'.");
}

// --- robustness ------------------------------------------------------------

TEST(ParseRobustness, ArbitraryBytesNeverCrash) {
  std::mt19937 rng(20150830);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> len(0, 200);
  static constexpr char kPieces[] = "AWS4-HMAC-SHA256 Credential=/,;%=&+SignedHeadersX-Amz-Algorithm\t\r\n\0\xff";
  const std::string alphabet(kPieces, sizeof kPieces - 1);
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  for (int round = 0; round < 3000; ++round) {
    std::string noise;
    int n = len(rng);
    for (int i = 0; i < n; ++i)
      noise += (round % 2 == 0) ? static_cast<char>(byte(rng)) : alphabet[pick(rng)];
    Request r = with_auth(round % 3 == 0 ? std::string(kGoodAuth).substr(0, n % kGoodAuth.size()) + noise : noise,
                          round % 5 != 0);
    r.query = round % 4 == 0 ? "X-Amz-Algorithm=" + noise + "&X-Amz-Credential=" + noise : noise;
    auto parsed = parse(r);
    if (!parsed) {
      EXPECT_FALSE(parsed.error().message.empty());
    }
  }
}

TEST(ParseRobustness, TruncatedValidHeaders) {
  for (std::size_t n = 0; n <= kGoodAuth.size(); ++n) {
    auto parsed = parse(with_auth(kGoodAuth.substr(0, n)));
    if (n == kGoodAuth.size()) {
      EXPECT_TRUE(parsed.has_value());
    }
  }
  for (std::size_t n = 0; n <= kGoodQuery.size(); ++n) (void)parse(with_query(std::string(kGoodQuery.substr(0, n))));
}

}  // namespace
}  // namespace stsd::sigv4
