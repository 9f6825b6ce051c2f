// Guards SigV4a (AWS4-ECDSA-P256-SHA256) without the shared test suite: the
// key derivation against the suite's published public key, the per-thread
// key cache, the parser's SigV4a branches and texts, region-set matching,
// and sign_v4a -> parse -> verify with tampering and wrong keys refused.
#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <vector>

#include "ecdsa_key_cache.h"
#include "stsd/common/ascii.h"
#include "stsd/crypto/crypto.h"
#include "stsd/sigv4/sigv4.h"

namespace stsd::sigv4 {
namespace {

constexpr std::string_view kAccessKeyId = "AKIDEXAMPLE";
constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
// aws-c-auth tests/aws-signing-test-suite/v4a/*/public-key.json.
constexpr std::string_view kPublicX = "b6618f6a65740a99e650b33b6b4b5bd0d43b176d721a3edfea7e7d2d56d936b1";
constexpr std::string_view kPublicY = "865ed22a7eadc9c5cb9d2cbaca1b3699139fedc5043dc6661864218330c8e518";
constexpr std::string_view kDate = "20150830T123600Z";

Request post_request() {
  Request r;
  r.method = "POST";
  r.path = "/";
  r.body = "Action=GetCallerIdentity&Version=2011-06-15";
  r.headers = {{"Host", "sts.amazonaws.com"}, {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  return r;
}

Request signed_post(std::string_view region_set = "us-east-1") {
  Request r = post_request();
  sign_v4a(r, kAccessKeyId, kSecret, region_set, "sts", kDate);
  return r;
}

bool accepted(const Request& r, std::string_view secret = kSecret) {
  auto parsed = parse(r);
  return parsed.has_value() && verify(r, *parsed, secret);
}

std::string* header(Request& r, std::string_view name) {
  for (auto& h : r.headers)
    if (stsd::iequals(h.name, name)) return &h.value;
  return nullptr;
}

void expect_error(const Request& r, ErrorKind kind, std::string_view message) {
  auto parsed = parse(r);
  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(parsed.error().kind, kind);
  EXPECT_EQ(parsed.error().message, message);
}

Request with_auth(std::string_view authorization, std::optional<std::string_view> region_set = "*") {
  Request r;
  r.method = "POST";
  r.path = "/";
  r.headers.push_back({"Host", "sts.amazonaws.com"});
  r.headers.push_back({"X-Amz-Date", std::string(kDate)});
  if (region_set) r.headers.push_back({"X-Amz-Region-Set", std::string(*region_set)});
  r.headers.push_back({"Authorization", std::string(authorization)});
  return r;
}

// --- key derivation ----------------------------------------------------------

TEST(Sigv4aKey, MatchesTheSuitesPublicKey) {
  auto key = sigv4a_public_key(kAccessKeyId, kSecret);
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(key->x, kPublicX);
  EXPECT_EQ(key->y, kPublicY);
}

TEST(Sigv4aKey, DependsOnAccessKeyIdAndSecret) {
  auto base = detail::derive_ecdsa_private_scalar(kAccessKeyId, kSecret);
  ASSERT_TRUE(base.has_value());
  EXPECT_EQ(base->size(), 32u);
  EXPECT_NE(detail::derive_ecdsa_private_scalar("AKIDEXAMPLF", kSecret), base);
  EXPECT_NE(detail::derive_ecdsa_private_scalar(kAccessKeyId, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEZ"), base);
  // Empty inputs still derive a key (no special cases in the KDF).
  EXPECT_TRUE(detail::derive_ecdsa_private_scalar("", "").has_value());
}

TEST(Sigv4aKey, PrivateScalarIsCandidatePlusOne) {
  // Counter 1 of the KDF, computed here independently: for these
  // credentials its candidate is below n - 2, so the private key is it + 1.
  std::string input("\x00\x00\x00\x01", 4);
  input += "AWS4-ECDSA-P256-SHA256";
  input += '\0';
  input += kAccessKeyId;
  input += '\x01';
  input.append("\x00\x00\x01\x00", 4);
  std::string candidate = crypto::hmac_sha256("AWS4A" + std::string(kSecret), input);
  crypto::increment_big_endian_constant_time(candidate);
  EXPECT_EQ(detail::derive_ecdsa_private_scalar(kAccessKeyId, kSecret), candidate);
}

TEST(Sigv4aKeyCache, DerivesOncePerKeyAndSecret) {
  detail::EcdsaKeyCache cache(4);
  const crypto::EcdsaP256Key* first = cache.get(kAccessKeyId, kSecret);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(crypto::hex_encode(first->public_x()), kPublicX);
  EXPECT_EQ(cache.get(kAccessKeyId, kSecret), first);
  EXPECT_EQ(cache.derivations(), 1u);
  // A rotated secret is re-derived in place, never served from the old key.
  const crypto::EcdsaP256Key* rotated = cache.get(kAccessKeyId, "another secret");
  ASSERT_NE(rotated, nullptr);
  EXPECT_NE(crypto::hex_encode(rotated->public_x()), kPublicX);
  EXPECT_EQ(cache.derivations(), 2u);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(crypto::hex_encode(cache.get(kAccessKeyId, kSecret)->public_x()), kPublicX);
  EXPECT_EQ(cache.derivations(), 3u);
}

TEST(Sigv4aKeyCache, IsBounded) {
  detail::EcdsaKeyCache cache(3);
  for (int i = 0; i < 10; ++i) ASSERT_NE(cache.get("AKID" + std::to_string(i), kSecret), nullptr);
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_EQ(cache.derivations(), 10u);
  // Every entry is still the right key for its id.
  for (int i = 7; i < 10; ++i) {
    auto expected = detail::derive_ecdsa_key("AKID" + std::to_string(i), kSecret);
    ASSERT_TRUE(expected.has_value());
    EXPECT_EQ(cache.get("AKID" + std::to_string(i), kSecret)->public_x(), expected->public_x());
  }
  EXPECT_EQ(cache.derivations(), 10u);
}

// --- region sets ---------------------------------------------------------------

TEST(RegionSet, Matching) {
  struct Case {
    std::string_view set;
    std::string_view region;
    bool covers;
  };
  const Case cases[] = {
      {"us-east-1", "us-east-1", true},      {"us-east-1", "us-east-2", false},
      {"*", "eu-west-1", true},              {"us-*", "us-west-2", true},
      {"us-*", "eu-west-1", false},          {"*-east-1", "us-east-1", true},
      {"*-east-1", "us-east-2", false},      {"us-*-1", "us-gov-west-1", true},
      {"eu-west-1,us-east-1", "us-east-1", true}, {"eu-west-1, us-east-1 ", "us-east-1", true},
      {"eu-west-1,,us-*", "us-east-1", true}, {"eu-west-1,ap-*", "us-east-1", false},
      {"US-EAST-1", "us-east-1", true},      {"", "us-east-1", false},
      {",", "us-east-1", false},             {"us-east-1", "", false},
      {"us-east-1x", "us-east-1", false},    {"us-east", "us-east-1", false},
      {"**", "us-east-1", true},             {"u*1", "us-east-1", true},
      {"*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
  };
  for (const auto& c : cases) EXPECT_EQ(region_set_covers(c.set, c.region), c.covers) << c.set << " / " << c.region;
}

// --- parsing -------------------------------------------------------------------

TEST(ParseSigv4a, HeaderForm) {
  Request r = signed_post("us-east-1,eu-*");
  auto parsed = parse(r);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_TRUE(parsed->is_sigv4a());
  EXPECT_EQ(parsed->algorithm, "AWS4-ECDSA-P256-SHA256");
  EXPECT_FALSE(parsed->presigned);
  EXPECT_EQ(parsed->credential.access_key_id, kAccessKeyId);
  EXPECT_EQ(parsed->credential.date, "20150830");
  EXPECT_EQ(parsed->credential.region, "");
  EXPECT_EQ(parsed->credential.service, "sts");
  EXPECT_EQ(parsed->credential.terminator, "aws4_request");
  EXPECT_TRUE(parsed->credential.regionless);
  EXPECT_EQ(parsed->credential.scope(), "20150830/sts/aws4_request");
  EXPECT_EQ(parsed->region_set, "us-east-1,eu-*");
  EXPECT_EQ(parsed->signed_headers,
            (std::vector<std::string>{"content-type", "host", "x-amz-date", "x-amz-region-set"}));
  EXPECT_EQ(parsed->signature.substr(0, 2), "30");  // a DER SEQUENCE
}

TEST(ParseSigv4a, RepeatedRegionSetHeadersAreJoined) {
  Request r = with_auth("AWS4-ECDSA-P256-SHA256 Credential=AKID/20150830/sts/aws4_request, "
                        "SignedHeaders=host;x-amz-date;x-amz-region-set, Signature=3045",
                        " us-east-1 ");
  r.headers.push_back({"x-amz-region-set", "eu-west-1"});
  auto parsed = parse(r);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_EQ(parsed->region_set, "us-east-1,eu-west-1");
}

TEST(ParseSigv4a, RegionSetHeaderIsRequired) {
  constexpr std::string_view auth = "AWS4-ECDSA-P256-SHA256 Credential=AKID/20150830/sts/aws4_request, "
                                    "SignedHeaders=host;x-amz-date;x-amz-region-set, Signature=3045";
  for (std::optional<std::string_view> set : {std::optional<std::string_view>(), std::optional<std::string_view>(" ")})
    expect_error(with_auth(auth, set), ErrorKind::IncompleteSignature,
                 "Authorization header requires existence of a 'X-Amz-Region-Set' header. Authorization=" +
                     std::string(auth));
  // Listed with the other missing components, after them.
  expect_error(with_auth("AWS4-ECDSA-P256-SHA256 Credential=AKID/20150830/sts/aws4_request", std::nullopt),
               ErrorKind::IncompleteSignature,
               "Authorization header requires 'Signature' parameter. "
               "Authorization header requires 'SignedHeaders' parameter. "
               "Authorization header requires existence of a 'X-Amz-Region-Set' header. "
               "Authorization=AWS4-ECDSA-P256-SHA256 Credential=AKID/20150830/sts/aws4_request");
}

TEST(ParseSigv4a, RegionSetMustBeSigned) {
  expect_error(with_auth("AWS4-ECDSA-P256-SHA256 Credential=AKID/20150830/sts/aws4_request, "
                         "SignedHeaders=host;x-amz-date, Signature=3045"),
               ErrorKind::SignatureDoesNotMatch,
               "'X-Amz-Region-Set' must be a 'SignedHeader' in the AWS Authorization.");
  // 'Host' is reported first.
  expect_error(with_auth("AWS4-ECDSA-P256-SHA256 Credential=AKID/20150830/sts/aws4_request, "
                         "SignedHeaders=x-amz-date, Signature=3045"),
               ErrorKind::SignatureDoesNotMatch, "'Host' must be a 'SignedHeader' in the AWS Authorization.");
}

TEST(ParseSigv4a, CredentialMustHaveFourElements) {
  for (std::string_view credential :
       {"AKID/20150830/us-east-1/sts/aws4_request", "AKID/20150830/sts", "AKID", "AKID/20150830/sts/aws4_request/x"}) {
    expect_error(with_auth("AWS4-ECDSA-P256-SHA256 Credential=" + std::string(credential) +
                           ", SignedHeaders=host;x-amz-date;x-amz-region-set, Signature=3045"),
                 ErrorKind::IncompleteSignature,
                 "Credential must have exactly 4 slash-delimited elements, e.g. keyid/date/service/term, got '" +
                     std::string(credential) + "'");
  }
  // A trailing slash is ignored, as for SigV4.
  auto parsed = parse(with_auth("AWS4-ECDSA-P256-SHA256 Credential=AKID/20150830/sts/aws4_request/, "
                                "SignedHeaders=host;x-amz-date;x-amz-region-set, Signature=3045"));
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_EQ(parsed->credential.terminator, "aws4_request");
}

TEST(ParseSigv4a, ScopeDateMustMatch) {
  expect_error(with_auth("AWS4-ECDSA-P256-SHA256 Credential=AKID/20150831/sts/aws4_request, "
                         "SignedHeaders=host;x-amz-date;x-amz-region-set, Signature=3045"),
               ErrorKind::SignatureDoesNotMatch,
               "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
               "'20150831' != '20150830', from '20150830T123600Z'.");
}

TEST(ParseSigv4a, QueryForm) {
  Request r;
  r.method = "GET";
  r.path = "/";
  r.headers.push_back({"Host", "sts.amazonaws.com"});
  r.query = "Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256"
            "&X-Amz-Credential=AKID%2F20150830%2Fsts%2Faws4_request&X-Amz-Date=20150830T123600Z"
            "&X-Amz-SignedHeaders=host&X-Amz-Signature=3045&X-Amz-Region-Set=us-%2A%2Ceu-west-1";
  auto parsed = parse(r);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_TRUE(parsed->presigned);
  EXPECT_TRUE(parsed->is_sigv4a());
  EXPECT_EQ(parsed->region_set, "us-*,eu-west-1");
  EXPECT_EQ(parsed->credential.scope(), "20150830/sts/aws4_request");

  // The region set is a required parameter of the SigV4a query form only.
  r.query = r.query.substr(0, r.query.find("&X-Amz-Region-Set"));
  expect_error(r, ErrorKind::IncompleteSignature,
               "AWS query-string parameters must include 'X-Amz-Region-Set'. Re-examine the query-string parameters.");
}

TEST(ParseSigv4a, UnknownAlgorithmsAreStillRefused) {
  expect_error(with_auth("AWS4-ECDSA-P384-SHA384 Credential=AKID/20150830/sts/aws4_request, "
                         "SignedHeaders=host;x-amz-date;x-amz-region-set, Signature=3045"),
               ErrorKind::IncompleteSignature,
               "Unsupported AWS 'algorithm': 'AWS4-ECDSA-P384-SHA384' (only AWS4-HMAC-SHA256 for now). ");
}

// --- stages and the verifier -----------------------------------------------------

TEST(Sigv4aStages, StringToSignHasTheRegionlessScope) {
  CredentialScope scope{"AKID", "20150830", "us-east-1", "sts", "aws4_request"};
  std::string sts = string_to_sign_v4a(kDate, scope, "canonical");
  EXPECT_EQ(sts, "AWS4-ECDSA-P256-SHA256\n20150830T123600Z\n20150830/sts/aws4_request\n" +
                     crypto::sha256_hex("canonical"));
}

TEST(Sigv4aVerify, SignedRequestIsAccepted) {
  for (std::string_view set : {"us-east-1", "*", "us-*,eu-west-1"}) EXPECT_TRUE(accepted(signed_post(set))) << set;
  Request with_token = post_request();
  sign_v4a(with_token, kAccessKeyId, kSecret, "*", "sts", kDate, "token+/=");
  auto parsed = parse(with_token);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->security_token, "token+/=");
  EXPECT_TRUE(verify(with_token, *parsed, kSecret));
}

TEST(Sigv4aVerify, SignaturesAreRandomisedAndAllVerify) {
  const std::string sts = "AWS4-ECDSA-P256-SHA256\n20150830T123600Z\n20150830/sts/aws4_request\nabc";
  const std::string a = sigv4a_signature(kAccessKeyId, kSecret, sts);
  const std::string b = sigv4a_signature(kAccessKeyId, kSecret, sts);
  EXPECT_NE(a, b);
  EXPECT_TRUE(sigv4a_signature_matches(kAccessKeyId, kSecret, sts, a));
  EXPECT_TRUE(sigv4a_signature_matches(kAccessKeyId, kSecret, sts, b));
  std::string upper = a;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_TRUE(sigv4a_signature_matches(kAccessKeyId, kSecret, sts, upper));
  EXPECT_FALSE(sigv4a_signature_matches(kAccessKeyId, kSecret, sts + "d", a));
  for (std::string_view bad : {"", "zz", "30", "3045", "304502"})
    EXPECT_FALSE(sigv4a_signature_matches(kAccessKeyId, kSecret, sts, bad)) << bad;
  EXPECT_FALSE(sigv4a_signature_matches(kAccessKeyId, kSecret, sts, a + "00"));  // trailing bytes
}

TEST(Sigv4aVerify, TamperedSignatureFails) {
  Request original = signed_post();
  ASSERT_TRUE(accepted(original));
  const std::string auth = *header(original, "authorization");
  const std::size_t sig_at = auth.find("Signature=") + 10;
  // Every hex digit of the DER signature, one at a time.
  for (std::size_t i = sig_at; i < auth.size(); ++i) {
    Request r = original;
    std::string& value = *header(r, "authorization");
    value[i] = value[i] == '0' ? '1' : '0';
    EXPECT_FALSE(accepted(r)) << "digit " << (i - sig_at);
  }
}

TEST(Sigv4aVerify, WrongKeyFails) {
  const Request r = signed_post();
  EXPECT_FALSE(accepted(r, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEZ"));
  EXPECT_FALSE(accepted(r, ""));
  // The access key id is an input of the derivation: another id, same secret.
  Request other_id = r;
  std::string& auth = *header(other_id, "authorization");
  auth.replace(auth.find("AKIDEXAMPLE"), 11, "AKIDEXAMPLF");
  EXPECT_FALSE(accepted(other_id));
  // A SigV4 signature by the same secret is not a SigV4a one.
  Request v4 = post_request();
  sign(v4, kAccessKeyId, kSecret, "us-east-1", "sts", kDate);
  auto parsed = parse(v4);
  ASSERT_TRUE(parsed.has_value());
  parsed->algorithm = std::string(kAlgorithmEcdsa);
  EXPECT_FALSE(verify(v4, *parsed, kSecret));
}

TEST(Sigv4aVerify, SignedPartsCannotChange) {
  const Request original = signed_post("us-east-1");
  auto mutate = [&](auto change) {
    Request r = original;
    change(r);
    return accepted(r);
  };
  EXPECT_FALSE(mutate([](Request& r) { *header(r, "x-amz-region-set") = "*"; }));
  EXPECT_FALSE(mutate([](Request& r) { r.headers.push_back({"X-Amz-Region-Set", "eu-west-1"}); }));
  EXPECT_FALSE(mutate([](Request& r) { *header(r, "host") = "sts.us-east-2.amazonaws.com"; }));
  EXPECT_FALSE(mutate([](Request& r) { *header(r, "x-amz-date") = "20150830T123601Z"; }));
  EXPECT_FALSE(mutate([](Request& r) { r.body += "&x=1"; }));
  EXPECT_FALSE(mutate([](Request& r) { r.method = "PUT"; }));
  EXPECT_FALSE(mutate([](Request& r) { r.path = "/x"; }));
  EXPECT_FALSE(mutate([](Request& r) { r.query = "a=b"; }));
  EXPECT_FALSE(mutate([](Request& r) { r.headers.push_back({"X-Amz-Content-Sha256", crypto::sha256_hex("x")}); }));
  // Unsigned headers may change.
  EXPECT_TRUE(mutate([](Request& r) { r.headers.push_back({"User-Agent", "x"}); }));
}

}  // namespace
}  // namespace stsd::sigv4
