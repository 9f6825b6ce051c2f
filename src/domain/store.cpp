#include "stsd/domain/store.h"

#include <algorithm>

#include "stsd/common/ascii.h"
#include "stsd/common/recent_entries.h"
#include "stsd/common/region.h"
#include "stsd/crypto/crypto.h"
#include "stsd/domain/access_key.h"
#include "stsd/domain/federation/saml_metadata.h"

namespace stsd::domain {

namespace {
const std::string kFallbackAccount = "000000000000";

// The store keys ARNs in the "aws" partition; requests name them in their
// own (arn:aws-cn:...). Allocates only for another partition.
struct AwsPartitionArn {
  explicit AwsPartitionArn(std::string_view arn) : view(arn) {
    const std::string_view partition = arn_partition(arn);
    if (!partition.empty() && partition != "aws") view = buffer = in_partition(arn, "aws");
  }
  std::string buffer;
  std::string_view view;
};

// Without a trust policy, a declared role trusts its own account (IAM's
// console default, "this account").
std::string default_trust_policy(const Role& role) {
  return R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::)" +
         role.account + R"(:root"},"Action":"sts:AssumeRole"}]})";
}

void compile(std::vector<InlinePolicy>& policies) {
  for (auto& p : policies)
    if (!p.policy.parsed) p.policy.parsed = Policy::parse(p.policy.text);
}

std::string issuer_key(std::string_view account, std::string_view url) {
  std::string key(account);
  key += '\n';
  key += url;
  return key;
}

constexpr std::string_view kRootSuffix = ":root";
constexpr std::string_view kIamPrefix = "arn:aws:iam::";

}  // namespace

const StoredPolicy& ManagedPolicy::document() const {
  for (const auto& v : versions)
    if (v.id == default_version) return v.document;
  return versions.front().document;  // a policy always has its default version
}

std::string Store::name_key(std::string_view account, std::string_view name) {
  std::string key(account);
  key += ':';
  for (char c : name) key += ascii_lower(c);
  return key;
}

Store::Store(StoreData data) : region_(std::move(data.region)), role_mode_(data.role_mode) {
  StoreEditor editor(*this);
  for (auto& a : data.accounts) editor.put_account(std::move(a));
  for (auto& u : data.users) editor.put_user(std::move(u));
  for (auto& g : data.groups) editor.put_group(std::move(g));
  for (auto& r : data.roles) editor.put_role(std::move(r));
  for (auto& p : data.managed_policies) editor.put_managed_policy(std::move(p));
  for (auto& p : data.oidc_providers) editor.put_oidc_provider(std::move(p));
  for (auto& p : data.saml_providers) editor.put_saml_provider(std::move(p));
  for (auto& k : data.access_keys) editor.put_access_key(std::move(k));
  for (auto& d : data.virtual_mfa_devices) editor.put_virtual_mfa_device(std::move(d));
  for (auto& p : data.instance_profiles) editor.put_instance_profile(std::move(p));
  for (auto& d : data.delegation_requests) editor.put_delegation_request(std::move(d));
  std::shared_ptr<const Store> built = std::move(editor).finish();
  *this = *built;
  if (default_account_.empty()) default_account_ = kFallbackAccount;
}

const User* Store::default_user() const {
  if (const User* u = users_.find(first_user_key_)) return u;
  const User* first = nullptr;
  // The first user of the default account by name: stable across rebuilds.
  users_.for_each([&](const std::string&, const User& u) {
    if (u.account == default_account_ && (first == nullptr || u.name < first->name)) first = &u;
  });
  return first;
}

std::vector<Account> Store::accounts() const {
  std::vector<Account> out;
  for (const auto& id : account_order_)
    if (const Account* a = accounts_.find(id)) out.push_back(*a);
  return out;
}

const AccessKeyRecord* Store::find_access_key(std::string_view id) const { return keys_.find(id); }

