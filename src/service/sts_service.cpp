#include "stsd/service/sts_service.h"

#include <strings.h>

#include <unordered_map>

#include "stsd/service/action.h"
#include "stsd/service/model.h"
#include "stsd/service/session_options.h"

namespace stsd::service {

namespace {

// Operations stsd implements; the model knows all eleven.
const std::unordered_map<std::string_view, ActionFn>& actions() {
  static const std::unordered_map<std::string_view, ActionFn> table = {
      {"GetCallerIdentity", &get_caller_identity},
      {"AssumeRole", &assume_role},
      {"GetSessionToken", &get_session_token},
      {"GetFederationToken", &get_federation_token},
      {"GetAccessKeyInfo", &get_access_key_info},
      {"DecodeAuthorizationMessage", &decode_authorization_message},
      {"AssumeRoleWithWebIdentity", &assume_role_with_web_identity},
      {"AssumeRoleWithSAML", &assume_role_with_saml},
      {"GetWebIdentityToken", &get_web_identity_token},
      {"AssumeRoot", &assume_root},
  };
  return table;
}

bool is_global_endpoint(const sigv4::Request& request) {
  for (const auto& h : request.headers)
    if (h.name.size() == 4 && strncasecmp(h.name.c_str(), "host", 4) == 0)
      return h.value == "sts.amazonaws.com" || h.value == "sts.amazonaws.com:443";
  return false;
}

}  // namespace

StsError invalid_action(std::string_view action, std::string_view version) {
  return StsError::make(ErrorCode::InvalidAction, "Could not find operation " + std::string(action) +
                                                      " for version " + std::string(version));
}

StsService::StsService(domain::StoreHolder& store, const domain::SessionTokenCodec& tokens,
                       const domain::AuthorizationMessageCodec& messages, const domain::Clock& clock,
                       const domain::federation::BuiltinIdentityProviders& idps, AuthMode mode,
                       domain::JwksFetcher* jwks_fetcher)
    : store_(store),
      tokens_(tokens),
      messages_(messages),
      clock_(clock),
      idps_(idps),
      jwks_fetcher_(jwks_fetcher),
      authenticator_(mode, tokens, clock) {}

Outcome StsService::handle(const Parameters& params, const sigv4::Request& request) const {
  const std::string* action_param = params.find("Action");
  const std::string action = action_param ? *action_param : std::string();
  // Dispatch comes first: the operation decides whether a signature is needed
  // (SAML and web identity are unsigned). Whether AWS ranks InvalidAction
  // above a bad signature is unverified.
  const std::string* version = params.find("Version");
  if (version == nullptr) return {unexpected(invalid_action(action, "NO_VERSION_SPECIFIED")), {}, {}};
  const OperationModel* op = find_operation(Service::Sts, action);
  if (*version != kApiVersion || op == nullptr) return {unexpected(invalid_action(action, *version)), {}, {}};

  Outcome out{ResultNode{}, action, {}};
  auto store = store_.get();
  std::optional<Authenticated> auth;
  if (op->requires_signature()) {
    auto a = authenticator_.authenticate(request, *store);
    if (!a) {
      out.result = unexpected(a.error());
      return out;
    }
    auth = std::move(*a);
    out.principal_arn = auth->caller.arn;
  }

  auto input = op->validate(params);
  if (!input) {
    out.result = unexpected(input.error());
    return out;
  }
  if (auth) {
    if (auto allowed = check_may_call(action, auth->caller, input->string("RoleArn").value_or("")); !allowed) {
      out.result = unexpected(allowed.error());
      return out;
    }
  }
  auto it = actions().find(action);
  if (it == actions().end()) {
    out.result = fail(ErrorCode::InvalidAction, "stsd does not implement " + action + " yet.");
    return out;
  }
  ActionContext ctx{*input, auth ? &auth->caller : nullptr, *store, tokens_, messages_, clock_, mfa_, idps_,
                    auth ? auth->region : store->region(), is_global_endpoint(request), jwks_fetcher_};
  out.result = it->second(ctx);
  return out;
}

Result<void> check_may_call(std::string_view action, const Caller& caller, std::string_view resource) {
  if (!caller.session || action == "GetCallerIdentity") return {};
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
