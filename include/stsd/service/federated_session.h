#pragma once
// The tail AssumeRoleWithSAML and AssumeRoleWithWebIdentity share once the
// identity provider's assertion is verified: the role, its trust policy (the
// Federated principal with the provider's condition keys), the session's
// duration and options, and its credentials. Each action keeps what is its
// own: reading and verifying the assertion, and the response.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "stsd/common/result.h"
#include "stsd/common/sts_error.h"
#include "stsd/domain/arn.h"
#include "stsd/domain/policy.h"
#include "stsd/domain/session.h"
#include "stsd/domain/session_token.h"
#include "stsd/domain/store.h"
#include "stsd/service/session_options.h"

namespace stsd::service {
class Authorizer;
}

namespace stsd::service {

struct FederatedSessionRequest {
  std::string_view action;  // sts:AssumeRoleWithSAML, sts:AssumeRoleWithWebIdentity
  const domain::RoleArn& role_arn;
  // The request's region, its partition and whether it came to the global
  // endpoint: a role of another partition does not exist here, and the
  // role's account must have STS active in the region (region_guard.h).
  std::string_view region;
  std::string_view partition;
  bool global_endpoint = false;
  // The provider's ARN in the request's partition (the trust policy's
  // Federated principal).
  const std::string& provider_arn;
  const std::string& provider_account;
  std::string_view session_name;
  // Tags, transitive tag keys and source identity the provider asserts.
  const AssertedSessionFacts& asserted;
  // The request's own session policy and policy ARNs.
  SessionParameters requested;
  std::optional<std::int64_t> minimum_token_size;
  std::int64_t now;
  // Adds the provider's condition keys (saml:*, <issuer>:*) to the trust request.
  std::function<void(domain::ConditionContext&)> add_condition_keys;
  // The session's duration for the role found, checked (role_session.h).
  std::function<Result<std::int64_t>(const domain::Role&)> duration;
  // The provider's own end of the session (SAML's SessionNotOnOrAfter): the
  // session ends no later, yet at least a second after `now`.
  std::optional<std::int64_t> not_after;
};

struct FederatedSession {
  domain::Session session;
  std::optional<int> packed_policy_size;
  IssuedSession issued;
};

// AccessDenied "Not authorized to perform <action>" when the role does not
// exist in the request's partition; the region guard's error when its
// account has STS inactive in the region; AccessDenied when its trust policy (with sts:TagSession / sts:SetSourceIdentity for
// asserted tags / source identity) does not allow the provider; then the
// duration's, the session options' errors, in that order.
// The trust decision is the authorizer's (Authorizer::authorize_trust), so
// the console's trace records it.
Result<FederatedSession> federated_session(const FederatedSessionRequest& request, const Authorizer& authorizer,
                                           const domain::Store& store, const domain::SessionTokenCodec& tokens);

}  // namespace stsd::service