const User* Store::key_owner(const AccessKeyRecord& key) const {
  return key.user.empty() ? nullptr : find_user(key.account, key.user);
}

const User* Store::find_user_by_arn(std::string_view arn) const {
  return users_by_arn_.find(AwsPartitionArn(arn).view);
}

const User* Store::find_user(std::string_view account, std::string_view name) const {
  return users_.find(name_key(account, name));
}

const Group* Store::find_group(std::string_view account, std::string_view name) const {
  return groups_.find(name_key(account, name));
}

RegionStatus Store::region_status(std::string_view account_id, std::string_view region) const {
  const Account* account = accounts_.find(account_id);
  if (account == nullptr) return RegionStatus::Active;
  const auto listed = [&](const std::vector<std::string>& regions, std::string_view any) {
    return std::any_of(regions.begin(), regions.end(), [&](const std::string& r) { return r == region || r == any; });
  };
  if (is_opt_in_region(region) && !listed(account->enabled_regions, "*")) return RegionStatus::NotEnabled;
  if (listed(account->sts_inactive_regions, region)) return RegionStatus::StsInactive;
  return RegionStatus::Active;
}

const Role* Store::find_role_by_name(std::string_view account, std::string_view name) const {
  return roles_.find(name_key(account, name));
}

const Role* Store::find_declared_role(std::string_view arn) const {
  return roles_by_arn_.find(AwsPartitionArn(arn).view);
}

bool Store::session_principal_exists(const Session& session) const {
  const AwsPartitionArn canonical(session.source_arn);
  const std::string_view source = canonical.view;
  // Delegated credentials carry their approver's identity: a role session's
  // or a user's (or root's), checked as those are.
  const bool role_session = session.type == CredentialType::AssumedRole ||
                            (session.type == CredentialType::Delegated && session.principal_type == PrincipalType::AssumedRole);
  if (role_session) {
    // AssumeRoot sessions name their caller, not a role: nothing to look up.
    if (session.principal_type != PrincipalType::AssumedRole) return true;
    // In auto mode every role ARN names a role (made up on first use).
    return role_mode_ == RoleMode::Auto || roles_by_arn_.contains(source);
  }
  // GetSessionToken / GetFederationToken: the user, or an account's root.
  if (users_by_arn_.contains(source)) return true;
  if (source.size() == kIamPrefix.size() + 12 + kRootSuffix.size() && source.substr(0, kIamPrefix.size()) == kIamPrefix &&
      source.substr(source.size() - kRootSuffix.size()) == kRootSuffix) {
    const std::string_view account = source.substr(kIamPrefix.size(), 12);
    return account == default_account_ || accounts_.contains(account);
  }
  return false;
}

std::shared_ptr<const Role> Store::find_role(const RoleArn& arn) const {
  std::string full_arn = role_arn(arn.account, arn.path, arn.name);
  if (auto declared = roles_by_arn_.find_shared(full_arn)) return declared;
  if (role_mode_ == RoleMode::Strict) return nullptr;
  // A made-up role is of its ARN's partition: arn:aws-cn:...:role/x is not
  // the role arn:aws:...:role/x and has an id of its own.
  if (arn.partition != "aws") full_arn = in_partition(full_arn, arn.partition);
  // A made-up role depends on its ARN alone (its id is derived from it), so
  // each thread keeps the last few it made for the next request to reuse.
  thread_local RecentEntries<std::shared_ptr<const Role>, 16> made_up;
  if (const auto* hit = made_up.find([&](const auto& role) { return role->arn == full_arn; })) return *hit;
  auto role = std::make_shared<Role>();
  role->account = arn.account;
  role->name = arn.name;
  role->path = arn.path;
  role->arn = std::move(full_arn);
  role->role_id = stable_unique_id("AROA", role->arn);
  role->max_session_duration = kMaxRoleMaxSessionDuration;
  role->declared = false;
  return made_up.add(std::move(role));
}

