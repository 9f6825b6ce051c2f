#pragma once
// IAM policy evaluation for the decisions STS makes. Covers Effect,
// Action/NotAction, Principal (AWS, Federated, Service, "*"), and the
// condition operators String(Not)Equals(IgnoreCase), String(Not)Like, Bool,
// Null with their IfExists forms; explicit Deny wins. Unknown operators never
// match (fail closed).
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace stsd::domain {

// The request as policies see it.
struct PolicyRequest {
  std::string action;                 // "sts:AssumeRole"
  std::string principal_arn;          // caller ARN (assumed-role session ARN for roles)
  std::string principal_account;
  std::vector<std::string> principal_aliases;  // other ARNs that name the caller (role ARN of a session)
  std::string resource;
  // Condition keys, lowercase names (condition keys are case-insensitive).
  std::map<std::string, std::vector<std::string>> context;
};

enum class Decision { Allow, ImplicitDeny, ExplicitDeny };

// A policy that is not valid JSON evaluates to ImplicitDeny.
Decision evaluate_policy(std::string_view policy_json, const PolicyRequest& request);

// `*` and `?` wildcards, case-sensitive unless ignore_case.
bool wildcard_match(std::string_view pattern, std::string_view text, bool ignore_case = false);

}  // namespace stsd::domain
