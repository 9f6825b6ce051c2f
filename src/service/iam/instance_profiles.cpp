// Instance profiles: lifecycle, the (at most one) role, tags
// (docs/IAM-BEHAVIOUR.md section 5.9).
#include "common.h"

#include <variant>

#include "stsd/common/ascii.h"
#include "stsd/domain/access_key.h"

namespace stsd::service::iam {

namespace {

// The roles quota of one instance profile (section 2.5).
constexpr std::size_t kMaxRolesPerInstanceProfile = 1;

Unexpected<StsError> no_such_profile(std::string_view name) {
  return no_such_entity("Instance Profile " + std::string(name) + " cannot be found.");
}

// A role as an instance profile shows it: trust document URL-encoded.
Role profile_role(const domain::Role& r) {
  Role out;
  out.Path = r.path;
  out.RoleName = r.name;
  out.RoleId = r.role_id;
  out.Arn = r.arn;
  out.CreateDate = Timestamp{r.create_date};
  out.AssumeRolePolicyDocument = wire_document(trust_document(r));
  return out;
}

// GetInstanceProfile emits Tags even when empty; the others only when set.
InstanceProfile profile_shape(const domain::Store& store, const domain::InstanceProfile& p, bool always_tags) {
  InstanceProfile out;
  out.Path = p.path;
  out.InstanceProfileName = p.name;
  out.InstanceProfileId = p.instance_profile_id;
  out.Arn = p.arn;
  out.CreateDate = Timestamp{p.create_date};
  for (const auto& name : p.roles)
    if (const domain::Role* r = store.find_role_by_name(p.account, name); r != nullptr && r->declared)
      out.Roles.push_back(profile_role(*r));
  out.Tags = tags_shape(p.tags);
  if (always_tags && !out.Tags) out.Tags.emplace();
  return out;
}

Result<domain::InstanceProfile> existing_profile(const domain::Store& store, const Context& ctx,
                                                 std::string_view name) {
  const domain::InstanceProfile* p = store.find_instance_profile(ctx.account, name);
  if (p == nullptr) return no_such_profile(name);
  return *p;
}

template <class Edit>
Result<void> change_profile(const Context& ctx, std::string_view name, Edit edit) {
  return change_entity(
      ctx, [&](const domain::Store& store) { return existing_profile(store, ctx, name); }, edit, &domain::StoreEditor::put_instance_profile);
}

bool holds_role(const domain::InstanceProfile& p, std::string_view role) {
  return std::any_of(p.roles.begin(), p.roles.end(), [&](const std::string& r) { return iequals(r, role); });
}

}  // namespace

Result<CreateInstanceProfileResponse> create_instance_profile(const CreateInstanceProfileRequest& req,
                                                              const Context& ctx) {
  auto tags = new_tags(req.Tags);
  if (!tags) return unexpected(tags.error());
  return ctx.store.update<CreateInstanceProfileResponse>(
      [&](domain::StoreEditor& editor) -> Result<CreateInstanceProfileResponse> {
        if (editor.view().find_instance_profile(ctx.account, req.InstanceProfileName) != nullptr)
          return already_exists("Instance Profile " + req.InstanceProfileName + " already exists.");
        domain::InstanceProfile profile;
        profile.account = ctx.account;
        profile.name = req.InstanceProfileName;
        profile.path = req.Path.value_or("/");
        profile.instance_profile_id = domain::random_unique_id("AIPA");
        profile.create_date = ctx.clock.now();
        profile.tags = std::move(*tags);
        const domain::InstanceProfile& put = editor.put_instance_profile(std::move(profile));
        return CreateInstanceProfileResponse{profile_shape(editor.view(), put, false)};
      });
}

Result<GetInstanceProfileResponse> get_instance_profile(const GetInstanceProfileRequest& req, const Context& ctx) {
  auto profile = existing_profile(ctx.snapshot, ctx, req.InstanceProfileName);
  if (!profile) return unexpected(profile.error());
  return GetInstanceProfileResponse{profile_shape(ctx.snapshot, *profile, true)};
}

Result<ListInstanceProfilesResponse> list_instance_profiles(const ListInstanceProfilesRequest& req,
                                                            const Context& ctx) {
  std::vector<const domain::InstanceProfile*> profiles;
  ctx.snapshot.for_each_instance_profile([&](const domain::InstanceProfile& p) {
    if (p.account == ctx.account && path_has_prefix(p.path, req.PathPrefix)) profiles.push_back(&p);
  });
  auto page = paginate(std::move(profiles), [](const domain::InstanceProfile* p) { return sort_key(p->name); },
                       req.Marker, req.MaxItems);
  if (!page) return unexpected(page.error());
  ListInstanceProfilesResponse out;
  for (const auto* p : page->items) out.InstanceProfiles.push_back(profile_shape(ctx.snapshot, *p, false));
  out.IsTruncated = page->is_truncated;
  out.Marker = page->marker;
  return out;
}

Result<ListInstanceProfilesForRoleResponse> list_instance_profiles_for_role(
    const ListInstanceProfilesForRoleRequest& req, const Context& ctx) {
  const domain::Role* role = ctx.snapshot.find_role_by_name(ctx.account, req.RoleName);
  if (role == nullptr || !role->declared) return no_such_role(req.RoleName);
  std::vector<const domain::InstanceProfile*> profiles;
  ctx.snapshot.for_each_instance_profile([&](const domain::InstanceProfile& p) {
    if (p.account == ctx.account && holds_role(p, role->name)) profiles.push_back(&p);
  });
  auto page = paginate(std::move(profiles), [](const domain::InstanceProfile* p) { return sort_key(p->name); },
                       req.Marker, req.MaxItems);
  if (!page) return unexpected(page.error());
  ListInstanceProfilesForRoleResponse out;
  for (const auto* p : page->items) out.InstanceProfiles.push_back(profile_shape(ctx.snapshot, *p, false));
  out.IsTruncated = page->is_truncated;
  out.Marker = page->marker;
  return out;
}

Result<DeleteInstanceProfileResponse> delete_instance_profile(const DeleteInstanceProfileRequest& req,
                                                              const Context& ctx) {
  auto done = ctx.store.update<std::monostate>([&](domain::StoreEditor& editor) -> Result<std::monostate> {
    auto profile = existing_profile(editor.view(), ctx, req.InstanceProfileName);
    if (!profile) return unexpected(profile.error());
    if (!profile->roles.empty())
      return delete_conflict("Cannot delete entity, must remove roles from instance profile first.");
    editor.erase_instance_profile(ctx.account, profile->name);
    return std::monostate{};
  });
  if (!done) return unexpected(done.error());
  return DeleteInstanceProfileResponse{};
}

Result<AddRoleToInstanceProfileResponse> add_role_to_instance_profile(const AddRoleToInstanceProfileRequest& req,
                                                                      const Context& ctx) {
  auto ok = change_profile(ctx, req.InstanceProfileName,
                           [&](const domain::Store& store, domain::InstanceProfile& profile) -> Result<void> {
    const domain::Role* role = store.find_role_by_name(ctx.account, req.RoleName);
    if (role == nullptr || !role->declared) return no_such_role(req.RoleName);
    if (profile.roles.size() >= kMaxRolesPerInstanceProfile)
      return limit_exceeded("Cannot exceed quota for InstanceSessionsPerInstanceProfile: " +
                            std::to_string(kMaxRolesPerInstanceProfile));
    profile.roles.push_back(role->name);
    return {};
  });
  if (!ok) return unexpected(ok.error());
  return AddRoleToInstanceProfileResponse{};
}

Result<RemoveRoleFromInstanceProfileResponse> remove_role_from_instance_profile(
    const RemoveRoleFromInstanceProfileRequest& req, const Context& ctx) {
  auto ok = change_profile(ctx, req.InstanceProfileName,
                           [&](const domain::Store&, domain::InstanceProfile& profile) -> Result<void> {
    if (!holds_role(profile, req.RoleName))
      return no_such_entity("Role " + req.RoleName + " in Instance Profile " + req.InstanceProfileName +
                            " cannot be found.");
    std::erase_if(profile.roles, [&](const std::string& r) { return iequals(r, req.RoleName); });
    return {};
  });
  if (!ok) return unexpected(ok.error());
  return RemoveRoleFromInstanceProfileResponse{};
}

Result<TagInstanceProfileResponse> tag_instance_profile(const TagInstanceProfileRequest& req, const Context& ctx) {
  auto ok = change_profile(ctx, req.InstanceProfileName, [&](const domain::Store&, domain::InstanceProfile& profile) {
    return merge_tags(profile.tags, req.Tags);
  });
  if (!ok) return unexpected(ok.error());
  return TagInstanceProfileResponse{};
}

Result<UntagInstanceProfileResponse> untag_instance_profile(const UntagInstanceProfileRequest& req,
                                                            const Context& ctx) {
  auto ok = change_profile(ctx, req.InstanceProfileName,
                           [&](const domain::Store&, domain::InstanceProfile& profile) -> Result<void> {
    remove_tags(profile.tags, req.TagKeys);
    return {};
  });
  if (!ok) return unexpected(ok.error());
  return UntagInstanceProfileResponse{};
}

Result<ListInstanceProfileTagsResponse> list_instance_profile_tags(const ListInstanceProfileTagsRequest& req,
                                                                   const Context& ctx) {
  auto profile = existing_profile(ctx.snapshot, ctx, req.InstanceProfileName);
  if (!profile) return unexpected(profile.error());
  return tags_page<ListInstanceProfileTagsResponse>(profile->tags, req.Marker, req.MaxItems);
}

}  // namespace stsd::service::iam
