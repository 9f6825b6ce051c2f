#pragma once
// The IAM Query API (version 2010-05-08) on the same listener as STS, over
// the same store: what it changes applies to the next STS request. The Query
// runner (query_service.h; requests signed for service `iam`) with IAM's
// rules: the `iam:` action authorized by the caller's identity policies.
#include "stsd/domain/authorization_message.h"
#include "stsd/service/query_service.h"

namespace stsd::service {

class IamService : public QueryService {
 public:
  IamService(domain::StoreHolder& store, const domain::SessionTokenCodec& tokens,
             const domain::AuthorizationMessageCodec& messages, const domain::Clock& clock, AuthMode mode)
      : QueryService(Service::Iam, store, mode, tokens, clock), messages_(messages) {}

 private:
  Result<void> authorize(const Call& call) const override;
  Result<ResultNode> run(const Call& call) const override;

  const domain::AuthorizationMessageCodec& messages_;
};

}  // namespace stsd::service
