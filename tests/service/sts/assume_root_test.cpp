// Guards AssumeRoot's rules, one test per rule and error branch: regional
// endpoints only, the five root-task policies, callers of the management
// account (never root) for a member account, the caller's policies, and the
// root session it mints.
#include "world.h"

namespace stsd::testing {
namespace {

const std::string kTask = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials";
const std::string kMemberRoot = "arn:aws:iam::444455556666:root";
const std::string kAlice = "arn:aws:iam::111122223333:user/alice";

sts::AssumeRootRequest request(const std::string& target = kMember, const std::string& task = kTask) {
  sts::AssumeRootRequest r;
  r.TargetPrincipal = target;
  r.TaskPolicyArn.arn = task;
  return r;
}

TEST(AssumeRoot, MintsRootCredentialsForAMemberAccount) {
  World w;
  const Caller alice = w.user("alice");
  auto r = w.call(sts::assume_root, request(), &alice);
  ASSERT_TRUE(succeeds(r));
  EXPECT_EQ(r->Credentials->Expiration.seconds, kNow + 900);  // the default
  EXPECT_FALSE(r->SourceIdentity.has_value());
  const domain::Session s = w.opened(*r->Credentials);
  EXPECT_EQ(s.principal_type, domain::PrincipalType::Root);
  EXPECT_EQ(s.account, kMember);
  EXPECT_EQ(s.arn, kMemberRoot);
  EXPECT_EQ(s.user_id, kMember);
  EXPECT_EQ(s.source_arn, kAlice);
  EXPECT_EQ(s.policy_arns, (std::vector<std::string>{kTask}));
  EXPECT_EQ(s.chain_depth, 1);
}

TEST(AssumeRoot, DurationSecondsIsHonoured) {
  World w;
  const Caller alice = w.user("alice");
  auto req = request();
  req.DurationSeconds = 60;
  auto r = w.call(sts::assume_root, req, &alice);
  ASSERT_TRUE(succeeds(r));
  EXPECT_EQ(r->Credentials->Expiration.seconds, kNow + 60);
}

TEST(AssumeRoot, TheGlobalEndpointDoesNotHaveIt) {
  World w;
  const Caller alice = w.user("alice");
  EXPECT_TRUE(fails_with(w.call(sts::assume_root, request(), &alice, /*global_endpoint=*/true),
                         ErrorCode::InvalidAction, "Unknown Operation"));
}

TEST(AssumeRoot, OnlyTheRootTaskPoliciesMayScopeIt) {
  World w;
  const Caller alice = w.user("alice");
  EXPECT_TRUE(fails_with(w.call(sts::assume_root, request(kMember, "arn:aws:iam::aws:policy/AdministratorAccess"), &alice),
                         ErrorCode::ValidationError,
                         "TaskPolicyArn must be one of the root-task policies (arn:aws:iam::aws:policy/root-task/...): "
                         "IAMAuditRootUserCredentials, IAMCreateRootUserPassword, IAMDeleteRootUserCredentials, "
                         "S3UnlockBucketPolicy, SQSUnlockQueuePolicy"));
  for (const char* task : {"IAMCreateRootUserPassword", "IAMDeleteRootUserCredentials", "S3UnlockBucketPolicy",
                           "SQSUnlockQueuePolicy"})
    EXPECT_TRUE(succeeds(w.call(sts::assume_root,
                                request(kMember, std::string("arn:aws:iam::aws:policy/root-task/") + task), &alice)))
        << task;
}

TEST(AssumeRoot, RootCredentialsMayNotCallIt) {
  World w;
  const Caller root = w.root();
  EXPECT_TRUE(fails_with(w.call(sts::assume_root, request(), &root), ErrorCode::AccessDenied,
                         not_authorized("arn:aws:iam::111122223333:root", "sts:AssumeRoot", kMemberRoot)));
}

TEST(AssumeRoot, OnlyCallersOfTheManagementAccountMayCallIt) {
  World w;
  const Caller carol = w.user("carol", kOtherAccount);
  EXPECT_TRUE(fails_with(w.call(sts::assume_root, request(), &carol), ErrorCode::AccessDenied,
                         not_authorized("arn:aws:iam::777788889999:user/carol", "sts:AssumeRoot", kMemberRoot)));
}

TEST(AssumeRoot, TheTargetMustBeAMemberAccount) {
  World w;
  const Caller alice = w.user("alice");
  EXPECT_TRUE(fails_with(w.call(sts::assume_root, request("999999999999"), &alice), ErrorCode::AccessDenied,
                         not_authorized(kAlice, "sts:AssumeRoot", "arn:aws:iam::999999999999:root")));
  EXPECT_TRUE(fails_with(w.call(sts::assume_root, request(kAccount), &alice), ErrorCode::AccessDenied,
                         not_authorized(kAlice, "sts:AssumeRoot", "arn:aws:iam::111122223333:root")));
}

TEST(AssumeRoot, TheCallersPoliciesMustAllowIt) {
  domain::StoreData d = base_data();
  d.users[0].inline_policies = {inline_policy("p", policy(allow("sts:AssumeRoot", "arn:aws:iam::*:root")))};
  d.users[1].inline_policies = {inline_policy("p", policy(allow("sts:GetCallerIdentity")))};
  World w(d);
  const Caller alice = w.user("alice"), bob = w.user("bob");
  EXPECT_TRUE(succeeds(w.call(sts::assume_root, request(), &alice)));
  auto r = w.call(sts::assume_root, request(), &bob);
  ASSERT_TRUE(fails_with(r, ErrorCode::AccessDenied,
                         not_authorized("arn:aws:iam::111122223333:user/bob", "sts:AssumeRoot", kMemberRoot)));
  EXPECT_FALSE(r.error().encoded_authorization_message.empty());
}

TEST(AssumeRoot, TheTaskPolicyIsAConditionKey) {
  domain::StoreData d = base_data();
  d.users[0].inline_policies = {inline_policy(
      "p", policy(R"({"Effect":"Allow","Action":"sts:AssumeRoot","Resource":"*","Condition":{"StringEquals":)"
                  R"({"sts:TaskPolicyArn":"arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"}}})"))};
  World w(d);
  const Caller alice = w.user("alice");
  EXPECT_TRUE(fails_with(w.call(sts::assume_root, request(), &alice), ErrorCode::AccessDenied,
                         not_authorized(kAlice, "sts:AssumeRoot", kMemberRoot)));
  EXPECT_TRUE(succeeds(
      w.call(sts::assume_root, request(kMember, "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"), &alice)));
}

TEST(AssumeRoot, ARoleSessionPassesItsSourceIdentityOn) {
  domain::StoreData d = base_data();
  d.roles.push_back(make_role(kAccount, "admin",
                              policy(trust(aws_principal(kAlice), R"(["sts:AssumeRole","sts:SetSourceIdentity"])"))));
  World w(d);
  const Caller alice = w.user("alice");
  sts::AssumeRoleRequest assume;
  assume.RoleArn = role_arn(kAccount, "admin");
  assume.RoleSessionName = "admin";
  assume.SourceIdentity = "alice";
  const Caller admin = w.session(w.call(sts::assume_role, assume, &alice));
  auto r = w.call(sts::assume_root, request(), &admin);
  ASSERT_TRUE(succeeds(r));
  EXPECT_EQ(r->SourceIdentity, "alice");
  EXPECT_EQ(w.opened(*r->Credentials).chain_depth, 2);
}

}  // namespace
}  // namespace stsd::testing
