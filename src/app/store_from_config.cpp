// Config structs -> domain store data. Kept in app/ so that neither config/
// nor domain/ depends on the other.
#include "stsd/app/app.h"

#include <nlohmann/json.hpp>

#include "stsd/domain/federation/jwt.h"
#include "stsd/domain/federation/saml.h"
#include "stsd/domain/policy.h"

namespace stsd::app {

namespace {
std::vector<domain::Tag> to_tags(const config::Tags& tags) {
  std::vector<domain::Tag> out;
  for (const auto& [k, v] : tags) out.push_back({k, v});
  return out;
}
void check_policy(const std::string& text, domain::PolicyKind kind, const std::string& pointer,
                  std::vector<config::ConfigProblem>& out) {
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_object() && doc.contains("Statement") && doc["Statement"].is_array() && doc["Statement"].empty()) return;
  if (auto problem = domain::policy_document_error(text, kind))
    out.push_back({pointer, "MalformedPolicyDocument: " + *problem});
}

std::size_t total_size(const std::vector<std::string>& policies) {
  std::size_t n = 0;
  for (const auto& p : policies) n += domain::policy_size(p);
  return n;
}

}  // namespace

// IAM's size quotas come first: IAM refuses an oversized document with
// LimitExceeded before reading it (messages as IAM words them: CreateRole /
// UpdateAssumeRolePolicy, Put{Role,User}Policy, CreatePolicy).
std::vector<config::ConfigProblem> policy_problems(const config::Config& config) {
  std::vector<config::ConfigProblem> out;
  for (std::size_t i = 0; i < config.users.size(); ++i) {
    const auto& user = config.users[i];
    const std::string at = "/users/" + std::to_string(i) + "/policies";
    if (total_size(user.policies) > domain::kMaxUserInlinePolicySize) {
      out.push_back({at, "LimitExceeded: Maximum policy size of " + std::to_string(domain::kMaxUserInlinePolicySize) +
                             " bytes exceeded for user " + user.name});
      continue;
    }
    for (std::size_t j = 0; j < user.policies.size(); ++j)
      check_policy(user.policies[j], domain::PolicyKind::Identity, at + "/" + std::to_string(j), out);
  }
  for (std::size_t i = 0; i < config.roles.size(); ++i) {
    const auto& role = config.roles[i];
    const std::string at = "/roles/" + std::to_string(i);
    if (role.trust_policy) {
      if (domain::policy_size(*role.trust_policy) > domain::kMaxTrustPolicySize)
        out.push_back({at + "/trust_policy", "LimitExceeded: Cannot exceed quota for ACLSizePerRole: " +
                                                 std::to_string(domain::kMaxTrustPolicySize)});
      else
        check_policy(*role.trust_policy, domain::PolicyKind::Trust, at + "/trust_policy", out);
    }
    if (total_size(role.policies) > domain::kMaxRoleInlinePolicySize) {
      out.push_back({at + "/policies", "LimitExceeded: Maximum policy size of " +
                                           std::to_string(domain::kMaxRoleInlinePolicySize) +
                                           " bytes exceeded for role " + role.name});
      continue;
    }
    for (std::size_t j = 0; j < role.policies.size(); ++j)
      check_policy(role.policies[j], domain::PolicyKind::Identity, at + "/policies/" + std::to_string(j), out);
  }
  for (std::size_t i = 0; i < config.managed_policies.size(); ++i) {
    const std::string at = "/managed_policies/" + std::to_string(i) + "/document";
    const std::string& document = config.managed_policies[i].document;
    if (domain::policy_size(document) > domain::kMaxManagedPolicySize)
      out.push_back({at, "LimitExceeded: Cannot exceed quota for PolicySize: " +
                             std::to_string(domain::kMaxManagedPolicySize)});
    else
      check_policy(document, domain::PolicyKind::Identity, at, out);
  }
  return out;
}

