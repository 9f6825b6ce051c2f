#include "common.h"

#include "stsd/common/ascii.h"
#include "stsd/common/percent_encoding.h"
#include "stsd/common/region.h"
#include "stsd/crypto/crypto.h"
#include "stsd/domain/arn.h"

namespace stsd::service::iam {

std::string entity_arn(std::string_view account, std::string_view type, std::string_view path,
                       std::string_view name) {
  std::string arn = "arn:aws:iam::";
  arn.append(account).append(":").append(type).append(path.empty() ? std::string_view("/") : path).append(name);
  return arn;
}

Unexpected<StsError> no_such_entity(std::string message) { return fail(ErrorCode::NoSuchEntity, std::move(message)); }
Unexpected<StsError> already_exists(std::string message) {
  return fail(ErrorCode::EntityAlreadyExists, std::move(message));
}
Unexpected<StsError> delete_conflict(std::string message) {
  return fail(ErrorCode::DeleteConflict, std::move(message));
}
Unexpected<StsError> limit_exceeded(std::string message) {
  return fail(ErrorCode::LimitExceeded, std::move(message));
}
Unexpected<StsError> invalid_input(std::string message) { return fail(ErrorCode::InvalidInput, std::move(message)); }
Unexpected<StsError> validation_error(std::string message) {
  return fail(ErrorCode::ValidationError, std::move(message));
}

Unexpected<StsError> no_such_role(std::string_view name) {
  return no_such_entity("The role with name " + std::string(name) + " cannot be found.");
}
Unexpected<StsError> no_such_user(std::string_view name) {
  return no_such_entity("The user with name " + std::string(name) + " cannot be found.");
}
Unexpected<StsError> no_such_group(std::string_view name) {
  return no_such_entity("The group with name " + std::string(name) + " cannot be found.");
}
Unexpected<StsError> policy_not_attachable(std::string_view arn) {
  return no_such_entity("Policy " + std::string(arn) + " does not exist or is not attachable.");
}
Unexpected<StsError> policy_not_found(std::string_view arn) {
  return no_such_entity("Policy " + std::string(arn) + " was not found.");
}

Result<void> check_policy(const domain::Store& store, std::string_view document, domain::PolicyKind kind,
                          std::string_view partition) {
  domain::PolicyValidationOptions options;
  options.partition = partition;
  if (kind == domain::PolicyKind::Trust) {
    // Principals of accounts stsd does not hold cannot be checked: accepted.
    options.aws_principal_exists = [&store](std::string_view arn) {
      if (domain::is_account_id(arn)) return true;
      auto parsed = domain::Arn::parse(arn);
      if (!parsed || store.find_account(parsed->account) == nullptr) return true;
      if (parsed->resource == "root") return true;
      return store.find_user_by_arn(arn) != nullptr || store.find_declared_role(arn) != nullptr;
    };
  }
  if (auto error = domain::policy_document_error(document, kind, options))
    return fail(ErrorCode::MalformedPolicyDocument, *error);
  return {};
}

std::string wire_document(std::string_view text) { return uri_encode(text); }

std::string trust_document(const domain::Role& role) {
  if (role.trust_policy) return *role.trust_policy;
  return R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::)" +
         role.account + R"(:root"},"Action":"sts:AssumeRole"}]})";
}

bool is_aws_managed(std::string_view policy_arn) {
  const std::string_view partition = arn_partition(policy_arn);
  return !partition.empty() && policy_arn.substr(4 + partition.size()).starts_with(":iam::aws:policy/");
}

std::string stored_arn(std::string_view arn) { return in_partition(arn, "aws"); }

namespace {
// A managed policy's ARN: arn:<partition>:iam::<account or aws>:policy/...
bool looks_like_arn(std::string_view text) {
  auto arn = domain::Arn::parse(text);
  return arn && arn->service == "iam" && arn->resource.starts_with("policy/");
}
}  // namespace

Result<void> check_attachable(const Context& ctx, const domain::Store& store, std::string_view policy_arn) {
  if (!looks_like_arn(policy_arn)) return validation_error("ARN " + std::string(policy_arn) + " is not valid.");
  if (is_aws_managed(policy_arn)) return {};
  const domain::ManagedPolicy* p = store.find_managed_policy_entry(policy_arn);
  if (p == nullptr || p->account != ctx.account) return policy_not_attachable(policy_arn);
  return {};
}

