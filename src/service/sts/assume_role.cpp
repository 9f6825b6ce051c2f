// AssumeRole: credentials for a role session. The role must exist (strict
// role mode), its trust policy and the caller's policies must allow it
// (service/authorization.h); duration is bounded by the role's
// MaxSessionDuration and, for role chaining, by one hour.
#include "stsd/common/ascii.h"
#include "stsd/domain/arn.h"
#include "stsd/domain/policy.h"
#include "stsd/service/access_denied.h"
#include "stsd/service/authorization.h"
#include "stsd/service/federation_common.h"
#include "stsd/service/mfa_verification.h"
#include "stsd/service/role_session.h"
#include "stsd/service/session_options.h"
#include "stsd/service/region_guard.h"
#include "stsd/service/sts/actions.h"

namespace stsd::service::sts {

namespace {

// The trust and identity policies' view of an AssumeRole request.
domain::PolicyRequest assume_role_request(const Caller& caller, const std::string& role_arn,
                                          const AssumeRoleRequest& in, bool mfa, std::int64_t now) {
  domain::PolicyRequest r = caller_request(caller, "sts:AssumeRole", role_arn, now);
  auto& c = r.context;
  if (in.ExternalId) c["sts:externalid"] = {*in.ExternalId};
  c["sts:rolesessionname"] = {in.RoleSessionName};
  if (in.SourceIdentity) c["sts:sourceidentity"] = {*in.SourceIdentity};
  std::vector<std::string> keys;
  if (in.Tags)
    for (const auto& t : *in.Tags) {
      c["aws:requesttag/" + ascii_lower(t.Key)] = {t.Value};
      keys.push_back(t.Key);
    }
  if (!keys.empty()) c["aws:tagkeys"] = keys;
  if (in.TransitiveTagKeys && !in.TransitiveTagKeys->empty()) c["sts:transitivetagkeys"] = *in.TransitiveTagKeys;
  if (mfa) {
    c["aws:multifactorauthpresent"] = {"true"};
    c["aws:multifactorauthage"] = {"0"};
  }
  return r;
}

}  // namespace

Result<AssumeRoleResponse> assume_role(const AssumeRoleRequest& in, const Context& ctx) {
  const Caller& caller = *ctx.caller;
  const std::int64_t now = ctx.clock.now();
  const std::string& requested_arn = in.RoleArn;
  const std::string& session_name = in.RoleSessionName;

  auto arn = domain::parse_role_arn(requested_arn);
  if (!arn) return fail(ErrorCode::ValidationError, requested_arn + " is invalid");
  if (caller.is_root()) {
    if (ctx.trace) ctx.trace->note("root may not assume roles", "AWS refuses AssumeRole with an account's root credentials");
    return fail(ErrorCode::AccessDenied, "Roles may not be assumed by root accounts.");
  }

  auto mfa = verify_mfa(in.SerialNumber, in.TokenCode, caller, ctx.mfa, now);
  if (!mfa) {
    if (ctx.trace) ctx.trace->note("MFA code refused", mfa.error().message);
    return unexpected(mfa.error());
  }

  // A role of another partition does not exist here (AWS answers AccessDenied).
  auto role = arn->partition == ctx.partition() ? ctx.store.find_role(*arn) : nullptr;
  if (!role) {
    if (ctx.trace) ctx.trace->note("role does not exist", "role_mode strict (or another partition): no such role");
    return unexpected(not_authorized(caller, "sts:AssumeRole", requested_arn));
  }
  if (auto active = require_sts_active(ctx.store, role->account, ctx.region, ctx.global_endpoint); !active)
    return unexpected(active.error());
  // sts:AssumeRole, then sts:TagSession to pass tags and sts:SetSourceIdentity
  // to set a source identity: each must be allowed (the one trust decision,
  // shared with the federated actions).
  // With no policy involved the answer is Allow: the request (a dozen
  // condition keys) is only built when something will read it.
  const Authorizer authorizer(ctx.store, ctx.messages, ctx.trace);
  if (!authorizer.trust_decided_without_policies(&caller, *role)) {
    if (auto ok = authorizer.authorize_trust(
            &caller, *role, assume_role_request(caller, in_partition(role->arn, ctx.partition()), in, *mfa, now),
            {in.Tags.has_value(), in.SourceIdentity.has_value()});
        !ok)
      return unexpected(ok.error());
  }

  // Delegated credentials of a role session chain as that session would.
  const bool chained = caller.session && (caller.session->type == domain::CredentialType::AssumedRole ||
                                          (caller.session->type == domain::CredentialType::Delegated &&
                                           caller.session->principal_type == domain::PrincipalType::AssumedRole));
  auto duration = role_session_duration(in.DurationSeconds, *role, chained);
  if (!duration) {
    if (chained && ctx.trace) ctx.trace->note("role chaining cap", duration.error().message);
    return unexpected(duration.error());
  }

  auto options = read_session_options(session_parameters(in), &caller);
  if (!options) return unexpected(options.error());

  domain::Session s = new_role_session(*role, session_name, now, *duration, ctx.partition());
  s.mfa_authenticated = *mfa || (caller.session && caller.session->mfa_authenticated);
  s.mfa_auth_time = *mfa ? now : (caller.session ? caller.session->mfa_auth_time : 0);
  s.chain_depth = caller.session ? caller.session->chain_depth + 1 : 1;
  apply_session_options(*options, s);
  auto issued = issue_session(s, ctx.tokens, in.MinimumSessionTokenSize);

  return AssumeRoleResponse{.AssumedRoleUser = assumed_role_user_of(s),
                            .Credentials = issued.credentials,
                            .PackedPolicySize = options->packed_policy_size,
                            .SourceIdentity = s.source_identity,
                            .SessionTokenUtilization = issued.token_utilization,
                            .SessionTokenSize = issued.token_size};
}

}  // namespace stsd::service::sts
