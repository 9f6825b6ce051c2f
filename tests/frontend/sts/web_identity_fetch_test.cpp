// AssumeRoleWithWebIdentity with keys fetched from the issuer, through the
// frontend, with a fake getter standing in for the network: configured keys
// win (never fetched), fetched keys verify, failures are IDPCommunicationError.
#include <gtest/gtest.h>

#include <atomic>

#include "fixture.h"
#include "stsd/domain/federation/jwt_sign.h"

namespace stsd::testing {
namespace {

using domain::federation::JwtAlgorithm;
using domain::federation::JwtSigningKey;

constexpr std::string_view kFetched = "https://fetched.idp.test";
constexpr std::string_view kConfigured = "https://configured.idp.test";

class WebIdentityFetchTest : public ::testing::Test {
 protected:
  JwtSigningKey served = JwtSigningKey::generate(JwtAlgorithm::RS256);
  JwtSigningKey configured = JwtSigningKey::generate(JwtAlgorithm::RS256);
  std::atomic<int> gets{0};
  std::atomic<bool> down{false};
  domain::FixedClock fetch_clock{1700000000};
  domain::JwksFetcher fetcher{
      [this](const std::string& url, const std::vector<std::string>&, std::chrono::milliseconds,
             std::size_t) -> Result<std::string, std::string> {
        ++gets;
        if (down) return unexpected(std::string("connection refused"));
        if (url.ends_with("/.well-known/openid-configuration"))
          return std::string(R"({"jwks_uri":"https://keys.idp.test/jwks"})");
        return domain::federation::jwks_json({&served});
      },
      fetch_clock};
  StsFixture sts{data(), service::AuthMode::Strict, &fetcher};

  domain::StoreData data() const {
    domain::StoreData d = default_data();
    d.role_mode = domain::RoleMode::Auto;
    domain::OidcProvider fetched;
    fetched.account = "000000000000";
    fetched.url = std::string(kFetched);
    fetched.client_ids = {"app"};
    domain::OidcProvider with_keys = fetched;
    with_keys.url = std::string(kConfigured);
    with_keys.jwks = domain::federation::jwks_json({&configured});
    d.oidc_providers = {fetched, with_keys};
    return d;
  }

  std::string token(const JwtSigningKey& key, std::string_view iss) {
    const std::string claims = R"({"iss":")" + std::string(iss) + R"(","aud":"app","sub":"u1","exp":1700000600})";
    auto t = key.sign("", claims);
    EXPECT_TRUE(t);
    return t ? *t : "";
  }

  http::HttpResponse assume(const std::string& web_identity_token) {
    http::HttpRequest r;
    r.method = "POST";
    r.target = "/";
    r.headers = {{"Host", "sts.amazonaws.com"}, {"Content-Type", "application/x-www-form-urlencoded"}};
    r.body = StsFixture::body({{"Action", "AssumeRoleWithWebIdentity"},
                               {"RoleArn", "arn:aws:iam::000000000000:role/web"},
                               {"RoleSessionName", "fetch"},
                               {"WebIdentityToken", web_identity_token}});
    r.remote_address = "127.0.0.1";
    return sts.frontend().handle(r);
  }
};

TEST_F(WebIdentityFetchTest, FetchedKeysVerify) {
  auto r = assume(token(served, kFetched));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(xml_text(r.body, "SubjectFromWebIdentityToken"), "u1");
  EXPECT_EQ(gets, 2);  // discovery document, then jwks_uri
}

TEST_F(WebIdentityFetchTest, ConfiguredKeysWinAndAreNeverFetched) {
  EXPECT_EQ(assume(token(configured, kConfigured)).status, 200);
  // A token signed with the issuer's served key does not verify: only the configured keys count.
  auto r = assume(token(served, kConfigured));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(xml_text(r.body, "Code"), "InvalidIdentityToken");
  EXPECT_EQ(gets, 0);
}

TEST_F(WebIdentityFetchTest, UnreachableIssuerIsIdpCommunicationError) {
  down = true;
  auto r = assume(token(served, kFetched));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(xml_text(r.body, "Code"), "IDPCommunicationError");
  EXPECT_EQ(xml_text(r.body, "Message"),
            "Couldn't retrieve verification key from your identity provider,  please reference "
            "AssumeRoleWithWebIdentity documentation for requirements");
}

TEST_F(WebIdentityFetchTest, WrongSignatureWithFetchedKeysIsInvalidToken) {
  auto r = assume(token(configured, kFetched));  // kid not served: no key
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(xml_text(r.body, "Code"), "InvalidIdentityToken");
}

}  // namespace
}  // namespace stsd::testing
