#pragma once
// What the IAM actions share: ARNs, AWS's error texts, policy checks and
// quotas, tags, paging and the domain -> wire conversions. Texts and their
// evidence: docs/IAM-BEHAVIOUR.md (sections cited by number).
#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "stsd/domain/policy.h"
#include "stsd/domain/store.h"
#include "stsd/service/iam/actions.h"

namespace stsd::service::iam {

// --- ARNs and ids ----------------------------------------------------------------

// arn:aws:iam::<account>:<type><path><name> (the path keeps its slashes).
std::string entity_arn(std::string_view account, std::string_view type, std::string_view path,
                       std::string_view name);

// --- Errors (section 2) ----------------------------------------------------------

Unexpected<StsError> no_such_entity(std::string message);
Unexpected<StsError> already_exists(std::string message);
Unexpected<StsError> delete_conflict(std::string message);
Unexpected<StsError> limit_exceeded(std::string message);
Unexpected<StsError> invalid_input(std::string message);
Unexpected<StsError> validation_error(std::string message);

Unexpected<StsError> no_such_role(std::string_view name);
Unexpected<StsError> no_such_user(std::string_view name);
Unexpected<StsError> no_such_group(std::string_view name);
// "Policy <arn> does not exist or is not attachable." (attach, entities)
Unexpected<StsError> policy_not_attachable(std::string_view arn);
// "Policy <arn> was not found." (get, delete, detach)
Unexpected<StsError> policy_not_found(std::string_view arn);

// --- Policies ---------------------------------------------------------------------

// MalformedPolicyDocument with IAM's text when `document` is not a valid
// policy of this kind. Trust policies must name existing principals (IAM
// resolves them when the policy is written).
// `partition`: the request's; Resource ARNs of another one are refused.
Result<void> check_policy(const domain::Store& store, std::string_view document, domain::PolicyKind kind,
                          std::string_view partition);
// A stored policy text as IAM returns documents: RFC 3986 percent-encoded.
std::string wire_document(std::string_view text);
// The trust policy a role shows: its own, or IAM's "this account" default.
std::string trust_document(const domain::Role& role);
// AWS managed policies (arn:aws:iam::aws:policy/...) may be attached; stsd
// carries but does not evaluate them.
bool is_aws_managed(std::string_view policy_arn);  // arn:<partition>:iam::aws:policy/...
// Policy ARNs are stored in the "aws" partition, as the store keys every ARN;
// requests name them in their own (IamService puts answers back in it).
std::string stored_arn(std::string_view arn);
inline std::string stored_arn(const std::string& arn) { return stored_arn(std::string_view(arn)); }
inline std::optional<std::string> stored_arn(const std::optional<std::string>& arn) {
  return arn ? std::optional<std::string>(stored_arn(*arn)) : std::nullopt;
}
// Attaching: a customer managed policy of the caller's account, or an AWS
// managed one; else NoSuchEntity (or InvalidInput for what is not an ARN).
Result<void> check_attachable(const Context& ctx, const domain::Store& store, std::string_view policy_arn);
// LimitExceeded when a principal already has `kMaxAttachedPolicies`.
inline constexpr std::size_t kMaxAttachedPolicies = 10;
// Attach (idempotent) with the quota; `quota` names it (PoliciesPerRole).
Result<void> attach(std::vector<std::string>& attached, std::string_view arn, std::string_view quota);
// Detach; NoSuchEntity "Policy <arn> was not found." when not attached.
Result<void> detach(std::vector<std::string>& attached, std::string_view arn);
// PutXPolicy: replaces a same-named policy; LimitExceeded when the
// non-whitespace size of all of them exceeds `limit` ("Maximum policy size of
// <limit> bytes exceeded for <entity> <name>").
Result<void> put_inline(std::vector<domain::InlinePolicy>& policies, std::string_view name, std::string_view document,
                        std::size_t limit, std::string_view entity, std::string_view entity_name);
const domain::InlinePolicy* find_inline(const std::vector<domain::InlinePolicy>& policies, std::string_view name);
bool erase_inline(std::vector<domain::InlinePolicy>& policies, std::string_view name);
std::vector<std::string> inline_names(const std::vector<domain::InlinePolicy>& policies);
// AttachedPolicies of a principal: names from the ARNs.
std::vector<AttachedPolicy> attached_policies(const std::vector<std::string>& arns);
// Permissions boundary: must be an existing or AWS managed policy ("Scope ARN:
// <arn> does not exist or is not attachable.").
Result<void> check_boundary(const Context& ctx, const domain::Store& store, std::string_view policy_arn);
std::optional<AttachedPermissionsBoundary> boundary_shape(const std::optional<std::string>& arn);

// --- Tags (at most 50, keys case-insensitive: a new casing replaces the old) ---

inline constexpr std::size_t kMaxTags = 50;
std::vector<domain::Tag> to_domain(const std::vector<Tag>& tags);
std::optional<std::vector<Tag>> tags_shape(const std::vector<domain::Tag>& tags);  // nullopt when none
// Create*: duplicate keys (case-insensitive) are InvalidInput.
Result<std::vector<domain::Tag>> new_tags(const std::optional<std::vector<Tag>>& tags);
// Tag*: merges; LimitExceeded past 50.
Result<void> merge_tags(std::vector<domain::Tag>& existing, const std::vector<Tag>& tags);
void remove_tags(std::vector<domain::Tag>& existing, const std::vector<std::string>& keys);

// --- Paging (section 1.6): MaxItems 1-1000, default 100; an opaque Marker ---------

template <class T>
struct Page {
  std::vector<T> items;
  bool is_truncated = false;
  std::optional<std::string> marker;
};

// The page of `keys` (sorted, unique) that starts at `marker`: the indexes of
// the items to return. A Marker stsd did not issue is "Invalid Marker.".
struct PageRange {
  std::size_t begin = 0, end = 0;
  std::optional<std::string> next_marker;
};
Result<PageRange> page_range(const std::vector<std::string>& keys, const std::optional<std::string>& marker,
                             const std::optional<std::int64_t>& max_items);

// Sorts items by key(item) and returns the requested page.
template <class T, class KeyOf>
Result<Page<T>> paginate(std::vector<T> items, KeyOf key_of, const std::optional<std::string>& marker,
                         const std::optional<std::int64_t>& max_items) {
  std::sort(items.begin(), items.end(), [&](const T& a, const T& b) { return key_of(a) < key_of(b); });
  std::vector<std::string> keys;
  keys.reserve(items.size());
  for (const T& item : items) keys.push_back(key_of(item));
  auto range = page_range(keys, marker, max_items);
  if (!range) return unexpected(range.error());
  Page<T> page;
  page.items.assign(std::make_move_iterator(items.begin() + range->begin),
                    std::make_move_iterator(items.begin() + range->end));
  page.is_truncated = range->next_marker.has_value();
  page.marker = range->next_marker;
  return page;
}

// Case-insensitive key for sorting names the way IAM lists them.
std::string sort_key(std::string_view name);
bool path_has_prefix(std::string_view path, const std::optional<std::string>& prefix);

// --- Writes -------------------------------------------------------------------------

// Read-modify-write of one entity as a single store update: `find` reads it
// from the newest snapshot (or fails), `edit(store, entity&)` changes the
// copy (or fails), `put` (a StoreEditor member) stores it.
template <class Find, class Edit, class Put>
Result<void> change_entity(const Context& ctx, Find find, Edit edit, Put put) {
  auto done = ctx.store.update<std::monostate>([&](domain::StoreEditor& editor) -> Result<std::monostate> {
    auto entity = find(editor.view());
    if (!entity) return unexpected(entity.error());
    if (auto ok = edit(editor.view(), *entity); !ok) return unexpected(ok.error());
    std::invoke(put, editor, std::move(*entity));
    return std::monostate{};
  });
  if (!done) return unexpected(done.error());
  return {};
}

// --- Principals ---------------------------------------------------------------------

// The user an optional UserName means: that user, or the calling IAM user
// (ValidationError for a role or federated caller; nullptr with no error for
// the account root).
Result<const domain::User*> user_or_caller(const Context& ctx, const domain::Store& store,
                                           const std::optional<std::string>& user_name);

// --- Paging in stored order (iam-policies) ------------------------------------------

// The page of a list kept in its own order (tags: insertion order), where
// keys are not sorted: the marker is the base64url of the next index.
Result<PageRange> index_range(std::size_t size, const std::optional<std::string>& marker,
                              const std::optional<std::int64_t>& max_items);

// One page of an entity's tags (ListXTags), in insertion order.
template <class Response>
Result<Response> tags_page(const std::vector<domain::Tag>& tags, const std::optional<std::string>& marker,
                           const std::optional<std::int64_t>& max_items) {
  auto range = index_range(tags.size(), marker, max_items);
  if (!range) return unexpected(range.error());
  Response out;
  for (std::size_t i = range->begin; i < range->end; ++i) out.Tags.push_back(Tag{tags[i].key, tags[i].value});
  out.IsTruncated = range->next_marker.has_value();
  out.Marker = range->next_marker;
  return out;
}

// --- end of paging in stored order ---------------------------------------------------

}  // namespace stsd::service::iam
