#pragma once
// What every STS action gets, and the signature each one implements (one
// file per action under src/service/actions/).
#include <string>

#include "stsd/common/sts_error.h"
#include "stsd/domain/authorization_message.h"
#include "stsd/domain/clock.h"
#include "stsd/domain/federation/builtin_idps.h"
#include "stsd/domain/jwks_fetcher.h"
#include "stsd/domain/mfa_guard.h"
#include "stsd/domain/session_token.h"
#include "stsd/domain/store.h"
#include "stsd/service/action_input.h"
#include "stsd/service/caller.h"
#include "stsd/service/result_node.h"

namespace stsd::service {

struct ActionContext {
  const ActionInput& input;
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
  // The request came to the global endpoint (Host sts.amazonaws.com), where
  // regional-only operations do not exist.
  bool global_endpoint = false;
  // Keys of OIDC providers without configured ones, fetched from the issuer;
  // nullptr: such providers cannot verify tokens (IDPCommunicationError).
  domain::JwksFetcher* jwks_fetcher = nullptr;
};

// Returns the children of <ActionResult>.
using ActionFn = Result<ResultNode> (*)(const ActionContext&);

Result<ResultNode> get_caller_identity(const ActionContext&);
Result<ResultNode> assume_role(const ActionContext&);
Result<ResultNode> get_session_token(const ActionContext&);
Result<ResultNode> get_federation_token(const ActionContext&);
Result<ResultNode> get_access_key_info(const ActionContext&);
Result<ResultNode> decode_authorization_message(const ActionContext&);
Result<ResultNode> assume_role_with_web_identity(const ActionContext&);
Result<ResultNode> assume_role_with_saml(const ActionContext&);
Result<ResultNode> get_web_identity_token(const ActionContext&);
Result<ResultNode> assume_root(const ActionContext&);

}  // namespace stsd::service