Result<void> attach(std::vector<std::string>& attached, std::string_view requested, std::string_view quota) {
  const std::string arn = stored_arn(requested);
  if (std::find(attached.begin(), attached.end(), arn) != attached.end()) return {};
  if (attached.size() >= kMaxAttachedPolicies)
    return limit_exceeded("Cannot exceed quota for " + std::string(quota) + ": " +
                          std::to_string(kMaxAttachedPolicies));
  attached.emplace_back(arn);
  return {};
}

Result<void> detach(std::vector<std::string>& attached, std::string_view requested) {
  auto it = std::find(attached.begin(), attached.end(), stored_arn(requested));
  if (it == attached.end()) return policy_not_found(requested);
  attached.erase(it);
  return {};
}

const domain::InlinePolicy* find_inline(const std::vector<domain::InlinePolicy>& policies, std::string_view name) {
  for (const auto& p : policies)
    if (iequals(p.name, name)) return &p;
  return nullptr;
}

Result<void> put_inline(std::vector<domain::InlinePolicy>& policies, std::string_view name, std::string_view document,
                        std::size_t limit, std::string_view entity, std::string_view entity_name) {
  std::size_t total = domain::policy_size(document);
  for (const auto& p : policies)
    if (!iequals(p.name, name)) total += domain::policy_size(p.policy.text);
  if (total > limit)
    return limit_exceeded("Maximum policy size of " + std::to_string(limit) + " bytes exceeded for " +
                          std::string(entity) + " " + std::string(entity_name));
  for (auto& p : policies) {
    if (iequals(p.name, name)) {
      p.name = std::string(name);
      p.policy = domain::StoredPolicy{std::string(document), std::nullopt};
      return {};
    }
  }
  policies.push_back(domain::InlinePolicy{std::string(name), domain::StoredPolicy{std::string(document), std::nullopt}});
  return {};
}

bool erase_inline(std::vector<domain::InlinePolicy>& policies, std::string_view name) {
  auto it = std::find_if(policies.begin(), policies.end(), [&](const auto& p) { return iequals(p.name, name); });
  if (it == policies.end()) return false;
  policies.erase(it);
  return true;
}

