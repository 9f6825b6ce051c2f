// Frontend tests: a signed HttpRequest in, AWS's XML out, on a fixed clock:
// what the wire adds to the actions (the envelope and its element order,
// JSON when asked, authentication, dispatch and validation errors, what
// session credentials may call), for GetCallerIdentity, AssumeRole,
// GetSessionToken, GetFederationToken, GetAccessKeyInfo and
// DecodeAuthorizationMessage. Every action's rules and error branches are
// the service tier's (tests/service/).
#include <gtest/gtest.h>

#include "fixture.h"
#include "stsd/domain/totp.h"

using namespace stsd;
using namespace stsd::testing;

namespace {

const std::string kRole = "arn:aws:iam::123456789012:role/deploy";

std::string code(const http::HttpResponse& r) { return xml_text(r.body, "Code"); }
std::string message(const http::HttpResponse& r) { return xml_text(r.body, "Message"); }

std::string header(const http::HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return {};
}

http::HttpResponse assume(const StsFixture& f, const Credentials& c, std::map<std::string, std::string> extra = {}) {
  extra["Action"] = "AssumeRole";
  if (!extra.count("RoleArn")) extra["RoleArn"] = kRole;
  if (!extra.count("RoleSessionName")) extra["RoleSessionName"] = "s1";
  return f.call(extra, c);
}

}  // namespace

TEST(GetCallerIdentity, User) {
  StsFixture f;
  auto r = f.call({{"Action", "GetCallerIdentity"}}, f.user());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(xml_text(r.body, "Arn"), "arn:aws:iam::000000000000:user/test");
  EXPECT_EQ(xml_text(r.body, "Account"), "000000000000");
  EXPECT_EQ(xml_text(r.body, "UserId").substr(0, 4), "AIDA");
  EXPECT_EQ(xml_text(r.body, "RequestId"), header(r, "x-amzn-RequestId"));
}

TEST(GetCallerIdentity, Root) {
  StsFixture f;
  auto r = f.call({{"Action", "GetCallerIdentity"}}, f.root());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(xml_text(r.body, "Arn"), "arn:aws:iam::111122223333:root");
  EXPECT_EQ(xml_text(r.body, "UserId"), "111122223333");
}

TEST(GetCallerIdentity, JsonWhenAsked) {
  StsFixture f;
  auto req = f.signed_request({{"Action", "GetCallerIdentity"}}, f.user());
  req.headers.emplace_back("Accept", "application/json");
  auto r = f.frontend().handle(req);
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find(R"({"GetCallerIdentityResponse":{"GetCallerIdentityResult":{"Arn":"arn:aws:iam::000000000000:user/test")"),
            std::string::npos)
      << r.body;
}

