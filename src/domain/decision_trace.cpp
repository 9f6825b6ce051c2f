#include "stsd/domain/decision_trace.h"

namespace stsd::domain {

std::string_view to_string(PolicySource source) {
  switch (source) {
    case PolicySource::Trust: return "trust";
    case PolicySource::Identity: return "identity";
    case PolicySource::SessionPolicy: return "session";
    case PolicySource::SessionManaged: return "session-managed";
    case PolicySource::ScopeDown: return "scope-down";
    case PolicySource::Boundary: return "permissions-boundary";
  }
  return "unknown";
}

std::string_view to_string(DecidingRule rule) {
  switch (rule) {
    case DecidingRule::Allowed: return "Allowed";
    case DecidingRule::AllowedWithoutPolicies: return "AllowedWithoutPolicies";
    case DecidingRule::AllowedAutoRole: return "AllowedAutoRole";
    case DecidingRule::ExplicitDeny: return "ExplicitDeny";
    case DecidingRule::NoIdentityAllow: return "NoIdentityAllow";
    case DecidingRule::BoundaryNoAllow: return "BoundaryNoAllow";
    case DecidingRule::SessionPolicyNoAllow: return "SessionPolicyNoAllow";
    case DecidingRule::ScopeDownNoAllow: return "ScopeDownNoAllow";
    case DecidingRule::TrustNotSatisfied: return "TrustNotSatisfied";
    case DecidingRule::NoTrustPolicy: return "NoTrustPolicy";
  }
  return "Unknown";
}

}  // namespace stsd::domain