const OidcProvider* Store::find_oidc_provider(std::string_view account, std::string_view issuer) const {
  return oidc_by_issuer_.find(issuer_key(account, issuer));
}

const OidcProvider* Store::find_oidc_provider_by_arn(std::string_view arn) const {
  return oidc_by_arn_.find(AwsPartitionArn(arn).view);
}

const ManagedPolicy* Store::find_managed_policy_entry(std::string_view arn) const {
  return policies_.find(AwsPartitionArn(arn).view);
}

const SamlProvider* Store::find_saml_provider(std::string_view arn) const {
  return saml_by_arn_.find(AwsPartitionArn(arn).view);
}

const OidcProvider* Store::builtin_oidc_provider() const {
  return builtin_oidc_arn_.empty() ? nullptr : oidc_by_arn_.find(builtin_oidc_arn_);
}

const SamlProvider* Store::builtin_saml_provider() const {
  return builtin_saml_arn_.empty() ? nullptr : saml_by_arn_.find(builtin_saml_arn_);
}

namespace {
void add_inline_and_attached(const Store& store, const std::vector<InlinePolicy>& inline_policies,
                             const std::vector<std::string>& attached, std::vector<const StoredPolicy*>& out) {
  for (const auto& p : inline_policies) out.push_back(&p.policy);
  for (const auto& arn : attached)
    if (const ManagedPolicy* m = store.find_managed_policy_entry(arn)) out.push_back(&m->document());
}
}  // namespace

std::vector<const StoredPolicy*> Store::identity_policies(const User& user) const {
  std::vector<const StoredPolicy*> out;
  add_inline_and_attached(*this, user.inline_policies, user.attached_policies, out);
  for (const auto& name : user.groups)
    if (const Group* g = find_group(user.account, name))
      add_inline_and_attached(*this, g->inline_policies, g->attached_policies, out);
  return out;
}

std::vector<const StoredPolicy*> Store::identity_policies(const Role& role) const {
  std::vector<const StoredPolicy*> out;
  add_inline_and_attached(*this, role.inline_policies, role.attached_policies, out);
  return out;
}

const StoredPolicy* Store::boundary(const std::optional<std::string>& arn) const {
  if (!arn) return nullptr;
  const ManagedPolicy* m = find_managed_policy_entry(*arn);
  return m ? &m->document() : nullptr;
}

// --- StoreEditor ---------------------------------------------------------------

void StoreEditor::put_account(Account account) {
  Store& s = *store_;
  if (!s.accounts_.contains(account.id)) s.account_order_.push_back(account.id);
  if (s.default_account_.empty()) s.default_account_ = account.id;
  std::string id = account.id;
  auto shared = std::make_shared<const Account>(std::move(account));
  s.accounts_.put(id, shared);
  record(EntityKind::Account, id, shared);
}

const User& StoreEditor::put_user(User user) {
  Store& s = *store_;
  user.arn = user_arn(user.account, user.path, user.name);
  if (user.user_id.empty()) user.user_id = stable_unique_id("AIDA", user.arn);
  compile(user.inline_policies);
  const std::string key = Store::name_key(user.account, user.name);
  if (const User* old = s.users_.find(key)) s.users_by_arn_.erase(old->arn);
  if (s.default_account_.empty()) s.default_account_ = user.account;
  // The first user of the default account answers unknown keys in permissive mode.
  if (s.first_user_key_.empty() && user.account == s.default_account_) s.first_user_key_ = key;
  auto shared = std::make_shared<const User>(std::move(user));
  s.users_by_arn_.put(shared->arn, shared);
  s.users_.put(key, shared);
  record(EntityKind::User, key, shared);
  return *shared;
}

bool StoreEditor::erase_user(std::string_view account, std::string_view name) {
  Store& s = *store_;
  const std::string key = Store::name_key(account, name);
  const User* old = s.users_.find(key);
  if (old == nullptr) return false;
  s.users_by_arn_.erase(old->arn);
  record(EntityKind::User, key, nullptr);
  return s.users_.erase(key);
}

