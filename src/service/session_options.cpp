#include "stsd/service/session_options.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>

#include "stsd/common/ascii.h"
#include "stsd/common/time_format.h"
#include "stsd/domain/policy.h"

namespace stsd::service {

namespace {


bool contains_ci(const std::vector<std::string>& keys, std::string_view key) {
  return std::any_of(keys.begin(), keys.end(), [&](const std::string& k) { return ascii_lower(k) == ascii_lower(key); });
}

// PackedPolicySize approximation (AWS's packing is not public; the data
// points and the fit are in docs/NEWEST-STS.md): the session policy without
// insignificant whitespace plus the policy ARNs, as a share of 4,096 bytes,
// plus the tag keys and values as a share of 456 bytes, each rounded up.
// Fitted to AWS's one exactly known point: nine tags T1..T9 with 250-character
// values are 498% (aws-actions/configure-aws-credentials#1898).
constexpr double kPackedPolicyBudget = 4096.0;
constexpr double kPackedTagBudget = 456.0;
constexpr std::size_t kMaxSessionTags = 50;

std::size_t compact_size(const std::string& policy) {
  auto j = nlohmann::json::parse(policy, nullptr, false);
  return j.is_discarded() ? policy.size() : j.dump().size();
}

}  // namespace

Result<SessionOptions> read_session_options(const SessionParameters& requested, const Caller* caller,
                                            const AssertedSessionFacts* asserted) {
  SessionOptions out;
  const domain::Session* parent = caller && caller->session ? &*caller->session : nullptr;

  if (requested.policy) {
    if (auto problem = domain::policy_document_error(*requested.policy, domain::PolicyKind::Session))
      return fail(ErrorCode::MalformedPolicyDocument, *problem);
    out.policy = requested.policy;
  }
  out.policy_arns = requested.policy_arns;
  out.tags = asserted ? asserted->tags : requested.tags.value_or(std::vector<domain::Tag>{});
  out.transitive_tag_keys = asserted ? asserted->transitive_tag_keys : requested.transitive_tag_keys;
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
  std::optional<std::string_view> requested_si;
  if (requested.source_identity) requested_si = *requested.source_identity;
  if (asserted && asserted->source_identity) requested_si = *asserted->source_identity;
  if (auto si = requested_si) {
    if (parent && parent->source_identity && *parent->source_identity != *si)
      return fail(ErrorCode::ValidationError, "The source identity is already set for this assume role session");
    out.source_identity = std::string(*si);
  } else if (parent && parent->source_identity) {
    out.source_identity = parent->source_identity;
  }

  const bool shaped = out.policy || !out.policy_arns.empty() || requested.tags.has_value() || (asserted && !asserted->tags.empty());
  if (shaped) {
    std::size_t policy_bytes = out.policy ? compact_size(*out.policy) : 0;
    for (const auto& a : out.policy_arns) policy_bytes += a.size();
    std::size_t tag_bytes = 0;
    for (const auto& t : out.tags) tag_bytes += t.key.size() + t.value.size();
    int policy_pct = static_cast<int>(std::ceil(100.0 * policy_bytes / kPackedPolicyBudget));
    int tag_pct = static_cast<int>(std::ceil(100.0 * tag_bytes / kPackedTagBudget));
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

sts::Credentials credentials_of(const domain::IssuedCredentials& c) {
  return {c.access_key_id, c.secret_access_key, c.session_token, Timestamp{c.expiration}};
}

IssuedSession issue_session(domain::Session& session, const domain::SessionTokenCodec& tokens,
                            std::optional<std::int64_t> minimum_token_size) {
  // The model bounds MinimumSessionTokenSize to 0..4096.
  const auto min = static_cast<std::size_t>(
      std::clamp<std::int64_t>(minimum_token_size.value_or(0), 0, domain::kMaxSessionTokenSize));
  auto creds = domain::issue_credentials(session, tokens, min);
  const auto size = static_cast<std::int64_t>(creds.session_token.size());
  const auto max = static_cast<std::int64_t>(domain::kMaxSessionTokenSize);
  return {credentials_of(creds), size, std::min<std::int64_t>(100, (100 * size + max - 1) / max)};
}

std::int64_t long_term_caller_duration(std::optional<std::int64_t> requested, const Caller& caller) {
  constexpr std::int64_t kDefault = 43200;
  constexpr std::int64_t kRootMax = 3600;
  const std::int64_t duration = requested.value_or(kDefault);
  return caller.is_root() ? std::min(duration, kRootMax) : duration;
}

StsError not_authorized(const Caller& caller, std::string_view action, std::string_view resource) {
  std::string message = "User: " + caller.arn + " is not authorized to perform: " + std::string(action);
  if (!resource.empty()) message += " on resource: " + std::string(resource);
  return StsError::make(ErrorCode::AccessDenied, std::move(message));
}

Result<bool> verify_mfa(const std::optional<std::string>& serial, const std::optional<std::string>& code,
                        const Caller& caller, domain::MfaGuard& guard, std::int64_t now) {
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
