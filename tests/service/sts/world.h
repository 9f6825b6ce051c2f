#pragma once
// The service tier's world: a store built by the test, a fixed clock, the
// session-token and authorization-message codecs, the MFA guard and the
// built-in identity providers. Tests call the STS action functions of
// src/service/sts/ with typed requests (include/stsd/service/sts/shapes.h)
// and check the typed responses and StsErrors: no HTTP, no SigV4, no XML.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "stsd/common/sts_error.h"
#include "stsd/domain/authorization_message.h"
#include "stsd/domain/clock.h"
#include "stsd/domain/federation/builtin_idps.h"
#include "stsd/domain/mfa_guard.h"
#include "stsd/domain/session_token.h"
#include "stsd/domain/store.h"
#include "stsd/service/caller.h"
#include "stsd/service/sts/actions.h"

namespace stsd::service::sts {

// The actions, as src/service/sts/dispatch_generated.cpp declares them.
Result<AssumeRoleResponse> assume_role(const AssumeRoleRequest&, const Context&);
Result<AssumeRoleWithSAMLResponse> assume_role_with_saml(const AssumeRoleWithSAMLRequest&, const Context&);
Result<AssumeRoleWithWebIdentityResponse> assume_role_with_web_identity(const AssumeRoleWithWebIdentityRequest&,
                                                                        const Context&);
Result<AssumeRootResponse> assume_root(const AssumeRootRequest&, const Context&);
Result<DecodeAuthorizationMessageResponse> decode_authorization_message(const DecodeAuthorizationMessageRequest&,
                                                                        const Context&);
Result<GetAccessKeyInfoResponse> get_access_key_info(const GetAccessKeyInfoRequest&, const Context&);
Result<GetCallerIdentityResponse> get_caller_identity(const GetCallerIdentityRequest&, const Context&);
Result<GetDelegatedAccessTokenResponse> get_delegated_access_token(const GetDelegatedAccessTokenRequest&,
                                                                   const Context&);
Result<GetFederationTokenResponse> get_federation_token(const GetFederationTokenRequest&, const Context&);
Result<GetScopedCredentialsResponse> get_scoped_credentials(const GetScopedCredentialsRequest&, const Context&);
Result<GetSessionTokenResponse> get_session_token(const GetSessionTokenRequest&, const Context&);
Result<GetWebIdentityTokenResponse> get_web_identity_token(const GetWebIdentityTokenRequest&, const Context&);

}  // namespace stsd::service::sts

namespace stsd::testing {

using service::Caller;
namespace sts = service::sts;

inline constexpr domain::Seconds kNow = 1700000000;  // 2023-11-14T22:13:20Z
// The first account is the organization's management account (AssumeRoot).
inline const std::string kAccount = "111122223333";
inline const std::string kMember = "444455556666";
inline const std::string kOtherAccount = "777788889999";
inline const std::string kMfaSerial = "arn:aws:iam::111122223333:mfa/alice";
inline const std::string kMfaSecret = "12345678901234567890";
inline const std::string kBuiltinIssuer = "https://oidc.stsd.local";

inline std::string role_arn(const std::string& account, const std::string& name) {
  return "arn:aws:iam::" + account + ":role/" + name;
}

// Policy documents as text.
inline std::string policy(const std::string& statements) {
  return R"({"Version":"2012-10-17","Statement":[)" + statements + "]}";
}
inline std::string allow(const std::string& action, const std::string& resource = "*") {
  return R"({"Effect":"Allow","Action":")" + action + R"(","Resource":")" + resource + R"("})";
}
inline std::string deny(const std::string& action, const std::string& resource = "*") {
  return R"({"Effect":"Deny","Action":")" + action + R"(","Resource":")" + resource + R"("})";
}
// A trust statement: `principal` is the Principal object's JSON, `condition`
// the Condition object's (optional).
inline std::string trust(const std::string& principal, const std::string& actions = R"("sts:AssumeRole")",
                         const std::string& condition = "", const std::string& effect = "Allow") {
  std::string s = R"({"Effect":")" + effect + R"(","Principal":)" + principal + R"(,"Action":)" + actions;
  if (!condition.empty()) s += R"(,"Condition":)" + condition;
  return s + "}";
}
inline std::string aws_principal(const std::string& arn) { return R"({"AWS":")" + arn + R"("})"; }

inline domain::StoredPolicy stored(std::string text) { return {std::move(text), std::nullopt}; }
inline domain::InlinePolicy inline_policy(std::string name, std::string text) {
  return {std::move(name), stored(std::move(text))};
}

// Two accounts (management and member) and a third one; users alice (an MFA
// device, no policies) and bob (no policies); root keys for the management
// account; the built-in OIDC issuer and SAML IdP; strict role mode with no
// roles yet (tests add theirs).
inline domain::StoreData base_data() {
  domain::StoreData d;
  d.role_mode = domain::RoleMode::Strict;
  for (const auto& [id, alias] : {std::pair{kAccount, "mgmt"}, std::pair{kMember, "member"}, std::pair{kOtherAccount, "other"}}) {
    domain::Account account;
    account.id = id;
    account.alias = alias;
    d.accounts.push_back(account);
  }
  domain::User alice;
  alice.account = kAccount;
  alice.name = "alice";
  alice.mfa_devices = {{kMfaSerial, kMfaSecret, 0}};
  alice.tags = {{"team", "blue"}};
  domain::User bob;
  bob.account = kAccount;
  bob.name = "bob";
  domain::User carol;  // in another account
  carol.account = kOtherAccount;
  carol.name = "carol";
  d.users = {alice, bob, carol};
  d.access_keys = {{"AKIAALICEEXAMPLE0001", "alice-secret", kAccount, "alice"},
                   {"AKIAROOTEXAMPLE00001", "root-secret", kAccount, ""}};
  domain::OidcProvider oidc;
  oidc.account = kAccount;
  oidc.url = kBuiltinIssuer;
  oidc.client_ids = {"sts.amazonaws.com", "stsd"};
  oidc.builtin = true;
  d.oidc_providers = {oidc};
  domain::SamlProvider saml;
  saml.account = kAccount;
  saml.name = "stsd";
  saml.builtin = true;
  d.saml_providers = {saml};
  return d;
}

inline domain::Role make_role(const std::string& account, const std::string& name,
                              std::optional<std::string> trust_policy, int max_session_duration = 3600) {
  domain::Role r;
  r.account = account;
  r.name = name;
  r.trust_policy = std::move(trust_policy);
  r.max_session_duration = max_session_duration;
  return r;
}

// The identity providers make their keys on first use: one set for the
// whole test program keeps RSA generation out of every test.
inline const domain::federation::BuiltinIdentityProviders& shared_idps() {
  static const domain::federation::BuiltinIdentityProviders idps;
  return idps;
}

class World {
 public:
  explicit World(domain::StoreData data = base_data())
      : holder_(std::make_shared<const domain::Store>(std::move(data))),
        tokens_(std::string(32, 'k')),
        messages_(std::string(32, 'k')) {}

