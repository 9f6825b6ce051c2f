// GetSessionToken: temporary credentials for the calling user (or root),
// optionally MFA-authenticated. Root sessions are clamped to one hour.
#include "stsd/service/action.h"
#include "stsd/service/session_options.h"

namespace stsd::service {

Result<ResultNode> get_session_token(const ActionContext& ctx) {
  const Caller& caller = *ctx.caller;
  const std::int64_t now = ctx.clock.now();
  const std::int64_t duration = long_term_caller_duration(ctx.input, caller);

  auto mfa = verify_mfa(ctx.input, caller, ctx.mfa, now);
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
  auto creds = domain::issue_credentials(s, ctx.tokens);
  return ResultNode::structure("GetSessionTokenResult", credentials_node(creds));
}

}  // namespace stsd::service
