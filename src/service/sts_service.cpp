#include "stsd/service/sts_service.h"

#include <strings.h>

#include "stsd/service/access_denied.h"
#include "stsd/service/session_options.h"
#include "stsd/service/sts/actions.h"

namespace stsd::service {

namespace {

std::string_view host_of(const sigv4::Request& request) {
  for (const auto& h : request.headers)
    if (h.name.size() == 4 && strncasecmp(h.name.c_str(), "host", 4) == 0) return h.value;
  return {};
}

bool is_global_endpoint(std::string_view host) { return host == "sts.amazonaws.com" || host == "sts.amazonaws.com:443"; }

// The region of an unsigned request (AssumeRoleWithSAML/WebIdentity): the
// one its AWS-shaped Host names (sts[-fips].<region>.amazonaws.com[.cn],
// sts.<region>.api.aws), else the server's.
std::string unsigned_region(std::string_view host, const std::string& server_region) {
  for (std::string_view prefix : {"sts.", "sts-fips."}) {
    if (!host.starts_with(prefix)) continue;
    std::string_view rest = host.substr(prefix.size());
    const auto dot = rest.find('.');
    if (dot == std::string_view::npos) return server_region;
    const std::string_view domain = rest.substr(dot + 1);
    for (std::string_view suffix : {"amazonaws.com", "amazonaws.com.cn", "api.aws"})
      if (domain == suffix || (domain.starts_with(suffix) && domain.substr(suffix.size()).starts_with(":")))
        return std::string(rest.substr(0, dot));
  }
  return server_region;
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
  // An opt-in region the caller's account has not enabled does not know its
  // credentials: AWS answers InvalidClientTokenId there.
  if (call.store.region_status(call.auth->caller.account, call.auth->region) == domain::RegionStatus::NotEnabled)
    return fail(ErrorCode::InvalidClientTokenId, "The security token included in the request is invalid.");
  auto allowed = check_may_call(call.operation.name(), call.auth->caller, call.input.string("RoleArn").value_or(""));
  if (!allowed && call.trace != nullptr)
    call.trace->note("temporary credentials may not call this action", allowed.error().message);
  return allowed;
}

Result<ResultNode> StsService::run(const Call& call) const {
  const auto* entry = find_action(sts::actions(), call.operation.name());
  if (entry == nullptr) return unexpected(not_implemented(call.operation.name()));
  const std::string_view host = host_of(call.request);
  const sts::Context ctx{call.auth ? &call.auth->caller : nullptr,
                         call.store,
                         tokens_,
                         messages_,
                         clock_,
                         mfa_,
                         idps_,
                         call.auth ? call.auth->region : unsigned_region(host, call.store.region()),
                         is_global_endpoint(host),
                         jwks_fetcher_,
                         call.trace,
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
