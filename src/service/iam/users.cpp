// Users: lifecycle, rename, tags, inline and attached policies, permissions
// boundary (docs/IAM-BEHAVIOUR.md section 5.2).
#include "principals.h"

#include "stsd/domain/access_key.h"

namespace stsd::service::iam {

Result<CreateUserResponse> create_user(const CreateUserRequest& req, const Context& ctx) {
  auto tags = new_tags(req.Tags);
  if (!tags) return unexpected(tags.error());
  return ctx.store.update<CreateUserResponse>([&](domain::StoreEditor& editor) -> Result<CreateUserResponse> {
    const domain::Store& store = editor.view();
    if (store.find_user(ctx.account, req.UserName) != nullptr)
      return already_exists("User with name " + req.UserName + " already exists.");
    if (req.PermissionsBoundary)
      if (auto ok = check_boundary(ctx, store, *req.PermissionsBoundary); !ok) return unexpected(ok.error());
    domain::User user;
    user.account = ctx.account;
    user.name = req.UserName;
    user.path = req.Path.value_or("/");
    user.user_id = domain::random_unique_id("AIDA");
    user.create_date = ctx.clock.now();
    user.tags = std::move(*tags);
    user.permissions_boundary = stored_arn(req.PermissionsBoundary);
    return CreateUserResponse{user_shape(editor.put_user(std::move(user)), true)};
  });
}

Result<GetUserResponse> get_user(const GetUserRequest& req, const Context& ctx) {
  auto user = user_or_caller(ctx, ctx.snapshot, req.UserName);
  if (!user) return unexpected(user.error());
  if (*user == nullptr) {
    // The account root (section 5.2): its account id as UserId, no UserName.
    User root;
    root.Path = "/";
    root.UserId = ctx.account;
    root.Arn = "arn:aws:iam::" + ctx.account + ":root";
    return GetUserResponse{std::move(root)};
  }
  return GetUserResponse{user_shape(**user, true)};
}

Result<ListUsersResponse> list_users(const ListUsersRequest& req, const Context& ctx) {
  std::vector<const domain::User*> users;
  ctx.snapshot.for_each_user([&](const domain::User& u) {
    if (u.account == ctx.account && path_has_prefix(u.path, req.PathPrefix)) users.push_back(&u);
  });
  auto page = paginate(std::move(users), [](const domain::User* u) { return sort_key(u->name); }, req.Marker,
                       req.MaxItems);
  if (!page) return unexpected(page.error());
  ListUsersResponse out;
  for (const domain::User* u : page->items) out.Users.push_back(user_shape(*u, false));
  out.IsTruncated = page->is_truncated;
  out.Marker = page->marker;
  return out;
}

Result<UpdateUserResponse> update_user(const UpdateUserRequest& req, const Context& ctx) {
  auto done = ctx.store.update<std::monostate>([&](domain::StoreEditor& editor) -> Result<std::monostate> {
    auto user = existing_user(editor.view(), ctx, req.UserName);
    if (!user) return unexpected(user.error());
    const std::string old_name = user->name;
    if (req.NewUserName && !iequals(*req.NewUserName, old_name) &&
        editor.view().find_user(ctx.account, *req.NewUserName) != nullptr)
      return already_exists("User with name " + *req.NewUserName + " already exists.");
    if (req.NewUserName) user->name = *req.NewUserName;
    if (req.NewPath) user->path = *req.NewPath;
    // The user keeps its UserId; its group membership and MFA devices live in
    // the entity; its access keys name it and follow the rename.
    if (user->name != old_name) {
      std::vector<domain::AccessKeyRecord> keys;
      for (const domain::AccessKeyRecord* k : keys_of(editor.view(), ctx.account, old_name)) keys.push_back(*k);
      for (domain::AccessKeyRecord& k : keys) {
        k.user = user->name;
        editor.put_access_key(std::move(k));
      }
    }
    editor.erase_user(ctx.account, old_name);
    editor.put_user(std::move(*user));
    return std::monostate{};
  });
  if (!done) return unexpected(done.error());
  return UpdateUserResponse{};
}

Result<DeleteUserResponse> delete_user(const DeleteUserRequest& req, const Context& ctx) {
  auto done = ctx.store.update<std::monostate>([&](domain::StoreEditor& editor) -> Result<std::monostate> {
    auto user = existing_user(editor.view(), ctx, req.UserName);
    if (!user) return unexpected(user.error());
    if (!user->attached_policies.empty()) return delete_conflict("Cannot delete entity, must detach all policies first.");
    if (!user->inline_policies.empty()) return delete_conflict("Cannot delete entity, must delete policies first.");
    if (!keys_of(editor.view(), ctx.account, user->name).empty())
      return delete_conflict("Cannot delete entity, must delete access keys first.");
    if (!user->mfa_devices.empty()) return delete_conflict("Cannot delete entity, must delete MFA device first.");
    if (!user->groups.empty()) return delete_conflict("Cannot delete entity, must remove users from group first.");
    editor.erase_user(ctx.account, user->name);
    return std::monostate{};
  });
  if (!done) return unexpected(done.error());
  return DeleteUserResponse{};
}

Result<TagUserResponse> tag_user(const TagUserRequest& req, const Context& ctx) {
  auto ok = change_user(ctx, req.UserName,
                        [&](const domain::Store&, domain::User& user) { return merge_tags(user.tags, req.Tags); });
  if (!ok) return unexpected(ok.error());
  return TagUserResponse{};
}

Result<UntagUserResponse> untag_user(const UntagUserRequest& req, const Context& ctx) {
  auto ok = change_user(ctx, req.UserName, [&](const domain::Store&, domain::User& user) -> Result<void> {
    remove_tags(user.tags, req.TagKeys);
    return {};
  });
  if (!ok) return unexpected(ok.error());
  return UntagUserResponse{};
}

Result<ListUserTagsResponse> list_user_tags(const ListUserTagsRequest& req, const Context& ctx) {
  auto user = existing_user(ctx.snapshot, ctx, req.UserName);
  if (!user) return unexpected(user.error());
  return tags_page<ListUserTagsResponse>(user->tags, req.Marker, req.MaxItems);
}

Result<PutUserPolicyResponse> put_user_policy(const PutUserPolicyRequest& req, const Context& ctx) {
  auto ok = change_user(ctx, req.UserName, [&](const domain::Store& store, domain::User& user) -> Result<void> {
    if (auto valid = check_policy(store, req.PolicyDocument, domain::PolicyKind::Identity, ctx.partition); !valid) return valid;
    return put_inline(user.inline_policies, req.PolicyName, req.PolicyDocument, domain::kMaxUserInlinePolicySize,
                      "user", user.name);
  });
  if (!ok) return unexpected(ok.error());
  return PutUserPolicyResponse{};
}

Result<GetUserPolicyResponse> get_user_policy(const GetUserPolicyRequest& req, const Context& ctx) {
  auto user = existing_user(ctx.snapshot, ctx, req.UserName);
  if (!user) return unexpected(user.error());
  const domain::InlinePolicy* policy = find_inline(user->inline_policies, req.PolicyName);
  if (policy == nullptr) return no_such_entity("The user policy with name " + req.PolicyName + " cannot be found.");
  return GetUserPolicyResponse{user->name, policy->name, wire_document(policy->policy.text)};
}

Result<ListUserPoliciesResponse> list_user_policies(const ListUserPoliciesRequest& req, const Context& ctx) {
  auto user = existing_user(ctx.snapshot, ctx, req.UserName);
  if (!user) return unexpected(user.error());
  auto page = paginate(inline_names(user->inline_policies), [](const std::string& n) { return n; }, req.Marker,
                       req.MaxItems);
  if (!page) return unexpected(page.error());
  return ListUserPoliciesResponse{std::move(page->items), page->is_truncated, page->marker};
}

Result<DeleteUserPolicyResponse> delete_user_policy(const DeleteUserPolicyRequest& req, const Context& ctx) {
  auto ok = change_user(ctx, req.UserName, [&](const domain::Store&, domain::User& user) -> Result<void> {
    if (!erase_inline(user.inline_policies, req.PolicyName))
      return no_such_entity("The user policy with name " + req.PolicyName + " cannot be found.");
    return {};
  });
  if (!ok) return unexpected(ok.error());
  return DeleteUserPolicyResponse{};
}

Result<AttachUserPolicyResponse> attach_user_policy(const AttachUserPolicyRequest& req, const Context& ctx) {
  auto ok = change_user(ctx, req.UserName, [&](const domain::Store& store, domain::User& user) -> Result<void> {
    if (auto valid = check_attachable(ctx, store, req.PolicyArn); !valid) return valid;
    return attach(user.attached_policies, req.PolicyArn, "PoliciesPerUser");
  });
  if (!ok) return unexpected(ok.error());
  return AttachUserPolicyResponse{};
}

Result<DetachUserPolicyResponse> detach_user_policy(const DetachUserPolicyRequest& req, const Context& ctx) {
  auto ok = change_user(ctx, req.UserName, [&](const domain::Store&, domain::User& user) {
    return detach(user.attached_policies, req.PolicyArn);
  });
  if (!ok) return unexpected(ok.error());
  return DetachUserPolicyResponse{};
}

Result<ListAttachedUserPoliciesResponse> list_attached_user_policies(const ListAttachedUserPoliciesRequest& req,
                                                                     const Context& ctx) {
  auto user = existing_user(ctx.snapshot, ctx, req.UserName);
  if (!user) return unexpected(user.error());
  auto page = attached_page(user->attached_policies, req.PathPrefix, req.Marker, req.MaxItems);
  if (!page) return unexpected(page.error());
  return ListAttachedUserPoliciesResponse{std::move(page->items), page->is_truncated, page->marker};
}

Result<PutUserPermissionsBoundaryResponse> put_user_permissions_boundary(const PutUserPermissionsBoundaryRequest& req,
                                                                         const Context& ctx) {
  auto ok = change_user(ctx, req.UserName, [&](const domain::Store& store, domain::User& user) -> Result<void> {
    if (auto valid = check_boundary(ctx, store, req.PermissionsBoundary); !valid) return valid;
    user.permissions_boundary = stored_arn(req.PermissionsBoundary);
    return {};
  });
  if (!ok) return unexpected(ok.error());
  return PutUserPermissionsBoundaryResponse{};
}

Result<DeleteUserPermissionsBoundaryResponse> delete_user_permissions_boundary(
    const DeleteUserPermissionsBoundaryRequest& req, const Context& ctx) {
  auto ok = change_user(ctx, req.UserName, [&](const domain::Store&, domain::User& user) -> Result<void> {
    user.permissions_boundary.reset();
    return {};
  });
  if (!ok) return unexpected(ok.error());
  return DeleteUserPermissionsBoundaryResponse{};
}

}  // namespace stsd::service::iam
