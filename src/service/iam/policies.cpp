// Customer managed policies: lifecycle, versions, entities, tags
// (docs/IAM-BEHAVIOUR.md section 5.5). stsd has no catalogue of AWS managed
// policies (arn:aws:iam::aws:policy/...): they may be attached by ARN, but
// are never listed, fetched or evaluated.
#include "common.h"

#include <cstdlib>
#include <unordered_map>
#include <variant>

#include "stsd/common/ascii.h"
#include "stsd/domain/access_key.h"
#include "stsd/domain/arn.h"

namespace stsd::service::iam {

namespace {

enum class PolicyView { Create, Get, List };

// How many principals of the account attach `arn`, and use it as boundary.
struct Usage {
  std::int64_t attachments = 0;
  std::int64_t boundaries = 0;
};

bool has(const std::vector<std::string>& arns, std::string_view arn) {
  return std::find(arns.begin(), arns.end(), arn) != arns.end();
}

Usage usage_of(const domain::Store& store, std::string_view account, std::string_view arn) {
  Usage u;
  store.for_each_role([&](const domain::Role& r) {
    if (r.account != account || !r.declared) return;
    if (has(r.attached_policies, arn)) ++u.attachments;
    if (r.permissions_boundary && *r.permissions_boundary == arn) ++u.boundaries;
  });
  store.for_each_user([&](const domain::User& user) {
    if (user.account != account) return;
    if (has(user.attached_policies, arn)) ++u.attachments;
    if (user.permissions_boundary && *user.permissions_boundary == arn) ++u.boundaries;
  });
  store.for_each_group([&](const domain::Group& g) {
    if (g.account == account && has(g.attached_policies, arn)) ++u.attachments;
  });
  return u;
}

// Usage of every policy of the account, in one pass (ListPolicies).
std::unordered_map<std::string, Usage> usage_by_arn(const domain::Store& store, std::string_view account) {
  std::unordered_map<std::string, Usage> out;
  auto add = [&](const std::vector<std::string>& attached, const std::optional<std::string>& boundary) {
    for (const auto& arn : attached) ++out[arn].attachments;
    if (boundary) ++out[*boundary].boundaries;
  };
  store.for_each_role([&](const domain::Role& r) {
    if (r.account == account && r.declared) add(r.attached_policies, r.permissions_boundary);
  });
  store.for_each_user([&](const domain::User& u) {
    if (u.account == account) add(u.attached_policies, u.permissions_boundary);
  });
  store.for_each_group([&](const domain::Group& g) {
    if (g.account == account) add(g.attached_policies, std::nullopt);
  });
  return out;
}

Policy policy_shape(const domain::ManagedPolicy& p, const Usage& usage, PolicyView view) {
  Policy out;
  out.PolicyName = p.name;
  out.PolicyId = p.policy_id;
  out.Arn = p.arn;
  out.Path = p.path;
  out.DefaultVersionId = p.default_version;
  out.AttachmentCount = usage.attachments;
  out.PermissionsBoundaryUsageCount = usage.boundaries;
  out.IsAttachable = true;
  // ListPolicies shows neither Description nor Tags (section 5.5).
  if (view != PolicyView::List && !p.description.empty()) out.Description = p.description;
  out.CreateDate = Timestamp{p.create_date};
  out.UpdateDate = Timestamp{p.update_date};
  if (view != PolicyView::List) out.Tags = tags_shape(p.tags);
  return out;
}

PolicyVersion version_shape(const domain::ManagedPolicy& p, const domain::PolicyVersion& v, bool with_document) {
  PolicyVersion out;
  if (with_document) out.Document = wire_document(v.document.text);
  out.VersionId = v.id;
  out.IsDefaultVersion = v.id == p.default_version;
  out.CreateDate = Timestamp{v.create_date};
  return out;
}

// Whether `arn` names a policy outside the caller's account (AWS managed, or
// another account's): IAM refuses writes on those with 403 (section 2.7).
bool outside_account(const Context& ctx, std::string_view arn) {
  if (is_aws_managed(arn)) return true;
  auto parsed = domain::Arn::parse(arn);
  return parsed && !parsed->account.empty() && parsed->account != ctx.account;
}

Unexpected<StsError> access_denied(std::string message) { return fail(ErrorCode::AccessDenied, std::move(message)); }

// A customer managed policy of the caller's account.
Result<domain::ManagedPolicy> existing_policy(const domain::Store& store, const Context& ctx, std::string_view arn) {
  const domain::ManagedPolicy* p = store.find_managed_policy_entry(arn);
  if (p == nullptr || p->account != ctx.account) return policy_not_found(arn);
  return *p;
}

Unexpected<StsError> no_such_version(std::string_view arn, std::string_view version) {
  return no_such_entity("Policy " + std::string(arn) + " version " + std::string(version) +
                        " does not exist or is not attachable.");
}

domain::PolicyVersion* find_version(domain::ManagedPolicy& p, std::string_view id) {
  for (auto& v : p.versions)
    if (v.id == id) return &v;
  return nullptr;
}

Result<void> check_document(const domain::Store& store, std::string_view document, std::string_view partition) {
  if (auto valid = check_policy(store, document, domain::PolicyKind::Identity, partition); !valid) return valid;
  if (domain::policy_size(document) > domain::kMaxManagedPolicySize)
    return limit_exceeded("Cannot exceed quota for PolicySize: " + std::to_string(domain::kMaxManagedPolicySize));
  return {};
}

// Policies word the duplicate-tag error differently from roles (section 2.7).
template <class T>
Result<T> policy_tag_error(Result<T> r) {
  if (!r && r.error().code == ErrorCode::InvalidInput) return invalid_input("Duplicate tag keys found.");
  return r;
}

// Read-modify-write of one policy as a single store update; `denied` is the
// 403 text for policies outside the account.
template <class Edit>
Result<void> change_policy(const Context& ctx, std::string_view arn, std::string_view denied, Edit edit) {
  if (outside_account(ctx, arn)) return access_denied(std::string(denied));
  return change_entity(
      ctx, [&](const domain::Store& store) { return existing_policy(store, ctx, arn); }, edit, &domain::StoreEditor::put_managed_policy);
}

constexpr std::string_view kCannotUpdate = "Cannot update policies outside your own account.";

}  // namespace

Result<CreatePolicyResponse> create_policy(const CreatePolicyRequest& req, const Context& ctx) {
  auto tags = policy_tag_error(new_tags(req.Tags));
  if (!tags) return unexpected(tags.error());
  return ctx.store.update<CreatePolicyResponse>([&](domain::StoreEditor& editor) -> Result<CreatePolicyResponse> {
    const domain::Store& store = editor.view();
    bool taken = false;
    store.for_each_managed_policy([&](const domain::ManagedPolicy& p) {
      if (p.account == ctx.account && iequals(p.name, req.PolicyName)) taken = true;
    });
    if (taken)
      return already_exists("A policy called " + req.PolicyName + " already exists. Duplicate names are not allowed.");
    if (auto ok = check_document(store, req.PolicyDocument, ctx.partition); !ok) return unexpected(ok.error());
    domain::ManagedPolicy policy;
    policy.account = ctx.account;
    policy.name = req.PolicyName;
    policy.path = req.Path.value_or("/");
    policy.policy_id = domain::random_unique_id("ANPA");
    policy.description = req.Description.value_or("");
    policy.create_date = policy.update_date = ctx.clock.now();
    policy.tags = std::move(*tags);
    policy.versions.push_back(domain::PolicyVersion{"v1", {req.PolicyDocument, std::nullopt}, policy.create_date});
    policy.default_version = "v1";
    policy.next_version = 2;
    return CreatePolicyResponse{policy_shape(editor.put_managed_policy(std::move(policy)), Usage{}, PolicyView::Create)};
  });
}

Result<GetPolicyResponse> get_policy(const GetPolicyRequest& req, const Context& ctx) {
  auto policy = existing_policy(ctx.snapshot, ctx, req.PolicyArn);
  if (!policy) return unexpected(policy.error());
  return GetPolicyResponse{policy_shape(*policy, usage_of(ctx.snapshot, ctx.account, policy->arn), PolicyView::Get)};
}

Result<ListPoliciesResponse> list_policies(const ListPoliciesRequest& req, const Context& ctx) {
  // Scope AWS lists AWS managed policies only: stsd has no such catalogue,
  // so that list is empty, and All is the Local list.
  const std::string scope = req.Scope.value_or("All");
  struct Item {
    const domain::ManagedPolicy* policy;
    Usage usage;
  };
  std::vector<Item> items;
  if (scope != "AWS") {
    const auto usages = usage_by_arn(ctx.snapshot, ctx.account);
    ctx.snapshot.for_each_managed_policy([&](const domain::ManagedPolicy& p) {
      if (p.account != ctx.account || !path_has_prefix(p.path, req.PathPrefix)) return;
      const auto found = usages.find(p.arn);
      const Usage usage = found == usages.end() ? Usage{} : found->second;
      // PolicyUsageFilter narrows what "attached" means for OnlyAttached.
      if (req.OnlyAttached.value_or(false)) {
        const std::string filter = req.PolicyUsageFilter.value_or("");
        const bool used = filter == "PermissionsPolicy"     ? usage.attachments > 0
                          : filter == "PermissionsBoundary" ? usage.boundaries > 0
                                                            : usage.attachments + usage.boundaries > 0;
        if (!used) return;
      }
      items.push_back(Item{&p, usage});
    });
  }
  auto page = paginate(std::move(items), [](const Item& i) { return sort_key(i.policy->name); }, req.Marker,
                       req.MaxItems);
  if (!page) return unexpected(page.error());
  ListPoliciesResponse out;
  out.Policies.emplace();
  for (const Item& i : page->items) out.Policies->push_back(policy_shape(*i.policy, i.usage, PolicyView::List));
  out.IsTruncated = page->is_truncated;
  out.Marker = page->marker;
  return out;
}

Result<DeletePolicyResponse> delete_policy(const DeletePolicyRequest& req, const Context& ctx) {
  if (outside_account(ctx, req.PolicyArn)) return access_denied("Cannot delete policies outside your own account.");
  auto done = ctx.store.update<std::monostate>([&](domain::StoreEditor& editor) -> Result<std::monostate> {
    auto policy = existing_policy(editor.view(), ctx, req.PolicyArn);
    if (!policy) return unexpected(policy.error());
    Usage usage = usage_of(editor.view(), ctx.account, policy->arn);
    if (usage.attachments + usage.boundaries > 0) return delete_conflict("Cannot delete a policy attached to entities.");
    if (policy->versions.size() > 1)
      return delete_conflict(
          "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. "
          "The default version is deleted with the policy.");
    editor.erase_managed_policy(policy->arn);
    return std::monostate{};
  });
  if (!done) return unexpected(done.error());
  return DeletePolicyResponse{};
}

Result<CreatePolicyVersionResponse> create_policy_version(const CreatePolicyVersionRequest& req, const Context& ctx) {
  std::optional<PolicyVersion> shown;
  auto ok = change_policy(ctx, req.PolicyArn, kCannotUpdate,
                          [&](const domain::Store& store, domain::ManagedPolicy& policy) -> Result<void> {
    if (policy.versions.size() >= 5)
      return limit_exceeded(
          "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing "
          "version.");
    if (auto valid = check_document(store, req.PolicyDocument, ctx.partition); !valid) return valid;
    domain::PolicyVersion version;
    version.id = "v" + std::to_string(policy.next_version++);
    version.document.text = req.PolicyDocument;
    version.create_date = ctx.clock.now();
    if (req.SetAsDefault.value_or(false)) {
      policy.default_version = version.id;
      policy.update_date = version.create_date;
    }
    policy.versions.push_back(std::move(version));
    shown = version_shape(policy, policy.versions.back(), false);
    return {};
  });
  if (!ok) return unexpected(ok.error());
  return CreatePolicyVersionResponse{std::move(shown)};
}

Result<GetPolicyVersionResponse> get_policy_version(const GetPolicyVersionRequest& req, const Context& ctx) {
  auto policy = existing_policy(ctx.snapshot, ctx, req.PolicyArn);
  if (!policy) return no_such_version(req.PolicyArn, req.VersionId);
  const domain::PolicyVersion* v = find_version(*policy, req.VersionId);
  if (v == nullptr) return no_such_version(req.PolicyArn, req.VersionId);
  return GetPolicyVersionResponse{version_shape(*policy, *v, true)};
}

Result<ListPolicyVersionsResponse> list_policy_versions(const ListPolicyVersionsRequest& req, const Context& ctx) {
  auto policy = existing_policy(ctx.snapshot, ctx, req.PolicyArn);
  if (!policy) return unexpected(policy.error());
  // Newest first: order by the version number, descending (zero-padded keys
  // so that the page marker compares the same way).
  std::vector<const domain::PolicyVersion*> versions;
  for (const auto& v : policy->versions) versions.push_back(&v);
  auto key_of = [](const domain::PolicyVersion* v) {
    const long n = std::strtol(v->id.c_str() + 1, nullptr, 10);
    std::string digits = std::to_string(999999999L - n);
    return std::string(9 - std::min<std::size_t>(9, digits.size()), '0') + digits;
  };
  auto page = paginate(std::move(versions), key_of, req.Marker, req.MaxItems);
  if (!page) return unexpected(page.error());
  ListPolicyVersionsResponse out;
  out.Versions.emplace();
  for (const auto* v : page->items) out.Versions->push_back(version_shape(*policy, *v, false));
  out.IsTruncated = page->is_truncated;
  out.Marker = page->marker;
  return out;
}

Result<DeletePolicyVersionResponse> delete_policy_version(const DeletePolicyVersionRequest& req, const Context& ctx) {
  auto ok = change_policy(ctx, req.PolicyArn, "Cannot delete policy versions for policies outside your own account.",
                          [&](const domain::Store&, domain::ManagedPolicy& policy) -> Result<void> {
    if (find_version(policy, req.VersionId) == nullptr) return no_such_version(req.PolicyArn, req.VersionId);
    if (policy.default_version == req.VersionId)
      return delete_conflict("Cannot delete the default version of a policy.");
    std::erase_if(policy.versions, [&](const domain::PolicyVersion& v) { return v.id == req.VersionId; });
    return {};
  });
  if (!ok) {
    if (ok.error().code == ErrorCode::NoSuchEntity) return no_such_version(req.PolicyArn, req.VersionId);
    return unexpected(ok.error());
  }
  return DeletePolicyVersionResponse{};
}

Result<SetDefaultPolicyVersionResponse> set_default_policy_version(const SetDefaultPolicyVersionRequest& req,
                                                                   const Context& ctx) {
  auto ok = change_policy(ctx, req.PolicyArn, kCannotUpdate,
                          [&](const domain::Store&, domain::ManagedPolicy& policy) -> Result<void> {
    if (find_version(policy, req.VersionId) == nullptr) return no_such_version(req.PolicyArn, req.VersionId);
    if (policy.default_version != req.VersionId) {
      policy.default_version = req.VersionId;
      policy.update_date = ctx.clock.now();
    }
    return {};
  });
  if (!ok) {
    if (ok.error().code == ErrorCode::NoSuchEntity) return no_such_version(req.PolicyArn, req.VersionId);
    return unexpected(ok.error());
  }
  return SetDefaultPolicyVersionResponse{};
}

Result<ListEntitiesForPolicyResponse> list_entities_for_policy(const ListEntitiesForPolicyRequest& req,
                                                               const Context& ctx) {
  // AWS managed policies have no entry, yet roles may attach them.
  if (!is_aws_managed(req.PolicyArn)) {
    const domain::ManagedPolicy* p = ctx.snapshot.find_managed_policy_entry(req.PolicyArn);
    if (p == nullptr || p->account != ctx.account) return policy_not_attachable(req.PolicyArn);
  }
  const std::string filter = req.EntityFilter.value_or("");
  const std::string usage = req.PolicyUsageFilter.value_or("");
  const bool as_policy = usage.empty() || usage == "PermissionsPolicy";
  const bool as_boundary = usage.empty() || usage == "PermissionsBoundary";
  const std::string& arn = req.PolicyArn;
  auto uses = [&](const std::vector<std::string>& attached, const std::optional<std::string>& boundary) {
    return (as_policy && has(attached, arn)) || (as_boundary && boundary && *boundary == arn);
  };
  // One list across the three kinds, so that one marker pages through all.
  struct Entity {
    char kind;  // 'g', 'r', 'u'
    std::string name, id;
  };
  std::vector<Entity> entities;
  if (filter.empty() || filter == "Group")
    ctx.snapshot.for_each_group([&](const domain::Group& g) {
      if (g.account == ctx.account && path_has_prefix(g.path, req.PathPrefix) && uses(g.attached_policies, std::nullopt))
        entities.push_back({'g', g.name, g.group_id});
    });
  if (filter.empty() || filter == "Role")
    ctx.snapshot.for_each_role([&](const domain::Role& r) {
      if (r.account == ctx.account && r.declared && path_has_prefix(r.path, req.PathPrefix) &&
          uses(r.attached_policies, r.permissions_boundary))
        entities.push_back({'r', r.name, r.role_id});
    });
  if (filter.empty() || filter == "User")
    ctx.snapshot.for_each_user([&](const domain::User& u) {
      if (u.account == ctx.account && path_has_prefix(u.path, req.PathPrefix) &&
          uses(u.attached_policies, u.permissions_boundary))
        entities.push_back({'u', u.name, u.user_id});
    });
  auto page = paginate(std::move(entities), [](const Entity& e) { return std::string(1, e.kind) + sort_key(e.name); },
                       req.Marker, req.MaxItems);
  if (!page) return unexpected(page.error());
  ListEntitiesForPolicyResponse out;
  out.PolicyGroups.emplace();
  out.PolicyUsers.emplace();
  out.PolicyRoles.emplace();
  for (const Entity& e : page->items) {
    if (e.kind == 'g') out.PolicyGroups->push_back(PolicyGroup{e.name, e.id});
    if (e.kind == 'r') out.PolicyRoles->push_back(PolicyRole{e.name, e.id});
    if (e.kind == 'u') out.PolicyUsers->push_back(PolicyUser{e.name, e.id});
  }
  out.IsTruncated = page->is_truncated;
  out.Marker = page->marker;
  return out;
}

Result<TagPolicyResponse> tag_policy(const TagPolicyRequest& req, const Context& ctx) {
  auto ok = change_policy(ctx, req.PolicyArn, kCannotUpdate, [&](const domain::Store&, domain::ManagedPolicy& policy) {
    return policy_tag_error(merge_tags(policy.tags, req.Tags));
  });
  if (!ok) return unexpected(ok.error());
  return TagPolicyResponse{};
}

Result<UntagPolicyResponse> untag_policy(const UntagPolicyRequest& req, const Context& ctx) {
  auto ok = change_policy(ctx, req.PolicyArn, kCannotUpdate,
                          [&](const domain::Store&, domain::ManagedPolicy& policy) -> Result<void> {
    remove_tags(policy.tags, req.TagKeys);
    return {};
  });
  if (!ok) return unexpected(ok.error());
  return UntagPolicyResponse{};
}

Result<ListPolicyTagsResponse> list_policy_tags(const ListPolicyTagsRequest& req, const Context& ctx) {
  auto policy = existing_policy(ctx.snapshot, ctx, req.PolicyArn);
  if (!policy) return unexpected(policy.error());
  return tags_page<ListPolicyTagsResponse>(policy->tags, req.Marker, req.MaxItems);
}

}  // namespace stsd::service::iam