TEST(AssumeRole, IssuesWorkingCredentials) {
  StsFixture f;
  auto r = assume(f, f.user(), {{"DurationSeconds", "900"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(xml_text(r.body, "Arn"), "arn:aws:sts::123456789012:assumed-role/deploy/s1");
  std::string id = xml_text(r.body, "AssumedRoleId");
  EXPECT_EQ(id.substr(0, 4), "AROA");
  EXPECT_EQ(id.substr(21), ":s1");
  EXPECT_EQ(xml_text(r.body, "Expiration"), format_iso8601(f.clock().now() + 900));
  EXPECT_EQ(xml_text(r.body, "PackedPolicySize"), "<absent>");
  auto creds = credentials_from(r.body);
  EXPECT_EQ(creds.access_key_id.substr(0, 4), "ASIA");
  EXPECT_EQ(creds.secret.size(), 40u);

  auto who = f.call({{"Action", "GetCallerIdentity"}}, creds);
  ASSERT_EQ(who.status, 200) << who.body;
  EXPECT_EQ(xml_text(who.body, "Arn"), "arn:aws:sts::123456789012:assumed-role/deploy/s1");
  EXPECT_EQ(xml_text(who.body, "UserId"), id);
  EXPECT_EQ(xml_text(who.body, "Account"), "123456789012");
}

TEST(AssumeRole, ElementOrderMatchesAws) {
  StsFixture f;
  auto r = assume(f, f.user(), {{"SourceIdentity", "alice"}, {"Policy", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]})"}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto pos = [&](const char* s) { return r.body.find(s); };
  EXPECT_LT(pos("<AssumedRoleUser>"), pos("<Credentials>"));
  EXPECT_LT(pos("<Credentials>"), pos("<PackedPolicySize>"));
  EXPECT_LT(pos("<PackedPolicySize>"), pos("<SourceIdentity>alice</SourceIdentity>"));
}

TEST(AssumeRole, RootMayNotAssumeRoles) {
  StsFixture f;
  auto r = assume(f, f.root());
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(code(r), "AccessDenied");
  EXPECT_EQ(message(r), "Roles may not be assumed by root accounts.");
}

TEST(AssumeRole, SchemaValidButNotAnArn) {
  StsFixture f;
  auto r = assume(f, f.user(), {{"RoleArn", std::string(20, 'x')}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(code(r), "ValidationError");
  EXPECT_EQ(message(r), std::string(20, 'x') + " is invalid");
}

TEST(AssumeRole, ChainingIsCappedAtOneHour) {
  StsFixture f;
  auto first = credentials_from(assume(f, f.user()).body);
  auto r = assume(f, first, {{"RoleSessionName", "s2"}, {"DurationSeconds", "7200"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(message(r),
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
  auto ok = assume(f, first, {{"RoleSessionName", "s2"}, {"DurationSeconds", "3600"}});
  EXPECT_EQ(ok.status, 200) << ok.body;
}

TEST(AssumeRole, StrictModeRequiresDeclaredRoleAndTrust) {
  domain::StoreData d = default_data();
  d.role_mode = domain::RoleMode::Strict;
  domain::Role role;
  role.account = "123456789012";
  role.name = "deploy";
  role.max_session_duration = 3600;
  role.trust_policy = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:user/test"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"xyz"}}}]})";
  d.roles = {role};
  StsFixture f(d);

  auto missing = assume(f, f.user(), {{"RoleArn", "arn:aws:iam::123456789012:role/nope"}});
  EXPECT_EQ(missing.status, 403);
  EXPECT_EQ(message(missing),
            "User: arn:aws:iam::000000000000:user/test is not authorized to perform: sts:AssumeRole on resource: "
            "arn:aws:iam::123456789012:role/nope");
  auto no_external_id = assume(f, f.user());
  EXPECT_EQ(no_external_id.status, 403);
  EXPECT_EQ(code(no_external_id), "AccessDenied");
  auto ok = assume(f, f.user(), {{"ExternalId", "xyz"}});
  EXPECT_EQ(ok.status, 200) << ok.body;
  auto too_long = assume(f, f.user(), {{"ExternalId", "xyz"}, {"DurationSeconds", "3601"}});
  EXPECT_EQ(too_long.status, 400);
  EXPECT_EQ(message(too_long), "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
}

TEST(AssumeRole, TagRules) {
  StsFixture f;
  auto dup = assume(f, f.user(), {{"Tags.member.1.Key", "team"}, {"Tags.member.1.Value", "a"},
                                  {"Tags.member.2.Key", "TEAM"}, {"Tags.member.2.Value", "b"}});
  EXPECT_EQ(dup.status, 400);
  EXPECT_EQ(code(dup), "InvalidParameterValue");
  EXPECT_EQ(message(dup), "Duplicate tag keys found. Please note that Tag keys are case insensitive.");
  auto transitive = assume(f, f.user(), {{"Tags.member.1.Key", "team"}, {"Tags.member.1.Value", "a"},
                                         {"TransitiveTagKeys.member.1", "other"}});
  EXPECT_EQ(message(transitive), "The specified transitive tag key must be included in the requested tags.");

  auto parent = assume(f, f.user(), {{"Tags.member.1.Key", "team"}, {"Tags.member.1.Value", "a"},
                                     {"TransitiveTagKeys.member.1", "team"}, {"SourceIdentity", "alice"}});
  ASSERT_EQ(parent.status, 200) << parent.body;
  EXPECT_NE(xml_text(parent.body, "PackedPolicySize"), "<absent>");
  auto creds = credentials_from(parent.body);
  auto conflict = assume(f, creds, {{"Tags.member.1.Key", "Team"}, {"Tags.member.1.Value", "b"}});
  EXPECT_EQ(message(conflict),
            "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key "
            "from the calling session.");
  auto new_identity = assume(f, creds, {{"SourceIdentity", "bob"}});
  EXPECT_EQ(code(new_identity), "ValidationError");
  EXPECT_EQ(message(new_identity), "The source identity is already set for this assume role session");
  // Inherited down the chain when omitted, and the transitive tag travels too.
  auto child = assume(f, creds, {{"RoleSessionName", "s2"}});
  ASSERT_EQ(child.status, 200) << child.body;
  EXPECT_EQ(xml_text(child.body, "SourceIdentity"), "alice");
  auto session = f.tokens().open(xml_text(child.body, "SessionToken"));
  ASSERT_TRUE(session);
  ASSERT_EQ(session->tags.size(), 1u);
  EXPECT_EQ(session->tags[0].key, "team");
  EXPECT_EQ(session->chain_depth, 2);
}

TEST(GetSessionToken, CredentialsAndWhatTheyMayCall) {
  StsFixture f;
  auto r = f.call({{"Action", "GetSessionToken"}}, f.user());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(xml_text(r.body, "Expiration"), format_iso8601(f.clock().now() + 43200));
  auto creds = credentials_from(r.body);
  auto who = f.call({{"Action", "GetCallerIdentity"}}, creds);
  EXPECT_EQ(xml_text(who.body, "Arn"), "arn:aws:iam::000000000000:user/test");
  auto again = f.call({{"Action", "GetSessionToken"}}, creds);
  EXPECT_EQ(again.status, 403);
  EXPECT_EQ(message(again), "Cannot call GetSessionToken with session credentials");
  auto fed = f.call({{"Action", "GetFederationToken"}, {"Name", "bob"}}, creds);
  EXPECT_EQ(message(fed), "Cannot call GetFederationToken with session credentials");
  EXPECT_EQ(assume(f, creds).status, 200);
}

TEST(GetSessionToken, RootIsClampedToOneHour) {
  StsFixture f;
  auto r = f.call({{"Action", "GetSessionToken"}, {"DurationSeconds", "7200"}}, f.root());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(xml_text(r.body, "Expiration"), format_iso8601(f.clock().now() + 3600));
}

TEST(GetSessionToken, Mfa) {
  StsFixture f;
  const std::string serial = "arn:aws:iam::000000000000:mfa/test";
  auto good = f.call({{"Action", "GetSessionToken"}, {"SerialNumber", serial},
                      {"TokenCode", domain::totp_code("12345678901234567890", f.clock().now())}},
                     f.user());
  ASSERT_EQ(good.status, 200) << good.body;
  EXPECT_TRUE(f.tokens().open(xml_text(good.body, "SessionToken"))->mfa_authenticated);
  auto bad = f.call({{"Action", "GetSessionToken"}, {"SerialNumber", serial}, {"TokenCode", "000000"}}, f.user());
  EXPECT_EQ(bad.status, 403);
  EXPECT_EQ(message(bad), "MultiFactorAuthentication failed with invalid MFA one time pass code. ");
  auto unknown = f.call({{"Action", "GetSessionToken"}, {"SerialNumber", "arn:aws:iam::000000000000:mfa/x"},
                         {"TokenCode", "123456"}},
                        f.user());
  EXPECT_EQ(message(unknown), "Please verify your MFA serial number is valid and associated with this user.");
}

TEST(GetFederationToken, FederatedUserAndItsLimits) {
  StsFixture f;
  auto r = f.call({{"Action", "GetFederationToken"}, {"Name", "bob"}}, f.user());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(xml_text(r.body, "Arn"), "arn:aws:sts::000000000000:federated-user/bob");
  EXPECT_EQ(xml_text(r.body, "FederatedUserId"), "000000000000:bob");
  EXPECT_EQ(xml_text(r.body, "PackedPolicySize"), "0");
  auto creds = credentials_from(r.body);
  auto who = f.call({{"Action", "GetCallerIdentity"}}, creds);
  EXPECT_EQ(xml_text(who.body, "Arn"), "arn:aws:sts::000000000000:federated-user/bob");
  EXPECT_EQ(xml_text(who.body, "UserId"), "000000000000:bob");
  auto denied = assume(f, creds);
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(message(denied),
            "User: arn:aws:sts::000000000000:federated-user/bob is not authorized to perform: sts:AssumeRole on "
            "resource: " + kRole);
}

TEST(GetAccessKeyInfo, DecodesAndLooksUp) {
  StsFixture f;
  auto r = f.call({{"Action", "GetAccessKeyInfo"}, {"AccessKeyId", "ASIAY34FZKBOKMUTVV7A"}}, f.user());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(xml_text(r.body, "Account"), "609629065308");
  auto known = f.call({{"Action", "GetAccessKeyInfo"}, {"AccessKeyId", "AKIAIOSFODNN7EXAMPLE"}}, f.user());
  EXPECT_EQ(xml_text(known.body, "Account"), "000000000000");
}

TEST(DecodeAuthorizationMessage, RoundTripAndGarbage) {
  StsFixture f;
  const std::string decoded = R"({"allowed":false,"explicitDeny":false})";
  auto r = f.call({{"Action", "DecodeAuthorizationMessage"}, {"EncodedMessage", f.messages().encode(decoded)}},
                  f.user());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(xml_text(r.body, "DecodedMessage"), decoded);
  auto bad = f.call({{"Action", "DecodeAuthorizationMessage"}, {"EncodedMessage", "garbage"}}, f.user());
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(code(bad), "InvalidAuthorizationMessageException");
}

TEST(Authentication, Failures) {
  StsFixture f;
  http::HttpRequest unsigned_req;
  unsigned_req.method = "POST";
  unsigned_req.target = "/";
  unsigned_req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  unsigned_req.body = "Action=GetCallerIdentity&Version=2011-06-15";
  auto missing = f.frontend().handle(unsigned_req);
  EXPECT_EQ(missing.status, 403);
  EXPECT_EQ(code(missing), "MissingAuthenticationToken");
  EXPECT_EQ(message(missing), "Request is missing Authentication Token");

  auto unknown = f.call({{"Action", "GetCallerIdentity"}}, {"AKIAUNKNOWNUNKNOWN00", "x", {}});
  EXPECT_EQ(unknown.status, 403);
  EXPECT_EQ(code(unknown), "InvalidClientTokenId");
  EXPECT_EQ(message(unknown), "The security token included in the request is invalid.");

  auto bad_secret = f.call({{"Action", "GetCallerIdentity"}}, {"AKIAIOSFODNN7EXAMPLE", "wrong", {}});
  EXPECT_EQ(code(bad_secret), "SignatureDoesNotMatch");

  auto old = f.call({{"Action", "GetCallerIdentity"}}, f.user(), f.clock().now() - 16 * 60);
  EXPECT_EQ(code(old), "SignatureDoesNotMatch");
  EXPECT_EQ(message(old).rfind("Signature expired: ", 0), 0u) << message(old);
  auto future = f.call({{"Action", "GetCallerIdentity"}}, f.user(), f.clock().now() + 16 * 60);
  EXPECT_EQ(message(future).rfind("Signature not yet current: ", 0), 0u) << message(future);

  auto service = f.call({{"Action", "GetCallerIdentity"}}, f.user(), std::nullopt, "us-east-1", "iam");
  EXPECT_EQ(message(service), "Credential should be scoped to correct service: 'sts'. ");
  // Any region in the scope is answered for ...
  auto region = f.call({{"Action", "GetCallerIdentity"}}, f.user(), std::nullopt, "ap-southeast-2");
  EXPECT_EQ(region.status, 200) << region.body;
  // ... except an opt-in region the account has not enabled, where its keys do not exist.
  auto opt_in = f.call({{"Action", "GetCallerIdentity"}}, f.user(), std::nullopt, "ap-southeast-4");
  EXPECT_EQ(code(opt_in), "InvalidClientTokenId");
}

TEST(Authentication, SessionTokens) {
  StsFixture f;
  auto creds = credentials_from(assume(f, f.user(), {{"DurationSeconds", "900"}}).body);
  Credentials tampered = creds;
  tampered.token->back() = tampered.token->back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(code(f.call({{"Action", "GetCallerIdentity"}}, tampered)), "InvalidClientTokenId");
  Credentials no_token = creds;
  no_token.token.reset();
  EXPECT_EQ(code(f.call({{"Action", "GetCallerIdentity"}}, no_token)), "InvalidClientTokenId");
  Credentials other_key = creds;
  other_key.access_key_id = "ASIAY34FZKBOKMUTVV7A";
  EXPECT_EQ(code(f.call({{"Action", "GetCallerIdentity"}}, other_key)), "InvalidClientTokenId");

  f.clock().advance(901);
  auto expired = f.call({{"Action", "GetCallerIdentity"}}, creds);
  EXPECT_EQ(expired.status, 403);
  EXPECT_EQ(code(expired), "ExpiredToken");
  EXPECT_EQ(message(expired), "The security token included in the request is expired");
}

TEST(Dispatch, ErrorsAsAwsSendsThem) {
  StsFixture f;
  auto unknown = f.call({{"Action", "NoSuchAction"}}, f.user());
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(code(unknown), "InvalidAction");
  EXPECT_EQ(message(unknown), "Could not find operation NoSuchAction for version 2011-06-15");

  http::HttpRequest no_version = f.signed_request({{"Action", "GetCallerIdentity"}}, f.user());
  no_version.body = "Action=GetCallerIdentity";
  EXPECT_EQ(message(f.frontend().handle(no_version)),
            "Could not find operation GetCallerIdentity for version NO_VERSION_SPECIFIED");

  http::HttpRequest no_type;
  no_type.method = "POST";
  no_type.target = "/";
  no_type.body = "Action=GetCallerIdentity&Version=2011-06-15";
  auto redirect = f.frontend().handle(no_type);
  EXPECT_EQ(redirect.status, 302);
  EXPECT_EQ(header(redirect, "Location"), "https://aws.amazon.com/iam");
  EXPECT_TRUE(redirect.body.empty());

  http::HttpRequest get_no_action;
  get_no_action.method = "GET";
  get_no_action.target = "/?Version=2011-06-15";
  EXPECT_EQ(header(f.frontend().handle(get_no_action), "Location"), "https://aws.amazon.com/iam?Version=2011-06-15");
}

TEST(Validation, ModelMessagesReachTheWire) {
  StsFixture f;
  auto r = assume(f, f.user(), {{"RoleSessionName", "a"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(code(r), "ValidationError");
  EXPECT_EQ(message(r),
            "1 validation error detected: Value 'a' at 'roleSessionName' failed to satisfy constraint: Member must "
            "have length greater than or equal to 2");
  auto malformed = assume(f, f.user(), {{"DurationSeconds", "abc"}});
  EXPECT_EQ(code(malformed), "MalformedInput");
  EXPECT_EQ(malformed.body.find("<Message>"), std::string::npos);
}

TEST(Health, Answers) {
  StsFixture f;
  http::HttpRequest h;
  h.method = "GET";
  h.target = "/_stsd/health";
  auto r = f.frontend().handle(h);
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find(R"("status":"ok")"), std::string::npos);
}
