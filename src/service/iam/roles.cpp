// Roles: lifecycle, trust policy, tags, inline and attached policies,
// permissions boundary (docs/IAM-BEHAVIOUR.md section 5.1).
#include "common.h"

#include <variant>

#include "stsd/common/ascii.h"
#include "stsd/domain/access_key.h"

namespace stsd::service::iam {

namespace {

enum class RoleView { Create, Get, List };

// What each operation shows of a role differs (section 5.1).
Role role_shape(const domain::Role& r, RoleView view) {
  Role out;
  out.Path = r.path;
  out.RoleName = r.name;
  out.RoleId = r.role_id;
  out.Arn = r.arn;
  out.CreateDate = Timestamp{r.create_date};
  out.AssumeRolePolicyDocument = wire_document(trust_document(r));
  if (!r.description.empty()) out.Description = r.description;
  if (view != RoleView::Create) out.MaxSessionDuration = r.max_session_duration;
  if (view != RoleView::List) {
    out.PermissionsBoundary = boundary_shape(r.permissions_boundary);
    out.Tags = tags_shape(r.tags);
  }
  if (view == RoleView::Get) out.RoleLastUsed = RoleLastUsed{};
  return out;
}

// The role to change, from the newest snapshot.
Result<domain::Role> existing_role(const domain::Store& store, const Context& ctx, std::string_view name) {
  const domain::Role* role = store.find_role_by_name(ctx.account, name);
  if (role == nullptr || !role->declared) return no_such_role(name);
  return *role;
}

// Read-modify-write of one role as a single store update.
template <class Edit>
Result<void> change_role(const Context& ctx, std::string_view name, Edit edit) {
  return change_entity(
      ctx, [&](const domain::Store& store) { return existing_role(store, ctx, name); }, edit, &domain::StoreEditor::put_role);
}

Result<void> check_trust_size(std::string_view document) {
  if (domain::policy_size(document) > domain::kMaxTrustPolicySize)
    return limit_exceeded("Cannot exceed quota for ACLSizePerRole: " + std::to_string(domain::kMaxTrustPolicySize));
  return {};
}

}  // namespace

Result<CreateRoleResponse> create_role(const CreateRoleRequest& req, const Context& ctx) {
  auto tags = new_tags(req.Tags);
  if (!tags) return unexpected(tags.error());
  return ctx.store.update<CreateRoleResponse>([&](domain::StoreEditor& editor) -> Result<CreateRoleResponse> {
    const domain::Store& store = editor.view();
    if (const domain::Role* existing = store.find_role_by_name(ctx.account, req.RoleName);
        existing != nullptr && existing->declared)
      return already_exists("Role with name " + req.RoleName + " already exists.");
    if (auto ok = check_trust_size(req.AssumeRolePolicyDocument); !ok) return unexpected(ok.error());
    if (auto ok = check_policy(store, req.AssumeRolePolicyDocument, domain::PolicyKind::Trust, ctx.partition); !ok)
      return unexpected(ok.error());
    if (req.PermissionsBoundary)
      if (auto ok = check_boundary(ctx, store, *req.PermissionsBoundary); !ok) return unexpected(ok.error());
    domain::Role role;
    role.account = ctx.account;
    role.name = req.RoleName;
    role.path = req.Path.value_or("/");
    role.role_id = domain::random_unique_id("AROA");
    role.create_date = ctx.clock.now();
    role.description = req.Description.value_or("");
    role.max_session_duration = static_cast<int>(req.MaxSessionDuration.value_or(3600));
    role.trust_policy = req.AssumeRolePolicyDocument;
    role.tags = std::move(*tags);
    role.permissions_boundary = stored_arn(req.PermissionsBoundary);
    return CreateRoleResponse{role_shape(editor.put_role(std::move(role)), RoleView::Create)};
  });
}

Result<GetRoleResponse> get_role(const GetRoleRequest& req, const Context& ctx) {
  auto role = existing_role(ctx.snapshot, ctx, req.RoleName);
  if (!role) return unexpected(role.error());
  return GetRoleResponse{role_shape(*role, RoleView::Get)};
}

Result<ListRolesResponse> list_roles(const ListRolesRequest& req, const Context& ctx) {
  std::vector<const domain::Role*> roles;
  ctx.snapshot.for_each_role([&](const domain::Role& r) {
    if (r.account == ctx.account && r.declared && path_has_prefix(r.path, req.PathPrefix)) roles.push_back(&r);
  });
  auto page = paginate(std::move(roles), [](const domain::Role* r) { return sort_key(r->name); }, req.Marker,
                       req.MaxItems);
  if (!page) return unexpected(page.error());
  ListRolesResponse out;
  for (const domain::Role* r : page->items) out.Roles.push_back(role_shape(*r, RoleView::List));
  out.IsTruncated = page->is_truncated;
  out.Marker = page->marker;
  return out;
}

Result<UpdateRoleResponse> update_role(const UpdateRoleRequest& req, const Context& ctx) {
  auto ok = change_role(ctx, req.RoleName, [&](const domain::Store&, domain::Role& role) -> Result<void> {
    if (req.Description) role.description = *req.Description;
    if (req.MaxSessionDuration) role.max_session_duration = static_cast<int>(*req.MaxSessionDuration);
    return {};
  });
  if (!ok) return unexpected(ok.error());
  return UpdateRoleResponse{};
}

Result<UpdateRoleDescriptionResponse> update_role_description(const UpdateRoleDescriptionRequest& req,
                                                              const Context& ctx) {
  std::optional<Role> shown;
  auto ok = change_role(ctx, req.RoleName, [&](const domain::Store&, domain::Role& role) -> Result<void> {
    role.description = req.Description;
    shown = role_shape(role, RoleView::Create);
    return {};
  });
  if (!ok) return unexpected(ok.error());
  return UpdateRoleDescriptionResponse{std::move(shown)};
}

Result<DeleteRoleResponse> delete_role(const DeleteRoleRequest& req, const Context& ctx) {
  auto done = ctx.store.update<std::monostate>([&](domain::StoreEditor& editor) -> Result<std::monostate> {
    auto role = existing_role(editor.view(), ctx, req.RoleName);
    if (!role) return unexpected(role.error());
    if (!role->attached_policies.empty()) return delete_conflict("Cannot delete entity, must detach all policies first.");
    if (!role->inline_policies.empty()) return delete_conflict("Cannot delete entity, must delete policies first.");
    bool in_profile = false;
    editor.view().for_each_instance_profile([&](const domain::InstanceProfile& p) {
      if (p.account == ctx.account)
        for (const auto& r : p.roles)
          if (iequals(r, role->name)) in_profile = true;
    });
    if (in_profile) return delete_conflict("Cannot delete entity, must remove roles from instance profile first.");
    editor.erase_role(ctx.account, role->name);
    return std::monostate{};
  });
  if (!done) return unexpected(done.error());
  return DeleteRoleResponse{};
}

Result<UpdateAssumeRolePolicyResponse> update_assume_role_policy(const UpdateAssumeRolePolicyRequest& req,
                                                                 const Context& ctx) {
  auto ok = change_role(ctx, req.RoleName, [&](const domain::Store& store, domain::Role& role) -> Result<void> {
    if (auto size = check_trust_size(req.PolicyDocument); !size) return size;
    if (auto valid = check_policy(store, req.PolicyDocument, domain::PolicyKind::Trust, ctx.partition); !valid) return valid;
    role.trust_policy = req.PolicyDocument;
    return {};
  });
  if (!ok) return unexpected(ok.error());
  return UpdateAssumeRolePolicyResponse{};
}

Result<TagRoleResponse> tag_role(const TagRoleRequest& req, const Context& ctx) {
  auto ok = change_role(ctx, req.RoleName,
                        [&](const domain::Store&, domain::Role& role) { return merge_tags(role.tags, req.Tags); });
  if (!ok) return unexpected(ok.error());
  return TagRoleResponse{};
}

Result<UntagRoleResponse> untag_role(const UntagRoleRequest& req, const Context& ctx) {
  auto ok = change_role(ctx, req.RoleName, [&](const domain::Store&, domain::Role& role) -> Result<void> {
    remove_tags(role.tags, req.TagKeys);
    return {};
  });
  if (!ok) return unexpected(ok.error());
  return UntagRoleResponse{};
}

Result<ListRoleTagsResponse> list_role_tags(const ListRoleTagsRequest& req, const Context& ctx) {
  auto role = existing_role(ctx.snapshot, ctx, req.RoleName);
  if (!role) return unexpected(role.error());
  return tags_page<ListRoleTagsResponse>(role->tags, req.Marker, req.MaxItems);
}

Result<PutRolePolicyResponse> put_role_policy(const PutRolePolicyRequest& req, const Context& ctx) {
  auto ok = change_role(ctx, req.RoleName, [&](const domain::Store& store, domain::Role& role) -> Result<void> {
    if (auto valid = check_policy(store, req.PolicyDocument, domain::PolicyKind::Identity, ctx.partition); !valid) return valid;
    return put_inline(role.inline_policies, req.PolicyName, req.PolicyDocument, domain::kMaxRoleInlinePolicySize,
                      "role", role.name);
  });
  if (!ok) return unexpected(ok.error());
  return PutRolePolicyResponse{};
}

Result<GetRolePolicyResponse> get_role_policy(const GetRolePolicyRequest& req, const Context& ctx) {
  auto role = existing_role(ctx.snapshot, ctx, req.RoleName);
  if (!role) return unexpected(role.error());
  const domain::InlinePolicy* policy = find_inline(role->inline_policies, req.PolicyName);
  if (policy == nullptr) return no_such_entity("The role policy with name " + req.PolicyName + " cannot be found.");
  return GetRolePolicyResponse{role->name, policy->name, wire_document(policy->policy.text)};
}

Result<ListRolePoliciesResponse> list_role_policies(const ListRolePoliciesRequest& req, const Context& ctx) {
  auto role = existing_role(ctx.snapshot, ctx, req.RoleName);
  if (!role) return unexpected(role.error());
  auto page = paginate(inline_names(role->inline_policies), [](const std::string& n) { return n; }, req.Marker,
                       req.MaxItems);
  if (!page) return unexpected(page.error());
  return ListRolePoliciesResponse{std::move(page->items), page->is_truncated, page->marker};
}

Result<DeleteRolePolicyResponse> delete_role_policy(const DeleteRolePolicyRequest& req, const Context& ctx) {
  auto ok = change_role(ctx, req.RoleName, [&](const domain::Store&, domain::Role& role) -> Result<void> {
    if (!erase_inline(role.inline_policies, req.PolicyName))
      return no_such_entity("The role policy with name " + req.PolicyName + " cannot be found.");
    return {};
  });
  if (!ok) return unexpected(ok.error());
  return DeleteRolePolicyResponse{};
}

Result<AttachRolePolicyResponse> attach_role_policy(const AttachRolePolicyRequest& req, const Context& ctx) {
  auto ok = change_role(ctx, req.RoleName, [&](const domain::Store& store, domain::Role& role) -> Result<void> {
    if (auto valid = check_attachable(ctx, store, req.PolicyArn); !valid) return valid;
    return attach(role.attached_policies, req.PolicyArn, "PoliciesPerRole");
  });
  if (!ok) return unexpected(ok.error());
  return AttachRolePolicyResponse{};
}

Result<DetachRolePolicyResponse> detach_role_policy(const DetachRolePolicyRequest& req, const Context& ctx) {
  auto ok = change_role(ctx, req.RoleName, [&](const domain::Store&, domain::Role& role) {
    return detach(role.attached_policies, req.PolicyArn);
  });
  if (!ok) return unexpected(ok.error());
  return DetachRolePolicyResponse{};
}

Result<ListAttachedRolePoliciesResponse> list_attached_role_policies(const ListAttachedRolePoliciesRequest& req,
                                                                     const Context& ctx) {
  auto role = existing_role(ctx.snapshot, ctx, req.RoleName);
  if (!role) return unexpected(role.error());
  std::vector<AttachedPolicy> attached;
  for (AttachedPolicy& p : attached_policies(role->attached_policies))
    if (path_has_prefix(p.PolicyArn.value_or("").substr(p.PolicyArn.value_or("").find(":policy") + 7), req.PathPrefix))
      attached.push_back(std::move(p));
  auto page = paginate(std::move(attached), [](const AttachedPolicy& p) { return p.PolicyArn.value_or(""); },
                       req.Marker, req.MaxItems);
  if (!page) return unexpected(page.error());
  return ListAttachedRolePoliciesResponse{std::move(page->items), page->is_truncated, page->marker};
}

Result<PutRolePermissionsBoundaryResponse> put_role_permissions_boundary(const PutRolePermissionsBoundaryRequest& req,
                                                                         const Context& ctx) {
  auto ok = change_role(ctx, req.RoleName, [&](const domain::Store& store, domain::Role& role) -> Result<void> {
    if (auto valid = check_boundary(ctx, store, req.PermissionsBoundary); !valid) return valid;
    role.permissions_boundary = stored_arn(req.PermissionsBoundary);
    return {};
  });
  if (!ok) return unexpected(ok.error());
  return PutRolePermissionsBoundaryResponse{};
}

Result<DeleteRolePermissionsBoundaryResponse> delete_role_permissions_boundary(
    const DeleteRolePermissionsBoundaryRequest& req, const Context& ctx) {
  auto ok = change_role(ctx, req.RoleName, [&](const domain::Store&, domain::Role& role) -> Result<void> {
    role.permissions_boundary.reset();
    return {};
  });
  if (!ok) return unexpected(ok.error());
  return DeleteRolePermissionsBoundaryResponse{};
}

}  // namespace stsd::service::iam
