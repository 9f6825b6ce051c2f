// Guards AssumeRole's rules, one test per rule and error branch: the role
// ARN, root callers, strict role mode, the trust policy with the caller's
// policies, ExternalId, MFA, sts:TagSession / sts:SetSourceIdentity, the
// duration limits (MaxSessionDuration, the one-hour chaining cap), session
// tags and source identity down a chain, session policies and the minted
// session itself.
#include "world.h"

#include "stsd/domain/totp.h"

namespace stsd::testing {
namespace {

const std::string kAlice = "arn:aws:iam::111122223333:user/alice";
const std::string kDeploy = role_arn(kAccount, "deploy");

// alice's account trusts the role to alice herself.
domain::StoreData with_role(std::optional<std::string> trust_policy, int max_duration = 3600) {
  domain::StoreData d = base_data();
  d.roles.push_back(make_role(kAccount, "deploy", std::move(trust_policy), max_duration));
  return d;
}

domain::StoreData trusting_alice(const std::string& actions = R"("sts:AssumeRole")",
                                 const std::string& condition = "") {
  return with_role(policy(trust(aws_principal(kAlice), actions, condition)));
}

sts::AssumeRoleRequest request(const std::string& role = kDeploy, const std::string& session = "s1") {
  sts::AssumeRoleRequest r;
  r.RoleArn = role;
  r.RoleSessionName = session;
  return r;
}

TEST(AssumeRole, MintsARoleSession) {
  World w(trusting_alice());
  const Caller alice = w.user("alice");
  auto r = w.call(sts::assume_role, request(kDeploy, "dev"), &alice);
  ASSERT_TRUE(succeeds(r));
  EXPECT_EQ(r->AssumedRoleUser->Arn, "arn:aws:sts::111122223333:assumed-role/deploy/dev");
  EXPECT_TRUE(r->AssumedRoleUser->AssumedRoleId.starts_with("AROA"));
  EXPECT_TRUE(r->AssumedRoleUser->AssumedRoleId.ends_with(":dev"));
  EXPECT_TRUE(r->Credentials->AccessKeyId.starts_with("ASIA"));
  EXPECT_EQ(r->Credentials->SecretAccessKey.size(), 40u);
  EXPECT_EQ(r->Credentials->Expiration.seconds, kNow + 3600);  // the default hour
  EXPECT_FALSE(r->PackedPolicySize.has_value());  // no policy, policy ARN or tag
  EXPECT_FALSE(r->SourceIdentity.has_value());
  EXPECT_EQ(*r->SessionTokenSize, static_cast<std::int64_t>(r->Credentials->SessionToken.size()));

  const domain::Session s = w.opened(*r->Credentials);
  EXPECT_EQ(s.type, domain::CredentialType::AssumedRole);
  EXPECT_EQ(s.arn, r->AssumedRoleUser->Arn);
  EXPECT_EQ(s.source_arn, kDeploy);
  EXPECT_EQ(s.role_session_name, "dev");
  EXPECT_EQ(s.chain_depth, 1);
  EXPECT_EQ(s.issued_at, kNow);
  EXPECT_FALSE(s.mfa_authenticated);
}

TEST(AssumeRole, ARoleArnThatIsNotAnArnIsInvalid) {
  World w(trusting_alice());
  const Caller alice = w.user("alice");
  EXPECT_TRUE(fails_with(w.call(sts::assume_role, request("xxxxxxxxxxxxxxxxxxxx"), &alice),
                         ErrorCode::ValidationError, "xxxxxxxxxxxxxxxxxxxx is invalid"));
}

TEST(AssumeRole, RootMayNotAssumeRoles) {
  World w(with_role(policy(trust(aws_principal("arn:aws:iam::111122223333:root")))));
  const Caller root = w.root();
  EXPECT_TRUE(fails_with(w.call(sts::assume_role, request(), &root), ErrorCode::AccessDenied,
                         "Roles may not be assumed by root accounts."));
}

TEST(AssumeRole, StrictModeKnowsOnlyDeclaredRoles) {
  World w(trusting_alice());
  const Caller alice = w.user("alice");
  const std::string missing = role_arn(kAccount, "missing");
  EXPECT_TRUE(fails_with(w.call(sts::assume_role, request(missing), &alice), ErrorCode::AccessDenied,
                         not_authorized(kAlice, "sts:AssumeRole", missing)));
}

TEST(AssumeRole, AutoModeMakesUpAnyRole) {
  domain::StoreData d = base_data();
  d.role_mode = domain::RoleMode::Auto;
  World w(d);
  const Caller alice = w.user("alice");
  auto r = w.call(sts::assume_role, request(role_arn(kMember, "anything")), &alice);
  ASSERT_TRUE(succeeds(r));
  EXPECT_EQ(r->AssumedRoleUser->Arn, "arn:aws:sts::444455556666:assumed-role/anything/s1");
}

TEST(AssumeRole, ATrustPolicyThatDoesNotNameTheCallerDenies) {
  World w(with_role(policy(trust(aws_principal("arn:aws:iam::111122223333:user/bob")))));
  const Caller alice = w.user("alice");
  auto r = w.call(sts::assume_role, request(), &alice);
  ASSERT_TRUE(fails_with(r, ErrorCode::AccessDenied, not_authorized(kAlice, "sts:AssumeRole", kDeploy)));
  EXPECT_FALSE(r.error().encoded_authorization_message.empty());  // a policy decision carries its message
}

TEST(AssumeRole, ADeclaredRoleWithoutTrustPolicyTrustsItsOwnAccountThroughIdentityPolicies) {
  domain::StoreData d = with_role(std::nullopt);
  d.users[1].inline_policies = {inline_policy("assume", policy(allow("sts:AssumeRole", kDeploy)))};  // bob
  d.users[0].inline_policies = {inline_policy("other", policy(allow("s3:*")))};                      // alice
  World w(d);
  const Caller bob = w.user("bob"), alice = w.user("alice");
  EXPECT_TRUE(succeeds(w.call(sts::assume_role, request(), &bob)));
  EXPECT_TRUE(fails_with(w.call(sts::assume_role, request(), &alice), ErrorCode::AccessDenied,
                         not_authorized(kAlice, "sts:AssumeRole", kDeploy)));
}

TEST(AssumeRole, ExternalIdMustMatchTheTrustCondition) {
  World w(trusting_alice(R"("sts:AssumeRole")", R"({"StringEquals":{"sts:ExternalId":"xyz"}})"));
  const Caller alice = w.user("alice");
  const std::string denied = not_authorized(kAlice, "sts:AssumeRole", kDeploy);
  EXPECT_TRUE(fails_with(w.call(sts::assume_role, request(), &alice), ErrorCode::AccessDenied, denied));
  auto wrong = request();
  wrong.ExternalId = "abc";
  EXPECT_TRUE(fails_with(w.call(sts::assume_role, wrong, &alice), ErrorCode::AccessDenied, denied));
  auto right = request();
  right.ExternalId = "xyz";
  EXPECT_TRUE(succeeds(w.call(sts::assume_role, right, &alice)));
}

TEST(AssumeRole, MfaNeedsBothSerialAndCode) {
  World w(trusting_alice());
  const Caller alice = w.user("alice");
  auto r = request();
  r.SerialNumber = kMfaSerial;
  EXPECT_TRUE(fails_with(
      w.call(sts::assume_role, r, &alice), ErrorCode::AccessDenied,
      "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code."));
  r.SerialNumber.reset();
  r.TokenCode = "123456";
  EXPECT_TRUE(fails_with(
      w.call(sts::assume_role, r, &alice), ErrorCode::AccessDenied,
      "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code."));
}

TEST(AssumeRole, MfaSerialMustBeTheCallersDevice) {
  World w(trusting_alice());
  const Caller alice = w.user("alice");
  auto r = request();
  r.SerialNumber = "arn:aws:iam::111122223333:mfa/bob";
  r.TokenCode = domain::totp_code(kMfaSecret, kNow);
  EXPECT_TRUE(fails_with(w.call(sts::assume_role, r, &alice), ErrorCode::AccessDenied,
                         "Please verify your MFA serial number is valid and associated with this user."));
}

TEST(AssumeRole, AWrongOrReusedMfaCodeIsRefused) {
  World w(trusting_alice());
  const Caller alice = w.user("alice");
  const std::string invalid = "MultiFactorAuthentication failed with invalid MFA one time pass code. ";
  auto r = request();
  r.SerialNumber = kMfaSerial;
  r.TokenCode = domain::totp_code(kMfaSecret, kNow + 3600);  // not a code of now
  EXPECT_TRUE(fails_with(w.call(sts::assume_role, r, &alice), ErrorCode::AccessDenied, invalid));
  r.TokenCode = domain::totp_code(kMfaSecret, kNow);
  EXPECT_TRUE(succeeds(w.call(sts::assume_role, r, &alice)));
  EXPECT_TRUE(fails_with(w.call(sts::assume_role, r, &alice), ErrorCode::AccessDenied, invalid));  // replay
}

TEST(AssumeRole, MfaIsWhatATrustConditionOnMultiFactorAuthPresentSees) {
  World w(trusting_alice(R"("sts:AssumeRole")", R"({"Bool":{"aws:MultiFactorAuthPresent":"true"}})"));
  const Caller alice = w.user("alice");
  EXPECT_TRUE(fails_with(w.call(sts::assume_role, request(), &alice), ErrorCode::AccessDenied,
                         not_authorized(kAlice, "sts:AssumeRole", kDeploy)));
  auto r = request();
  r.SerialNumber = kMfaSerial;
  r.TokenCode = domain::totp_code(kMfaSecret, kNow);
  auto ok = w.call(sts::assume_role, r, &alice);
  ASSERT_TRUE(succeeds(ok));
  const domain::Session s = w.opened(*ok->Credentials);
  EXPECT_TRUE(s.mfa_authenticated);
  EXPECT_EQ(s.mfa_auth_time, kNow);
}

TEST(AssumeRole, TagsNeedTagSessionInTheTrustPolicy) {
  World w(trusting_alice());
  const Caller alice = w.user("alice");
  auto r = request();
  r.Tags = std::vector<sts::Tag>{{"project", "x"}};
  EXPECT_TRUE(fails_with(w.call(sts::assume_role, r, &alice), ErrorCode::AccessDenied,
                         not_authorized(kAlice, "sts:TagSession", kDeploy)));

  World tagging(trusting_alice(R"(["sts:AssumeRole","sts:TagSession"])"));
  const Caller alice2 = tagging.user("alice");
  auto ok = tagging.call(sts::assume_role, r, &alice2);
  ASSERT_TRUE(succeeds(ok));
  EXPECT_TRUE(ok->PackedPolicySize.has_value());
  EXPECT_EQ(tagging.opened(*ok->Credentials).tags, (std::vector<domain::Tag>{{"project", "x"}}));
}

TEST(AssumeRole, SourceIdentityNeedsSetSourceIdentityInTheTrustPolicy) {
  World w(trusting_alice());
  const Caller alice = w.user("alice");
  auto r = request();
  r.SourceIdentity = "alice-laptop";
  EXPECT_TRUE(fails_with(w.call(sts::assume_role, r, &alice), ErrorCode::AccessDenied,
                         not_authorized(kAlice, "sts:SetSourceIdentity", kDeploy)));

  World setting(trusting_alice(R"(["sts:AssumeRole","sts:SetSourceIdentity"])"));
  const Caller alice2 = setting.user("alice");
  auto ok = setting.call(sts::assume_role, r, &alice2);
  ASSERT_TRUE(succeeds(ok));
  EXPECT_EQ(ok->SourceIdentity, "alice-laptop");
}

TEST(AssumeRole, DurationIsBoundedByTheRolesMaxSessionDuration) {
  World w(with_role(policy(trust(aws_principal(kAlice))), 7200));
  const Caller alice = w.user("alice");
  auto r = request();
  r.DurationSeconds = 7201;
  EXPECT_TRUE(fails_with(w.call(sts::assume_role, r, &alice), ErrorCode::ValidationError,
                         "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."));
  r.DurationSeconds = 7200;
  auto ok = w.call(sts::assume_role, r, &alice);
  ASSERT_TRUE(succeeds(ok));
  EXPECT_EQ(ok->Credentials->Expiration.seconds, kNow + 7200);
}

TEST(AssumeRole, ChainingIsCappedAtOneHour) {
  domain::StoreData d = with_role(policy(trust(aws_principal(kAlice)) + "," +
                                         trust(aws_principal("arn:aws:iam::111122223333:role/deploy"))),
                                  43200);
  World w(d);
  const Caller alice = w.user("alice");
  const Caller first = w.session(w.call(sts::assume_role, request(), &alice));
  auto r = request(kDeploy, "second");
  r.DurationSeconds = 3601;
  EXPECT_TRUE(fails_with(w.call(sts::assume_role, r, &first), ErrorCode::ValidationError,
                         "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role "
                         "chaining."));
  r.DurationSeconds = 3600;
  auto ok = w.call(sts::assume_role, r, &first);
  ASSERT_TRUE(succeeds(ok));
  EXPECT_EQ(w.opened(*ok->Credentials).chain_depth, 2);
  // The same 3601 s from long-term credentials is within the role's 12 hours.
  r.DurationSeconds = 3601;
  EXPECT_TRUE(succeeds(w.call(sts::assume_role, r, &alice)));
}

TEST(AssumeRole, MaxSessionDurationIsCheckedBeforeTheChainingCap) {
  domain::StoreData d = with_role(policy(trust(aws_principal(kAlice)) + "," +
                                         trust(aws_principal("arn:aws:iam::111122223333:role/deploy"))),
                                  3600);
  World w(d);
  const Caller alice = w.user("alice");
  const Caller first = w.session(w.call(sts::assume_role, request(), &alice));
  auto r = request();
  r.DurationSeconds = 7200;
  EXPECT_TRUE(fails_with(w.call(sts::assume_role, r, &first), ErrorCode::ValidationError,
                         "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."));
}

// A chain of two roles that both trust alice and each other, tagging allowed.
domain::StoreData chain_data() {
  const std::string principals =
      R"({"AWS":["arn:aws:iam::111122223333:user/alice","arn:aws:iam::111122223333:role/deploy"]})";
  const std::string actions = R"(["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"])";
  return with_role(policy(trust(principals, actions)));
}

TEST(AssumeRole, TransitiveTagsAndSourceIdentityFlowDownAChain) {
  World w(chain_data());
  const Caller alice = w.user("alice");
  auto first = request();
  first.Tags = std::vector<sts::Tag>{{"Project", "x"}, {"cost", "1"}};
  first.TransitiveTagKeys = std::vector<std::string>{"Project"};
  first.SourceIdentity = "alice";
  const Caller parent = w.session(w.call(sts::assume_role, first, &alice));
  auto r = w.call(sts::assume_role, request(kDeploy, "second"), &parent);
  ASSERT_TRUE(succeeds(r));
  const domain::Session s = w.opened(*r->Credentials);
  EXPECT_EQ(s.tags, (std::vector<domain::Tag>{{"Project", "x"}}));  // only the transitive one
  EXPECT_EQ(s.transitive_tag_keys, (std::vector<std::string>{"Project"}));
  EXPECT_EQ(s.source_identity, "alice");
  EXPECT_EQ(r->SourceIdentity, "alice");
}

TEST(AssumeRole, ATransitiveTagCannotBeOverriddenDownTheChain) {
  World w(chain_data());
  const Caller alice = w.user("alice");
  auto first = request();
  first.Tags = std::vector<sts::Tag>{{"Project", "x"}};
  first.TransitiveTagKeys = std::vector<std::string>{"Project"};
  const Caller parent = w.session(w.call(sts::assume_role, first, &alice));
  auto r = request();
  r.Tags = std::vector<sts::Tag>{{"project", "y"}};  // case-insensitively the same key
  EXPECT_TRUE(fails_with(w.call(sts::assume_role, r, &parent), ErrorCode::InvalidParameterValue,
                         "One of the specified transitive tag keys can't be set because it conflicts with a "
                         "transitive tag key from the calling session."));
}

TEST(AssumeRole, TheSourceIdentityCannotChangeDownTheChain) {
  World w(chain_data());
  const Caller alice = w.user("alice");
  auto first = request();
  first.SourceIdentity = "alice";
  const Caller parent = w.session(w.call(sts::assume_role, first, &alice));
  auto same = request();
  same.SourceIdentity = "alice";
  EXPECT_TRUE(succeeds(w.call(sts::assume_role, same, &parent)));  // repeating it is fine
  auto other = request();
  other.SourceIdentity = "mallory";
  EXPECT_TRUE(fails_with(w.call(sts::assume_role, other, &parent), ErrorCode::ValidationError,
                         "The source identity is already set for this assume role session"));
}

TEST(AssumeRole, TagKeysAreUniqueIgnoringCase) {
  World w(chain_data());
  const Caller alice = w.user("alice");
  auto r = request();
  r.Tags = std::vector<sts::Tag>{{"Team", "a"}, {"team", "b"}};
  EXPECT_TRUE(fails_with(w.call(sts::assume_role, r, &alice), ErrorCode::InvalidParameterValue,
                         "Duplicate tag keys found. Please note that Tag keys are case insensitive."));
}

TEST(AssumeRole, TransitiveTagKeysMustBeRequestedTags) {
  World w(chain_data());
  const Caller alice = w.user("alice");
  auto r = request();
  r.Tags = std::vector<sts::Tag>{{"Team", "a"}};
  r.TransitiveTagKeys = std::vector<std::string>{"Project"};
  EXPECT_TRUE(fails_with(w.call(sts::assume_role, r, &alice), ErrorCode::InvalidParameterValue,
                         "The specified transitive tag key must be included in the requested tags."));
}

TEST(AssumeRole, TooManyTagBytesAreTooLargeToPack) {
  World w(chain_data());
  const Caller alice = w.user("alice");
  auto r = request();
  std::vector<sts::Tag> tags;
  for (int i = 0; i < 50; ++i) tags.push_back({"key-" + std::to_string(i) + std::string(120, 'k'), std::string(256, 'v')});
  r.Tags = tags;
  auto result = w.call(sts::assume_role, r, &alice);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::PackedPolicyTooLarge);
  EXPECT_TRUE(result.error().message.starts_with("Packed size of session tags consumes "));
  EXPECT_TRUE(result.error().message.ends_with("% of allotted space."));
}

TEST(AssumeRole, AMalformedSessionPolicyIsRefused) {
  World w(trusting_alice());
  const Caller alice = w.user("alice");
  auto r = request();
  r.Policy = R"({"Version":"2012-10-17","Statement":[]})";
  EXPECT_TRUE(fails_with(w.call(sts::assume_role, r, &alice), ErrorCode::MalformedPolicyDocument,
                         "Syntax errors in policy."));
}

TEST(AssumeRole, ASessionPolicyAndPolicyArnsGoIntoTheSession) {
  World w(trusting_alice());
  const Caller alice = w.user("alice");
  auto r = request();
  r.Policy = policy(allow("s3:GetObject"));
  r.PolicyArns = std::vector<sts::PolicyDescriptorType>{{"arn:aws:iam::aws:policy/ReadOnlyAccess"}};
  auto ok = w.call(sts::assume_role, r, &alice);
  ASSERT_TRUE(succeeds(ok));
  ASSERT_TRUE(ok->PackedPolicySize.has_value());
  EXPECT_GT(*ok->PackedPolicySize, 0);
  const domain::Session s = w.opened(*ok->Credentials);
  EXPECT_EQ(s.session_policy, r.Policy);
  EXPECT_EQ(s.policy_arns, (std::vector<std::string>{"arn:aws:iam::aws:policy/ReadOnlyAccess"}));
}

TEST(AssumeRole, MinimumSessionTokenSizePadsTheToken) {
  World w(trusting_alice());
  const Caller alice = w.user("alice");
  auto r = request();
  r.MinimumSessionTokenSize = 2000;
  auto ok = w.call(sts::assume_role, r, &alice);
  ASSERT_TRUE(succeeds(ok));
  EXPECT_GE(ok->Credentials->SessionToken.size(), 2000u);
  EXPECT_EQ(*ok->SessionTokenSize, static_cast<std::int64_t>(ok->Credentials->SessionToken.size()));
  EXPECT_GE(*ok->SessionTokenUtilization, 48);  // 2000 of 4096, rounded up
  EXPECT_LE(*ok->SessionTokenUtilization, 100);
}

}  // namespace
}  // namespace stsd::testing
