// Groups: lifecycle, rename, membership, inline and attached policies
// (docs/IAM-BEHAVIOUR.md section 5.3). Membership lives in User::groups.
#include "principals.h"

#include "stsd/domain/access_key.h"

namespace stsd::service::iam {

namespace {

inline constexpr std::size_t kMaxGroupsPerUser = 10;

// The members of a group, in this snapshot.
std::vector<const domain::User*> members(const domain::Store& store, std::string_view account,
                                         std::string_view group) {
  std::vector<const domain::User*> out;
  store.for_each_user([&](const domain::User& u) {
    if (u.account == account && in_group(u, group)) out.push_back(&u);
  });
  return out;
}

}  // namespace

Result<CreateGroupResponse> create_group(const CreateGroupRequest& req, const Context& ctx) {
  return ctx.store.update<CreateGroupResponse>([&](domain::StoreEditor& editor) -> Result<CreateGroupResponse> {
    if (editor.view().find_group(ctx.account, req.GroupName) != nullptr)
      return already_exists("Group with name " + req.GroupName + " already exists.");
    domain::Group group;
    group.account = ctx.account;
    group.name = req.GroupName;
    group.path = req.Path.value_or("/");
    group.group_id = domain::random_unique_id("AGPA");
    group.create_date = ctx.clock.now();
    return CreateGroupResponse{group_shape(editor.put_group(std::move(group)))};
  });
}

Result<GetGroupResponse> get_group(const GetGroupRequest& req, const Context& ctx) {
  auto group = existing_group(ctx.snapshot, ctx, req.GroupName);
  if (!group) return unexpected(group.error());
  auto page = paginate(members(ctx.snapshot, ctx.account, group->name),
                       [](const domain::User* u) { return sort_key(u->name); }, req.Marker, req.MaxItems);
  if (!page) return unexpected(page.error());
  GetGroupResponse out;
  out.Group = group_shape(*group);
  for (const domain::User* u : page->items) out.Users.push_back(user_shape(*u, false));
  out.IsTruncated = page->is_truncated;
  out.Marker = page->marker;
  return out;
}

Result<ListGroupsResponse> list_groups(const ListGroupsRequest& req, const Context& ctx) {
  std::vector<const domain::Group*> groups;
  ctx.snapshot.for_each_group([&](const domain::Group& g) {
    if (g.account == ctx.account && path_has_prefix(g.path, req.PathPrefix)) groups.push_back(&g);
  });
  auto page = paginate(std::move(groups), [](const domain::Group* g) { return sort_key(g->name); }, req.Marker,
                       req.MaxItems);
  if (!page) return unexpected(page.error());
  ListGroupsResponse out;
  for (const domain::Group* g : page->items) out.Groups.push_back(group_shape(*g));
  out.IsTruncated = page->is_truncated;
  out.Marker = page->marker;
  return out;
}

Result<UpdateGroupResponse> update_group(const UpdateGroupRequest& req, const Context& ctx) {
  auto done = ctx.store.update<std::monostate>([&](domain::StoreEditor& editor) -> Result<std::monostate> {
    auto group = existing_group(editor.view(), ctx, req.GroupName);
    if (!group) return unexpected(group.error());
    const std::string old_name = group->name;
    if (req.NewGroupName && !iequals(*req.NewGroupName, old_name) &&
        editor.view().find_group(ctx.account, *req.NewGroupName) != nullptr)
      return already_exists("Group with name " + *req.NewGroupName + " already exists.");
    if (req.NewGroupName) group->name = *req.NewGroupName;
    if (req.NewPath) group->path = *req.NewPath;
    // Members name the group: they follow a rename.
    if (group->name != old_name) {
      std::vector<domain::User> users;
      for (const domain::User* u : members(editor.view(), ctx.account, old_name)) users.push_back(*u);
      for (domain::User& u : users) {
        for (std::string& g : u.groups)
          if (iequals(g, old_name)) g = group->name;
        editor.put_user(std::move(u));
      }
    }
    editor.erase_group(ctx.account, old_name);
    editor.put_group(std::move(*group));
    return std::monostate{};
  });
  if (!done) return unexpected(done.error());
  return UpdateGroupResponse{};
}

Result<DeleteGroupResponse> delete_group(const DeleteGroupRequest& req, const Context& ctx) {
  auto done = ctx.store.update<std::monostate>([&](domain::StoreEditor& editor) -> Result<std::monostate> {
    auto group = existing_group(editor.view(), ctx, req.GroupName);
    if (!group) return unexpected(group.error());
    if (!members(editor.view(), ctx.account, group->name).empty())
      return delete_conflict("Cannot delete entity, must remove users from group first.");
    if (!group->inline_policies.empty()) return delete_conflict("Cannot delete entity, must delete policies first.");
    if (!group->attached_policies.empty())
      return delete_conflict("Cannot delete entity, must detach all policies first.");
    editor.erase_group(ctx.account, group->name);
    return std::monostate{};
  });
  if (!done) return unexpected(done.error());
  return DeleteGroupResponse{};
}

Result<AddUserToGroupResponse> add_user_to_group(const AddUserToGroupRequest& req, const Context& ctx) {
  auto ok = change_user(ctx, req.UserName, [&](const domain::Store& store, domain::User& user) -> Result<void> {
    const domain::Group* group = store.find_group(ctx.account, req.GroupName);
    if (group == nullptr) return no_such_group(req.GroupName);
    if (in_group(user, group->name)) return {};  // already a member: succeeds
    if (user.groups.size() >= kMaxGroupsPerUser)
      return limit_exceeded("Cannot exceed quota for GroupsPerUser: " + std::to_string(kMaxGroupsPerUser));
    user.groups.push_back(group->name);
    return {};
  });
  if (!ok) return unexpected(ok.error());
  return AddUserToGroupResponse{};
}

Result<RemoveUserFromGroupResponse> remove_user_from_group(const RemoveUserFromGroupRequest& req,
                                                           const Context& ctx) {
  auto ok = change_user(ctx, req.UserName, [&](const domain::Store& store, domain::User& user) -> Result<void> {
    const domain::Group* group = store.find_group(ctx.account, req.GroupName);
    if (group == nullptr) return no_such_group(req.GroupName);
    // AWS's text for a user not in the group is unknown (section 5.3).
    if (!in_group(user, group->name))
      return no_such_entity("The user with name " + user.name + " cannot be found in group " + group->name + ".");
    std::erase_if(user.groups, [&](const std::string& g) { return iequals(g, group->name); });
    return {};
  });
  if (!ok) return unexpected(ok.error());
  return RemoveUserFromGroupResponse{};
}

Result<ListGroupsForUserResponse> list_groups_for_user(const ListGroupsForUserRequest& req, const Context& ctx) {
  auto user = existing_user(ctx.snapshot, ctx, req.UserName);
  if (!user) return unexpected(user.error());
  std::vector<const domain::Group*> groups;
  for (const std::string& name : user->groups)
    if (const domain::Group* g = ctx.snapshot.find_group(ctx.account, name)) groups.push_back(g);
  auto page = paginate(std::move(groups), [](const domain::Group* g) { return sort_key(g->name); }, req.Marker,
                       req.MaxItems);
  if (!page) return unexpected(page.error());
  ListGroupsForUserResponse out;
  for (const domain::Group* g : page->items) out.Groups.push_back(group_shape(*g));
  out.IsTruncated = page->is_truncated;
  out.Marker = page->marker;
  return out;
}

Result<PutGroupPolicyResponse> put_group_policy(const PutGroupPolicyRequest& req, const Context& ctx) {
  auto ok = change_group(ctx, req.GroupName, [&](const domain::Store& store, domain::Group& group) -> Result<void> {
    if (auto valid = check_policy(store, req.PolicyDocument, domain::PolicyKind::Identity, ctx.partition); !valid) return valid;
    return put_inline(group.inline_policies, req.PolicyName, req.PolicyDocument, domain::kMaxGroupInlinePolicySize,
                      "group", group.name);
  });
  if (!ok) return unexpected(ok.error());
  return PutGroupPolicyResponse{};
}

Result<GetGroupPolicyResponse> get_group_policy(const GetGroupPolicyRequest& req, const Context& ctx) {
  auto group = existing_group(ctx.snapshot, ctx, req.GroupName);
  if (!group) return unexpected(group.error());
  const domain::InlinePolicy* policy = find_inline(group->inline_policies, req.PolicyName);
  if (policy == nullptr) return no_such_entity("The group policy with name " + req.PolicyName + " cannot be found.");
  return GetGroupPolicyResponse{group->name, policy->name, wire_document(policy->policy.text)};
}

Result<ListGroupPoliciesResponse> list_group_policies(const ListGroupPoliciesRequest& req, const Context& ctx) {
  auto group = existing_group(ctx.snapshot, ctx, req.GroupName);
  if (!group) return unexpected(group.error());
  auto page = paginate(inline_names(group->inline_policies), [](const std::string& n) { return n; }, req.Marker,
                       req.MaxItems);
  if (!page) return unexpected(page.error());
  return ListGroupPoliciesResponse{std::move(page->items), page->is_truncated, page->marker};
}

Result<DeleteGroupPolicyResponse> delete_group_policy(const DeleteGroupPolicyRequest& req, const Context& ctx) {
  auto ok = change_group(ctx, req.GroupName, [&](const domain::Store&, domain::Group& group) -> Result<void> {
    if (!erase_inline(group.inline_policies, req.PolicyName))
      return no_such_entity("The group policy with name " + req.PolicyName + " cannot be found.");
    return {};
  });
  if (!ok) return unexpected(ok.error());
  return DeleteGroupPolicyResponse{};
}

Result<AttachGroupPolicyResponse> attach_group_policy(const AttachGroupPolicyRequest& req, const Context& ctx) {
  auto ok = change_group(ctx, req.GroupName, [&](const domain::Store& store, domain::Group& group) -> Result<void> {
    if (auto valid = check_attachable(ctx, store, req.PolicyArn); !valid) return valid;
    return attach(group.attached_policies, req.PolicyArn, "PoliciesPerGroup");
  });
  if (!ok) return unexpected(ok.error());
  return AttachGroupPolicyResponse{};
}

Result<DetachGroupPolicyResponse> detach_group_policy(const DetachGroupPolicyRequest& req, const Context& ctx) {
  auto ok = change_group(ctx, req.GroupName, [&](const domain::Store&, domain::Group& group) {
    return detach(group.attached_policies, req.PolicyArn);
  });
  if (!ok) return unexpected(ok.error());
  return DetachGroupPolicyResponse{};
}

Result<ListAttachedGroupPoliciesResponse> list_attached_group_policies(const ListAttachedGroupPoliciesRequest& req,
                                                                       const Context& ctx) {
  auto group = existing_group(ctx.snapshot, ctx, req.GroupName);
  if (!group) return unexpected(group.error());
  auto page = attached_page(group->attached_policies, req.PathPrefix, req.Marker, req.MaxItems);
  if (!page) return unexpected(page.error());
  return ListAttachedGroupPoliciesResponse{std::move(page->items), page->is_truncated, page->marker};
}

}  // namespace stsd::service::iam
