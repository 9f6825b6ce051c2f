// Frontend tests for SigV4a (AWS4-ECDSA-P256-SHA256): STS requests signed
// with it, in the header and the presigned form, get the caller they name,
// with SigV4's error codes and clock rules; the region set must cover the
// server's region (us-east-1 here).
#include <gtest/gtest.h>

#include "fixture.h"
#include "stsd/common/ascii.h"

using namespace stsd;
using namespace stsd::testing;

namespace {

constexpr std::string_view kSignatureMismatch =
    "The request signature we calculated does not match the signature you provided. Check your AWS "
    "Secret Access Key and signing method. Consult the service documentation for details.";

std::string code(const http::HttpResponse& r) { return xml_text(r.body, "Code"); }
std::string message(const http::HttpResponse& r) { return xml_text(r.body, "Message"); }

sigv4::Request post(const std::map<std::string, std::string>& params) {
  sigv4::Request r;
  r.method = "POST";
  r.path = "/";
  r.body = StsFixture::body(params);
  r.headers = {{"Host", "sts.amazonaws.com"}, {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  return r;
}

sigv4::Request signed_v4a(StsFixture& f, const Credentials& c, std::string_view region_set = "us-east-1",
                          std::optional<domain::Seconds> at = std::nullopt, std::string_view service = "sts",
                          std::map<std::string, std::string> params = {{"Action", "GetCallerIdentity"}}) {
  sigv4::Request r = post(params);
  std::optional<std::string_view> token;
  if (c.token) token = *c.token;
  sigv4::sign_v4a(r, c.access_key_id, c.secret, region_set, service,
                  format_amz_date(at.value_or(f.clock().now())), token);
  return r;
}

http::HttpResponse send(const StsFixture& f, const sigv4::Request& r) {
  return f.frontend().handle(StsFixture::to_http(r));
}

// A presigned GET for GetCallerIdentity, as an EKS-style token signer makes
// it but with SigV4a: every X-Amz-* parameter in the query, 'host' signed.
sigv4::Request presigned_v4a(StsFixture& f, const Credentials& c, std::string_view region_set) {
  const std::string amz_date = format_amz_date(f.clock().now());
  sigv4::Request r;
  r.method = "GET";
  r.path = "/";
  r.headers = {{"Host", "sts.amazonaws.com"}};
  r.query = "Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256"
            "&X-Amz-Credential=" + uri_encode(c.access_key_id + "/" + amz_date.substr(0, 8) + "/sts/aws4_request") +
            "&X-Amz-Date=" + amz_date + "&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Region-Set=" +
            uri_encode(std::string(region_set));
  if (c.token) r.query += "&X-Amz-Security-Token=" + uri_encode(*c.token);
  auto info = sigv4::parse([&] {
    sigv4::Request with_placeholder = r;
    with_placeholder.query += "&X-Amz-Signature=00";
    return with_placeholder;
  }());
  EXPECT_TRUE(info.has_value()) << info.error().message;
  const std::string sts = sigv4::string_to_sign_v4a(amz_date, info->credential, sigv4::canonical_request(r, *info));
  r.query += "&X-Amz-Signature=" + sigv4::sigv4a_signature(c.access_key_id, c.secret, sts);
  return r;
}

std::string* header_of(sigv4::Request& r, std::string_view name) {
  for (auto& h : r.headers)
    if (iequals(h.name, name)) return &h.value;
  return nullptr;
}

}  // namespace

TEST(Sigv4a, HeaderFormIsAccepted) {
  StsFixture f;
  for (std::string_view set : {"us-east-1", "*", "us-*", "eu-west-1,us-east-1", "*-east-1"}) {
    auto r = send(f, signed_v4a(f, f.user(), set));
    ASSERT_EQ(r.status, 200) << set << ": " << r.body;
    EXPECT_EQ(xml_text(r.body, "Arn"), "arn:aws:iam::000000000000:user/test");
  }
  auto root = send(f, signed_v4a(f, f.root()));
  ASSERT_EQ(root.status, 200) << root.body;
  EXPECT_EQ(xml_text(root.body, "Arn"), "arn:aws:iam::111122223333:root");
}

TEST(Sigv4a, PresignedFormIsAccepted) {
  StsFixture f;
  auto r = send(f, presigned_v4a(f, f.user(), "*"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(xml_text(r.body, "Arn"), "arn:aws:iam::000000000000:user/test");
}

TEST(Sigv4a, SessionCredentials) {
  StsFixture f;
  auto issued = f.call({{"Action", "GetSessionToken"}}, f.user());
  ASSERT_EQ(issued.status, 200) << issued.body;
  Credentials session = credentials_from(issued.body);
  auto header = send(f, signed_v4a(f, session, "*"));
  ASSERT_EQ(header.status, 200) << header.body;
  EXPECT_EQ(xml_text(header.body, "Arn"), "arn:aws:iam::000000000000:user/test");
  auto presigned = send(f, presigned_v4a(f, session, "us-east-1"));
  ASSERT_EQ(presigned.status, 200) << presigned.body;

  // The token must belong to the key, as with SigV4.
  Credentials forged = session;
  forged.token = credentials_from(f.call({{"Action", "GetSessionToken"}}, f.user()).body).token;
  auto r = send(f, signed_v4a(f, forged, "*"));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(code(r), "InvalidClientTokenId");
}

TEST(Sigv4a, RegionSetMustCoverTheServersRegion) {
  StsFixture f;
  for (std::string_view set : {"eu-west-1", "eu-*", "us-east-2,us-west-*", "us-east-1x"}) {
    auto r = send(f, signed_v4a(f, f.user(), set));
    EXPECT_EQ(r.status, 403) << set;
    EXPECT_EQ(code(r), "SignatureDoesNotMatch") << set;
    EXPECT_EQ(message(r), "Credential should be scoped to a valid region. ") << set;
  }
  auto presigned = send(f, presigned_v4a(f, f.user(), "ap-*"));
  EXPECT_EQ(presigned.status, 403);
  EXPECT_EQ(message(presigned), "Credential should be scoped to a valid region. ");
  // Wrong region set and wrong service: concatenated, region first.
  auto both = send(f, signed_v4a(f, f.user(), "eu-west-1", std::nullopt, "iam"));
  EXPECT_EQ(message(both),
            "Credential should be scoped to a valid region. Credential should be scoped to correct service: 'sts'. ");
}

TEST(Sigv4a, TamperedSignatureOrWrongKeyFails) {
  StsFixture f;
  sigv4::Request tampered = signed_v4a(f, f.user());
  std::string& auth = *header_of(tampered, "authorization");
  auth.back() = auth.back() == '0' ? '1' : '0';
  auto r = send(f, tampered);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(code(r), "SignatureDoesNotMatch");
  EXPECT_EQ(message(r), kSignatureMismatch);

  Credentials wrong = f.user();
  wrong.secret += "x";
  auto bad_secret = send(f, signed_v4a(f, wrong));
  EXPECT_EQ(code(bad_secret), "SignatureDoesNotMatch");
  EXPECT_EQ(message(bad_secret), kSignatureMismatch);

  // The region set is signed: widening it afterwards breaks the signature.
  sigv4::Request widened = signed_v4a(f, f.user(), "us-east-1");
  *header_of(widened, "x-amz-region-set") = "*";
  EXPECT_EQ(code(send(f, widened)), "SignatureDoesNotMatch");

  Credentials unknown{"AKIAUNKNOWN000000000", "secret", {}};
  auto u = send(f, signed_v4a(f, unknown));
  EXPECT_EQ(u.status, 403);
  EXPECT_EQ(code(u), "InvalidClientTokenId");
}

TEST(Sigv4a, ClockRulesAreSigV4s) {
  StsFixture f;
  const domain::Seconds now = f.clock().now();
  EXPECT_EQ(send(f, signed_v4a(f, f.user(), "*", now - 15 * 60)).status, 200);
  EXPECT_EQ(send(f, signed_v4a(f, f.user(), "*", now + 15 * 60)).status, 200);
  auto old = send(f, signed_v4a(f, f.user(), "*", now - 15 * 60 - 1));
  EXPECT_EQ(code(old), "SignatureDoesNotMatch");
  EXPECT_EQ(message(old).rfind("Signature expired: ", 0), 0u) << message(old);
  auto future = send(f, signed_v4a(f, f.user(), "*", now + 15 * 60 + 1));
  EXPECT_EQ(code(future), "SignatureDoesNotMatch");
  EXPECT_EQ(message(future).rfind("Signature not yet current: ", 0), 0u) << message(future);
}

TEST(Sigv4a, SyntaxErrors) {
  StsFixture f;
  sigv4::Request no_set = signed_v4a(f, f.user());
  std::erase_if(no_set.headers, [](const sigv4::Header& h) { return iequals(h.name, "x-amz-region-set"); });
  auto r = send(f, no_set);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(code(r), "IncompleteSignature");
  EXPECT_EQ(message(r).rfind("Authorization header requires existence of a 'X-Amz-Region-Set' header. ", 0), 0u)
      << message(r);

  sigv4::Request five = signed_v4a(f, f.user());
  std::string& auth = *header_of(five, "authorization");
  auth.replace(auth.find("/sts/"), 5, "/us-east-1/sts/");
  auto cred = send(f, five);
  EXPECT_EQ(cred.status, 400);
  EXPECT_EQ(code(cred), "IncompleteSignature");
  EXPECT_EQ(message(cred).rfind("Credential must have exactly 4 slash-delimited elements", 0), 0u) << message(cred);
}

TEST(Sigv4a, OnlyServicesWhoseModelListsItAcceptIt) {
  // The authenticator alone: STS's model lists aws.auth#sigv4a, IAM's does not.
  StsFixture f;
  const domain::Store store(default_data());
  const service::Authenticator authenticator(service::AuthMode::Strict, f.tokens(), f.clock());
  auto iam = authenticator.authenticate(signed_v4a(f, f.user(), "*", std::nullopt, "iam", {{"Action", "ListRoles"}}),
                                        store, "iam");
  ASSERT_FALSE(iam.has_value());
  EXPECT_EQ(iam.error().code, ErrorCode::IncompleteSignature);
  EXPECT_EQ(iam.error().message, "Unsupported AWS 'algorithm': 'AWS4-ECDSA-P256-SHA256' (only AWS4-HMAC-SHA256 for now). ");
  // STS answers for the server's region, whatever the set.
  auto sts = authenticator.authenticate(signed_v4a(f, f.user(), "*"), store, "sts");
  ASSERT_TRUE(sts.has_value()) << sts.error().message;
  EXPECT_EQ(sts->region, "us-east-1");
  EXPECT_EQ(sts->caller.arn, "arn:aws:iam::000000000000:user/test");
}
