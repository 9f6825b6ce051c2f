#include "stsd/service/session_options.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>

#include "input_access.h"
#include "stsd/common/ascii.h"
#include "stsd/common/time_format.h"
#include "stsd/domain/policy.h"

namespace stsd::service {

namespace {


bool contains_ci(const std::vector<std::string>& keys, std::string_view key) {
  return std::any_of(keys.begin(), keys.end(), [&](const std::string& k) { return ascii_lower(k) == ascii_lower(key); });
}

// PackedPolicySize approximation (AWS's packing is not public): the session
// policy without insignificant whitespace, the policy ARNs and the tag
// keys/values, as a share of a 4,096-byte budget, rounded up. Deterministic;
// 50 tags at their maximum sizes land near AWS's observed ~500%.
constexpr double kPackedBudget = 4096.0;
constexpr std::size_t kMaxSessionTags = 50;

std::size_t compact_size(const std::string& policy) {
  auto j = nlohmann::json::parse(policy, nullptr, false);
  return j.is_discarded() ? policy.size() : j.dump().size();
}

}  // namespace

Result<SessionOptions> read_session_options(const ActionInput& input, const Caller* caller,
                                            const AssertedSessionFacts* asserted) {
  SessionOptions out;
  const domain::Session* parent = caller && caller->session ? &*caller->session : nullptr;

  if (auto policy = input.string("Policy")) {
    if (auto problem = domain::policy_document_error(*policy, domain::PolicyKind::Session))
      return fail(ErrorCode::MalformedPolicyDocument, *problem);
    out.policy = std::string(*policy);
  }
  out.policy_arns = policy_arn_list(input);
  out.tags = asserted ? asserted->tags : tag_list(input);
  out.transitive_tag_keys = asserted ? asserted->transitive_tag_keys : string_list(input, "TransitiveTagKeys");
  if (out.tags.size() > kMaxSessionTags)
    return fail(ErrorCode::ValidationError, "1 validation error detected: Value at 'tags' failed to satisfy "
                                            "constraint: Member must have length less than or equal to 50");

  // Tag rules, in the order AWS reports them.
  std::vector<std::string> keys;
  for (const auto& t : out.tags) {
    if (contains_ci(keys, t.key))
      return fail(ErrorCode::InvalidParameterValue,
                  "Duplicate tag keys found. Please note that Tag keys are case insensitive.");
    keys.push_back(t.key);
  }
  for (const auto& k : out.transitive_tag_keys)
    if (!contains_ci(keys, k))
      return fail(ErrorCode::InvalidParameterValue,
                  "The specified transitive tag key must be included in the requested tags.");
  if (parent != nullptr) {
    // Transitive tags flow down a role chain and may not be overridden.
    for (const auto& k : parent->transitive_tag_keys)
      if (contains_ci(keys, k))
        return fail(ErrorCode::InvalidParameterValue,
                    "One of the specified transitive tag keys can't be set because it conflicts with a "
                    "transitive tag key from the calling session.");
    for (const auto& t : parent->tags)
      if (contains_ci(parent->transitive_tag_keys, t.key)) {
        out.tags.push_back(t);
        out.transitive_tag_keys.push_back(t.key);
      }
  }

  // Source identity is set once and inherited down the chain.
  std::optional<std::string_view> requested_si = input.string("SourceIdentity");
  if (asserted && asserted->source_identity) requested_si = *asserted->source_identity;
  if (auto si = requested_si) {
    if (parent && parent->source_identity && *parent->source_identity != *si)
      return fail(ErrorCode::ValidationError, "The source identity is already set for this assume role session");
    out.source_identity = std::string(*si);
  } else if (parent && parent->source_identity) {
    out.source_identity = parent->source_identity;
  }

  const bool requested = out.policy || !out.policy_arns.empty() || input.has("Tags") || (asserted && !asserted->tags.empty());
  if (requested) {
    std::size_t policy_bytes = out.policy ? compact_size(*out.policy) : 0;
    for (const auto& a : out.policy_arns) policy_bytes += a.size();
    std::size_t tag_bytes = 0;
    for (const auto& t : out.tags) tag_bytes += t.key.size() + t.value.size();
    int policy_pct = static_cast<int>(std::ceil(100.0 * policy_bytes / kPackedBudget));
    int tag_pct = static_cast<int>(std::ceil(100.0 * tag_bytes / kPackedBudget));
    int total = policy_pct + tag_pct;
    if (total > 100) {
      if (tag_pct >= policy_pct)
        return fail(ErrorCode::PackedPolicyTooLarge,
                    "Packed size of session tags consumes " + std::to_string(total) + "% of allotted space.");
      return fail(ErrorCode::PackedPolicyTooLarge, "Packed policy consumes " + std::to_string(total) +
                                                       "% of allotted space, please use smaller policy.");
    }
    out.packed_policy_size = total;
  }
  return out;
}

void apply_session_options(const SessionOptions& options, domain::Session& session) {
  session.session_policy = options.policy;
  session.policy_arns = options.policy_arns;
  session.tags = options.tags;
  session.transitive_tag_keys = options.transitive_tag_keys;
  session.source_identity = options.source_identity;
}

ResultNode credentials_node(const domain::IssuedCredentials& c) {
  return ResultNode::structure("Credentials", ResultNode::string("AccessKeyId", c.access_key_id),
                               ResultNode::string("SecretAccessKey", c.secret_access_key),
                               ResultNode::string("SessionToken", c.session_token),
                               ResultNode::timestamp("Expiration", c.expiration));
}

std::int64_t duration_or(const ActionInput& input, std::int64_t fallback) {
  auto d = input.integer("DurationSeconds");
  return d ? *d : fallback;
}

std::int64_t long_term_caller_duration(const ActionInput& input, const Caller& caller) {
  constexpr std::int64_t kDefault = 43200;
  constexpr std::int64_t kRootMax = 3600;
  const std::int64_t duration = duration_or(input, kDefault);
  return caller.is_root() ? std::min(duration, kRootMax) : duration;
}

StsError not_authorized(const Caller& caller, std::string_view action, std::string_view resource) {
  std::string message = "User: " + caller.arn + " is not authorized to perform: " + std::string(action);
  if (!resource.empty()) message += " on resource: " + std::string(resource);
  return StsError::make(ErrorCode::AccessDenied, std::move(message));
}

Result<bool> verify_mfa(const ActionInput& input, const Caller& caller, domain::MfaGuard& guard, std::int64_t now) {
  auto serial = input.string("SerialNumber");
  auto code = input.string("TokenCode");
  if (!serial && !code) return false;
  if (!serial || !code)
    return fail(ErrorCode::AccessDenied,
                "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.");
  const domain::MfaDevice* device = nullptr;
  if (caller.user != nullptr)
    for (const auto& d : caller.user->mfa_devices)
      if (d.serial == *serial) device = &d;
  if (device == nullptr)
    return fail(ErrorCode::AccessDenied,
                "Please verify your MFA serial number is valid and associated with this user.");
  // A wrong, reused or locked-out code gets AWS's one answer: which it was
  // is not for the caller to learn.
  if (guard.check(device->serial, device->secret, *code, now) != domain::MfaVerdict::Accepted)
    return fail(ErrorCode::AccessDenied, "MultiFactorAuthentication failed with invalid MFA one time pass code. ");
  return true;
}

}  // namespace stsd::service
