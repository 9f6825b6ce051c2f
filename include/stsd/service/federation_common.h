#pragma once
// What AssumeRoleWithWebIdentity and AssumeRoleWithSAML share: the trust
// policy request of a federated principal.
#include <cstdint>
#include <string>
#include <string_view>

#include "stsd/domain/policy.h"
#include "stsd/domain/store.h"
#include "stsd/service/authorization.h"
#include "stsd/service/session_options.h"

namespace stsd::service {

// The request a role's trust policy sees when `provider_arn` (a Federated
// principal) asks for `action`: sts:RoleSessionName, sts:SourceIdentity,
// the asserted session tags (aws:RequestTag/*, aws:TagKeys,
// sts:TransitiveTagKeys), aws:FederatedProvider, aws:CurrentTime and
// aws:EpochTime. Callers add the provider's own claim keys.
domain::PolicyRequest federated_trust_request(std::string_view action, const std::string& provider_arn,
                                              const std::string& provider_account, const domain::Role& role,
                                              std::string_view session_name, const AssertedSessionFacts& asserted,
                                              std::int64_t now);

// The trust decision itself is Authorizer::authorize_trust (authorization.h),
// the same one AssumeRole uses: sts:TagSession too when the IdP asserts
// session tags, sts:SetSourceIdentity when it asserts a source identity.
inline TrustFollowUps follow_ups_of(const AssertedSessionFacts& asserted) {
  return {!asserted.tags.empty(), asserted.source_identity.has_value()};
}

}  // namespace stsd::service
