#include "stsd/service/iam_service.h"

#include <algorithm>

#include "stsd/service/authorization.h"
#include "stsd/service/iam/actions.h"
#include "stsd/service/model.h"
#include "stsd/service/session_options.h"

namespace stsd::service {

namespace {

const iam::ActionEntry* find_action(std::string_view operation) {
  const auto table = iam::actions();
  auto it = std::lower_bound(table.begin(), table.end(), operation,
                             [](const iam::ActionEntry& e, std::string_view name) { return e.operation < name; });
  return it != table.end() && it->operation == operation ? &*it : nullptr;
}

// The resource an IAM call acts on, for the policy decision: the entity its
// request names (the stored ARN, path included, when it exists), else "*".
std::string resource_of(const Parameters& params, const domain::Store& store, const std::string& account) {
  // An entity not stored yet (Create*): its ARN with the requested Path.
  const std::string* path = params.find("Path");
  const auto arn = [&](std::string_view type, const std::string& name) {
    return "arn:aws:iam::" + account + ":" + std::string(type) + (path ? *path : std::string("/")) + name;
  };
  // Before RoleName: AddRoleToInstanceProfile and RemoveRoleFromInstanceProfile
  // act on the profile.
  if (const std::string* name = params.find("InstanceProfileName")) {
    if (const domain::InstanceProfile* p = store.find_instance_profile(account, *name)) return p->arn;
    return arn("instance-profile", *name);
  }
  if (const std::string* name = params.find("RoleName")) {
    if (const domain::Role* r = store.find_role_by_name(account, *name)) return r->arn;
    return arn("role", *name);
  }
  if (const std::string* name = params.find("UserName")) {
    if (const domain::User* u = store.find_user(account, *name)) return u->arn;
    return arn("user", *name);
  }
  if (const std::string* name = params.find("GroupName")) {
    if (const domain::Group* g = store.find_group(account, *name)) return g->arn;
    return arn("group", *name);
  }
  for (const char* key : {"PolicyArn", "OpenIDConnectProviderArn", "SAMLProviderArn"})
    if (const std::string* value = params.find(key)) return *value;
  // CreatePolicy (the inline policy operations named their entity above).
  if (const std::string* name = params.find("PolicyName")) return arn("policy", *name);
  return "*";
}

// What temporary credentials may not do on IAM (IAM User Guide, "Comparing
// the AWS STS API operations"): federated users call no IAM operation;
// GetSessionToken credentials only with MFA.
Result<void> check_may_call_iam(const Caller& caller, std::string_view action, std::string_view resource) {
  if (!caller.session) return {};
  const domain::Session& s = *caller.session;
  const bool refused = s.type == domain::CredentialType::FederatedUser ||
                       (s.type == domain::CredentialType::SessionToken && !s.mfa_authenticated);
  if (refused) return unexpected(not_authorized(caller, "iam:" + std::string(action), resource));
  return {};
}

}  // namespace

Outcome IamService::handle(const Parameters& params, const sigv4::Request& request) const {
  const std::string* action_param = params.find("Action");
  const std::string action = action_param ? *action_param : std::string();
  const ServiceInfo& info = service_info(Service::Iam);
  const std::string* version = params.find("Version");
  if (version == nullptr) return {unexpected(invalid_action(action, "NO_VERSION_SPECIFIED")), {}, {}};
  const OperationModel* op = find_operation(Service::Iam, action);
  if (*version != info.api_version || op == nullptr) return {unexpected(invalid_action(action, *version)), {}, {}};

  Outcome out{ResultNode{}, action, {}};
  auto store = store_.get();
  auto auth = authenticator_.authenticate(request, *store, info.signing_name);
  if (!auth) {
    out.result = unexpected(auth.error());
    return out;
  }
  const Caller& caller = auth->caller;
  out.principal_arn = caller.arn;

  auto input = op->validate(params);
  if (!input) {
    out.result = unexpected(input.error());
    return out;
  }
  const std::string resource = resource_of(params, *store, caller.account);
  if (auto allowed = check_may_call_iam(caller, action, resource); !allowed) {
    out.result = unexpected(allowed.error());
    return out;
  }
  Authorizer authorizer(*store, messages_);
  if (!authorizer.allows_without_policies(caller, nullptr)) {
    auto decision = authorizer.authorize(caller, nullptr,
                                         caller_request(caller, "iam:" + action, resource, clock_.now()));
    if (!decision) {
      out.result = unexpected(decision.error());
      return out;
    }
  }
  const iam::ActionEntry* entry = find_action(action);
  if (entry == nullptr) {
    out.result = fail(ErrorCode::InvalidAction, "stsd does not implement " + action + " yet.");
    return out;
  }
  out.result = entry->run(*input, iam::Context{caller, *store, store_, clock_, caller.account});
  return out;
}

}  // namespace stsd::service
