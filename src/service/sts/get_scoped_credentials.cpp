// GetScopedCredentials (the newest STS model; scripts/model-overlay/sts.json):
// the caller's temporary credentials scoped down, identity unchanged. As the
// API reference describes it: temporary credentials only (not an IAM user's
// or root's keys, nor AssumeRoot's root sessions), regional endpoints only,
// Policy and/or DurationSeconds (default: the calling session's own
// expiry, never beyond it), at most three scope-down policies per session,
// each bounding every later decision (service/authorization.cpp). The error
// texts are stsd's own: AWS's are not public.
#include "stsd/service/session_options.h"
#include "stsd/service/sts/actions.h"

namespace stsd::service::sts {

namespace {
constexpr std::size_t kMaxScopePolicies = 3;
}  // namespace

Result<GetScopedCredentialsResponse> get_scoped_credentials(const GetScopedCredentialsRequest& in, const Context& ctx) {
  if (ctx.global_endpoint) return fail(ErrorCode::InvalidAction, "Unknown Operation");
  const Caller& caller = *ctx.caller;
  if (!caller.session || caller.session->principal_type == domain::PrincipalType::Root)
    return fail(ErrorCode::InvalidSubjectCredentials,
                "GetScopedCredentials must be called with temporary security credentials of an IAM role, user or "
                "federated user session; these are " +
                    std::string(caller.session ? "root session credentials" : "long-term credentials") + ".");
  const domain::Session& parent = *caller.session;
  if (!in.Policy && !in.DurationSeconds)
    return fail(ErrorCode::ValidationError, "At least one of Policy or DurationSeconds must be specified.");

  const std::int64_t now = ctx.clock.now();
  if (in.DurationSeconds && now + *in.DurationSeconds > parent.expiration)
    return fail(ErrorCode::InsufficientSessionLifetime,
                "The requested DurationSeconds (" + std::to_string(*in.DurationSeconds) +
                    ") exceeds the remaining lifetime of the calling session (" +
                    std::to_string(parent.expiration - now) + " seconds).");
  if (in.Policy && parent.scope_policies.size() >= kMaxScopePolicies)
    return fail(ErrorCode::AccessDenied, "The calling session already has the maximum of " +
                                             std::to_string(kMaxScopePolicies) + " scope down policies.");
  // The scope-down policy is checked as a session policy is (document and packed size).
  SessionParameters scope;
  scope.policy = in.Policy;
  auto checked = read_session_options(scope, nullptr);
  if (!checked) return unexpected(checked.error());

  domain::Session s = parent;
  s.issued_at = now;
  s.expiration = in.DurationSeconds ? now + *in.DurationSeconds : parent.expiration;
  if (in.Policy) s.scope_policies.push_back(*in.Policy);
  auto issued = issue_session(s, ctx.tokens, in.MinimumSessionTokenSize);

  return GetScopedCredentialsResponse{.Credentials = issued.credentials,
                                      .SessionInfo = ScopedSession{s.user_id, s.arn},
                                      .SessionTokenUtilization = issued.token_utilization,
                                      .SessionTokenSize = issued.token_size,
                                      .ScopedPoliciesCount = static_cast<std::int64_t>(s.scope_policies.size()),
                                      .SourceIdentity = s.source_identity};
}

}  // namespace stsd::service::sts