const Group& StoreEditor::put_group(Group group) {
  group.arn = "arn:aws:iam::" + group.account + ":group" + group.path + group.name;
  if (group.group_id.empty()) group.group_id = stable_unique_id("AGPA", group.arn);
  compile(group.inline_policies);
  auto shared = std::make_shared<const Group>(std::move(group));
  std::string key = Store::name_key(shared->account, shared->name);
  store_->groups_.put(key, shared);
  record(EntityKind::Group, std::move(key), shared);
  return *shared;
}

bool StoreEditor::erase_group(std::string_view account, std::string_view name) {
  std::string key = Store::name_key(account, name);
  if (!store_->groups_.erase(key)) return false;
  record(EntityKind::Group, std::move(key), nullptr);
  return true;
}

const Role& StoreEditor::put_role(Role role) {
  Store& s = *store_;
  role.arn = role_arn(role.account, role.path, role.name);
  if (role.role_id.empty()) role.role_id = stable_unique_id("AROA", role.arn);
  role.declared = true;
  role.trust = Policy::parse(role.trust_policy ? *role.trust_policy : default_trust_policy(role));
  compile(role.inline_policies);
  const std::string key = Store::name_key(role.account, role.name);
  if (const Role* old = s.roles_.find(key)) s.roles_by_arn_.erase(old->arn);
  auto shared = std::make_shared<const Role>(std::move(role));
  // Keyed by the full ARN too: a requested ARN must carry the role's path.
  s.roles_by_arn_.put(shared->arn, shared);
  s.roles_.put(key, shared);
  record(EntityKind::Role, key, shared);
  return *shared;
}

bool StoreEditor::erase_role(std::string_view account, std::string_view name) {
  Store& s = *store_;
  const std::string key = Store::name_key(account, name);
  const Role* old = s.roles_.find(key);
  if (old == nullptr) return false;
  s.roles_by_arn_.erase(old->arn);
  record(EntityKind::Role, key, nullptr);
  return s.roles_.erase(key);
}

const ManagedPolicy& StoreEditor::put_managed_policy(ManagedPolicy policy) {
  policy.arn = "arn:aws:iam::" + policy.account + ":policy" + policy.path + policy.name;
  if (policy.policy_id.empty()) policy.policy_id = stable_unique_id("ANPA", policy.arn);
  for (auto& v : policy.versions)
    if (!v.document.parsed) v.document.parsed = Policy::parse(v.document.text);
  auto shared = std::make_shared<const ManagedPolicy>(std::move(policy));
  store_->policies_.put(shared->arn, shared);
  record(EntityKind::ManagedPolicy, shared->arn, shared);
  return *shared;
}

bool StoreEditor::erase_managed_policy(std::string_view arn) {
  if (!store_->policies_.erase(arn)) return false;
  record(EntityKind::ManagedPolicy, std::string(arn), nullptr);
  return true;
}

const OidcProvider& StoreEditor::put_oidc_provider(OidcProvider p) {
  Store& s = *store_;
  p.key = oidc_url_key(p.url);
  p.arn = oidc_provider_arn(p.account, p.key);
  p.keys.reset();
  if (p.jwks)
    if (auto keys = federation::Jwks::parse(*p.jwks); keys && keys->size() > 0)
      p.keys = std::make_shared<const federation::Jwks>(std::move(*keys));
  if (const OidcProvider* old = s.oidc_by_arn_.find(p.arn)) s.oidc_by_issuer_.erase(issuer_key(old->account, old->url));
  if (p.builtin && s.builtin_oidc_arn_.empty()) s.builtin_oidc_arn_ = p.arn;
  auto shared = std::make_shared<const OidcProvider>(std::move(p));
  s.oidc_by_issuer_.put(issuer_key(shared->account, shared->url), shared);
  s.oidc_by_arn_.put(shared->arn, shared);
  record(EntityKind::OidcProvider, shared->arn, shared);
  return *shared;
}

