#pragma once
// The IAM Query API (version 2010-05-08) on the same listener as STS, over
// the same store: what it changes applies to the next STS request. Dispatch,
// authentication (requests signed for service `iam`), validation against
// botocore's IAM model, authorization of the `iam:` action by the caller's
// identity policies, then the action.
#include "stsd/common/sts_error.h"
#include "stsd/domain/clock.h"
#include "stsd/domain/store.h"
#include "stsd/service/authenticator.h"
#include "stsd/service/parameters.h"
#include "stsd/service/sts_service.h"
#include "stsd/sigv4/sigv4.h"

namespace stsd::service {

class IamService {
 public:
  IamService(domain::StoreHolder& store, const domain::SessionTokenCodec& tokens,
             const domain::AuthorizationMessageCodec& messages, const domain::Clock& clock, AuthMode mode)
      : store_(store), messages_(messages), clock_(clock), authenticator_(mode, tokens, clock) {}

  // params must contain Action.
  Outcome handle(const Parameters& params, const sigv4::Request& request) const;

 private:
  domain::StoreHolder& store_;
  const domain::AuthorizationMessageCodec& messages_;
  const domain::Clock& clock_;
  Authenticator authenticator_;
};

}  // namespace stsd::service
