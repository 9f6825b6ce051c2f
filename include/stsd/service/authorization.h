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
// - the caller's permissions boundary (its user's, or its role's for a role
//   session) must allow what identity policies grant. A trust policy naming
//   the caller's own ARN in the role's account is not limited by it; one
//   naming a role session through its role's ARN is ("Permissions
//   boundaries for IAM entities"). A boundary stsd does not hold (AWS
//   managed) is carried but not evaluated;
// - a user or role with no permission policies configured is allowed every
//   sts:* action (stsd's simplification, so small configs stay small);
// - a session's session policies (inline Policy and the customer managed
//   policies of the config its PolicyArns name), when it has any, must
//   allow as well; AWS managed policy ARNs are carried but not evaluated.
// The role trust decision of AssumeRole and of the federated actions is one
// function, authorize_trust.
//
// An Authorizer given a DecisionTrace records every decision in it (the
// request as the policies saw it, each policy with its decision, the
// deciding rule): cheap facts for the console, explained only when asked.
#include <memory>
#include <string>
#include <string_view>

#include "stsd/common/sts_error.h"
#include "stsd/domain/authorization_message.h"
#include "stsd/domain/decision_trace.h"
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

// What must be allowed beside the AssumeRole* action itself.
struct TrustFollowUps {
  bool tags = false;             // session tags passed or asserted: sts:TagSession
  bool source_identity = false;  // a source identity set: sts:SetSourceIdentity
};

class Authorizer {
 public:
  // trace: where each decision's facts are recorded (nullptr: nowhere).
  Authorizer(const domain::Store& store, const domain::AuthorizationMessageCodec& messages,
             domain::DecisionTrace* trace = nullptr)
      : store_(store), messages_(messages), trace_(trace) {}

  // `request` (from caller_request, plus the action's own keys) against the
  // role's trust policy and the caller's policies. nullptr role: an identity
  // decision only (AssumeRoot, GetWebIdentityToken, ...). A role in auto mode
  // (not declared) has no trust policy: only explicit Denies can refuse.
  Result<void> authorize(const Caller& caller, const domain::Role* role, const domain::PolicyRequest& request) const;
  // True when no policy takes part in authorize(caller, role, ...) (an auto
  // mode role or none, a caller without identity or session policies): it
  // would allow any request, so callers may skip building one.
  bool allows_without_policies(const Caller& caller, const domain::Role* role) const;

  // The one trust decision of the AssumeRole family (AssumeRole for an AWS
  // caller; AssumeRoleWithWebIdentity / AssumeRoleWithSAML for a federated
  // principal, caller nullptr): `request.action`, then each follow-up, must
  // be allowed.
  // - AWS caller: authorize(caller, &role, ...) for each action (trust,
  //   identity and session policies, as above); the AccessDenied carries an
  //   encoded authorization message.
  // - Federated principal: the role's trust policy alone decides; a declared
  //   role without a trust policy of its own trusts no identity provider.
  //   The refusal is AWS's "Not authorized to perform <action>".
  Result<void> authorize_trust(const Caller* caller, const domain::Role& role, domain::PolicyRequest request,
                               TrustFollowUps follow_ups) const;
  // True when authorize_trust would allow without reading its request (no
  // policy takes part: a role of role_mode auto, or for an AWS caller
  // allows_without_policies), so callers may skip building one.
  bool trust_decided_without_policies(const Caller* caller, const domain::Role& role) const;

 private:
  Result<void> decide(const Caller& caller, const domain::Role* role, const domain::PolicyRequest& request,
                      const std::shared_ptr<const domain::PolicyRequest>& shared) const;
  bool trusts_federated(const domain::Role& role, const domain::PolicyRequest& request,
                        const std::shared_ptr<const domain::PolicyRequest>& shared) const;

  const domain::Store& store_;
  const domain::AuthorizationMessageCodec& messages_;
  domain::DecisionTrace* trace_;
};

}  // namespace stsd::service