bool StoreEditor::erase_oidc_provider(std::string_view arn) {
  Store& s = *store_;
  const OidcProvider* old = s.oidc_by_arn_.find(arn);
  if (old == nullptr) return false;
  s.oidc_by_issuer_.erase(issuer_key(old->account, old->url));
  if (s.builtin_oidc_arn_ == arn) s.builtin_oidc_arn_.clear();
  record(EntityKind::OidcProvider, std::string(arn), nullptr);
  return s.oidc_by_arn_.erase(arn);
}

const SamlProvider& StoreEditor::put_saml_provider(SamlProvider p) {
  Store& s = *store_;
  p.arn = saml_provider_arn(p.account, p.name);
  p.entity_id.clear();
  p.certificates_der.clear();
  if (p.metadata)
    if (auto metadata = federation::parse_saml_metadata(*p.metadata)) {
      p.entity_id = std::move(metadata->entity_id);
      p.certificates_der = std::move(metadata->signing_certificates_der);
    }
  if (p.builtin && s.builtin_saml_arn_.empty()) s.builtin_saml_arn_ = p.arn;
  auto shared = std::make_shared<const SamlProvider>(std::move(p));
  s.saml_by_arn_.put(shared->arn, shared);
  record(EntityKind::SamlProvider, shared->arn, shared);
  return *shared;
}

bool StoreEditor::erase_saml_provider(std::string_view arn) {
  Store& s = *store_;
  if (!s.saml_by_arn_.contains(arn)) return false;
  if (s.builtin_saml_arn_ == arn) s.builtin_saml_arn_.clear();
  record(EntityKind::SamlProvider, std::string(arn), nullptr);
  return s.saml_by_arn_.erase(arn);
}

void StoreEditor::put_access_key(AccessKeyRecord key) {
  std::string id = key.id;
  auto shared = std::make_shared<const AccessKeyRecord>(std::move(key));
  store_->keys_.put(id, shared);
  record(EntityKind::AccessKey, std::move(id), shared);
}

bool StoreEditor::erase_access_key(std::string_view id) {
  if (!store_->keys_.erase(id)) return false;
  record(EntityKind::AccessKey, std::string(id), nullptr);
  return true;
}

// --- Export and journal ------------------------------------------------------------

StoreData Store::export_data() const {
  StoreData d;
  d.region = region_;
  d.role_mode = role_mode_;
  d.accounts = accounts();
  if (const User* first = users_.find(first_user_key_)) d.users.push_back(*first);
  users_.for_each([&](const std::string& key, const User& u) {
    if (key != first_user_key_) d.users.push_back(u);
  });
  for_each_group([&](const Group& g) { d.groups.push_back(g); });
  for_each_role([&](const Role& r) {
    if (r.declared) d.roles.push_back(r);
  });
  for_each_managed_policy([&](const ManagedPolicy& p) { d.managed_policies.push_back(p); });
  for_each_oidc_provider([&](const OidcProvider& p) { d.oidc_providers.push_back(p); });
  for_each_saml_provider([&](const SamlProvider& p) { d.saml_providers.push_back(p); });
  for_each_access_key([&](const AccessKeyRecord& k) { d.access_keys.push_back(k); });
  for_each_virtual_mfa_device([&](const VirtualMfaDevice& v) { d.virtual_mfa_devices.push_back(v); });
  for_each_instance_profile([&](const InstanceProfile& p) { d.instance_profiles.push_back(p); });
  for_each_delegation_request([&](const DelegationRequest& r) { d.delegation_requests.push_back(r); });
  return d;
}

