#pragma once
// The STS service as the protocol layer sees it: given the decoded
// parameters and the signed request, dispatch (Action/Version), authenticate,
// validate against the service model, apply AWS's rules on what each kind of
// credential may call, and run the action.
#include <string>

#include "stsd/common/sts_error.h"
#include "stsd/domain/authorization_message.h"
#include "stsd/domain/clock.h"
#include "stsd/domain/federation/builtin_idps.h"
#include "stsd/domain/jwks_fetcher.h"
#include "stsd/domain/mfa_guard.h"
#include "stsd/domain/session_token.h"
#include "stsd/domain/store.h"
#include "stsd/service/authenticator.h"
#include "stsd/service/parameters.h"
#include "stsd/service/result_node.h"
#include "stsd/sigv4/sigv4.h"

namespace stsd::service {

inline constexpr std::string_view kApiVersion = "2011-06-15";

// "Could not find operation X for version Y" (STS and IAM alike).
StsError invalid_action(std::string_view action, std::string_view version);

struct Outcome {
  Result<ResultNode> result;
  std::string action;         // the operation's name when dispatch succeeded
  std::string principal_arn;  // for the request log
};

class StsService {
 public:
  StsService(domain::StoreHolder& store, const domain::SessionTokenCodec& tokens,
             const domain::AuthorizationMessageCodec& messages, const domain::Clock& clock,
             const domain::federation::BuiltinIdentityProviders& idps, AuthMode mode,
             domain::JwksFetcher* jwks_fetcher = nullptr);

  // params must contain Action (the protocol layer answers its absence).
  Outcome handle(const Parameters& params, const sigv4::Request& request) const;

 private:
  domain::StoreHolder& store_;
  const domain::SessionTokenCodec& tokens_;
  const domain::AuthorizationMessageCodec& messages_;
  const domain::Clock& clock_;
  const domain::federation::BuiltinIdentityProviders& idps_;
  domain::JwksFetcher* jwks_fetcher_;
  Authenticator authenticator_;
  // Mutable state outside the swapped Store: survives config changes.
  mutable domain::MfaGuard mfa_;
};

// AWS's rules on what temporary credentials may call next. resource: the
// role ARN for the AssumeRole* actions, empty otherwise.
Result<void> check_may_call(std::string_view action, const struct Caller& caller, std::string_view resource);

}  // namespace stsd::service
