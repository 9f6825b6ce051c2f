#pragma once
// The STS service as the protocol layer sees it: the Query runner
// (query_service.h) with STS's rules on what each kind of credential may
// call, and its actions (src/service/sts/, one file each).
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
#include "stsd/service/query_service.h"

namespace stsd::service {

class StsService : public QueryService {
 public:
  StsService(domain::StoreHolder& store, const domain::SessionTokenCodec& tokens,
             const domain::AuthorizationMessageCodec& messages, const domain::Clock& clock,
             const domain::federation::BuiltinIdentityProviders& idps, AuthMode mode,
             domain::JwksFetcher* jwks_fetcher = nullptr);

 private:
  Result<void> authorize(const Call& call) const override;
  Result<ResultNode> run(const Call& call) const override;

  const domain::SessionTokenCodec& tokens_;
  const domain::AuthorizationMessageCodec& messages_;
  const domain::federation::BuiltinIdentityProviders& idps_;
  domain::JwksFetcher* jwks_fetcher_;
  // Mutable state outside the swapped Store: survives config changes.
  mutable domain::MfaGuard mfa_;
};

// AWS's rules on what temporary credentials may call next. resource: the
// role ARN for the AssumeRole* actions, empty otherwise.
Result<void> check_may_call(std::string_view action, const struct Caller& caller, std::string_view resource);

}  // namespace stsd::service