Result<void> StoreHolder::commit(const std::vector<StoreChange>& changes) {
  if (journal_ == nullptr || changes.empty()) return {};
  auto committed = journal_->commit(changes);
  if (committed) return {};
  // The journal logged the reason; the client learns only that it failed.
  return fail(ErrorCode::ServiceFailure,
              "The request processing has failed because of an unknown error, exception or failure.");
}

// --- Virtual MFA devices and instance profiles -------------------------------------

void StoreEditor::put_virtual_mfa_device(VirtualMfaDevice device) {
  std::string serial = device.serial;
  auto shared = std::make_shared<const VirtualMfaDevice>(std::move(device));
  store_->virtual_mfa_devices_.put(serial, shared);
  record(EntityKind::VirtualMfaDevice, std::move(serial), shared);
}

bool StoreEditor::erase_virtual_mfa_device(std::string_view serial) {
  if (!store_->virtual_mfa_devices_.erase(serial)) return false;
  record(EntityKind::VirtualMfaDevice, std::string(serial), nullptr);
  return true;
}

const InstanceProfile* Store::find_instance_profile(std::string_view account, std::string_view name) const {
  return instance_profiles_.find(name_key(account, name));
}

const InstanceProfile& StoreEditor::put_instance_profile(InstanceProfile profile) {
  profile.arn = "arn:aws:iam::" + profile.account + ":instance-profile" + profile.path + profile.name;
  if (profile.instance_profile_id.empty()) profile.instance_profile_id = stable_unique_id("AIPA", profile.arn);
  auto shared = std::make_shared<const InstanceProfile>(std::move(profile));
  std::string key = Store::name_key(shared->account, shared->name);
  store_->instance_profiles_.put(key, shared);
  record(EntityKind::InstanceProfile, std::move(key), shared);
  return *shared;
}

bool StoreEditor::erase_instance_profile(std::string_view account, std::string_view name) {
  std::string key = Store::name_key(account, name);
  if (!store_->instance_profiles_.erase(key)) return false;
  record(EntityKind::InstanceProfile, std::move(key), nullptr);
  return true;
}

// --- Delegation requests -------------------------------------------------------------

namespace {
constexpr Seconds kDay = 86400;
}  // namespace

Seconds delegation_expiration_time(const DelegationRequest& request) {
  return request.updated_time + (request.state == DelegationState::Unassigned ? kDay : 7 * kDay);
}

bool delegation_expired(const DelegationRequest& request, Seconds now) {
  return now >= delegation_expiration_time(request);
}

std::string_view delegation_state_name(const DelegationRequest& request, Seconds now) {
  if (delegation_expired(request, now)) return "EXPIRED";
  switch (request.state) {
    case DelegationState::Unassigned: return "UNASSIGNED";
    case DelegationState::Assigned: return "ASSIGNED";
    case DelegationState::PendingApproval: return "PENDING_APPROVAL";
    case DelegationState::Accepted: return "ACCEPTED";
    case DelegationState::Finalized: return "FINALIZED";
    case DelegationState::Rejected: return "REJECTED";
  }
  return "EXPIRED";
}

const DelegationRequest* Store::find_delegation_by_token(std::string_view token) const {
  if (token.empty()) return nullptr;
  return delegations_by_token_.find(crypto::sha256_hex(token));
}

const DelegationRequest& StoreEditor::put_delegation_request(DelegationRequest request) {
  Store& s = *store_;
  if (const DelegationRequest* old = s.delegations_.find(request.id); old != nullptr && !old->trade_in_token.empty())
    s.delegations_by_token_.erase(crypto::sha256_hex(old->trade_in_token));
  auto shared = std::make_shared<const DelegationRequest>(std::move(request));
  // Keyed by the token's digest: the index never holds the token itself.
  if (!shared->trade_in_token.empty()) s.delegations_by_token_.put(crypto::sha256_hex(shared->trade_in_token), shared);
  s.delegations_.put(shared->id, shared);
  record(EntityKind::DelegationRequest, shared->id, shared);
  return *shared;
}

}  // namespace stsd::domain
