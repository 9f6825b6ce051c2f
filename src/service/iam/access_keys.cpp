// Access keys of users and of the account root (docs/IAM-BEHAVIOUR.md
// sections 3.2 and 5.4). A key written here signs STS and IAM calls at once;
// the authenticator refuses Inactive and deleted keys.
#include "principals.h"

#include "stsd/domain/access_key.h"
#include "stsd/service/access_denied.h"

namespace stsd::service::iam {

namespace {

inline constexpr std::size_t kMaxAccessKeysPerUser = 2;

std::string status_text(domain::AccessKeyStatus status) {
  return status == domain::AccessKeyStatus::Active ? "Active" : "Inactive";
}

// The owner an optional UserName means: a user's name, or "" for the root.
Result<std::string> owner_name(const Context& ctx, const domain::Store& store,
                               const std::optional<std::string>& user_name) {
  auto user = user_or_caller(ctx, store, user_name);
  if (!user) return unexpected(user.error());
  return *user == nullptr ? std::string() : (*user)->name;
}

Unexpected<StsError> no_such_key(std::string_view id) {
  return no_such_entity("The Access Key with id " + std::string(id) + " cannot be found.");
}

// The key `id` of `owner`, or NoSuchEntity.
Result<domain::AccessKeyRecord> owned_key(const Context& ctx, const domain::Store& store, std::string_view owner,
                                          std::string_view id) {
  const domain::AccessKeyRecord* key = store.find_access_key(id);
  if (key == nullptr || key->account != ctx.account || !iequals(key->user, owner)) return no_such_key(id);
  return *key;
}

}  // namespace

Result<CreateAccessKeyResponse> create_access_key(const CreateAccessKeyRequest& req, const Context& ctx) {
  return ctx.store.update<CreateAccessKeyResponse>([&](domain::StoreEditor& editor) -> Result<CreateAccessKeyResponse> {
    auto owner = owner_name(ctx, editor.view(), req.UserName);
    if (!owner) return unexpected(owner.error());
    if (keys_of(editor.view(), ctx.account, *owner).size() >= kMaxAccessKeysPerUser)
      return limit_exceeded("Cannot exceed quota for AccessKeysPerUser: " + std::to_string(kMaxAccessKeysPerUser));
    domain::AccessKeyRecord key;
    key.id = domain::make_access_key_id(domain::kLongTermKeyPrefix, ctx.account);
    key.secret = domain::make_secret_access_key();
    key.account = ctx.account;
    key.user = *owner;
    key.status = domain::AccessKeyStatus::Active;
    key.create_date = ctx.clock.now();
    AccessKey out{key.user, key.id, status_text(key.status), key.secret, Timestamp{key.create_date}};
    editor.put_access_key(std::move(key));
    return CreateAccessKeyResponse{std::move(out)};
  });
}

Result<ListAccessKeysResponse> list_access_keys(const ListAccessKeysRequest& req, const Context& ctx) {
  auto owner = owner_name(ctx, ctx.snapshot, req.UserName);
  if (!owner) return unexpected(owner.error());
  auto page = paginate(keys_of(ctx.snapshot, ctx.account, *owner),
                       [](const domain::AccessKeyRecord* k) { return k->id; }, req.Marker, req.MaxItems);
  if (!page) return unexpected(page.error());
  ListAccessKeysResponse out;
  for (const domain::AccessKeyRecord* k : page->items) {
    AccessKeyMetadata m;
    if (!k->user.empty()) m.UserName = k->user;
    m.AccessKeyId = k->id;
    m.Status = status_text(k->status);
    m.CreateDate = Timestamp{k->create_date};
    out.AccessKeyMetadata.push_back(std::move(m));
  }
  out.IsTruncated = page->is_truncated;
  out.Marker = page->marker;
  return out;
}

Result<UpdateAccessKeyResponse> update_access_key(const UpdateAccessKeyRequest& req, const Context& ctx) {
  if (req.Status != "Active" && req.Status != "Inactive")
    return validation_error(
        "1 validation error detected: Value at 'status' failed to satisfy constraint: Member must satisfy enum value "
        "set");
  auto done = ctx.store.update<std::monostate>([&](domain::StoreEditor& editor) -> Result<std::monostate> {
    auto owner = owner_name(ctx, editor.view(), req.UserName);
    if (!owner) return unexpected(owner.error());
    auto key = owned_key(ctx, editor.view(), *owner, req.AccessKeyId);
    if (!key) return unexpected(key.error());
    key->status = req.Status == "Active" ? domain::AccessKeyStatus::Active : domain::AccessKeyStatus::Inactive;
    editor.put_access_key(std::move(*key));
    return std::monostate{};
  });
  if (!done) return unexpected(done.error());
  return UpdateAccessKeyResponse{};
}

Result<DeleteAccessKeyResponse> delete_access_key(const DeleteAccessKeyRequest& req, const Context& ctx) {
  auto done = ctx.store.update<std::monostate>([&](domain::StoreEditor& editor) -> Result<std::monostate> {
    auto owner = owner_name(ctx, editor.view(), req.UserName);
    if (!owner) return unexpected(owner.error());
    auto key = owned_key(ctx, editor.view(), *owner, req.AccessKeyId);
    if (!key) return unexpected(key.error());
    editor.erase_access_key(key->id);
    return std::monostate{};
  });
  if (!done) return unexpected(done.error());
  return DeleteAccessKeyResponse{};
}

Result<GetAccessKeyLastUsedResponse> get_access_key_last_used(const GetAccessKeyLastUsedRequest& req,
                                                              const Context& ctx) {
  const domain::AccessKeyRecord* key = ctx.snapshot.find_access_key(req.AccessKeyId);
  // An unknown key is AccessDenied, not NoSuchEntity (section 2.7).
  if (key == nullptr || key->account != ctx.account)
    return unexpected(iam_not_authorized(ctx.caller.arn, "iam:GetAccessKeyLastUsed", "access key " + req.AccessKeyId));
  GetAccessKeyLastUsedResponse out;
  if (!key->user.empty()) out.UserName = key->user;
  // stsd does not record key use: every key shows as unused (section 5.4).
  out.AccessKeyLastUsed = AccessKeyLastUsed{std::nullopt, "N/A", "N/A"};
  return out;
}

}  // namespace stsd::service::iam