std::vector<std::string> inline_names(const std::vector<domain::InlinePolicy>& policies) {
  std::vector<std::string> names;
  for (const auto& p : policies) names.push_back(p.name);
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<AttachedPolicy> attached_policies(const std::vector<std::string>& arns) {
  std::vector<AttachedPolicy> out;
  for (const auto& arn : arns) {
    AttachedPolicy p;
    p.PolicyArn = arn;
    p.PolicyName = arn.substr(arn.rfind('/') + 1);
    out.push_back(std::move(p));
  }
  return out;
}

Result<void> check_boundary(const Context& ctx, const domain::Store& store, std::string_view policy_arn) {
  if (!looks_like_arn(policy_arn)) return invalid_input("ARN " + std::string(policy_arn) + " is not valid.");
  if (is_aws_managed(policy_arn)) return {};
  const domain::ManagedPolicy* p = store.find_managed_policy_entry(policy_arn);
  if (p == nullptr || p->account != ctx.account)
    return no_such_entity("Scope ARN: " + std::string(policy_arn) + " does not exist or is not attachable.");
  return {};
}

std::optional<AttachedPermissionsBoundary> boundary_shape(const std::optional<std::string>& arn) {
  if (!arn) return std::nullopt;
  AttachedPermissionsBoundary b;
  // On the wire IAM says "Policy", not the model's enum value (section 5.1).
  b.PermissionsBoundaryType = "Policy";
  b.PermissionsBoundaryArn = *arn;
  return b;
}

std::vector<domain::Tag> to_domain(const std::vector<Tag>& tags) {
  std::vector<domain::Tag> out;
  for (const Tag& t : tags) out.push_back({t.Key, t.Value});
  return out;
}

std::optional<std::vector<Tag>> tags_shape(const std::vector<domain::Tag>& tags) {
  if (tags.empty()) return std::nullopt;
  std::vector<Tag> out;
  for (const auto& t : tags) out.push_back(Tag{t.key, t.value});
  return out;
}

Result<std::vector<domain::Tag>> new_tags(const std::optional<std::vector<Tag>>& tags) {
  if (!tags) return std::vector<domain::Tag>();
  for (std::size_t i = 0; i < tags->size(); ++i)
    for (std::size_t j = i + 1; j < tags->size(); ++j)
      if (iequals((*tags)[i].Key, (*tags)[j].Key))
        return invalid_input("Duplicate tag keys found. Please note that Tag keys are case insensitive.");
  return to_domain(*tags);
}

Result<void> merge_tags(std::vector<domain::Tag>& existing, const std::vector<Tag>& tags) {
  if (auto checked = new_tags(tags); !checked) return unexpected(checked.error());
  std::vector<domain::Tag> merged = existing;
  for (const Tag& t : tags) {
    auto it = std::find_if(merged.begin(), merged.end(), [&](const auto& e) { return iequals(e.key, t.Key); });
    if (it != merged.end())
      *it = {t.Key, t.Value};
    else
      merged.push_back({t.Key, t.Value});
  }
  if (merged.size() > kMaxTags) return limit_exceeded("The number of tags has reached the maximum limit.");
  existing = std::move(merged);
  return {};
}

void remove_tags(std::vector<domain::Tag>& existing, const std::vector<std::string>& keys) {
  std::erase_if(existing, [&](const domain::Tag& t) {
    return std::any_of(keys.begin(), keys.end(), [&](const std::string& k) { return iequals(k, t.key); });
  });
}

Result<PageRange> page_range(const std::vector<std::string>& keys, const std::optional<std::string>& marker,
                             const std::optional<std::int64_t>& max_items) {
  PageRange range;
  if (marker) {
    // A marker is the base64url of the first key of the next page.
    auto key = crypto::base64url_decode(*marker);
    if (!key || key->empty()) return validation_error("Invalid Marker.");
    range.begin = static_cast<std::size_t>(std::lower_bound(keys.begin(), keys.end(), *key) - keys.begin());
  }
  const auto limit = static_cast<std::size_t>(max_items.value_or(100));
  range.end = std::min(keys.size(), range.begin + limit);
  if (range.end < keys.size()) range.next_marker = crypto::base64url_encode(keys[range.end]);
  return range;
}

std::string sort_key(std::string_view name) {
  return ascii_lower(name);
}

bool path_has_prefix(std::string_view path, const std::optional<std::string>& prefix) {
  return !prefix || path.starts_with(*prefix);
}

Result<const domain::User*> user_or_caller(const Context& ctx, const domain::Store& store,
                                           const std::optional<std::string>& user_name) {
  if (user_name) {
    const domain::User* user = store.find_user(ctx.account, *user_name);
    if (user == nullptr) return no_such_user(*user_name);
    return user;
  }
  if (ctx.caller.is_root()) return static_cast<const domain::User*>(nullptr);
  if (ctx.caller.user != nullptr) {
    // Re-read from this snapshot: the caller's pointer is from the request's.
    if (const domain::User* user = store.find_user(ctx.account, ctx.caller.user->name)) return user;
  }
  return validation_error("Must specify userName when calling with non-User credentials");
}

// --- Paging in stored order (iam-policies) ------------------------------------------

Result<PageRange> index_range(std::size_t size, const std::optional<std::string>& marker,
                              const std::optional<std::int64_t>& max_items) {
  PageRange range;
  if (marker) {
    auto text = crypto::base64url_decode(*marker);
    if (!text || text->empty() || text->size() > 9 ||
        !std::all_of(text->begin(), text->end(), [](char c) { return c >= '0' && c <= '9'; }))
      return validation_error("Invalid Marker.");
    range.begin = std::min<std::size_t>(size, std::stoul(*text));
  }
  const auto limit = static_cast<std::size_t>(max_items.value_or(100));
  range.end = std::min(size, range.begin + limit);
  if (range.end < size) range.next_marker = crypto::base64url_encode(std::to_string(range.end));
  return range;
}

// --- end of paging in stored order ---------------------------------------------------

}  // namespace stsd::service::iam
