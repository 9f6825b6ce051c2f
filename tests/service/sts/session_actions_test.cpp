// Guards the actions that mint sessions of the caller itself, one test per
// rule and error branch: GetSessionToken (durations, the root clamp, MFA),
// GetFederationToken (the federated user, the caller's policies, TagSession,
// session policies) and GetScopedCredentials (temporary credentials only,
// regional only, Policy or DurationSeconds, the parent's lifetime, at most
// three scope-down layers, each bounding what the session may do next).
#include "stsd/domain/totp.h"
#include "world.h"

namespace stsd::testing {
namespace {

const std::string kAlice = "arn:aws:iam::111122223333:user/alice";
const std::string kBob = "arn:aws:iam::111122223333:user/bob";

// ---- GetSessionToken ---------------------------------------------------------

TEST(GetSessionToken, MintsASessionOfTheUserForTwelveHoursByDefault) {
  World w;
  const Caller alice = w.user("alice");
  auto r = w.call(sts::get_session_token, sts::GetSessionTokenRequest{}, &alice);
  ASSERT_TRUE(succeeds(r));
  EXPECT_EQ(r->Credentials->Expiration.seconds, kNow + 43200);
  const domain::Session s = w.opened(*r->Credentials);
  EXPECT_EQ(s.type, domain::CredentialType::SessionToken);
  EXPECT_EQ(s.principal_type, domain::PrincipalType::User);
  EXPECT_EQ(s.arn, kAlice);
  EXPECT_EQ(s.source_arn, kAlice);
  EXPECT_EQ(s.chain_depth, 0);
  EXPECT_FALSE(s.mfa_authenticated);
  // Its caller is alice again, as GetCallerIdentity reports it.
  const Caller session = w.session(*r->Credentials);
  auto who = w.call(sts::get_caller_identity, sts::GetCallerIdentityRequest{}, &session);
  ASSERT_TRUE(succeeds(who));
  EXPECT_EQ(who->Arn, kAlice);
}

TEST(GetSessionToken, DurationSecondsIsHonoured) {
  World w;
  const Caller alice = w.user("alice");
  sts::GetSessionTokenRequest req;
  req.DurationSeconds = 129600;
  auto r = w.call(sts::get_session_token, req, &alice);
  ASSERT_TRUE(succeeds(r));
  EXPECT_EQ(r->Credentials->Expiration.seconds, kNow + 129600);
}

TEST(GetSessionToken, RootIsSilentlyClampedToOneHour) {
  World w;
  const Caller root = w.root();
  sts::GetSessionTokenRequest req;
  req.DurationSeconds = 7200;
  auto r = w.call(sts::get_session_token, req, &root);
  ASSERT_TRUE(succeeds(r));
  EXPECT_EQ(r->Credentials->Expiration.seconds, kNow + 3600);
  EXPECT_EQ(w.opened(*r->Credentials).principal_type, domain::PrincipalType::Root);
  auto defaulted = w.call(sts::get_session_token, sts::GetSessionTokenRequest{}, &root);
  ASSERT_TRUE(succeeds(defaulted));
  EXPECT_EQ(defaulted->Credentials->Expiration.seconds, kNow + 3600);
}

TEST(GetSessionToken, AVerifiedMfaCodeMakesAnMfaSession) {
  World w;
  const Caller alice = w.user("alice");
  sts::GetSessionTokenRequest req;
  req.SerialNumber = kMfaSerial;
  req.TokenCode = domain::totp_code(kMfaSecret, kNow);
  auto r = w.call(sts::get_session_token, req, &alice);
  ASSERT_TRUE(succeeds(r));
  const domain::Session s = w.opened(*r->Credentials);
  EXPECT_TRUE(s.mfa_authenticated);
  EXPECT_EQ(s.mfa_auth_time, kNow);
  // The same code again is a replay.
  EXPECT_TRUE(fails_with(w.call(sts::get_session_token, req, &alice), ErrorCode::AccessDenied,
                         "MultiFactorAuthentication failed with invalid MFA one time pass code. "));
}

TEST(GetSessionToken, MfaErrors) {
  World w;
  const Caller alice = w.user("alice"), bob = w.user("bob");
  sts::GetSessionTokenRequest only_code;
  only_code.TokenCode = "123456";
  EXPECT_TRUE(fails_with(
      w.call(sts::get_session_token, only_code, &alice), ErrorCode::AccessDenied,
      "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code."));
  sts::GetSessionTokenRequest foreign;
  foreign.SerialNumber = kMfaSerial;  // alice's device, not bob's
  foreign.TokenCode = domain::totp_code(kMfaSecret, kNow);
  EXPECT_TRUE(fails_with(w.call(sts::get_session_token, foreign, &bob), ErrorCode::AccessDenied,
                         "Please verify your MFA serial number is valid and associated with this user."));
  sts::GetSessionTokenRequest wrong;
  wrong.SerialNumber = kMfaSerial;
  wrong.TokenCode = domain::totp_code(kMfaSecret, kNow - 600);
  EXPECT_TRUE(fails_with(w.call(sts::get_session_token, wrong, &alice), ErrorCode::AccessDenied,
                         "MultiFactorAuthentication failed with invalid MFA one time pass code. "));
}

TEST(GetSessionToken, RepeatedWrongCodesLockTheDevice) {
  World w;
  const Caller alice = w.user("alice");
  sts::GetSessionTokenRequest wrong;
  wrong.SerialNumber = kMfaSerial;
  wrong.TokenCode = domain::totp_code(kMfaSecret, kNow - 600);
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(w.call(sts::get_session_token, wrong, &alice));
  sts::GetSessionTokenRequest right = wrong;
  right.TokenCode = domain::totp_code(kMfaSecret, kNow);
  EXPECT_TRUE(fails_with(w.call(sts::get_session_token, right, &alice), ErrorCode::AccessDenied,
                         "MultiFactorAuthentication failed with invalid MFA one time pass code. "));
}

// ---- GetFederationToken ----------------------------------------------------

sts::GetFederationTokenRequest federation(const std::string& name = "partner") {
  sts::GetFederationTokenRequest r;
  r.Name = name;
  return r;
}

TEST(GetFederationToken, MintsAFederatedUserSession) {
  World w;
  const Caller alice = w.user("alice");
  auto r = w.call(sts::get_federation_token, federation(), &alice);
  ASSERT_TRUE(succeeds(r));
  EXPECT_EQ(r->FederatedUser->Arn, "arn:aws:sts::111122223333:federated-user/partner");
  EXPECT_EQ(r->FederatedUser->FederatedUserId, "111122223333:partner");
  EXPECT_EQ(r->PackedPolicySize, 0);  // always present, unlike AssumeRole's
  EXPECT_EQ(r->Credentials->Expiration.seconds, kNow + 43200);
  const domain::Session s = w.opened(*r->Credentials);
  EXPECT_EQ(s.type, domain::CredentialType::FederatedUser);
  EXPECT_EQ(s.source_arn, kAlice);
  EXPECT_EQ(s.chain_depth, 0);
}

TEST(GetFederationToken, RootIsSilentlyClampedToOneHour) {
  World w;
  const Caller root = w.root();
  auto req = federation();
  req.DurationSeconds = 129600;
  auto r = w.call(sts::get_federation_token, req, &root);
  ASSERT_TRUE(succeeds(r));
  EXPECT_EQ(r->Credentials->Expiration.seconds, kNow + 3600);
}

TEST(GetFederationToken, TheCallersPoliciesMustAllowItOnTheFederatedUser) {
  domain::StoreData d = base_data();
  d.users[0].inline_policies = {
      inline_policy("p", policy(allow("sts:GetFederationToken", "arn:aws:sts::111122223333:federated-user/partner")))};
  World w(d);
  const Caller alice = w.user("alice");
  EXPECT_TRUE(succeeds(w.call(sts::get_federation_token, federation("partner"), &alice)));
  auto r = w.call(sts::get_federation_token, federation("intruder"), &alice);
  ASSERT_TRUE(fails_with(r, ErrorCode::AccessDenied,
                         not_authorized(kAlice, "sts:GetFederationToken",
                                        "arn:aws:sts::111122223333:federated-user/intruder")));
  EXPECT_FALSE(r.error().encoded_authorization_message.empty());
}

TEST(GetFederationToken, TagsNeedTagSession) {
  domain::StoreData d = base_data();
  d.users[0].inline_policies = {inline_policy("p", policy(allow("sts:GetFederationToken")))};
  d.users[1].inline_policies = {
      inline_policy("p", policy(allow("sts:GetFederationToken") + "," + allow("sts:TagSession")))};
  World w(d);
  auto req = federation();
  req.Tags = std::vector<sts::Tag>{{"team", "blue"}};
  const Caller alice = w.user("alice"), bob = w.user("bob");
  EXPECT_TRUE(fails_with(w.call(sts::get_federation_token, req, &alice), ErrorCode::AccessDenied,
                         not_authorized(kAlice, "sts:TagSession", "arn:aws:sts::111122223333:federated-user/partner")));
  auto r = w.call(sts::get_federation_token, req, &bob);
  ASSERT_TRUE(succeeds(r));
  EXPECT_GT(*r->PackedPolicySize, 0);
  EXPECT_EQ(w.opened(*r->Credentials).tags, (std::vector<domain::Tag>{{"team", "blue"}}));
}

TEST(GetFederationToken, AMalformedSessionPolicyIsRefused) {
  World w;
  const Caller alice = w.user("alice");
  auto req = federation();
  req.Policy = "{not json";
  auto r = w.call(sts::get_federation_token, req, &alice);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::MalformedPolicyDocument);
  EXPECT_FALSE(r.error().message.empty());
}

TEST(GetFederationToken, ASessionPolicyBoundsTheFederatedUser) {
  domain::StoreData d = base_data();
  d.users[0].inline_policies = {inline_policy("p", policy(allow("sts:*")))};
  World w(d);
  const Caller alice = w.user("alice");
  auto req = federation();
  req.Policy = policy(allow("sts:GetCallerIdentity"));
  auto r = w.call(sts::get_federation_token, req, &alice);
  ASSERT_TRUE(succeeds(r));
  EXPECT_GT(*r->PackedPolicySize, 0);
  const Caller partner = w.session(*r->Credentials);
  // alice's policies (the federated user's identity policies) allow
  // DecodeAuthorizationMessage; the session policy does not.
  sts::DecodeAuthorizationMessageRequest decode;
  decode.EncodedMessage = "x";
  EXPECT_TRUE(fails_with(w.call(sts::decode_authorization_message, decode, &partner), ErrorCode::AccessDenied,
                         not_authorized("arn:aws:sts::111122223333:federated-user/partner",
                                        "sts:DecodeAuthorizationMessage")));
}

// ---- GetScopedCredentials --------------------------------------------------

// A role session of alice's, on a role she may assume.
struct RoleSession {
  World w;
  Caller session;
  explicit RoleSession(domain::StoreData d = data()) : w(std::move(d)), session(assume()) {}
  static domain::StoreData data() {
    domain::StoreData d = base_data();
    d.roles.push_back(make_role(kAccount, "deploy",
                                policy(trust(R"({"AWS":["arn:aws:iam::111122223333:user/alice",)"
                                             R"("arn:aws:iam::111122223333:role/deploy"]})"))));
    return d;
  }
  Caller assume() {
    const Caller alice = w.user("alice");
    sts::AssumeRoleRequest r;
    r.RoleArn = role_arn(kAccount, "deploy");
    r.RoleSessionName = "s";
    return w.session(w.call(sts::assume_role, r, &alice));
  }
};

sts::GetScopedCredentialsRequest scoped(std::optional<std::string> p, std::optional<std::int64_t> duration = {}) {
  sts::GetScopedCredentialsRequest r;
  r.Policy = std::move(p);
  r.DurationSeconds = duration;
  return r;
}

TEST(GetScopedCredentials, ScopesASessionDownKeepingItsIdentityAndExpiry) {
  RoleSession rs;
  auto r = rs.w.call(sts::get_scoped_credentials, scoped(policy(allow("sts:GetCallerIdentity"))), &rs.session);
  ASSERT_TRUE(succeeds(r));
  EXPECT_EQ(r->SessionInfo->Arn, "arn:aws:sts::111122223333:assumed-role/deploy/s");
  EXPECT_EQ(r->SessionInfo->ScopedSessionId, rs.session.user_id);
  EXPECT_EQ(r->ScopedPoliciesCount, 1);
  EXPECT_EQ(r->Credentials->Expiration.seconds, rs.session.session->expiration);  // never beyond the parent
  EXPECT_NE(r->Credentials->AccessKeyId, rs.session.access_key_id);
  const domain::Session s = rs.w.opened(*r->Credentials);
  EXPECT_EQ(s.scope_policies.size(), 1u);
  EXPECT_EQ(s.arn, rs.session.arn);
}

TEST(GetScopedCredentials, TheGlobalEndpointDoesNotHaveIt) {
  RoleSession rs;
  EXPECT_TRUE(fails_with(rs.w.call(sts::get_scoped_credentials, scoped(std::nullopt, 900), &rs.session, true),
                         ErrorCode::InvalidAction, "Unknown Operation"));
}

TEST(GetScopedCredentials, LongTermCredentialsAreNotSubjectCredentials) {
  World w;
  const Caller alice = w.user("alice");
  EXPECT_TRUE(fails_with(w.call(sts::get_scoped_credentials, scoped(std::nullopt, 900), &alice),
                         ErrorCode::InvalidSubjectCredentials,
                         "GetScopedCredentials must be called with temporary security credentials of an IAM role, "
                         "user or federated user session; these are long-term credentials."));
}

TEST(GetScopedCredentials, RootSessionsAreNotSubjectCredentials) {
  World w;
  const Caller alice = w.user("alice");
  sts::AssumeRootRequest root;
  root.TargetPrincipal = kMember;
  root.TaskPolicyArn.arn = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials";
  const Caller member_root = w.session(w.call(sts::assume_root, root, &alice));
  EXPECT_TRUE(fails_with(w.call(sts::get_scoped_credentials, scoped(std::nullopt, 900), &member_root),
                         ErrorCode::InvalidSubjectCredentials,
                         "GetScopedCredentials must be called with temporary security credentials of an IAM role, "
                         "user or federated user session; these are root session credentials."));
}

TEST(GetScopedCredentials, NeedsPolicyOrDurationSeconds) {
  RoleSession rs;
  EXPECT_TRUE(fails_with(rs.w.call(sts::get_scoped_credentials, scoped(std::nullopt), &rs.session),
                         ErrorCode::ValidationError, "At least one of Policy or DurationSeconds must be specified."));
}

TEST(GetScopedCredentials, DurationSecondsMayShortenButNotOutliveTheSession) {
  RoleSession rs;  // one hour left
  auto shorter = rs.w.call(sts::get_scoped_credentials, scoped(std::nullopt, 900), &rs.session);
  ASSERT_TRUE(succeeds(shorter));
  EXPECT_EQ(shorter->Credentials->Expiration.seconds, kNow + 900);
  EXPECT_EQ(shorter->ScopedPoliciesCount, 0);
  rs.w.clock().advance(1200);
  EXPECT_TRUE(fails_with(rs.w.call(sts::get_scoped_credentials, scoped(std::nullopt, 3000), &rs.session),
                         ErrorCode::InsufficientSessionLifetime,
                         "The requested DurationSeconds (3000) exceeds the remaining lifetime of the calling session "
                         "(2400 seconds)."));
}

TEST(GetScopedCredentials, AtMostThreeScopeDownPolicies) {
  RoleSession rs;
  Caller current = rs.session;
  for (int i = 1; i <= 3; ++i) {
    auto r = rs.w.call(sts::get_scoped_credentials, scoped(policy(allow("sts:*"))), &current);
    ASSERT_TRUE(succeeds(r));
    EXPECT_EQ(r->ScopedPoliciesCount, i);
    current = rs.w.session(*r->Credentials);
  }
  EXPECT_TRUE(fails_with(rs.w.call(sts::get_scoped_credentials, scoped(policy(allow("sts:*"))), &current),
                         ErrorCode::AccessDenied, "The calling session already has the maximum of 3 scope down policies."));
  // A duration alone adds no layer.
  EXPECT_TRUE(succeeds(rs.w.call(sts::get_scoped_credentials, scoped(std::nullopt, 900), &current)));
}

TEST(GetScopedCredentials, AMalformedScopePolicyIsRefused) {
  RoleSession rs;
  auto r = rs.w.call(sts::get_scoped_credentials, scoped("[]"), &rs.session);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::MalformedPolicyDocument);
}

TEST(GetScopedCredentials, EachLayerBoundsWhatTheSessionMayDoNext) {
  RoleSession rs;
  const std::string deploy = role_arn(kAccount, "deploy");
  auto first = rs.w.call(sts::get_scoped_credentials, scoped(policy(allow("sts:AssumeRole"))), &rs.session);
  const Caller one = rs.w.session(first);
  sts::AssumeRoleRequest assume;
  assume.RoleArn = deploy;
  assume.RoleSessionName = "again";
  EXPECT_TRUE(succeeds(rs.w.call(sts::assume_role, assume, &one)));
  // A second layer that allows something else: every layer must allow.
  auto second = rs.w.call(sts::get_scoped_credentials, scoped(policy(allow("sts:GetWebIdentityToken"))), &one);
  const Caller two = rs.w.session(second);
  EXPECT_TRUE(fails_with(rs.w.call(sts::assume_role, assume, &two), ErrorCode::AccessDenied,
                         not_authorized("arn:aws:sts::111122223333:assumed-role/deploy/s", "sts:AssumeRole", deploy)));
}

}  // namespace
}  // namespace stsd::testing
