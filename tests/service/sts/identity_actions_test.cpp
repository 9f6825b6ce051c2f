// Guards the actions that answer about identities rather than mint
// sessions, one test per rule and error branch: GetCallerIdentity (every
// kind of caller), GetAccessKeyInfo (stored keys, keys that encode their
// account, keys that do not), DecodeAuthorizationMessage (round trip from a
// real denial, the caller's policies, another account's message, garbage),
// GetDelegatedAccessToken (the exchange, its single use, expiry, the
// partner's account, a vanished approver, the policy template) and the
// dispatch table covering every model operation.
#include <nlohmann/json.hpp>

#include "stsd/domain/access_key.h"
#include "stsd/service/authorization.h"
#include "stsd/service/model.h"
#include "stsd/service/query_service.h"
#include "world.h"

namespace stsd::testing {
namespace {

const std::string kAlice = "arn:aws:iam::111122223333:user/alice";

// ---- GetCallerIdentity -----------------------------------------------------

TEST(GetCallerIdentity, AUser) {
  World w;
  const Caller alice = w.user("alice");
  auto r = w.call(sts::get_caller_identity, sts::GetCallerIdentityRequest{}, &alice);
  ASSERT_TRUE(succeeds(r));
  EXPECT_EQ(r->Arn, kAlice);
  EXPECT_EQ(r->Account, kAccount);
  EXPECT_EQ(r->UserId, w.store().find_user(kAccount, "alice")->user_id);
  EXPECT_TRUE(r->UserId->starts_with("AIDA"));
  EXPECT_EQ(r->UserId->size(), 21u);
}

TEST(GetCallerIdentity, AnAccountRoot) {
  World w;
  const Caller root = w.root();
  auto r = w.call(sts::get_caller_identity, sts::GetCallerIdentityRequest{}, &root);
  ASSERT_TRUE(succeeds(r));
  EXPECT_EQ(r->Arn, "arn:aws:iam::111122223333:root");
  EXPECT_EQ(r->UserId, kAccount);  // root's UserId is the account id
  EXPECT_EQ(r->Account, kAccount);
}

TEST(GetCallerIdentity, ARoleSessionAndAFederatedUser) {
  domain::StoreData d = base_data();
  d.roles.push_back(make_role(kAccount, "deploy", policy(trust(aws_principal(kAlice)))));
  World w(d);
  const Caller alice = w.user("alice");
  sts::AssumeRoleRequest assume;
  assume.RoleArn = role_arn(kAccount, "deploy");
  assume.RoleSessionName = "dev";
  const Caller role = w.session(w.call(sts::assume_role, assume, &alice));
  auto r = w.call(sts::get_caller_identity, sts::GetCallerIdentityRequest{}, &role);
  ASSERT_TRUE(succeeds(r));
  EXPECT_EQ(r->Arn, "arn:aws:sts::111122223333:assumed-role/deploy/dev");
  EXPECT_EQ(r->UserId, w.store().find_declared_role(role_arn(kAccount, "deploy"))->role_id + ":dev");

  sts::GetFederationTokenRequest fed;
  fed.Name = "partner";
  const Caller partner = w.session(w.call(sts::get_federation_token, fed, &alice));
  auto f = w.call(sts::get_caller_identity, sts::GetCallerIdentityRequest{}, &partner);
  ASSERT_TRUE(succeeds(f));
  EXPECT_EQ(f->Arn, "arn:aws:sts::111122223333:federated-user/partner");
  EXPECT_EQ(f->UserId, "111122223333:partner");
}

TEST(GetCallerIdentity, CannotBeDeniedByAnyPolicy) {
  domain::StoreData d = base_data();
  d.users[0].inline_policies = {inline_policy("deny", policy(deny("*")))};
  World w(d);
  const Caller alice = w.user("alice");
  EXPECT_TRUE(succeeds(w.call(sts::get_caller_identity, sts::GetCallerIdentityRequest{}, &alice)));
}

// ---- GetAccessKeyInfo ------------------------------------------------------

TEST(GetAccessKeyInfo, AStoredKeyAnswersItsAccount) {
  World w;
  const Caller alice = w.user("alice");
  sts::GetAccessKeyInfoRequest req;
  req.AccessKeyId = "AKIAROOTEXAMPLE00001";
  auto r = w.call(sts::get_access_key_info, req, &alice);
  ASSERT_TRUE(succeeds(r));
  EXPECT_EQ(r->Account, kAccount);
}

TEST(GetAccessKeyInfo, ANewGenerationKeyEncodesItsAccount) {
  World w;
  const Caller alice = w.user("alice");
  sts::GetAccessKeyInfoRequest req;
  req.AccessKeyId = domain::make_access_key_id("ASIA", "123456789012");
  auto r = w.call(sts::get_access_key_info, req, &alice);
  ASSERT_TRUE(succeeds(r));
  EXPECT_EQ(r->Account, "123456789012");
  req.AccessKeyId = "ASIAY34FZKBOKMUTVV7A";  // AWS's key of a public write-up
  auto aws = w.call(sts::get_access_key_info, req, &alice);
  ASSERT_TRUE(succeeds(aws));
  EXPECT_EQ(aws->Account, "609629065308");
}

TEST(GetAccessKeyInfo, AnIdNotStoredThatEncodesNoAccountIsNotValid) {
  World w;
  const Caller alice = w.user("alice");
  sts::GetAccessKeyInfoRequest req;
  for (const char* id : {"AKIAEXAMPLEKEY01", "AKIA0000000000000000"}) {  // not 20 characters; not base32
    req.AccessKeyId = id;
    EXPECT_TRUE(fails_with(w.call(sts::get_access_key_info, req, &alice), ErrorCode::InvalidParameterValue,
                           std::string("The access key ID ") + id + " is not valid."));
  }
}

// ---- DecodeAuthorizationMessage --------------------------------------------

// bob may not assume the role; alice may decode.
domain::StoreData decode_data() {
  domain::StoreData d = base_data();
  d.roles.push_back(make_role(kAccount, "deploy", policy(trust(aws_principal(kAlice)))));
  return d;
}

std::string denial_message(World& w) {
  const Caller bob = w.user("bob");
  sts::AssumeRoleRequest assume;
  assume.RoleArn = role_arn(kAccount, "deploy");
  assume.RoleSessionName = "s";
  auto denied = w.call(sts::assume_role, assume, &bob);
  EXPECT_FALSE(denied);
  return denied ? "" : denied.error().encoded_authorization_message;
}

TEST(DecodeAuthorizationMessage, DecodesTheMessageOfADenial) {
  World w(decode_data());
  const Caller alice = w.user("alice");
  sts::DecodeAuthorizationMessageRequest req;
  req.EncodedMessage = denial_message(w);
  auto r = w.call(sts::decode_authorization_message, req, &alice);
  ASSERT_TRUE(succeeds(r));
  const auto decoded = nlohmann::json::parse(*r->DecodedMessage);
  EXPECT_EQ(decoded["allowed"], false);
  EXPECT_EQ(decoded["explicitDeny"], false);
  EXPECT_EQ(decoded["context"]["action"], "sts:AssumeRole");
  EXPECT_EQ(decoded["context"]["resource"], role_arn(kAccount, "deploy"));
  EXPECT_EQ(decoded["context"]["principal"]["arn"], "arn:aws:iam::111122223333:user/bob");
  EXPECT_EQ(decoded["context"]["principal"]["name"], "bob");
  EXPECT_TRUE(decoded["matchedStatements"]["items"].is_array());
  EXPECT_TRUE(decoded["failures"]["items"].is_array());
  bool has_username = false;
  for (const auto& c : decoded["context"]["conditions"]["items"])
    if (c["key"] == "aws:username") has_username = c["values"]["items"][0]["value"] == "bob";
  EXPECT_TRUE(has_username);
}

TEST(DecodeAuthorizationMessage, GarbageIsNotAMessage) {
  World w;
  const Caller alice = w.user("alice");
  sts::DecodeAuthorizationMessageRequest req;
  req.EncodedMessage = "garbage";
  EXPECT_TRUE(fails_with(w.call(sts::decode_authorization_message, req, &alice),
                         ErrorCode::InvalidAuthorizationMessage,
                         "The authorization message could not be decoded: it is malformed or was not issued by this "
                         "service."));
}

TEST(DecodeAuthorizationMessage, AMessageAboutAnotherAccountDoesNotDecode) {
  World w(decode_data());
  const Caller carol = w.user("carol", kOtherAccount);
  sts::DecodeAuthorizationMessageRequest req;
  req.EncodedMessage = denial_message(w);
  EXPECT_TRUE(fails_with(w.call(sts::decode_authorization_message, req, &carol),
                         ErrorCode::InvalidAuthorizationMessage,
                         "The authorization message could not be decoded: it is malformed or was not issued by this "
                         "service."));
}

TEST(DecodeAuthorizationMessage, TheCallersPoliciesMustAllowIt) {
  domain::StoreData d = decode_data();
  d.users[0].inline_policies = {inline_policy("p", policy(allow("sts:GetCallerIdentity")))};
  World w(d);
  const Caller alice = w.user("alice");
  sts::DecodeAuthorizationMessageRequest req;
  req.EncodedMessage = denial_message(w);
  // An action without a resource type is named without one.
  EXPECT_TRUE(fails_with(w.call(sts::decode_authorization_message, req, &alice), ErrorCode::AccessDenied,
                         not_authorized(kAlice, "sts:DecodeAuthorizationMessage")));
}

// ---- GetDelegatedAccessToken and the dispatch table ------------------------

// A FINALIZED delegation request of partner account kOtherAccount, accepted
// by alice of kAccount, whose trade-in token was sent at kNow.
const std::string kTradeInToken = "trade-in-token-0001";
constexpr domain::Seconds kDelegationPeriod = 1800;

domain::StoreData delegated_data(std::optional<domain::Session> approver, const std::string& policy_template = "") {
  domain::StoreData d = base_data();
  domain::DelegationRequest r;
  r.id = "dr-0001";
  r.requestor_account = kOtherAccount;
  r.owner_account = kAccount;
  r.owner_id = kAlice;
  r.session_duration = kDelegationPeriod;
  r.state = domain::DelegationState::Finalized;
  r.approver_id = approver ? approver->arn : "";
  r.approver = std::move(approver);
  r.trade_in_token = kTradeInToken;
  r.finalized_at = kNow;
  r.token_expiration = kNow + kDelegationPeriod;
  r.policy_template_arn = policy_template;
  d.delegation_requests.push_back(r);
  return d;
}

domain::Session user_approver(const std::string& arn) {
  domain::Session a;
  a.type = domain::CredentialType::Delegated;
  a.principal_type = domain::PrincipalType::User;
  a.account = kAccount;
  a.arn = arn;
  a.source_arn = arn;
  a.user_id = "AIDAEXAMPLEAPPROVER1";
  return a;
}

sts::GetDelegatedAccessTokenRequest trade_in(const std::string& token = kTradeInToken) {
  sts::GetDelegatedAccessTokenRequest req;
  req.TradeInToken = token;
  return req;
}

TEST(GetDelegatedAccessToken, ExchangesTheTokenForTheApproversCredentials) {
  World w(delegated_data(user_approver(kAlice)));
  const Caller carol = w.user("carol", kOtherAccount);
  auto r = w.call(sts::get_delegated_access_token, trade_in(), &carol);
  ASSERT_TRUE(succeeds(r));
  EXPECT_EQ(r->AssumedPrincipal, kAlice);
  EXPECT_FALSE(r->PackedPolicySize.has_value());  // "not populated" for this operation
  const domain::Session s = w.opened(*r->Credentials);
  EXPECT_EQ(s.type, domain::CredentialType::Delegated);
  EXPECT_EQ(s.issued_at, kNow);
  EXPECT_EQ(s.expiration, kNow + kDelegationPeriod);  // the delegation period ends the credentials
  EXPECT_TRUE(s.scope_policies.empty());
  // The credentials act as alice: GetCallerIdentity says so.
  const Caller delegated = w.session(*r->Credentials);
  auto who = w.call(sts::get_caller_identity, sts::GetCallerIdentityRequest{}, &delegated);
  ASSERT_TRUE(succeeds(who));
  EXPECT_EQ(who->Arn, kAlice);
  EXPECT_EQ(who->Account, kAccount);
}

TEST(GetDelegatedAccessToken, ARoleSessionApproverNamesItsRole) {
  domain::StoreData d = delegated_data(std::nullopt);
  d.roles.push_back(make_role(kAccount, "Approver", policy(trust(aws_principal(kAlice)))));
  domain::Session a;
  a.type = domain::CredentialType::Delegated;
  a.principal_type = domain::PrincipalType::AssumedRole;
  a.account = kAccount;
  a.arn = "arn:aws:sts::111122223333:assumed-role/Approver/alice";
  a.source_arn = role_arn(kAccount, "Approver");
  a.role_session_name = "alice";
  d.delegation_requests.back().approver = a;
  World w(std::move(d));
  const Caller carol = w.user("carol", kOtherAccount);
  auto r = w.call(sts::get_delegated_access_token, trade_in(), &carol);
  ASSERT_TRUE(succeeds(r));
  EXPECT_EQ(r->AssumedPrincipal, role_arn(kAccount, "Approver"));
}

TEST(GetDelegatedAccessToken, TheTokenIsSingleUse) {
  World w(delegated_data(user_approver(kAlice)));
  const Caller carol = w.user("carol", kOtherAccount);
  ASSERT_TRUE(succeeds(w.call(sts::get_delegated_access_token, trade_in(), &carol)));
  EXPECT_TRUE(w.store().find_delegation_request("dr-0001")->token_used);
  EXPECT_TRUE(fails_with(w.call(sts::get_delegated_access_token, trade_in(), &carol), ErrorCode::ExpiredTradeInToken,
                         "The trade-in token has already been exchanged for credentials."));
}

TEST(GetDelegatedAccessToken, AnExpiredTokenIsRefused) {
  World w(delegated_data(user_approver(kAlice)));
  const Caller carol = w.user("carol", kOtherAccount);
  w.clock().set(kNow + kDelegationPeriod);
  EXPECT_TRUE(fails_with(w.call(sts::get_delegated_access_token, trade_in(), &carol), ErrorCode::ExpiredTradeInToken,
                         "The trade-in token has expired."));
  EXPECT_FALSE(w.store().find_delegation_request("dr-0001")->token_used);  // a refusal spends nothing
}

TEST(GetDelegatedAccessToken, OnlyThePartnerAccountMayExchange) {
  World w(delegated_data(user_approver(kAlice)));
  const Caller bob = w.user("bob");  // the approver's own account, not the partner
  EXPECT_TRUE(fails_with(w.call(sts::get_delegated_access_token, trade_in(), &bob), ErrorCode::ExpiredTradeInToken,
                         "The trade-in token is not valid."));
}

TEST(GetDelegatedAccessToken, AnUnknownTokenIsNotValid) {
  World w(delegated_data(user_approver(kAlice)));
  const Caller carol = w.user("carol", kOtherAccount);
  EXPECT_TRUE(fails_with(w.call(sts::get_delegated_access_token, trade_in("no-such-token"), &carol),
                         ErrorCode::ExpiredTradeInToken, "The trade-in token is not valid."));
}

TEST(GetDelegatedAccessToken, ARequestNobodyAcceptedIsNotValid) {
  World w(delegated_data(std::nullopt));
  const Caller carol = w.user("carol", kOtherAccount);
  EXPECT_TRUE(fails_with(w.call(sts::get_delegated_access_token, trade_in(), &carol), ErrorCode::ExpiredTradeInToken,
                         "The trade-in token is not valid."));
}

TEST(GetDelegatedAccessToken, AnApproverThatNoLongerExistsIsRefused) {
  World w(delegated_data(user_approver("arn:aws:iam::111122223333:user/gone")));
  const Caller carol = w.user("carol", kOtherAccount);
  EXPECT_TRUE(fails_with(w.call(sts::get_delegated_access_token, trade_in(), &carol), ErrorCode::ExpiredTradeInToken,
                         "The principal that accepted the delegation request no longer exists."));
}

TEST(GetDelegatedAccessToken, ThePolicyTemplateBoundsTheCredentials) {
  const std::string template_arn = "arn:aws:iam::777788889999:policy/partner-template";
  const std::string document = policy(allow("s3:GetObject"));
  domain::StoreData d = delegated_data(user_approver(kAlice), template_arn);
  domain::ManagedPolicy p;
  p.account = kOtherAccount;
  p.name = "partner-template";
  p.arn = template_arn;
  p.versions = {{"v1", stored(document), kNow}};
  d.managed_policies.push_back(p);
  World w(std::move(d));
  const Caller carol = w.user("carol", kOtherAccount);
  auto r = w.call(sts::get_delegated_access_token, trade_in(), &carol);
  ASSERT_TRUE(succeeds(r));
  EXPECT_EQ(w.opened(*r->Credentials).scope_policies, std::vector<std::string>{document});
}

TEST(GetDelegatedAccessToken, NeedsAWritableStore) {
  World w(delegated_data(user_approver(kAlice)));
  const Caller carol = w.user("carol", kOtherAccount);
  sts::Context ctx = w.context(&carol);
  ctx.writes = nullptr;
  EXPECT_TRUE(fails_with(sts::get_delegated_access_token(trade_in(), ctx), ErrorCode::InternalFailure,
                         "The trade-in token cannot be spent here."));
}

TEST(Dispatch, EveryModelOperationHasItsAction) {
  for (const char* op : {"AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity", "AssumeRoot",
                         "DecodeAuthorizationMessage", "GetAccessKeyInfo", "GetCallerIdentity", "GetDelegatedAccessToken",
                         "GetFederationToken", "GetScopedCredentials", "GetSessionToken", "GetWebIdentityToken"}) {
    EXPECT_NE(service::find_operation(service::Service::Sts, op), nullptr) << op;
    EXPECT_NE(service::find_action(sts::actions(), op), nullptr) << op;
  }
  EXPECT_EQ(sts::actions().size(), 12u);
}

}  // namespace
}  // namespace stsd::testing
