#pragma once
// Parse-and-evaluate in one call, for the policy tests. The server never
// does this: it parses a policy once, when its entity is stored, and
// evaluates the parsed form. Text Policy::parse refuses evaluates to
// ImplicitDeny with no matched statement, as a stored unparsable policy does.
#include <string_view>

#include "stsd/domain/policy.h"

namespace stsd::domain::testing {

inline Evaluation evaluate(std::string_view policy_json, const PolicyRequest& request) {
  auto policy = Policy::parse(policy_json);
  if (!policy) return {};
  return policy->evaluate(request);
}

inline Decision evaluate_policy(std::string_view policy_json, const PolicyRequest& request) {
  return evaluate(policy_json, request).decision;
}

}  // namespace stsd::domain::testing
