#pragma once
// The IAM decisions STS makes about an authenticated caller, in one place:
// a role's trust policy together with the caller's identity policies (and
// the session policy of a role session), as AWS combines them, and the
// AccessDenied that carries an encoded authorization message when the answer
// is no.
//
// Rules (IAM User Guide, "Policy evaluation logic" and "Cross-account policy
// evaluation"):
// - any explicit Deny, in the trust policy, an identity policy or the
//   session policy, denies;
// - the trust policy must allow. When it names the caller itself (its ARN,
//   or its role for a role session) in the role's own account, that is
//   enough; when it names only the caller's account, or the role is in
//   another account, the caller's identity policies must allow too;
// - a user or role with no permission policies configured is allowed every
//   sts:* action (stsd's simplification, so small configs stay small);
// - a session's session policies (inline Policy and the customer managed
//   policies of the config its PolicyArns name), when it has any, must
//   allow as well; AWS managed policy ARNs are carried but not evaluated.
#include <string>
#include <string_view>

#include "stsd/common/sts_error.h"
#include "stsd/domain/authorization_message.h"
#include "stsd/domain/policy.h"
#include "stsd/domain/store.h"
#include "stsd/service/caller.h"

namespace stsd::service {

// The condition keys every decision about this caller sees: aws:username,
// aws:userid, aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType,
// aws:PrincipalTag/*, aws:MultiFactorAuthPresent/Age, aws:SourceIdentity,
// aws:CurrentTime, aws:EpochTime.
domain::PolicyRequest caller_request(const Caller& caller, std::string_view action, std::string_view resource,
                                     std::int64_t now);

class Authorizer {
 public:
  Authorizer(const domain::Store& store, const domain::AuthorizationMessageCodec& messages)
      : store_(store), messages_(messages) {}

  // `request` (from caller_request, plus the action's own keys) against the
  // role's trust policy and the caller's policies. nullptr role: an identity
  // decision only (AssumeRoot, GetWebIdentityToken, ...). A role in auto mode
  // (not declared) has no trust policy: only explicit Denies can refuse.
  Result<void> authorize(const Caller& caller, const domain::Role* role, const domain::PolicyRequest& request) const;
  // True when no policy takes part in authorize(caller, role, ...) (an auto
  // mode role or none, a caller without identity or session policies): it
  // would allow any request, so callers may skip building one.
  bool allows_without_policies(const Caller& caller, const domain::Role* role) const;

 private:
  const domain::Store& store_;
  const domain::AuthorizationMessageCodec& messages_;
};

}  // namespace stsd::service
