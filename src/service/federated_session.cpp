#include "stsd/service/federated_session.h"

#include <algorithm>

#include "stsd/service/access_denied.h"
#include "stsd/service/authorization.h"
#include "stsd/service/federation_common.h"
#include "stsd/service/region_guard.h"
#include "stsd/service/role_session.h"

namespace stsd::service {

Result<FederatedSession> federated_session(const FederatedSessionRequest& in, const Authorizer& authorizer,
                                           const domain::Store& store, const domain::SessionTokenCodec& tokens) {
  auto role = in.role_arn.partition == in.partition ? store.find_role(in.role_arn) : nullptr;
  if (!role) return unexpected(federated_not_authorized(in.action));
  if (auto active = require_sts_active(store, role->account, in.region, in.global_endpoint); !active)
    return unexpected(active.error());
  if (!authorizer.trust_decided_without_policies(nullptr, *role)) {
    domain::PolicyRequest request = federated_trust_request(in.action, in.provider_arn, in.provider_account, *role,
                                                            in.session_name, in.asserted, in.now);
    if (in.add_condition_keys) in.add_condition_keys(request.context);
    if (auto ok = authorizer.authorize_trust(nullptr, *role, std::move(request), follow_ups_of(in.asserted)); !ok)
      return unexpected(ok.error());
  }

  auto duration = in.duration(*role);
  if (!duration) return unexpected(duration.error());
  auto options = read_session_options(in.requested, nullptr, &in.asserted);
  if (!options) return unexpected(options.error());

  FederatedSession out;
  out.session = new_role_session(*role, in.session_name, in.now, *duration, in.partition);
  if (in.not_after && *in.not_after < out.session.expiration)
    out.session.expiration = std::max(in.now + 1, *in.not_after);
  apply_session_options(*options, out.session);
  out.packed_policy_size = options->packed_policy_size;
  out.issued = issue_session(out.session, tokens, in.minimum_token_size);
  return out;
}

}  // namespace stsd::service
