// Guards each SigV4 stage on AWS's documented example (IAM ListUsers,
// docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html), the
// canonicalisation rules one by one, sign() and verify().
#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <vector>

#include "stsd/crypto/crypto.h"
#include "stsd/sigv4/sigv4.h"

namespace stsd::sigv4 {
namespace {

constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr std::string_view kAmzDate = "20150830T123600Z";

Request list_users() {
  Request r;
  r.method = "GET";
  r.path = "/";
  r.query = "Action=ListUsers&Version=2010-05-08";
  r.headers = {{"Host", "iam.amazonaws.com"},
               {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
               {"X-Amz-Date", std::string(kAmzDate)}};
  return r;
}

SignedRequestInfo list_users_info() {
  SignedRequestInfo info;
  info.algorithm = "AWS4-HMAC-SHA256";
  info.credential = {"AKIDEXAMPLE", "20150830", "us-east-1", "iam", "aws4_request"};
  info.signed_headers = {"content-type", "host", "x-amz-date"};
  info.amz_date = std::string(kAmzDate);
  return info;
}

constexpr std::string_view kListUsersCanonical =
    "GET\n/\nAction=ListUsers&Version=2010-05-08\n"
    "content-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\n"
    "x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n"
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr std::string_view kListUsersSignature = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";

TEST(Stages, DocumentedExampleStageByStage) {
  Request r = list_users();
  SignedRequestInfo info = list_users_info();

  std::string canonical = canonical_request(r, info);
  EXPECT_EQ(canonical, kListUsersCanonical);
  EXPECT_EQ(crypto::sha256_hex(canonical), "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");

  std::string sts = string_to_sign(info.amz_date, info.credential, canonical);
  EXPECT_EQ(sts,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n"
            "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");

  std::string key = signing_key(kSecret, info.credential);
  EXPECT_EQ(crypto::hex_encode(key), "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");

  EXPECT_EQ(signature(key, sts), kListUsersSignature);
}

TEST(Stages, SignProducesTheDocumentedHeaderAndVerifies) {
  Request r = list_users();
  sign(r, "AKIDEXAMPLE", kSecret, "us-east-1", "iam", kAmzDate);
  std::string authorization;
  int dates = 0;
  for (const auto& h : r.headers) {
    if (h.name == "Authorization") authorization = h.value;
    dates += h.name == "X-Amz-Date";
  }
  EXPECT_EQ(dates, 1);  // the existing X-Amz-Date was replaced, not doubled
  EXPECT_EQ(authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date, Signature=" + std::string(kListUsersSignature));

  auto parsed = parse(r);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_TRUE(verify(r, *parsed, kSecret));
  EXPECT_FALSE(verify(r, *parsed, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEZ"));
}

TEST(Stages, SignWithSessionTokenSignsTheToken) {
  Request r;
  r.method = "POST";
  r.path = "/";
  r.body = "Action=GetCallerIdentity&Version=2011-06-15";
  r.headers = {{"Host", "sts.amazonaws.com"}};
  sign(r, "ASIAEXAMPLE", kSecret, "us-east-1", "sts", kAmzDate, "TOKEN/+=");
  auto parsed = parse(r);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_EQ(parsed->signed_headers, (std::vector<std::string>{"host", "x-amz-date", "x-amz-security-token"}));
  EXPECT_EQ(parsed->security_token, "TOKEN/+=");
  EXPECT_TRUE(verify(r, *parsed, kSecret));

  for (auto& h : r.headers)
    if (h.name == "X-Amz-Security-Token") h.value = "TOKEN/+-";
  EXPECT_FALSE(verify(r, *parse(r), kSecret));
}

TEST(Stages, SignatureIsOverTheBody) {
  Request r;
  r.method = "POST";
  r.path = "/";
  r.body = "Action=GetSessionToken&DurationSeconds=900";
  r.headers = {{"Host", "sts.amazonaws.com"}, {"Content-Type", "application/x-www-form-urlencoded"}};
  sign(r, "AKIDEXAMPLE", kSecret, "us-east-1", "sts", kAmzDate);
  auto info = *parse(r);
  EXPECT_TRUE(verify(r, info, kSecret));
  r.body.back() = '1';
  EXPECT_FALSE(verify(r, info, kSecret));
}

// --- canonical URI ---------------------------------------------------------

std::string canonical_uri_of(std::string path, bool normalize = true) {
  Request r;
  r.method = "GET";
  r.path = std::move(path);
  SignedRequestInfo info;
  std::string c = canonical_request(r, info, normalize);
  std::size_t a = c.find('\n');
  return c.substr(a + 1, c.find('\n', a + 1) - a - 1);
}

TEST(CanonicalUri, NormalisedPaths) {
  const std::pair<std::string, std::string> cases[] = {
      {"", "/"},
      {"/", "/"},
      {"//", "/"},
      {"/./", "/"},
      {"/example/..", "/"},
      {"/example1/example2/../..", "/"},
      {"/../../a", "/a"},
      {"//example//", "/example/"},
      {"/a//b", "/a/b"},
      {"/a/./b/../c", "/a/c"},
      {"/a/b/", "/a/b/"},
      {"/a/.", "/a/"},
      {"/a/b/..", "/a/"},
      {"/./example", "/example"},
  };
  for (const auto& [path, expected] : cases) EXPECT_EQ(canonical_uri_of(path), expected) << path;
}

TEST(CanonicalUri, UnnormalisedPathsKeptAsIs) {
  EXPECT_EQ(canonical_uri_of("//example//", false), "//example//");
  EXPECT_EQ(canonical_uri_of("/example1/example2/../..", false), "/example1/example2/../..");
  EXPECT_EQ(canonical_uri_of("", false), "/");
}

TEST(CanonicalUri, EncodesTheReceivedPathOnceMore) {
  EXPECT_EQ(canonical_uri_of("/example space/"), "/example%20space/");
  EXPECT_EQ(canonical_uri_of("/\xe1\x88\xb4"), "/%E1%88%B4");
  EXPECT_EQ(canonical_uri_of("/-._~AZaz09"), "/-._~AZaz09");
  // Non-S3 services encode each segment twice: the wire form is encoded again.
  EXPECT_EQ(canonical_uri_of("/%E1%88%B4"), "/%25E1%2588%25B4");
  EXPECT_EQ(canonical_uri_of("/a+b=c:d"), "/a%2Bb%3Dc%3Ad");
}

// --- canonical query -------------------------------------------------------

std::string canonical_query_of(std::string query, bool presigned = false) {
  Request r;
  r.method = "GET";
  r.path = "/";
  r.query = std::move(query);
  SignedRequestInfo info;
  info.presigned = presigned;
  std::string c = canonical_request(r, info);
  std::size_t a = c.find('\n');
  std::size_t b = c.find('\n', a + 1);
  return c.substr(b + 1, c.find('\n', b + 1) - b - 1);
}

TEST(CanonicalQuery, SortsDecodesAndReencodes) {
  const std::pair<std::string, std::string> cases[] = {
      {"", ""},
      {"Param2=value2&Param1=value1", "Param1=value1&Param2=value2"},
      {"a=2&a=1", "a=1&a=2"},
      {"b=1&B=1&a=1", "B=1&a=1&b=1"},
      {"Param-3=Value3&Param=Value2&%E1%88%B4=Value1", "%E1%88%B4=Value1&Param=Value2&Param-3=Value3"},
      {"-._~AZaz09=-._~AZaz09", "-._~AZaz09=-._~AZaz09"},
      {"a%2Bb=%7e%2f", "a%2Bb=~%2F"},
      {"a+b=c+d", "a%20b=c%20d"},  // form encoding: '+' is a space
      {"a%20b=c", "a%20b=c"},
      {"flag", "flag="},
      {"a=&b", "a=&b="},
      {"&&a=1&", "a=1"},
      {"x=%zz&y=%4", "x=%25zz&y=%254"},  // malformed escapes kept literally
      {"k=a=b", "k=a%3Db"},
      {"\xe1\x88\xb4=bar", "%E1%88%B4=bar"},
  };
  for (const auto& [query, expected] : cases) EXPECT_EQ(canonical_query_of(query), expected) << query;
}

TEST(CanonicalQuery, PresignedLeavesOutTheSignatureOnly) {
  EXPECT_EQ(canonical_query_of("X-Amz-Signature=abc&X-Amz-Date=1&X-Amz-Security-Token=t", true),
            "X-Amz-Date=1&X-Amz-Security-Token=t");
  EXPECT_EQ(canonical_query_of("X-Amz-Signature=abc&X-Amz-Date=1", false), "X-Amz-Date=1&X-Amz-Signature=abc");
}

// --- canonical headers and payload -----------------------------------------

TEST(CanonicalHeaders, TrimCollapseJoinAndLowercase) {
  Request r;
  r.method = "GET";
  r.path = "/";
  r.headers = {{"HOST", "  example.amazonaws.com "},
               {"My-Header1", "value4"},
               {"my-header1", " value1  "},
               {"My-Header2", "\"a   b \t c\""},
               {"Not-Signed", "x"}};
  SignedRequestInfo info;
  info.signed_headers = {"host", "my-header1", "my-header2", "absent"};
  EXPECT_EQ(canonical_request(r, info),
            "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value4,value1\nmy-header2:\"a b c\"\nabsent:\n\n"
            "host;my-header1;my-header2;absent\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(CanonicalHeaders, BlankAndTabOnlyValues) {
  Request r;
  r.method = "GET";
  r.path = "/";
  r.headers = {{"Host", "h"}, {"X-Blank", "   "}, {"X-Tabs", "\t a\t\t b \t"}, {"X-Empty", ""}, {"X-Blank", "\t"}};
  SignedRequestInfo info;
  info.signed_headers = {"host", "x-blank", "x-empty", "x-tabs"};
  EXPECT_EQ(canonical_request(r, info),
            "GET\n/\n\nhost:h\nx-blank:,\nx-empty:\nx-tabs:a b\n\nhost;x-blank;x-empty;x-tabs\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(CanonicalPayload, ContentSha256HeaderReplacesTheBodyHash) {
  Request r;
  r.method = "POST";
  r.path = "/";
  r.body = "Param1=value1";
  SignedRequestInfo info;
  std::string c = canonical_request(r, info);
  EXPECT_EQ(c.substr(c.rfind('\n') + 1), "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
  r.headers.push_back({"X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD"});
  c = canonical_request(r, info);
  EXPECT_EQ(c.substr(c.rfind('\n') + 1), "UNSIGNED-PAYLOAD");
}

// --- verify ----------------------------------------------------------------

Request signed_post(std::string body) {
  Request r;
  r.method = "POST";
  r.path = "/";
  r.body = std::move(body);
  r.headers = {{"Host", "sts.amazonaws.com"}, {"Content-Type", "application/x-www-form-urlencoded"}};
  return r;
}

TEST(Verify, ContentSha256MustBeTheBodyHash) {
  const std::string body = "Action=GetCallerIdentity&Version=2011-06-15";
  for (const auto& [sent, ok] : std::vector<std::pair<std::string, bool>>{
           {crypto::sha256_hex(body), true}, {crypto::sha256_hex("other"), false}, {"UNSIGNED-PAYLOAD", false}}) {
    Request r = signed_post(body);
    r.headers.push_back({"x-amz-content-sha256", sent});
    sign(r, "AKIDEXAMPLE", kSecret, "us-east-1", "sts", kAmzDate);
    auto info = parse(r);
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(verify(r, *info, kSecret), ok) << sent;
  }
}

TEST(Verify, RejectsOtherAlgorithms) {
  Request r = signed_post("x=1");
  sign(r, "AKIDEXAMPLE", kSecret, "us-east-1", "sts", kAmzDate);
  auto info = *parse(r);
  ASSERT_TRUE(verify(r, info, kSecret));
  info.algorithm = "AWS4-HMAC-SHA512";
  EXPECT_FALSE(verify(r, info, kSecret));
}

TEST(Verify, SignatureCaseAndLengthMatter) {
  Request r = signed_post("x=1");
  sign(r, "AKIDEXAMPLE", kSecret, "us-east-1", "sts", kAmzDate);
  auto info = *parse(r);
  std::string sig = info.signature;
  for (char& c : info.signature) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (info.signature != sig) {
    EXPECT_FALSE(verify(r, info, kSecret));
  }
  info.signature = sig.substr(0, 63);
  EXPECT_FALSE(verify(r, info, kSecret));
  info.signature = sig + "0";
  EXPECT_FALSE(verify(r, info, kSecret));
  info.signature = "";
  EXPECT_FALSE(verify(r, info, kSecret));
}

TEST(Verify, NormalisationIsAPartOfTheSignature) {
  Request r = signed_post("x=1");
  r.path = "//a/./b//";
  sign(r, "AKIDEXAMPLE", kSecret, "us-east-1", "sts", kAmzDate);
  auto info = *parse(r);
  EXPECT_TRUE(verify(r, info, kSecret));
  EXPECT_FALSE(verify(r, info, kSecret, false));
}

// A presigned GET built the way the SDKs do it.
Request presign(bool token_signed, std::string_view token) {
  Request r;
  r.method = "GET";
  r.path = "/";
  r.headers = {{"Host", "sts.amazonaws.com"}};
  r.query = "Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256"
            "&X-Amz-Credential=ASIAEXAMPLE%2F20150830%2Fus-east-1%2Fsts%2Faws4_request"
            "&X-Amz-Date=20150830T123600Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host";
  const std::string token_param = "&X-Amz-Security-Token=" + std::string(token);
  if (token_signed) r.query += token_param;
  SignedRequestInfo info;
  info.presigned = true;
  info.algorithm = "AWS4-HMAC-SHA256";
  info.credential = {"ASIAEXAMPLE", "20150830", "us-east-1", "sts", "aws4_request"};
  info.signed_headers = {"host"};
  info.amz_date = std::string(kAmzDate);
  std::string sig = signature(signing_key(kSecret, info.credential),
                              string_to_sign(kAmzDate, info.credential, canonical_request(r, info)));
  if (!token_signed) r.query += token_param;
  r.query += "&X-Amz-Signature=" + sig;
  return r;
}

TEST(Verify, PresignedWithTokenSignedOrAppended) {
  for (bool token_signed : {true, false}) {
    Request r = presign(token_signed, "FQo%2Btoken%3D%3D");
    auto info = parse(r);
    ASSERT_TRUE(info.has_value()) << info.error().message;
    EXPECT_EQ(info->security_token, "FQo+token==");
    EXPECT_TRUE(verify(r, *info, kSecret)) << token_signed;
  }
}

TEST(Verify, PresignedSignedTokenCannotBeSwapped) {
  Request r = presign(true, "FQo%2Btoken%3D%3D");
  r.query.replace(r.query.find("FQo"), 3, "FQp");
  auto info = parse(r);
  ASSERT_TRUE(info.has_value());
  EXPECT_FALSE(verify(r, *info, kSecret));
}

}  // namespace
}  // namespace stsd::sigv4