  // The newest snapshot (actions that write, such as GetDelegatedAccessToken,
  // publish new ones; every snapshot seen stays alive with the world).
  const domain::Store& store() const {
    auto now = holder_.get();
    if (seen_.empty() || seen_.back() != now) seen_.push_back(std::move(now));
    return *seen_.back();
  }
  domain::StoreHolder& holder() { return holder_; }
  domain::FixedClock& clock() { return clock_; }
  const domain::SessionTokenCodec& tokens() const { return tokens_; }
  const domain::AuthorizationMessageCodec& messages() const { return messages_; }
  const domain::federation::BuiltinIdentityProviders& idps() const { return shared_idps(); }

  Caller user(const std::string& name, const std::string& account = kAccount) const {
    const domain::User* u = store().find_user(account, name);
    EXPECT_NE(u, nullptr) << name;
    return service::user_caller(*u);
  }
  Caller root(const std::string& account = kAccount) const { return service::root_caller(account); }
  // The caller that presents these temporary credentials.
  Caller session(const sts::Credentials& credentials) const {
    auto s = tokens_.open(credentials.SessionToken);
    EXPECT_TRUE(s.has_value()) << "the session token does not open";
    return service::session_caller(s ? *s : domain::Session{}, store());
  }
  template <class Response>
  Caller session(const Result<Response>& response) const {
    EXPECT_TRUE(response.has_value()) << (response ? "" : response.error().message);
    return session(*response->Credentials);
  }
  // The session sealed in a response's token.
  domain::Session opened(const sts::Credentials& credentials) const {
    auto s = tokens_.open(credentials.SessionToken);
    EXPECT_TRUE(s.has_value());
    return s.value_or(domain::Session{});
  }

  sts::Context context(const Caller* caller, bool global_endpoint = false) {
    return sts::Context{caller,          store(), tokens_, messages_, clock_,  mfa_,
                        idps(),          "us-east-1", global_endpoint, nullptr, nullptr, &holder_};
  }

  // One call of an action, as the dispatcher makes it.
  template <class Request, class Response>
  Result<Response> call(Result<Response> (*action)(const Request&, const sts::Context&), const Request& request,
                        const Caller* caller, bool global_endpoint = false) {
    return action(request, context(caller, global_endpoint));
  }

 private:
  domain::FixedClock clock_{kNow};
  domain::StoreHolder holder_;
  mutable std::vector<std::shared_ptr<const domain::Store>> seen_;
  domain::SessionTokenCodec tokens_;
  domain::AuthorizationMessageCodec messages_;
  domain::MfaGuard mfa_;
};

// The result failed with this code and exactly this message.
template <class T>
::testing::AssertionResult fails_with(const Result<T>& result, ErrorCode code, std::string_view message) {
  if (result) return ::testing::AssertionFailure() << "succeeded; expected " << error_info(code).wire_code;
  const StsError& e = result.error();
  if (e.code != code || e.message != message)
    return ::testing::AssertionFailure() << "failed with " << error_info(e.code).wire_code << " \"" << e.message
                                         << "\"; expected " << error_info(code).wire_code << " \"" << message << "\"";
  return ::testing::AssertionSuccess();
}

// The result succeeded (else the error says why).
template <class T>
::testing::AssertionResult succeeds(const Result<T>& result) {
  if (result) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "failed with " << error_info(result.error().code).wire_code << " \""
                                       << result.error().message << "\"";
}

// AccessDenied's text for a policy decision.
inline std::string not_authorized(const std::string& caller_arn, const std::string& action,
                                  const std::string& resource = "") {
  std::string m = "User: " + caller_arn + " is not authorized to perform: " + action;
  if (!resource.empty()) m += " on resource: " + resource;
  return m;
}

}  // namespace stsd::testing
