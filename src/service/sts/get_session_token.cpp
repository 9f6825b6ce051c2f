// GetSessionToken: temporary credentials for the calling user (or root),
// optionally MFA-authenticated. Root sessions are clamped to one hour.
#include "stsd/service/session_options.h"
#include "stsd/service/region_guard.h"
#include "stsd/service/sts/actions.h"

namespace stsd::service::sts {

Result<GetSessionTokenResponse> get_session_token(const GetSessionTokenRequest& in, const Context& ctx) {
  const Caller& caller = *ctx.caller;
  const std::int64_t now = ctx.clock.now();
  const std::int64_t duration = long_term_caller_duration(in.DurationSeconds, caller);
  if (auto active = require_sts_active(ctx.store, caller.account, ctx.region, ctx.global_endpoint); !active)
    return unexpected(active.error());

  auto mfa = verify_mfa(in.SerialNumber, in.TokenCode, caller, ctx.mfa, now);
  if (!mfa) return unexpected(mfa.error());

  domain::Session s;
  s.type = domain::CredentialType::SessionToken;
  s.principal_type = caller.principal_type;
  s.account = caller.account;
  s.arn = caller.arn;
  s.user_id = caller.user_id;
  s.source_arn = caller.arn;
  s.issued_at = now;
  s.expiration = now + duration;
  s.mfa_authenticated = *mfa;
  s.mfa_auth_time = *mfa ? now : 0;
  auto issued = issue_session(s, ctx.tokens, in.MinimumSessionTokenSize);
  return GetSessionTokenResponse{.Credentials = issued.credentials,
                                 .SessionTokenUtilization = issued.token_utilization,
                                 .SessionTokenSize = issued.token_size};
}

}  // namespace stsd::service::sts
