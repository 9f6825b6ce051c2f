// Config structs -> domain store data. Kept in app/ so that neither config/
// nor domain/ depends on the other.
#include "stsd/app/app.h"

namespace stsd::app {

namespace {
std::vector<domain::Tag> to_tags(const config::Tags& tags) {
  std::vector<domain::Tag> out;
  for (const auto& [k, v] : tags) out.push_back({k, v});
  return out;
}
}  // namespace

domain::StoreData to_store_data(const config::Config& config) {
  domain::StoreData d;
  d.region = config.region;
  d.role_mode = config.role_mode == config::RoleMode::Strict ? domain::RoleMode::Strict : domain::RoleMode::Auto;
  for (const auto& a : config.accounts) {
    d.accounts.push_back({a.id, a.alias});
    for (const auto& k : a.access_keys) d.root_keys.push_back({a.id, k.id, k.secret});
  }
  for (const auto& u : config.users) {
    domain::User user;
    user.account = u.account;
    user.name = u.name;
    user.path = u.path;
    for (const auto& m : u.mfa_devices) user.mfa_devices.push_back({m.serial, m.totp_secret});
    user.tags = to_tags(u.tags);
    user.policies = u.policies;
    for (const auto& k : u.access_keys) d.user_keys.push_back({d.users.size(), k.id, k.secret});
    d.users.push_back(std::move(user));
  }
  for (const auto& r : config.roles) {
    domain::Role role;
    role.account = r.account;
    role.name = r.name;
    role.path = r.path;
    role.max_session_duration = r.max_session_duration;
    role.trust_policy = r.trust_policy;
    role.tags = to_tags(r.tags);
    role.policies = r.policies;
    d.roles.push_back(std::move(role));
  }
  for (const auto& p : config.oidc_providers) {
    domain::OidcProvider provider;
    provider.account = p.account;
    provider.url = p.url;
    provider.client_ids = p.client_ids;
    provider.jwks = p.jwks;
    provider.builtin = p.builtin;
    d.oidc_providers.push_back(std::move(provider));
  }
  for (const auto& p : config.saml_providers) {
    domain::SamlProvider provider;
    provider.account = p.account;
    provider.name = p.name;
    provider.metadata = p.metadata;
    provider.builtin = p.builtin;
    d.saml_providers.push_back(std::move(provider));
  }
  return d;
}

}  // namespace stsd::app
