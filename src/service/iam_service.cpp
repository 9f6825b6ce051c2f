#include "stsd/service/iam_service.h"

#include "stsd/common/region.h"
#include "stsd/service/access_denied.h"
#include "stsd/service/authorization.h"
#include "stsd/service/iam/actions.h"
#include "stsd/service/model.h"
#include "stsd/service/session_options.h"

namespace stsd::service {

namespace {

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

// IAM's answers name entities in the request's partition (the store keeps
// them in "aws"): every ARN member of the result. ARN members are named
// "...Arn" in IAM's model; a virtual MFA device's SerialNumber is its ARN.
void put_in_partition(ResultNode& node, std::string_view partition) {
  if (node.kind == ResultNode::Kind::String) {
    const std::string_view name = node.name;
    if (name.ends_with("Arn") || name == "SerialNumber") node.text = in_partition(node.text, partition);
    return;
  }
  for (ResultNode& child : node.children) put_in_partition(child, partition);
}

// An ARN of another partition names nothing here: IAM answers
// `ValidationError: Invalid ARN partition` (seen for AttachRolePolicy).
Result<void> check_arn_partitions(const Parameters& params, std::string_view partition) {
  for (const auto& [name, value] : params.items()) {
    const std::string_view member = std::string_view(name).substr(0, name.find('.'));  // ResourceArns.member.1
    const bool arn_member = member.ends_with("Arn") || member.ends_with("Arns") || member == "PermissionsBoundary";
    const std::string_view p = arn_partition(value);
    if (arn_member && !p.empty() && p != partition) return fail(ErrorCode::ValidationError, "Invalid ARN partition");
  }
  return {};
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

// The owner of a delegation request may get and update it whatever its
// policies say (the GetDelegationRequest and UpdateDelegationRequest
// documentation: "the owner ... gets a default permission").
bool owner_default_permission(std::string_view action, const Parameters& params, const domain::Store& store,
                              const Caller& caller) {
  if (action != "GetDelegationRequest" && action != "UpdateDelegationRequest") return false;
  const std::string* id = params.find("DelegationRequestId");
  const domain::DelegationRequest* r = id ? store.find_delegation_request(*id) : nullptr;
  return r != nullptr && !r->owner_id.empty() && r->owner_id == caller.arn;
}

}  // namespace

Result<void> IamService::authorize(const Call& call) const {
  const Caller& caller = call.auth->caller;  // every IAM operation is signed
  const std::string_view action = call.operation.name();
  const std::string_view partition = partition_of(call.auth->region);
  if (auto ok = check_arn_partitions(call.params, partition); !ok) return ok;
  const std::string resource = in_partition(resource_of(call.params, call.store, caller.account), partition);
  if (auto allowed = check_may_call_iam(caller, action, resource); !allowed) {
    call.trace->note("temporary credentials may not call IAM", allowed.error().message);
    return allowed;
  }
  if (owner_default_permission(action, call.params, call.store, caller)) {
    call.trace->note("the delegation request's owner", "its owner may read and update it without a policy");
    return {};
  }
  Authorizer authorizer(call.store, messages_, call.trace);
  if (authorizer.allows_without_policies(caller, nullptr)) return {};
  auto decision = authorizer.authorize(
      caller, nullptr, caller_request(caller, "iam:" + std::string(action), resource, clock_.now()));
  if (!decision) return unexpected(decision.error());
  return {};
}

Result<ResultNode> IamService::run(const Call& call) const {
  const auto* entry = find_action(iam::actions(), call.operation.name());
  if (entry == nullptr) return unexpected(not_implemented(call.operation.name()));
  const Caller& caller = call.auth->caller;
  const std::string_view partition = partition_of(call.auth->region);
  const Authorizer authorizer(call.store, messages_);
  auto result =
      entry->run(call.input, iam::Context{caller, call.store, store_, clock_, caller.account, partition, &authorizer});
  if (result && partition != "aws") put_in_partition(*result, partition);
  return result;
}

}  // namespace stsd::service
