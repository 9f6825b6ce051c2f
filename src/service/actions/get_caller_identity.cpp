// GetCallerIdentity: who the signed request's credentials belong to. Needs no
// permission and cannot be denied.
#include "stsd/service/action.h"

namespace stsd::service {

Result<ResultNode> get_caller_identity(const ActionContext& ctx) {
  const Caller& c = *ctx.caller;
  return ResultNode::structure("GetCallerIdentityResult", ResultNode::string("Arn", c.arn),
                               ResultNode::string("UserId", c.user_id), ResultNode::string("Account", c.account));
}

}  // namespace stsd::service