std::vector<config::ConfigProblem> identity_provider_problems(const config::Config& config) {
  std::vector<config::ConfigProblem> out;
  for (std::size_t i = 0; i < config.oidc_providers.size(); ++i) {
    const auto& provider = config.oidc_providers[i];
    if (!provider.jwks) continue;
    const std::string pointer = "/oidc_providers/" + std::to_string(i) + "/jwks";
    auto keys = domain::federation::Jwks::parse(*provider.jwks);
    if (!keys)
      out.push_back({pointer, "not a usable JWK set: " + keys.error()});
    else if (keys->size() == 0)
      out.push_back({pointer,
                     "has no usable key: give an RSA key of 2048 bits or more, or an EC key on P-256, P-384 or "
                     "P-521, for signatures (kty, n/e or crv/x/y; no private members)"});
  }
  for (std::size_t i = 0; i < config.saml_providers.size(); ++i) {
    const auto& provider = config.saml_providers[i];
    if (!provider.metadata) continue;
    if (auto metadata = domain::federation::parse_saml_metadata(*provider.metadata); !metadata)
      out.push_back({"/saml_providers/" + std::to_string(i) + "/metadata", "not usable SAML metadata: " + metadata.error()});
  }
  return out;
}

std::vector<config::ConfigProblem> content_problems(const config::Config& config) {
  auto out = policy_problems(config);
  auto providers = identity_provider_problems(config);
  out.insert(out.end(), std::make_move_iterator(providers.begin()), std::make_move_iterator(providers.end()));
  return out;
}

// Config policies are unnamed documents; as IAM inline policies they are
// named after their place in the list.
std::vector<domain::InlinePolicy> inline_policies(const std::vector<std::string>& texts) {
  std::vector<domain::InlinePolicy> out;
  out.reserve(texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i) out.push_back({"policy-" + std::to_string(i + 1), {texts[i], {}}});
  return out;
}

domain::StoreData to_store_data(const config::Config& config, domain::Seconds now) {
  domain::StoreData d;
  d.region = config.region;
  d.role_mode = config.role_mode == config::RoleMode::Strict ? domain::RoleMode::Strict : domain::RoleMode::Auto;
  for (const auto& a : config.accounts) {
    d.accounts.push_back({a.id, a.alias, a.enabled_regions, a.sts_inactive_regions});
    for (const auto& k : a.access_keys)
      d.access_keys.push_back({k.id, k.secret, a.id, {}, domain::AccessKeyStatus::Active, now});
  }
  for (const auto& u : config.users) {
    domain::User user;
    user.account = u.account;
    user.name = u.name;
    user.path = u.path;
    user.create_date = now;
    for (const auto& m : u.mfa_devices) user.mfa_devices.push_back({m.serial, m.totp_secret, now});
    user.tags = to_tags(u.tags);
    user.inline_policies = inline_policies(u.policies);
    for (const auto& k : u.access_keys)
      d.access_keys.push_back({k.id, k.secret, u.account, u.name, domain::AccessKeyStatus::Active, now});
    d.users.push_back(std::move(user));
  }
  for (const auto& r : config.roles) {
    domain::Role role;
    role.account = r.account;
    role.name = r.name;
    role.path = r.path;
    role.create_date = now;
    role.max_session_duration = r.max_session_duration;
    role.trust_policy = r.trust_policy;
    role.tags = to_tags(r.tags);
    role.inline_policies = inline_policies(r.policies);
    d.roles.push_back(std::move(role));
  }
  for (const auto& p : config.managed_policies) {
    domain::ManagedPolicy policy;
    policy.account = p.account;
    policy.name = p.name;
    policy.path = p.path;
    policy.create_date = policy.update_date = now;
    policy.versions.push_back({"v1", {p.document, {}}, now});
    d.managed_policies.push_back(std::move(policy));
  }
  for (const auto& p : config.oidc_providers) {
    domain::OidcProvider provider;
    provider.account = p.account;
    provider.url = p.url;
    provider.client_ids = p.client_ids;
    provider.thumbprints = p.thumbprints;
    provider.create_date = now;
    provider.jwks = p.jwks;
    provider.builtin = p.builtin;
    d.oidc_providers.push_back(std::move(provider));
  }
  for (const auto& p : config.saml_providers) {
    domain::SamlProvider provider;
    provider.account = p.account;
    provider.name = p.name;
    provider.create_date = now;
    provider.metadata = p.metadata;
    provider.builtin = p.builtin;
    d.saml_providers.push_back(std::move(provider));
  }
  return d;
}

}  // namespace stsd::app
