#pragma once
// What every STS action gets. An action is one function
// `Result<XResponse> x(const XRequest&, const Context&)` (request and
// response structs generated from the STS model into shapes.h), one file per
// action under src/service/sts/; scripts/gen_model.py finds it there and
// writes the dispatch table (dispatch_generated.cpp).
#include <span>
#include <string>

#include "stsd/common/region.h"
#include "stsd/common/sts_error.h"
#include "stsd/domain/authorization_message.h"
#include "stsd/domain/clock.h"
#include "stsd/domain/decision_trace.h"
#include "stsd/domain/federation/builtin_idps.h"
#include "stsd/domain/jwks_fetcher.h"
#include "stsd/domain/mfa_guard.h"
#include "stsd/domain/session_token.h"
#include "stsd/domain/store.h"
#include "stsd/service/caller.h"
#include "stsd/service/query_service.h"
#include "stsd/service/sts/shapes.h"

namespace stsd::service::sts {

struct Context {
  // Authenticated caller; nullptr for the unsigned actions (SAML, web identity).
  const Caller* caller;
  const domain::Store& store;
  const domain::SessionTokenCodec& tokens;
  const domain::AuthorizationMessageCodec& messages;
  const domain::Clock& clock;
  // MFA devices' replay and failure state, shared by every request.
  domain::MfaGuard& mfa;
  // stsd's own test identity providers (built-in OIDC issuer and SAML IdP).
  const domain::federation::BuiltinIdentityProviders& idps;
  std::string region;
  // The partition of `region`: every ARN the action returns or checks is in it.
  std::string_view partition() const { return partition_of(region); }
  // The request came to the global endpoint (Host sts.amazonaws.com), where
  // regional-only operations do not exist.
  bool global_endpoint = false;
  // Keys of OIDC providers without configured ones, fetched from the issuer;
  // nullptr: such providers cannot verify tokens (IDPCommunicationError).
  domain::JwksFetcher* jwks_fetcher = nullptr;
  // Where this request's decisions are recorded (the console's trace);
  // nullptr: nowhere.
  domain::DecisionTrace* trace = nullptr;
  // Writes (GetDelegatedAccessToken spends a trade-in token): checked and
  // changed on the newest snapshot as one step. nullptr: read-only.
  domain::StoreHolder* writes = nullptr;
};

// The implemented operations (generated), sorted by name.
std::span<const ActionEntry<Context>> actions();

}  // namespace stsd::service::sts
