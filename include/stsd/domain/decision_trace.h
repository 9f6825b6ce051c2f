#pragma once
// The decision behind an answer, as structured facts: for each authorization
// a request needed (the action, then its sts:TagSession / sts:SetSourceIdentity
// follow-ups), which policies took part, what each decided and the rule that
// decided in the end; plus the non-policy rules that refused a request (root
// may not assume roles, the role-chaining cap, ...).
//
// Recording is cheap by design: the request as policies saw it is shared by
// pointer, a policy is a shared handle to its parsed form (no copy, no JSON),
// a label is one short string. Everything a reader wants to see (each
// statement, each condition with the request's actual value and the expected
// one, the statement that would have allowed a denial) is worked out only
// when someone asks, by Policy::explain on these same facts.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stsd/domain/policy.h"

namespace stsd::domain {

// Where a policy taking part in a decision comes from.
enum class PolicySource : std::uint8_t {
  Trust,           // the role's trust policy
  Identity,        // the caller's (or its groups', or its role's) permission policies
  SessionPolicy,   // the session's inline Policy
  SessionManaged,  // a customer managed policy named by the session's PolicyArns
  ScopeDown,       // a GetScopedCredentials layer
  Boundary,        // the caller's permissions boundary
};
std::string_view to_string(PolicySource source);

// The rule that decided one authorization.
enum class DecidingRule : std::uint8_t {
  Allowed,                 // every policy that takes part allows
  AllowedWithoutPolicies,  // no policy takes part: a principal without policies may call every sts:* action
  AllowedAutoRole,         // a role of role_mode auto has no trust policy: only an explicit Deny refuses
  ExplicitDeny,            // a Deny statement matched: nothing can override it
  NoIdentityAllow,         // the caller's identity policies allow nothing here
  BoundaryNoAllow,         // the caller's permissions boundary does not allow what its policies grant
  SessionPolicyNoAllow,    // the session's policies (Policy, PolicyArns) allow nothing here
  ScopeDownNoAllow,        // a GetScopedCredentials layer allows nothing here
  TrustNotSatisfied,       // the trust policy does not allow this principal / request
  NoTrustPolicy,           // a declared role without a trust policy of its own trusts no identity provider
};
std::string_view to_string(DecidingRule rule);
inline bool is_allow(DecidingRule rule) {
  return rule == DecidingRule::Allowed || rule == DecidingRule::AllowedWithoutPolicies ||
         rule == DecidingRule::AllowedAutoRole;
}

struct TracedPolicy {
  PolicySource source = PolicySource::Identity;
  std::string label;             // "inline policy s3 of user alice", a managed policy ARN, "trust policy of <role>"
  std::optional<Policy> policy;  // nullopt: text that did not parse (allows nothing)
  Decision decision = Decision::ImplicitDeny;
  bool evaluated = true;         // false: listed, not evaluated (a boundary stsd does not hold, e.g. AWS managed)
};

// One authorization: the checked action against every policy that took part.
struct AuthorizationTrace {
  std::string action;  // "sts:AssumeRole", "sts:TagSession", "iam:GetRole", ...
  // The request as the policies saw it (action aside); shared by a request's
  // follow-up checks. nullptr when no policy took part.
  std::shared_ptr<const PolicyRequest> request;
  std::string role_arn;  // the role whose trust was evaluated; empty for identity-only decisions
  bool federated = false;  // the principal is an identity provider (web identity, SAML)
  // For an AWS principal with a declared role: the trust policy names the
  // caller itself in the role's account (then identity policies need not allow).
  bool trust_names_caller = false;
  std::vector<TracedPolicy> policies;
  DecidingRule rule = DecidingRule::Allowed;
};

// A refusal that no policy made (or a fact worth showing beside the checks).
struct RuleNote {
  std::string rule;    // "root may not assume roles", "role chaining cap", ...
  std::string detail;  // the answer's message
};

struct DecisionTrace {
  std::vector<AuthorizationTrace> checks;
  std::vector<RuleNote> notes;

  bool empty() const { return checks.empty() && notes.empty(); }
  void note(std::string rule, std::string detail) { notes.push_back({std::move(rule), std::move(detail)}); }
};

}  // namespace stsd::domain
