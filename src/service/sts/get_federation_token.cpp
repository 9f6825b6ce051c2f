// GetFederationToken: credentials for a federated user named by the caller.
#include "stsd/domain/arn.h"
#include "stsd/service/authorization.h"
#include "stsd/service/session_options.h"
#include "stsd/service/region_guard.h"
#include "stsd/service/sts/actions.h"

namespace stsd::service::sts {

Result<GetFederationTokenResponse> get_federation_token(const GetFederationTokenRequest& in, const Context& ctx) {
  const Caller& caller = *ctx.caller;
  const std::int64_t now = ctx.clock.now();
  const std::int64_t duration = long_term_caller_duration(in.DurationSeconds, caller);
  if (auto active = require_sts_active(ctx.store, caller.account, ctx.region, ctx.global_endpoint); !active)
    return unexpected(active.error());

  const std::string& name = in.Name;
  const std::string federated_arn = domain::federated_user_arn(caller.account, name, ctx.partition());
  // sts:GetFederationToken on the federated user (and sts:TagSession to pass
  // tags) through the caller's policies (IAM User Guide, "Permissions for
  // GetFederationToken"); a caller without policies is allowed.
  const Authorizer authorizer(ctx.store, ctx.messages, ctx.trace);
  if (!authorizer.allows_without_policies(caller, nullptr)) {
    domain::PolicyRequest request = caller_request(caller, "sts:GetFederationToken", federated_arn, now);
    if (auto ok = authorizer.authorize(caller, nullptr, request); !ok) return unexpected(ok.error());
    if (in.Tags) {
      request.action = "sts:TagSession";
      if (auto ok = authorizer.authorize(caller, nullptr, request); !ok) return unexpected(ok.error());
    }
  }

  auto options = read_session_options(session_parameters(in), &caller);
  if (!options) return unexpected(options.error());

  domain::Session s;
  s.type = domain::CredentialType::FederatedUser;
  s.principal_type = domain::PrincipalType::FederatedUser;
  s.account = caller.account;
  s.arn = federated_arn;
  s.user_id = caller.account + ":" + name;
  s.source_arn = caller.arn;
  s.issued_at = now;
  s.expiration = now + duration;
  apply_session_options(*options, s);
  auto issued = issue_session(s, ctx.tokens, in.MinimumSessionTokenSize);

  // Unlike the AssumeRole family, PackedPolicySize is always present (0 without policies or tags).
  return GetFederationTokenResponse{.Credentials = issued.credentials,
                                    .FederatedUser = FederatedUser{s.user_id, s.arn},
                                    .PackedPolicySize = options->packed_policy_size.value_or(0),
                                    .SessionTokenUtilization = issued.token_utilization,
                                    .SessionTokenSize = issued.token_size};
}

}  // namespace stsd::service::sts
