#pragma once
// What the user, group, access-key and MFA actions share (users.cpp,
// groups.cpp, access_keys.cpp, mfa.cpp): the wire shapes of users and groups
// and read-modify-write of one user or group as a single store update.
#include <variant>

#include "common.h"
#include "stsd/common/ascii.h"

namespace stsd::service::iam {

// What a User shows: CreateUser and GetUser add the boundary and tags;
// lists (ListUsers, GetGroup, ListVirtualMFADevices) do not.
inline User user_shape(const domain::User& u, bool full) {
  User out;
  out.Path = u.path;
  out.UserName = u.name;
  out.UserId = u.user_id;
  out.Arn = u.arn;
  out.CreateDate = Timestamp{u.create_date};
  if (full) {
    out.PermissionsBoundary = boundary_shape(u.permissions_boundary);
    out.Tags = tags_shape(u.tags);
  }
  return out;
}

inline Group group_shape(const domain::Group& g) {
  return Group{g.path, g.name, g.group_id, g.arn, Timestamp{g.create_date}};
}

inline Result<domain::User> existing_user(const domain::Store& store, const Context& ctx, std::string_view name) {
  const domain::User* user = store.find_user(ctx.account, name);
  if (user == nullptr) return no_such_user(name);
  return *user;
}

inline Result<domain::Group> existing_group(const domain::Store& store, const Context& ctx, std::string_view name) {
  const domain::Group* group = store.find_group(ctx.account, name);
  if (group == nullptr) return no_such_group(name);
  return *group;
}

// Whether `user` is a member of the group named `group` (names are
// case-insensitive).
inline bool in_group(const domain::User& user, std::string_view group) {
  return std::any_of(user.groups.begin(), user.groups.end(), [&](const std::string& g) { return iequals(g, group); });
}

// The access keys of a user (`user` empty: the account root's).
inline std::vector<const domain::AccessKeyRecord*> keys_of(const domain::Store& store, std::string_view account,
                                                           std::string_view user) {
  std::vector<const domain::AccessKeyRecord*> keys;
  store.for_each_access_key([&](const domain::AccessKeyRecord& k) {
    if (k.account == account && iequals(k.user, user)) keys.push_back(&k);
  });
  return keys;
}

// Read-modify-write of one user as a single store update.
template <class Edit>
Result<void> change_user(const Context& ctx, std::string_view name, Edit edit) {
  return change_entity(
      ctx, [&](const domain::Store& store) { return existing_user(store, ctx, name); }, edit, &domain::StoreEditor::put_user);
}

template <class Edit>
Result<void> change_group(const Context& ctx, std::string_view name, Edit edit) {
  return change_entity(
      ctx, [&](const domain::Store& store) { return existing_group(store, ctx, name); }, edit, &domain::StoreEditor::put_group);
}

// ListAttached*Policies: the attached policies under PathPrefix, paged.
inline Result<Page<AttachedPolicy>> attached_page(const std::vector<std::string>& arns,
                                                  const std::optional<std::string>& path_prefix,
                                                  const std::optional<std::string>& marker,
                                                  const std::optional<std::int64_t>& max_items) {
  std::vector<AttachedPolicy> attached;
  for (AttachedPolicy& p : attached_policies(arns)) {
    const std::string arn = p.PolicyArn.value_or("");
    const auto at = arn.find(":policy");
    const std::string path = at == std::string::npos ? std::string("/") : arn.substr(at + 7);
    if (path_has_prefix(path, path_prefix)) attached.push_back(std::move(p));
  }
  return paginate(std::move(attached), [](const AttachedPolicy& p) { return p.PolicyArn.value_or(""); }, marker,
                  max_items);
}

}  // namespace stsd::service::iam
