// DecodeAuthorizationMessage: turns an encoded authorization message that
// this deployment produced back into AWS's decoded JSON.
#include "stsd/service/action.h"

namespace stsd::service {

Result<ResultNode> decode_authorization_message(const ActionContext& ctx) {
  auto decoded = ctx.messages.decode(*ctx.input.string("EncodedMessage"));
  if (!decoded)
    return fail(ErrorCode::InvalidAuthorizationMessage,
                "The authorization message could not be decoded: it is malformed or was not issued by "
                "this service.");
  return ResultNode::structure("DecodeAuthorizationMessageResult", ResultNode::string("DecodedMessage", *decoded));
}

}  // namespace stsd::service
