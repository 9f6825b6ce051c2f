// GetFederationToken: credentials for a federated user named by the caller.
#include "stsd/domain/arn.h"
#include "stsd/service/action.h"
#include "stsd/service/session_options.h"

namespace stsd::service {

Result<ResultNode> get_federation_token(const ActionContext& ctx) {
  const Caller& caller = *ctx.caller;
  const std::int64_t now = ctx.clock.now();
  const std::int64_t duration = long_term_caller_duration(ctx.input, caller);

  auto options = read_session_options(ctx.input, &caller);
  if (!options) return unexpected(options.error());

  const std::string name(*ctx.input.string("Name"));
  domain::Session s;
  s.type = domain::CredentialType::FederatedUser;
  s.principal_type = domain::PrincipalType::FederatedUser;
  s.account = caller.account;
  s.arn = domain::federated_user_arn(caller.account, name);
  s.user_id = caller.account + ":" + name;
  s.source_arn = caller.arn;
  s.issued_at = now;
  s.expiration = now + duration;
  apply_session_options(*options, s);
  auto creds = domain::issue_credentials(s, ctx.tokens);

  return ResultNode::structure("GetFederationTokenResult", credentials_node(creds),
                               ResultNode::structure("FederatedUser", ResultNode::string("FederatedUserId", s.user_id),
                                                     ResultNode::string("Arn", s.arn)),
                               ResultNode::integer("PackedPolicySize", options->packed_policy_size.value_or(0)));
}

}  // namespace stsd::service
