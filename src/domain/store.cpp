#include "stsd/domain/store.h"

#include "stsd/common/recent_entries.h"

#include "stsd/domain/access_key.h"
#include "stsd/domain/federation/saml.h"

namespace stsd::domain {

namespace {
const std::string kFallbackAccount = "000000000000";
constexpr int kAutoRoleMaxSessionDuration = 43200;

// Without a trust policy, a declared role trusts its own account (IAM's
// console default, "this account").
std::string default_trust_policy(const Role& role) {
  return R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::)" +
         role.account + R"(:root"},"Action":"sts:AssumeRole"}]})";
}

std::vector<StoredPolicy> compile(const std::vector<std::string>& texts) {
  std::vector<StoredPolicy> out;
  out.reserve(texts.size());
  for (const auto& t : texts) out.push_back({t, Policy::parse(t)});
  return out;
}

constexpr std::string_view kRootSuffix = ":root";
constexpr std::string_view kIamPrefix = "arn:aws:iam::";

}  // namespace

// Every policy is parsed here, once per store: requests only evaluate.
Store::Store(StoreData data) : data_(std::move(data)) {
  for (const auto& a : data_.accounts) accounts_.emplace(a.id, true);
  for (auto& u : data_.users) {
    u.arn = user_arn(u.account, u.path, u.name);
    u.user_id = stable_unique_id("AIDA", u.arn);
    u.compiled_policies = compile(u.policies);
  }
  for (auto& u : data_.users) users_by_arn_.emplace(u.arn, &u);
  for (auto& r : data_.roles) {
    r.arn = role_arn(r.account, r.path, r.name);
    r.role_id = stable_unique_id("AROA", r.arn);
    r.declared = true;
    r.trust = Policy::parse(r.trust_policy ? *r.trust_policy : default_trust_policy(r));
    r.compiled_policies = compile(r.policies);
    // Keyed by the full ARN: a requested ARN must carry the role's path too.
    roles_by_arn_.emplace(r.arn, std::make_shared<const Role>(r));
  }
  for (auto& p : data_.managed_policies) {
    p.arn = "arn:aws:iam::" + p.account + ":policy" + p.path + p.name;
    p.parsed = Policy::parse(p.document);
  }
  for (const auto& p : data_.managed_policies) managed_by_arn_.emplace(p.arn, &p);
  for (auto& p : data_.oidc_providers) {
    p.key = oidc_url_key(p.url);
    p.arn = oidc_provider_arn(p.account, p.key);
    if (p.jwks)
      if (auto keys = federation::Jwks::parse(*p.jwks); keys && keys->size() > 0)
        p.keys = std::make_shared<const federation::Jwks>(std::move(*keys));
  }
  for (auto& p : data_.saml_providers) {
    p.arn = saml_provider_arn(p.account, p.name);
    if (p.metadata)
      if (auto metadata = federation::parse_saml_metadata(*p.metadata)) {
        p.entity_id = std::move(metadata->entity_id);
        p.certificates_der = std::move(metadata->signing_certificates_der);
      }
  }
  for (const auto& k : data_.root_keys) keys_.emplace(k.id, AccessKeyRecord{k.id, k.secret, k.account, nullptr});
  for (const auto& k : data_.user_keys) {
    const User* u = &data_.users.at(k.user);
    keys_.emplace(k.id, AccessKeyRecord{k.id, k.secret, u->account, u});
  }
}

const std::string& Store::default_account() const {
  if (!data_.accounts.empty()) return data_.accounts.front().id;
  if (!data_.users.empty()) return data_.users.front().account;
  return kFallbackAccount;
}

const User* Store::default_user() const {
  for (const auto& u : data_.users)
    if (u.account == default_account()) return &u;
  return nullptr;
}

const AccessKeyRecord* Store::find_access_key(std::string_view id) const {
  auto it = keys_.find(id);
  return it == keys_.end() ? nullptr : &it->second;
}

const User* Store::find_user_by_arn(std::string_view arn) const {
  auto it = users_by_arn_.find(arn);
  return it == users_by_arn_.end() ? nullptr : it->second;
}

const Role* Store::find_declared_role(std::string_view arn) const {
  auto it = roles_by_arn_.find(arn);
  return it == roles_by_arn_.end() ? nullptr : it->second.get();
}

bool Store::session_principal_exists(const Session& session) const {
  const std::string_view source = session.source_arn;
  if (session.type == CredentialType::AssumedRole) {
    // AssumeRoot sessions name their caller, not a role: nothing to look up.
    if (session.principal_type != PrincipalType::AssumedRole) return true;
    // In auto mode every role ARN names a role (made up on first use).
    return data_.role_mode == RoleMode::Auto || roles_by_arn_.find(source) != roles_by_arn_.end();
  }
  // GetSessionToken / GetFederationToken: the user, or an account's root.
  if (users_by_arn_.find(source) != users_by_arn_.end()) return true;
  if (source.size() == kIamPrefix.size() + 12 + kRootSuffix.size() && source.substr(0, kIamPrefix.size()) == kIamPrefix &&
      source.substr(source.size() - kRootSuffix.size()) == kRootSuffix) {
    const std::string_view account = source.substr(kIamPrefix.size(), 12);
    return account == default_account() || accounts_.find(account) != accounts_.end();
  }
  return false;
}

std::shared_ptr<const Role> Store::find_role(const RoleArn& arn) const {
  std::string full_arn = role_arn(arn.account, arn.path, arn.name);
  auto it = roles_by_arn_.find(full_arn);
  if (it != roles_by_arn_.end()) return it->second;
  if (data_.role_mode == RoleMode::Strict) return nullptr;
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
  role->max_session_duration = kAutoRoleMaxSessionDuration;
  role->declared = false;
  return made_up.add(std::move(role));
}

const OidcProvider* Store::find_oidc_provider(std::string_view account, std::string_view issuer) const {
  for (const auto& p : data_.oidc_providers)
    if (p.account == account && p.url == issuer) return &p;
  return nullptr;
}

const std::string* Store::find_managed_policy(std::string_view arn) const {
  const ManagedPolicy* p = find_managed_policy_entry(arn);
  return p ? &p->document : nullptr;
}

const ManagedPolicy* Store::find_managed_policy_entry(std::string_view arn) const {
  auto it = managed_by_arn_.find(arn);
  return it == managed_by_arn_.end() ? nullptr : it->second;
}

const SamlProvider* Store::find_saml_provider(std::string_view arn) const {
  for (const auto& p : data_.saml_providers)
    if (p.arn == arn) return &p;
  return nullptr;
}

const OidcProvider* Store::builtin_oidc_provider() const {
  for (const auto& p : data_.oidc_providers)
    if (p.builtin) return &p;
  return nullptr;
}

const SamlProvider* Store::builtin_saml_provider() const {
  for (const auto& p : data_.saml_providers)
    if (p.builtin) return &p;
  return nullptr;
}

}  // namespace stsd::domain
