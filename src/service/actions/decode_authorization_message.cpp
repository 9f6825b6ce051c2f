// DecodeAuthorizationMessage: turns an encoded authorization message that
// this deployment produced back into AWS's decoded JSON. The caller needs
// sts:DecodeAuthorizationMessage through its policies, and the message must
// be about a principal of the caller's own account.
#include "stsd/service/action.h"
#include "stsd/service/authorization.h"

namespace stsd::service {

Result<ResultNode> decode_authorization_message(const ActionContext& ctx) {
  const Caller& caller = *ctx.caller;
  const Authorizer authorizer(ctx.store, ctx.messages);
  if (!authorizer.allows_without_policies(caller, nullptr)) {
    domain::PolicyRequest request = caller_request(caller, "sts:DecodeAuthorizationMessage", "*", ctx.clock.now());
    if (auto ok = authorizer.authorize(caller, nullptr, request); !ok) return unexpected(ok.error());
  }
  // A message about another account's principal does not decode here, as on
  // AWS (it is only decodable in the account it was issued for).
  auto decoded = ctx.messages.decode(caller.account, *ctx.input.string("EncodedMessage"));
  if (!decoded)
    return fail(ErrorCode::InvalidAuthorizationMessage,
                "The authorization message could not be decoded: it is malformed or was not issued by "
                "this service.");
  return ResultNode::structure("DecodeAuthorizationMessageResult", ResultNode::string("DecodedMessage", *decoded));
}

}  // namespace stsd::service
