// Config -> JSON text in the file's own shape, so GET /_stsd/config output
// can be fed back to PUT /_stsd/config or --config unchanged.
#include <nlohmann/json.hpp>

#include "encoding.h"
#include "stsd/crypto/crypto.h"
#include "stsd/config/config.h"

namespace stsd::config {
namespace {

using nlohmann::ordered_json;

// Stored policy texts are canonical JSON; anything else (a Config built by
// hand) is kept as a string rather than thrown on.
ordered_json json_value(const std::string& text) {
  auto parsed = ordered_json::parse(text, nullptr, false);
  return parsed.is_discarded() ? ordered_json(text) : parsed;
}

void put_tags(ordered_json& out, const Tags& tags) {
  if (tags.empty()) return;
  ordered_json object = ordered_json::object();
  for (const auto& [key, value] : tags) object[key] = value;
  out["tags"] = std::move(object);
}

void put_policies(ordered_json& out, const std::vector<std::string>& policies) {
  if (policies.empty()) return;
  ordered_json list = ordered_json::array();
  for (const auto& p : policies) list.push_back(json_value(p));
  out["policies"] = std::move(list);
}

void put_access_keys(ordered_json& out, const std::vector<AccessKey>& access_keys) {
  if (access_keys.empty()) return;
  ordered_json keys = ordered_json::array();
  for (const auto& k : access_keys) keys.push_back({{"id", k.id}, {"secret", k.secret}});
  out["access_keys"] = std::move(keys);
}

ordered_json user_json(const User& user) {
  ordered_json out;
  out["account"] = user.account;
  out["name"] = user.name;
  out["path"] = user.path;
  put_access_keys(out, user.access_keys);
  if (!user.mfa_devices.empty()) {
    ordered_json devices = ordered_json::array();
    for (const auto& d : user.mfa_devices)
      devices.push_back({{"serial", d.serial}, {"totp_secret", crypto::base32_encode(d.totp_secret)}});
    out["mfa_devices"] = std::move(devices);
  }
  put_tags(out, user.tags);
  put_policies(out, user.policies);
  return out;
}

ordered_json role_json(const Role& role) {
  ordered_json out;
  out["account"] = role.account;
  out["name"] = role.name;
  out["path"] = role.path;
  out["max_session_duration"] = role.max_session_duration;
  if (role.trust_policy) out["trust_policy"] = json_value(*role.trust_policy);
  put_tags(out, role.tags);
  put_policies(out, role.policies);
  return out;
}

ordered_json managed_policy_json(const ManagedPolicy& policy) {
  ordered_json out;
  out["account"] = policy.account;
  out["name"] = policy.name;
  out["path"] = policy.path;
  out["document"] = json_value(policy.document);
  return out;
}

ordered_json oidc_json(const OidcProvider& provider) {
  ordered_json out;
  out["account"] = provider.account;
  out["url"] = provider.url;
  if (!provider.client_ids.empty()) out["client_ids"] = provider.client_ids;
  if (!provider.thumbprints.empty()) out["thumbprints"] = provider.thumbprints;
  if (provider.jwks) out["jwks"] = json_value(*provider.jwks);
  if (provider.builtin) out["builtin"] = true;
  return out;
}

ordered_json saml_json(const SamlProvider& provider) {
  ordered_json out;
  out["account"] = provider.account;
  out["name"] = provider.name;
  if (provider.metadata) out["metadata"] = *provider.metadata;
  if (provider.builtin) out["builtin"] = true;
  return out;
}

template <class T, class ToJson>
void put_list(ordered_json& out, const char* key, const std::vector<T>& items, ToJson to_json) {
  if (items.empty()) return;
  ordered_json list = ordered_json::array();
  for (const auto& item : items) list.push_back(to_json(item));
  out[key] = std::move(list);
}

}  // namespace

std::string dump_config(const Config& config, DumpFor purpose) {
  ordered_json out;
  out["region"] = config.region;
  // Always explicit: the Auto/Strict default depends on whether roles exist.
  out["role_mode"] = config.role_mode == RoleMode::Auto ? "auto" : "strict";
  const bool state = purpose == DumpFor::StateFile;
  // The key never leaves the server except into its own state file.
  if (config.token_key && state) out["token_key"] = crypto::base64_encode(*config.token_key);
  if (config.admin_token) out["admin_token"] = *config.admin_token;
  ordered_json accounts = ordered_json::array();
  for (const auto& a : config.accounts) {
    ordered_json account;
    account["id"] = a.id;
    if (!a.alias.empty()) account["alias"] = a.alias;
    put_access_keys(account, a.access_keys);
    if (!a.enabled_regions.empty()) account["enabled_regions"] = a.enabled_regions;
    if (!a.sts_inactive_regions.empty()) account["sts_inactive_regions"] = a.sts_inactive_regions;
    accounts.push_back(std::move(account));
  }
  out["accounts"] = std::move(accounts);
  put_list(out, "users", config.users, user_json);
  put_list(out, "roles", config.roles, role_json);
  put_list(out, "managed_policies", config.managed_policies, managed_policy_json);
  put_list(out, "oidc_providers", config.oidc_providers, oidc_json);
  put_list(out, "saml_providers", config.saml_providers, saml_json);
  if (config.config_sha256 && state) out["config_sha256"] = *config.config_sha256;
  // Replace, not throw, on bytes that are not UTF-8 (only a hand-built Config has them).
  return out.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n";
}

std::string config_fingerprint(const Config& config) {
  Config plain = config;
  plain.config_sha256.reset();
  return crypto::sha256_hex(dump_config(plain, DumpFor::StateFile));
}

std::vector<std::string> differing_sections(const Config& a, const Config& b) {
  std::vector<std::string> out;
  auto check = [&out](const char* name, bool same) {
    if (!same) out.emplace_back(name);
  };
  check("region", a.region == b.region);
  check("role_mode", a.role_mode == b.role_mode);
  check("token_key", a.token_key == b.token_key);
  check("admin_token", a.admin_token == b.admin_token);
  check("accounts", a.accounts == b.accounts);
  check("users", a.users == b.users);
  check("roles", a.roles == b.roles);
  check("managed_policies", a.managed_policies == b.managed_policies);
  check("oidc_providers", a.oidc_providers == b.oidc_providers);
  check("saml_providers", a.saml_providers == b.saml_providers);
  return out;
}

}  // namespace stsd::config
