// The account: its alias and GetAccountSummary (docs/IAM-BEHAVIOUR.md
// sections 4 and 5.10).
#include "common.h"

#include <map>
#include <variant>

namespace stsd::service::iam {

namespace {

domain::Account account_entry(const domain::Store& store, const std::string& id) {
  if (const domain::Account* a = store.find_account(id)) return *a;
  domain::Account a;
  a.id = id;
  return a;
}

}  // namespace

// An account has at most one alias: a new one replaces it (section 5.10).
// Aliases are unique across all accounts.
Result<CreateAccountAliasResponse> create_account_alias(const CreateAccountAliasRequest& req, const Context& ctx) {
  auto done = ctx.store.update<std::monostate>([&](domain::StoreEditor& editor) -> Result<std::monostate> {
    for (const domain::Account& a : editor.view().accounts())
      if (a.id != ctx.account && a.alias == req.AccountAlias)
        return already_exists("The account alias " + req.AccountAlias + " already exists.");
    domain::Account account = account_entry(editor.view(), ctx.account);
    account.alias = req.AccountAlias;
    editor.put_account(std::move(account));
    return std::monostate{};
  });
  if (!done) return unexpected(done.error());
  return CreateAccountAliasResponse{};
}

Result<DeleteAccountAliasResponse> delete_account_alias(const DeleteAccountAliasRequest& req, const Context& ctx) {
  auto done = ctx.store.update<std::monostate>([&](domain::StoreEditor& editor) -> Result<std::monostate> {
    domain::Account account = account_entry(editor.view(), ctx.account);
    // Any name but the current alias: NoSuchEntity (the text is unknown).
    if (account.alias.empty() || account.alias != req.AccountAlias)
      return no_such_entity("The account alias " + req.AccountAlias + " cannot be found.");
    account.alias.clear();
    editor.put_account(std::move(account));
    return std::monostate{};
  });
  if (!done) return unexpected(done.error());
  return DeleteAccountAliasResponse{};
}

Result<ListAccountAliasesResponse> list_account_aliases(const ListAccountAliasesRequest& req, const Context& ctx) {
  std::vector<std::string> aliases;
  if (const domain::Account* a = ctx.snapshot.find_account(ctx.account); a != nullptr && !a->alias.empty())
    aliases.push_back(a->alias);
  auto page = paginate(std::move(aliases), [](const std::string& a) { return a; }, req.Marker, req.MaxItems);
  if (!page) return unexpected(page.error());
  return ListAccountAliasesResponse{std::move(page->items), page->is_truncated, page->marker};
}

// Quotas as a live 2026 account reports them (section 4), and usage counted
// from the store.
Result<GetAccountSummaryResponse> get_account_summary(const GetAccountSummaryRequest&, const Context& ctx) {
  const domain::Store& store = ctx.snapshot;
  const std::string& account = ctx.account;
  std::map<std::string, std::int64_t> summary = {
      {"UsersQuota", 5000},
      {"RolesQuota", 1000},
      {"GroupsQuota", 300},
      {"PoliciesQuota", 1500},
      {"InstanceProfilesQuota", 1000},
      {"ServerCertificatesQuota", 20},
      {"AttachedPoliciesPerUserQuota", static_cast<std::int64_t>(kMaxAttachedPolicies)},
      {"AttachedPoliciesPerGroupQuota", static_cast<std::int64_t>(kMaxAttachedPolicies)},
      {"AttachedPoliciesPerRoleQuota", static_cast<std::int64_t>(kMaxAttachedPolicies)},
      {"VersionsPerPolicyQuota", 5},
      {"PolicySizeQuota", static_cast<std::int64_t>(domain::kMaxManagedPolicySize)},
      {"AssumeRolePolicySizeQuota", static_cast<std::int64_t>(domain::kMaxTrustPolicySize)},
      {"UserPolicySizeQuota", 2048},
      {"RolePolicySizeQuota", 10240},
      {"GroupPolicySizeQuota", 5120},
      {"GroupsPerUserQuota", 10},
      {"AccessKeysPerUserQuota", 2},
      {"SigningCertificatesPerUserQuota", 2},
      {"PolicyVersionsInUseQuota", 10000},
      {"GlobalEndpointTokenVersion", 1},
  };
  std::int64_t users = 0, roles = 0, groups = 0, policies = 0, versions_in_use = 0, profiles = 0, mfa = 0,
               providers = 0, root_keys = 0;
  store.for_each_user([&](const domain::User& u) {
    if (u.account != account) return;
    ++users;
    mfa += static_cast<std::int64_t>(u.mfa_devices.size());
    versions_in_use += static_cast<std::int64_t>(u.attached_policies.size());
  });
  store.for_each_role([&](const domain::Role& r) {
    if (r.account != account || !r.declared) return;
    ++roles;
    versions_in_use += static_cast<std::int64_t>(r.attached_policies.size());
  });
  store.for_each_group([&](const domain::Group& g) {
    if (g.account != account) return;
    ++groups;
    versions_in_use += static_cast<std::int64_t>(g.attached_policies.size());
  });
  store.for_each_managed_policy([&](const domain::ManagedPolicy& p) { policies += p.account == account; });
  store.for_each_instance_profile([&](const domain::InstanceProfile& p) { profiles += p.account == account; });
  store.for_each_oidc_provider([&](const domain::OidcProvider& p) { providers += p.account == account; });
  store.for_each_saml_provider([&](const domain::SamlProvider& p) { providers += p.account == account; });
  store.for_each_access_key([&](const domain::AccessKeyRecord& k) { root_keys += k.account == account && k.user.empty(); });
  summary["Users"] = users;
  summary["Roles"] = roles;
  summary["Groups"] = groups;
  summary["Policies"] = policies;
  summary["PolicyVersionsInUse"] = versions_in_use;
  summary["InstanceProfiles"] = profiles;
  summary["ServerCertificates"] = 0;
  // Devices assigned to users (each is in use by its user).
  summary["MFADevices"] = mfa;
  summary["MFADevicesInUse"] = mfa;
  summary["Providers"] = providers;
  summary["AccountMFAEnabled"] = 0;
  summary["AccountAccessKeysPresent"] = root_keys > 0 ? 1 : 0;
  summary["AccountSigningCertificatesPresent"] = 0;
  summary["AccountPasswordPresent"] = 0;
  GetAccountSummaryResponse out;
  out.SummaryMap.emplace(summary.begin(), summary.end());
  return out;
}

}  // namespace stsd::service::iam
