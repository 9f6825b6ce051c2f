// DecodeAuthorizationMessage: turns an encoded authorization message that
// this deployment produced back into AWS's decoded JSON. The caller needs
// sts:DecodeAuthorizationMessage through its policies, and the message must
// be about a principal of the caller's own account.
#include "stsd/service/authorization.h"
#include "stsd/service/sts/actions.h"

namespace stsd::service::sts {

Result<DecodeAuthorizationMessageResponse> decode_authorization_message(const DecodeAuthorizationMessageRequest& in,
                                                                        const Context& ctx) {
  const Caller& caller = *ctx.caller;
  const Authorizer authorizer(ctx.store, ctx.messages, ctx.trace);
  if (!authorizer.allows_without_policies(caller, nullptr)) {
    domain::PolicyRequest request = caller_request(caller, "sts:DecodeAuthorizationMessage", "*", ctx.clock.now());
    if (auto ok = authorizer.authorize(caller, nullptr, request); !ok) return unexpected(ok.error());
  }
  // A message about another account's principal does not decode here, as on
  // AWS (it is only decodable in the account it was issued for).
  auto decoded = ctx.messages.decode(caller.account, in.EncodedMessage);
  if (!decoded)
    return fail(ErrorCode::InvalidAuthorizationMessage,
                "The authorization message could not be decoded: it is malformed or was not issued by "
                "this service.");
  return DecodeAuthorizationMessageResponse{.DecodedMessage = std::move(*decoded)};
}

}  // namespace stsd::service::sts
