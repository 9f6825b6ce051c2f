// Store entities as the JSON bodies of state database rows.
#include <nlohmann/json.hpp>

#include "stsd/app/state_db.h"
#include "stsd/crypto/crypto.h"

namespace stsd::app {

namespace {

using nlohmann::json;
using K = domain::EntityKind;

json tags_json(const std::vector<domain::Tag>& tags) {
  json out = json::array();
  for (const auto& t : tags) out.push_back({{"key", t.key}, {"value", t.value}});
  return out;
}
std::vector<domain::Tag> tags_of(const json& j) {
  std::vector<domain::Tag> out;
  for (const auto& t : j) out.push_back({t.at("key").get<std::string>(), t.at("value").get<std::string>()});
  return out;
}

json inline_json(const std::vector<domain::InlinePolicy>& policies) {
  json out = json::array();
  for (const auto& p : policies) out.push_back({{"name", p.name}, {"document", p.policy.text}});
  return out;
}
std::vector<domain::InlinePolicy> inline_of(const json& j) {
  std::vector<domain::InlinePolicy> out;
  for (const auto& p : j) out.push_back({p.at("name").get<std::string>(), {p.at("document").get<std::string>(), {}}});
  return out;
}

template <class T>
void optional_to(json& j, const char* name, const std::optional<T>& v) {
  if (v) j[name] = *v;
}
template <class T>
std::optional<T> optional_of(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return it->get<T>();
}

json to_json(const domain::Account& a) {
  return {{"id", a.id},
          {"alias", a.alias},
          {"enabled_regions", a.enabled_regions},
          {"sts_inactive_regions", a.sts_inactive_regions}};
}

json to_json(const domain::User& u) {
  json mfa = json::array();
  for (const auto& m : u.mfa_devices)
    mfa.push_back({{"serial", m.serial}, {"secret", crypto::base64_encode(m.secret)}, {"enable_date", m.enable_date}});
  json j = {{"account", u.account}, {"name", u.name}, {"path", u.path}, {"user_id", u.user_id},
            {"create_date", u.create_date}, {"mfa_devices", mfa}, {"tags", tags_json(u.tags)},
            {"inline_policies", inline_json(u.inline_policies)}, {"attached_policies", u.attached_policies},
            {"groups", u.groups}};
  optional_to(j, "permissions_boundary", u.permissions_boundary);
  return j;
}

json to_json(const domain::Group& g) {
  return {{"account", g.account}, {"name", g.name}, {"path", g.path}, {"group_id", g.group_id},
          {"create_date", g.create_date}, {"inline_policies", inline_json(g.inline_policies)},
          {"attached_policies", g.attached_policies}};
}

json to_json(const domain::Role& r) {
  json j = {{"account", r.account}, {"name", r.name}, {"path", r.path}, {"role_id", r.role_id},
            {"create_date", r.create_date}, {"description", r.description},
            {"max_session_duration", r.max_session_duration}, {"tags", tags_json(r.tags)},
            {"inline_policies", inline_json(r.inline_policies)}, {"attached_policies", r.attached_policies}};
  optional_to(j, "trust_policy", r.trust_policy);
  optional_to(j, "permissions_boundary", r.permissions_boundary);
  return j;
}

json to_json(const domain::ManagedPolicy& p) {
  json versions = json::array();
  for (const auto& v : p.versions)
    versions.push_back({{"id", v.id}, {"document", v.document.text}, {"create_date", v.create_date}});
  return {{"account", p.account}, {"name", p.name}, {"path", p.path}, {"policy_id", p.policy_id},
          {"description", p.description}, {"create_date", p.create_date}, {"update_date", p.update_date},
          {"tags", tags_json(p.tags)}, {"versions", versions}, {"default_version", p.default_version},
          {"next_version", p.next_version}};
}

json to_json(const domain::OidcProvider& p) {
  json j = {{"account", p.account}, {"url", p.url}, {"client_ids", p.client_ids}, {"thumbprints", p.thumbprints},
            {"create_date", p.create_date}, {"tags", tags_json(p.tags)}, {"builtin", p.builtin}};
  optional_to(j, "jwks", p.jwks);
  return j;
}

json to_json(const domain::SamlProvider& p) {
  json j = {{"account", p.account}, {"name", p.name}, {"builtin", p.builtin}, {"create_date", p.create_date},
            {"tags", tags_json(p.tags)}};
  optional_to(j, "metadata", p.metadata);
  return j;
}

json to_json(const domain::AccessKeyRecord& k) {
  return {{"id", k.id}, {"secret", k.secret}, {"account", k.account}, {"user", k.user},
          {"active", k.status == domain::AccessKeyStatus::Active}, {"create_date", k.create_date}};
}

json to_json(const domain::VirtualMfaDevice& v) {
  return {{"account", v.account}, {"serial", v.serial}, {"secret", crypto::base64_encode(v.secret)},
          {"create_date", v.create_date}, {"tags", tags_json(v.tags)}};
}

json to_json(const domain::InstanceProfile& p) {
  return {{"account", p.account}, {"name", p.name}, {"path", p.path}, {"instance_profile_id", p.instance_profile_id},
          {"create_date", p.create_date}, {"roles", p.roles}, {"tags", tags_json(p.tags)}};
}

// A delegation request's approver: the identity its delegated credentials carry.
json to_json(const domain::Session& a) {
  json j = {{"type", static_cast<int>(a.type)}, {"principal_type", static_cast<int>(a.principal_type)},
            {"account", a.account}, {"arn", a.arn}, {"user_id", a.user_id}, {"source_arn", a.source_arn},
            {"role_session_name", a.role_session_name}, {"mfa_authenticated", a.mfa_authenticated},
            {"mfa_auth_time", a.mfa_auth_time}, {"chain_depth", a.chain_depth}, {"tags", tags_json(a.tags)},
            {"transitive_tag_keys", a.transitive_tag_keys}, {"policy_arns", a.policy_arns},
            {"scope_policies", a.scope_policies}};
  optional_to(j, "source_identity", a.source_identity);
  optional_to(j, "session_policy", a.session_policy);
  return j;
}
domain::Session session_of(const json& j) {
  domain::Session a;
  const int type = j.at("type").get<int>();
  const int principal = j.at("principal_type").get<int>();
  if (type < 0 || type > static_cast<int>(domain::CredentialType::Delegated) || principal < 0 ||
      principal > static_cast<int>(domain::PrincipalType::FederatedUser))
    throw std::runtime_error("an approver of an unknown kind");
  a.type = static_cast<domain::CredentialType>(type);
  a.principal_type = static_cast<domain::PrincipalType>(principal);
  a.account = j.at("account").get<std::string>();
  a.arn = j.at("arn").get<std::string>();
  a.user_id = j.at("user_id").get<std::string>();
  a.source_arn = j.at("source_arn").get<std::string>();
  a.role_session_name = j.at("role_session_name").get<std::string>();
  a.mfa_authenticated = j.at("mfa_authenticated").get<bool>();
  a.mfa_auth_time = j.at("mfa_auth_time").get<domain::Seconds>();
  a.chain_depth = j.at("chain_depth").get<int>();
  a.tags = tags_of(j.at("tags"));
  a.transitive_tag_keys = j.at("transitive_tag_keys").get<std::vector<std::string>>();
  a.policy_arns = j.at("policy_arns").get<std::vector<std::string>>();
  a.scope_policies = j.at("scope_policies").get<std::vector<std::string>>();
  a.source_identity = optional_of<std::string>(j, "source_identity");
  a.session_policy = optional_of<std::string>(j, "session_policy");
  return a;
}

json to_json(const domain::DelegationRequest& r) {
  json parameters = json::array();
  for (const auto& p : r.parameters) parameters.push_back({{"name", p.name}, {"values", p.values}, {"type", p.type}});
  json j = {{"id", r.id}, {"requestor_account", r.requestor_account}, {"owner_account", r.owner_account},
            {"owner_id", r.owner_id}, {"description", r.description}, {"request_message", r.request_message},
            {"policy_template_arn", r.policy_template_arn}, {"parameters", parameters},
            {"workflow_id", r.workflow_id}, {"redirect_url", r.redirect_url},
            {"notification_channel", r.notification_channel}, {"session_duration", r.session_duration},
            {"only_send_by_owner", r.only_send_by_owner}, {"state", static_cast<int>(r.state)}, {"notes", r.notes},
            {"rejection_reason", r.rejection_reason}, {"create_date", r.create_date},
            {"updated_time", r.updated_time}, {"approver_id", r.approver_id},
            {"trade_in_token", r.trade_in_token}, {"finalized_at", r.finalized_at},
            {"token_expiration", r.token_expiration}, {"token_used", r.token_used}};
  if (r.approver) j["approver"] = to_json(*r.approver);
  return j;
}

void read(const json& j, domain::StoreData& d, K kind) {
  switch (kind) {
    case K::Account:
      d.accounts.push_back({j.at("id").get<std::string>(), j.value("alias", std::string()),
                            j.value("enabled_regions", std::vector<std::string>()),
                            j.value("sts_inactive_regions", std::vector<std::string>())});
      return;
    case K::User: {
      domain::User u;
      u.account = j.at("account").get<std::string>();
      u.name = j.at("name").get<std::string>();
      u.path = j.at("path").get<std::string>();
      u.user_id = j.at("user_id").get<std::string>();
      u.create_date = j.at("create_date").get<domain::Seconds>();
      for (const auto& m : j.at("mfa_devices"))
        u.mfa_devices.push_back({m.at("serial").get<std::string>(),
                                 crypto::base64_decode(m.at("secret").get<std::string>()).value_or(""),
                                 m.at("enable_date").get<domain::Seconds>()});
      u.tags = tags_of(j.at("tags"));
      u.inline_policies = inline_of(j.at("inline_policies"));
      u.attached_policies = j.at("attached_policies").get<std::vector<std::string>>();
      u.permissions_boundary = optional_of<std::string>(j, "permissions_boundary");
      u.groups = j.at("groups").get<std::vector<std::string>>();
      d.users.push_back(std::move(u));
      return;
    }
    case K::Group: {
      domain::Group g;
      g.account = j.at("account").get<std::string>();
      g.name = j.at("name").get<std::string>();
      g.path = j.at("path").get<std::string>();
      g.group_id = j.at("group_id").get<std::string>();
      g.create_date = j.at("create_date").get<domain::Seconds>();
      g.inline_policies = inline_of(j.at("inline_policies"));
      g.attached_policies = j.at("attached_policies").get<std::vector<std::string>>();
      d.groups.push_back(std::move(g));
      return;
    }
    case K::Role: {
      domain::Role r;
      r.account = j.at("account").get<std::string>();
      r.name = j.at("name").get<std::string>();
      r.path = j.at("path").get<std::string>();
      r.role_id = j.at("role_id").get<std::string>();
      r.create_date = j.at("create_date").get<domain::Seconds>();
      r.description = j.at("description").get<std::string>();
      r.max_session_duration = j.at("max_session_duration").get<int>();
      r.trust_policy = optional_of<std::string>(j, "trust_policy");
      r.tags = tags_of(j.at("tags"));
      r.inline_policies = inline_of(j.at("inline_policies"));
      r.attached_policies = j.at("attached_policies").get<std::vector<std::string>>();
      r.permissions_boundary = optional_of<std::string>(j, "permissions_boundary");
      d.roles.push_back(std::move(r));
      return;
    }
    case K::ManagedPolicy: {
      domain::ManagedPolicy p;
      p.account = j.at("account").get<std::string>();
      p.name = j.at("name").get<std::string>();
      p.path = j.at("path").get<std::string>();
      p.policy_id = j.at("policy_id").get<std::string>();
      p.description = j.at("description").get<std::string>();
      p.create_date = j.at("create_date").get<domain::Seconds>();
      p.update_date = j.at("update_date").get<domain::Seconds>();
      p.tags = tags_of(j.at("tags"));
      for (const auto& v : j.at("versions"))
        p.versions.push_back({v.at("id").get<std::string>(), {v.at("document").get<std::string>(), {}},
                              v.at("create_date").get<domain::Seconds>()});
      if (p.versions.empty()) throw std::runtime_error("a managed policy without versions");
      p.default_version = j.at("default_version").get<std::string>();
      p.next_version = j.at("next_version").get<int>();
      d.managed_policies.push_back(std::move(p));
      return;
    }
    case K::OidcProvider: {
      domain::OidcProvider p;
      p.account = j.at("account").get<std::string>();
      p.url = j.at("url").get<std::string>();
      p.client_ids = j.at("client_ids").get<std::vector<std::string>>();
      p.thumbprints = j.at("thumbprints").get<std::vector<std::string>>();
      p.create_date = j.at("create_date").get<domain::Seconds>();
      p.tags = tags_of(j.at("tags"));
      p.builtin = j.at("builtin").get<bool>();
      p.jwks = optional_of<std::string>(j, "jwks");
      d.oidc_providers.push_back(std::move(p));
      return;
    }
    case K::SamlProvider: {
      domain::SamlProvider p;
      p.account = j.at("account").get<std::string>();
      p.name = j.at("name").get<std::string>();
      p.builtin = j.at("builtin").get<bool>();
      p.create_date = j.at("create_date").get<domain::Seconds>();
      p.tags = tags_of(j.at("tags"));
      p.metadata = optional_of<std::string>(j, "metadata");
      d.saml_providers.push_back(std::move(p));
      return;
    }
    case K::AccessKey:
      d.access_keys.push_back({j.at("id").get<std::string>(), j.at("secret").get<std::string>(),
                               j.at("account").get<std::string>(), j.at("user").get<std::string>(),
                               j.at("active").get<bool>() ? domain::AccessKeyStatus::Active
                                                          : domain::AccessKeyStatus::Inactive,
                               j.at("create_date").get<domain::Seconds>()});
      return;
    case K::VirtualMfaDevice: {
      domain::VirtualMfaDevice v;
      v.account = j.at("account").get<std::string>();
      v.serial = j.at("serial").get<std::string>();
      v.secret = crypto::base64_decode(j.at("secret").get<std::string>()).value_or("");
      v.create_date = j.at("create_date").get<domain::Seconds>();
      v.tags = tags_of(j.at("tags"));
      d.virtual_mfa_devices.push_back(std::move(v));
      return;
    }
    case K::InstanceProfile: {
      domain::InstanceProfile p;
      p.account = j.at("account").get<std::string>();
      p.name = j.at("name").get<std::string>();
      p.path = j.at("path").get<std::string>();
      p.instance_profile_id = j.at("instance_profile_id").get<std::string>();
      p.create_date = j.at("create_date").get<domain::Seconds>();
      p.roles = j.at("roles").get<std::vector<std::string>>();
      p.tags = tags_of(j.at("tags"));
      d.instance_profiles.push_back(std::move(p));
      return;
    }
    case K::DelegationRequest: {
      domain::DelegationRequest r;
      r.id = j.at("id").get<std::string>();
      r.requestor_account = j.at("requestor_account").get<std::string>();
      r.owner_account = j.at("owner_account").get<std::string>();
      r.owner_id = j.at("owner_id").get<std::string>();
      r.description = j.at("description").get<std::string>();
      r.request_message = j.at("request_message").get<std::string>();
      r.policy_template_arn = j.at("policy_template_arn").get<std::string>();
      for (const auto& p : j.at("parameters"))
        r.parameters.push_back({p.at("name").get<std::string>(), p.at("values").get<std::vector<std::string>>(),
                                p.at("type").get<std::string>()});
      r.workflow_id = j.at("workflow_id").get<std::string>();
      r.redirect_url = j.at("redirect_url").get<std::string>();
      r.notification_channel = j.at("notification_channel").get<std::string>();
      r.session_duration = j.at("session_duration").get<std::int64_t>();
      r.only_send_by_owner = j.at("only_send_by_owner").get<bool>();
      const int state = j.at("state").get<int>();
      if (state < 0 || state > static_cast<int>(domain::DelegationState::Rejected))
        throw std::runtime_error("a delegation request in an unknown state");
      r.state = static_cast<domain::DelegationState>(state);
      r.notes = j.at("notes").get<std::string>();
      r.rejection_reason = j.at("rejection_reason").get<std::string>();
      r.create_date = j.at("create_date").get<domain::Seconds>();
      r.updated_time = j.at("updated_time").get<domain::Seconds>();
      r.approver_id = j.at("approver_id").get<std::string>();
      if (auto it = j.find("approver"); it != j.end()) r.approver = session_of(*it);
      r.trade_in_token = j.at("trade_in_token").get<std::string>();
      r.finalized_at = j.at("finalized_at").get<domain::Seconds>();
      r.token_expiration = j.at("token_expiration").get<domain::Seconds>();
      r.token_used = j.at("token_used").get<bool>();
      d.delegation_requests.push_back(std::move(r));
      return;
    }
  }
}

constexpr std::pair<K, std::string_view> kKindNames[] = {
    {K::Account, "account"},     {K::User, "user"},           {K::Group, "group"},
    {K::Role, "role"},           {K::ManagedPolicy, "policy"}, {K::OidcProvider, "oidc-provider"},
    {K::SamlProvider, "saml-provider"}, {K::AccessKey, "access-key"}, {K::VirtualMfaDevice, "mfa-device"},
    {K::InstanceProfile, "instance-profile"}, {K::DelegationRequest, "delegation-request"},
};

}  // namespace

std::string_view entity_kind_name(K kind) {
  for (const auto& [k, name] : kKindNames)
    if (k == kind) return name;
  return "unknown";
}

std::string entity_body(K kind, const void* e) {
  switch (kind) {
    case K::Account: return to_json(*static_cast<const domain::Account*>(e)).dump();
    case K::User: return to_json(*static_cast<const domain::User*>(e)).dump();
    case K::Group: return to_json(*static_cast<const domain::Group*>(e)).dump();
    case K::Role: return to_json(*static_cast<const domain::Role*>(e)).dump();
    case K::ManagedPolicy: return to_json(*static_cast<const domain::ManagedPolicy*>(e)).dump();
    case K::OidcProvider: return to_json(*static_cast<const domain::OidcProvider*>(e)).dump();
    case K::SamlProvider: return to_json(*static_cast<const domain::SamlProvider*>(e)).dump();
    case K::AccessKey: return to_json(*static_cast<const domain::AccessKeyRecord*>(e)).dump();
    case K::VirtualMfaDevice: return to_json(*static_cast<const domain::VirtualMfaDevice*>(e)).dump();
    case K::InstanceProfile: return to_json(*static_cast<const domain::InstanceProfile*>(e)).dump();
    case K::DelegationRequest: return to_json(*static_cast<const domain::DelegationRequest*>(e)).dump();
  }
  return "{}";
}

bool add_entity(std::string_view kind, std::string_view body, domain::StoreData& data) {
  for (const auto& [k, name] : kKindNames) {
    if (name != kind) continue;
    try {
      read(json::parse(body), data, k);
      return true;
    } catch (const std::exception&) {
      return false;
    }
  }
  return false;
}

}  // namespace stsd::app
