#include "stsd/service/sts_service.h"

#include <strings.h>

#include "stsd/service/session_options.h"
#include "stsd/service/sts/actions.h"

namespace stsd::service {

namespace {

bool is_global_endpoint(const sigv4::Request& request) {
  for (const auto& h : request.headers)
    if (h.name.size() == 4 && strncasecmp(h.name.c_str(), "host", 4) == 0)
      return h.value == "sts.amazonaws.com" || h.value == "sts.amazonaws.com:443";
  return false;
}

}  // namespace

StsService::StsService(domain::StoreHolder& store, const domain::SessionTokenCodec& tokens,
                       const domain::AuthorizationMessageCodec& messages, const domain::Clock& clock,
                       const domain::federation::BuiltinIdentityProviders& idps, AuthMode mode,
                       domain::JwksFetcher* jwks_fetcher)
    : QueryService(Service::Sts, store, mode, tokens, clock),
      tokens_(tokens),
      messages_(messages),
      idps_(idps),
      jwks_fetcher_(jwks_fetcher) {}

Result<void> StsService::authorize(const Call& call) const {
  if (call.auth == nullptr) return {};
  return check_may_call(call.operation.name(), call.auth->caller, call.input.string("RoleArn").value_or(""));
}

Result<ResultNode> StsService::run(const Call& call) const {
  const auto* entry = find_action(sts::actions(), call.operation.name());
  if (entry == nullptr) return unexpected(not_implemented(call.operation.name()));
  const sts::Context ctx{call.auth ? &call.auth->caller : nullptr,
                         call.store,
                         tokens_,
                         messages_,
                         clock_,
                         mfa_,
                         idps_,
                         call.auth ? call.auth->region : call.store.region(),
                         is_global_endpoint(call.request),
                         jwks_fetcher_,
                         &store_};
  return entry->run(call.input, ctx);
}

Result<void> check_may_call(std::string_view action, const Caller& caller, std::string_view resource) {
  // Any temporary credentials may scope themselves down (GetScopedCredentials
  // refuses long-term ones itself, with its own error).
  if (!caller.session || action == "GetCallerIdentity" || action == "GetScopedCredentials") return {};
  const domain::CredentialType type = caller.session->type;
  if (action == "GetSessionToken" || action == "GetFederationToken")
    return fail(ErrorCode::AccessDenied, "Cannot call " + std::string(action) + " with session credentials");
  // Federated users may call nothing else; GetSessionToken sessions only AssumeRole.
  const bool denied = type == domain::CredentialType::FederatedUser ||
                      (type == domain::CredentialType::SessionToken && action != "AssumeRole");
  if (denied) return unexpected(not_authorized(caller, "sts:" + std::string(action), resource));
  return {};
}

}  // namespace stsd::service
