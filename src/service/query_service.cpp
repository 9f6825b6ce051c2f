#include "stsd/service/query_service.h"

#include <optional>

namespace stsd::service {

StsError invalid_action(std::string_view action, std::string_view version) {
  return StsError::make(ErrorCode::InvalidAction, "Could not find operation " + std::string(action) +
                                                      " for version " + std::string(version));
}

StsError not_implemented(std::string_view operation) {
  return StsError::make(ErrorCode::InvalidAction, "stsd does not implement " + std::string(operation) + " yet.");
}

Outcome QueryService::handle(const Parameters& params, const sigv4::Request& request) const {
  const std::string* action_param = params.find("Action");
  const std::string action = action_param ? *action_param : std::string();
  const ServiceInfo& info = service_info(service_);
  // Dispatch comes first: the operation decides whether a signature is needed
  // (SAML and web identity are unsigned). Whether AWS ranks InvalidAction
  // above a bad signature is unverified.
  const std::string* version = params.find("Version");
  if (version == nullptr) return {unexpected(invalid_action(action, "NO_VERSION_SPECIFIED")), {}, {}};
  const OperationModel* op = find_operation(service_, action);
  if (*version != info.api_version || op == nullptr) return {unexpected(invalid_action(action, *version)), {}, {}};

  Outcome out{ResultNode{}, action, {}, {}};
  auto store = store_.get();
  std::optional<Authenticated> auth;
  if (op->requires_signature()) {
    auto a = authenticator_.authenticate(request, *store, info.signing_name);
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
  const Call call{*op, params, *input, request, auth ? &*auth : nullptr, *store, &out.trace};
  if (auto allowed = authorize(call); !allowed) {
    out.result = unexpected(allowed.error());
    return out;
  }
  out.result = run(call);
  return out;
}

}  // namespace stsd::service
