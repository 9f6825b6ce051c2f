// GetCallerIdentity: who the signed request's credentials belong to. Needs no
// permission and cannot be denied.
#include "stsd/service/sts/actions.h"

namespace stsd::service::sts {

Result<GetCallerIdentityResponse> get_caller_identity(const GetCallerIdentityRequest&, const Context& ctx) {
  const Caller& c = *ctx.caller;
  return GetCallerIdentityResponse{.Arn = c.arn, .UserId = c.user_id, .Account = c.account};
}

}  // namespace stsd::service::sts
