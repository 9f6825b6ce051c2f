// Reads the config document into plain structs. Every check reports the JSON
// pointer it concerns and reading goes on, so one run lists every problem.
// Name, path and length rules are IAM's (AWS wins over our taste).
// Just over 600 lines on purpose: it reads the document section by section in
// its order, and the generic syntax rules already live in syntax.cpp.
#include "stsd/config/config.h"

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <utility>

#include "document.h"
#include "syntax.h"
#include "stsd/common/ascii.h"
#include "stsd/common/json.h"
#include "stsd/common/region.h"
#include "stsd/common/session_limits.h"
#include "stsd/common/utf8.h"
#include "stsd/crypto/crypto.h"

namespace stsd::config {

std::string ConfigProblem::to_string() const { return json_pointer.empty() ? message : json_pointer + ": " + message; }

std::string ConfigError::to_string() const {
  std::string out;
  for (const auto& p : problems) {
    if (!out.empty()) out += "\n";
    out += p.to_string();
  }
  return out;
}

namespace {

using nlohmann::json;
using namespace detail;
namespace fs = std::filesystem;

constexpr std::size_t kMaxTags = 50;  // IAM's per-user / per-role limit

std::string child(const std::string& pointer, std::string_view key) {
  return pointer + "/" + detail::escape_pointer_token(key);
}

std::string child(const std::string& pointer, std::size_t index) { return pointer + "/" + std::to_string(index); }

std::string in_quotes(std::string_view s) { return std::string("\"").append(s).append("\""); }

// Config and state files themselves: large configs are fine, endless ones not.
constexpr std::size_t kMaxConfigFileBytes = kDefaultMaxJsonBytes;

class Loader {
 public:
  Loader(std::string_view base_dir, ConfigSource source, std::vector<ConfigProblem>& problems)
      : base_dir_(base_dir.empty() ? "." : base_dir), source_(source), problems_(problems) {}

  Config read(const json& root) {
    Config config;
    // config_sha256 is a state file's own field (ConfigSource::StateFile).
    const bool state = source_ == ConfigSource::StateFile;
    const bool is_object =
        state ? expect_object(root, "",
                              {"region", "role_mode", "token_key", "admin_token", "accounts", "users", "roles",
                               "managed_policies", "oidc_providers", "saml_providers", "config_sha256"})
              : expect_object(root, "",
                              {"region", "role_mode", "token_key", "admin_token", "accounts", "users", "roles",
                               "managed_policies", "oidc_providers", "saml_providers"});
    if (!is_object) return config;
    if (state) config.config_sha256 = get_string(root, "", "config_sha256", false);

    if (auto region = get_string(root, "", "region", false)) {
      if (is_region(*region))
        config.region = *region;
      else
        add("/region", "must be a region name such as us-east-1");
    }
    std::optional<RoleMode> role_mode;
    if (auto mode = get_string(root, "", "role_mode", false)) {
      if (*mode == "auto")
        role_mode = RoleMode::Auto;
      else if (*mode == "strict")
        role_mode = RoleMode::Strict;
      else
        add("/role_mode", "must be \"auto\" or \"strict\"");
    }
    if (auto key = get_string(root, "", "token_key", false)) {
      auto bytes = crypto::base64_decode(*key);
      if (!bytes)
        add("/token_key", "must be base64 of exactly 32 bytes");
      else if (bytes->size() != 32)
        add("/token_key", "must be base64 of exactly 32 bytes, not " + std::to_string(bytes->size()));
      else
        config.token_key = std::move(*bytes);
    }
    if (auto token = get_string(root, "", "admin_token", false)) {
      if (token->empty())
        add("/admin_token", "must not be empty");
      else
        config.admin_token = std::move(*token);
    }

    // Accounts first: everything else refers to them.
    const json* accounts = get_array(root, "", "accounts", true);
    if (accounts && accounts->empty()) add("/accounts", "must declare at least one account");
    for_each_object(accounts, "/accounts", {"id", "alias", "access_keys", "enabled_regions", "sts_inactive_regions"},
                    [&](const json& item, const std::string& ptr) { config.accounts.push_back(read_account(item, ptr)); });

    read_list(root, "", "users", {"account", "name", "path", "access_keys", "mfa_devices", "tags", "policies"},
              [&](const json& item, const std::string& ptr) { config.users.push_back(read_user(item, ptr)); });
    read_list(root, "", "roles",
              {"account", "name", "path", "max_session_duration", "trust_policy", "tags", "policies"},
              [&](const json& item, const std::string& ptr) { config.roles.push_back(read_role(item, ptr)); });
    read_list(root, "", "managed_policies", {"account", "name", "path", "document"},
              [&](const json& item, const std::string& ptr) {
                config.managed_policies.push_back(read_managed_policy(item, ptr));
              });
    read_list(root, "", "oidc_providers", {"account", "url", "client_ids", "thumbprints", "jwks", "jwks_file", "builtin"},
              [&](const json& item, const std::string& ptr) {
                config.oidc_providers.push_back(read_oidc_provider(item, ptr));
              });
    read_list(root, "", "saml_providers", {"account", "name", "metadata", "metadata_file", "builtin"},
              [&](const json& item, const std::string& ptr) {
                config.saml_providers.push_back(read_saml_provider(item, ptr));
              });

    // A file that declares roles means them to be the only ones.
    const bool declares_roles = root.contains("roles") && root["roles"].is_array() && !root["roles"].empty();
    config.role_mode = role_mode.value_or(declares_roles ? RoleMode::Strict : RoleMode::Auto);
    return config;
  }

 private:
  void add(std::string pointer, std::string message) { problems_.push_back({std::move(pointer), std::move(message)}); }

  // Remembers where `key` was first seen; reports a repeat.
  void unique(std::unordered_map<std::string, std::string>& seen, const std::string& key, const std::string& ptr,
              const std::string& what) {
    auto [it, inserted] = seen.emplace(key, ptr);
    if (!inserted) add(ptr, "duplicate " + what + " (first at " + it->second + ")");
  }

  bool expect_object(const json& value, const std::string& ptr, std::initializer_list<std::string_view> fields) {
    if (!value.is_object()) {
      add(ptr, "must be an object");
      return false;
    }
    for (const auto& entry : value.items()) {
      bool known = false;
      for (auto f : fields) known = known || f == entry.key();
      if (!known) add(child(ptr, entry.key()), "unknown field");
    }
    return true;
  }

  const json* get(const json& obj, const std::string& ptr, std::string_view key, bool required) {
    const auto it = obj.find(std::string(key));
    if (it != obj.end()) return &*it;
    if (required) add(child(ptr, key), "is required");
    return nullptr;
  }

  std::optional<bool> get_bool(const json& obj, const std::string& ptr, std::string_view key) {
    const json* v = get(obj, ptr, key, false);
    if (!v) return std::nullopt;
    if (!v->is_boolean()) {
      add(child(ptr, key), "must be true or false");
      return std::nullopt;
    }
    return v->get<bool>();
  }

  std::optional<std::string> get_string(const json& obj, const std::string& ptr, std::string_view key, bool required) {
    const json* v = get(obj, ptr, key, required);
    if (!v) return std::nullopt;
    if (!v->is_string()) {
      add(child(ptr, key), "must be a string");
      return std::nullopt;
    }
    return v->get<std::string>();
  }

  const json* get_array(const json& obj, const std::string& ptr, std::string_view key, bool required) {
    const json* v = get(obj, ptr, key, required);
    if (v && !v->is_array()) {
      add(child(ptr, key), "must be an array");
      return nullptr;
    }
    return v;
  }

  // Calls `read_item` for each element that is an object (after reporting
  // its unknown fields).
  template <class ReadItem>
  void for_each_object(const json* list, const std::string& list_ptr, std::initializer_list<std::string_view> fields,
                       ReadItem read_item) {
    if (!list) return;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const std::string item_ptr = child(list_ptr, i);
      if (expect_object((*list)[i], item_ptr, fields)) read_item((*list)[i], item_ptr);
    }
  }

  // The optional array `key` of `obj`, element by element.
  template <class ReadItem>
  void read_list(const json& obj, const std::string& ptr, std::string_view key,
                 std::initializer_list<std::string_view> fields, ReadItem read_item) {
    for_each_object(get_array(obj, ptr, key, false), child(ptr, key), fields, read_item);
  }

  std::vector<std::string> read_strings(const json& obj, const std::string& ptr, std::string_view key) {
    std::vector<std::string> out;
    const json* list = get_array(obj, ptr, key, false);
    if (!list) return out;
    for (std::size_t i = 0; i < list->size(); ++i) {
      if ((*list)[i].is_string())
        out.push_back((*list)[i].get<std::string>());
      else
        add(child(child(ptr, key), i), "must be a string");
    }
    return out;
  }

  Account read_account(const json& item, const std::string& ptr) {
    Account account;
    if (auto id = get_string(item, ptr, "id", true)) {
      if (!is_account_id(*id))
        add(child(ptr, "id"), "must be 12 digits");
      else
        unique(accounts_, *id, child(ptr, "id"), "account id " + in_quotes(*id));
      account.id = std::move(*id);
    }
    if (auto alias = get_string(item, ptr, "alias", false)) {
      if (!is_account_alias(*alias))
        add(child(ptr, "alias"),
            "must be 3-63 characters of a-z, 0-9 and single hyphens, starting and ending with a letter or digit");
      else
        unique(aliases_, *alias, child(ptr, "alias"), "account alias " + in_quotes(*alias));
      account.alias = std::move(*alias);
    }
    account.access_keys = read_access_keys(item, ptr);
    account.enabled_regions = read_regions(item, ptr, "enabled_regions", true);
    account.sts_inactive_regions = read_regions(item, ptr, "sts_inactive_regions", false);
    return account;
  }

  std::vector<std::string> read_regions(const json& item, const std::string& ptr, std::string_view key,
                                        bool opt_in_only) {
    std::vector<std::string> regions = read_strings(item, ptr, key);
    for (std::size_t i = 0; i < regions.size(); ++i) {
      const std::string& r = regions[i];
      if (opt_in_only && r == "*") continue;
      if (!is_region(r))
        add(child(child(ptr, key), i), "must be a region name such as us-east-1");
      else if (opt_in_only && !is_opt_in_region(r))
        add(child(child(ptr, key), i), in_quotes(r) + " is not an opt-in region (it is always enabled)");
    }
    return regions;
  }

  // Users, roles and providers belong to a declared account, so a typo in an
  // id cannot silently make up a new account.
  std::string read_account_ref(const json& item, const std::string& ptr) {
    auto id = get_string(item, ptr, "account", true);
    if (!id) return {};
    if (!is_account_id(*id))
      add(child(ptr, "account"), "must be 12 digits");
    else if (!accounts_.count(*id))
      add(child(ptr, "account"), "account " + *id + " is not declared in /accounts");
    return *id;
  }

  std::string read_path(const json& item, const std::string& ptr) {
    auto path = get_string(item, ptr, "path", false);
    if (!path) return "/";
    if (!is_iam_path(*path))
      add(child(ptr, "path"), "must be \"/\" or begin and end with \"/\" (at most 512 printable ASCII characters)");
    return *path;
  }

  std::string read_iam_name(const json& item, const std::string& ptr, const std::string& account,
                            std::unordered_map<std::string, std::string>& seen, const char* what) {
    auto name = get_string(item, ptr, "name", true);
    if (!name) return {};
    if (!is_iam_name(*name)) {
      add(child(ptr, "name"), "must be 1-64 characters of A-Z, a-z, 0-9 and +=,.@_-");
    } else {
      // IAM names are unique per account regardless of case.
      unique(seen, account + "/" + ascii_lower(*name), child(ptr, "name"),
             std::string(what) + " " + in_quotes(*name) + " in account " + account);
    }
    return *name;
  }

  std::optional<std::string> read_policy(const json& value, const std::string& ptr) {
    if (!value.is_object()) {
      add(ptr, "must be an object (a policy document)");
      return std::nullopt;
    }
    return value.dump();
  }

  std::vector<std::string> read_policies(const json& item, const std::string& ptr) {
    std::vector<std::string> out;
    const json* list = get_array(item, ptr, "policies", false);
    if (!list) return out;
    for (std::size_t i = 0; i < list->size(); ++i)
      if (auto p = read_policy((*list)[i], child(child(ptr, "policies"), i))) out.push_back(std::move(*p));
    return out;
  }

  Tags read_tags(const json& item, const std::string& ptr) {
    Tags tags;
    const json* v = get(item, ptr, "tags", false);
    if (!v) return tags;
    const std::string tags_ptr = child(ptr, "tags");
    if (!v->is_object()) {
      add(tags_ptr, "must be an object");
      return tags;
    }
    if (v->size() > kMaxTags) add(tags_ptr, "must have at most " + std::to_string(kMaxTags) + " tags");
    for (const auto& [key, value] : v->items()) {
      const std::string tag_ptr = child(tags_ptr, key);
      const std::size_t key_length = utf8_code_points(key);
      if (key_length < 1 || key_length > 128)
        add(tag_ptr, "tag key must be 1-128 characters");
      else if (ascii_lower(key.substr(0, 4)) == "aws:")
        add(tag_ptr, "tag keys beginning with aws: are reserved for AWS");
      if (!value.is_string()) {
        add(tag_ptr, "must be a string");
        continue;
      }
      const auto text = value.get<std::string>();
      if (utf8_code_points(text) > 256) add(tag_ptr, "must be at most 256 characters");
      tags.emplace(key, text);
    }
    return tags;
  }

  std::vector<AccessKey> read_access_keys(const json& item, const std::string& ptr) {
    std::vector<AccessKey> keys;
    read_list(item, ptr, "access_keys", {"id", "secret"}, [&](const json& key, const std::string& key_ptr) {
      AccessKey access_key;
      if (auto id = get_string(key, key_ptr, "id", true)) {
        if (!is_access_key_id(*id))
          add(child(key_ptr, "id"), "must be 1-128 characters of A-Z, a-z, 0-9 and _");
        else
          unique(access_keys_, *id, child(key_ptr, "id"), "access key id " + in_quotes(*id));
        access_key.id = std::move(*id);
      }
      if (auto secret = get_string(key, key_ptr, "secret", true)) {
        if (secret->empty()) add(child(key_ptr, "secret"), "must not be empty");
        access_key.secret = std::move(*secret);
      }
      keys.push_back(std::move(access_key));
    });
    return keys;
  }

  User read_user(const json& item, const std::string& ptr) {
    User user;
    user.account = read_account_ref(item, ptr);
    user.name = read_iam_name(item, ptr, user.account, user_names_, "user name");
    user.path = read_path(item, ptr);
    user.access_keys = read_access_keys(item, ptr);
    read_list(item, ptr, "mfa_devices", {"serial", "totp_secret"},
              [&](const json& device, const std::string& device_ptr) {
                user.mfa_devices.push_back(read_mfa_device(device, device_ptr));
              });
    user.tags = read_tags(item, ptr);
    user.policies = read_policies(item, ptr);
    return user;
  }

  MfaDevice read_mfa_device(const json& item, const std::string& ptr) {
    MfaDevice device;
    if (auto serial = get_string(item, ptr, "serial", true)) {
      if (!is_mfa_serial(*serial))
        add(child(ptr, "serial"), "must be 9-256 characters of A-Z, a-z, 0-9 and +=/:,.@_-");
      else
        unique(mfa_serials_, *serial, child(ptr, "serial"), "MFA serial " + in_quotes(*serial));
      device.serial = std::move(*serial);
    }
    if (auto secret = get_string(item, ptr, "totp_secret", true)) {
      auto bytes = crypto::base32_decode(*secret);
      if (secret->empty())
        add(child(ptr, "totp_secret"), "must not be empty");
      else if (!bytes)
        add(child(ptr, "totp_secret"), "must be base32 (A-Z and 2-7, RFC 4648)");
      else
        device.totp_secret = std::move(*bytes);
    }
    return device;
  }

  ManagedPolicy read_managed_policy(const json& item, const std::string& ptr) {
    ManagedPolicy policy;
    policy.account = read_account_ref(item, ptr);
    // IAM policyNameType: [\w+=,.@-]{1,128}.
    if (auto name = get_string(item, ptr, "name", true)) {
      const bool ok = !name->empty() && name->size() <= 128 && all_chars(*name, [](char c) {
        return is_word(c) || std::string_view("+=,.@-").find(c) != std::string_view::npos;
      });
      if (!ok)
        add(child(ptr, "name"), "must be 1-128 characters of A-Z, a-z, 0-9 and +=,.@_-");
      else
        unique(policy_names_, policy.account + "/" + *name, child(ptr, "name"),
               "managed policy " + in_quotes(*name) + " in account " + policy.account);
      policy.name = std::move(*name);
    }
    policy.path = read_path(item, ptr);
    if (const json* v = get(item, ptr, "document", true))
      if (auto doc = read_policy(*v, child(ptr, "document"))) policy.document = std::move(*doc);
    return policy;
  }

  Role read_role(const json& item, const std::string& ptr) {
    Role role;
    role.account = read_account_ref(item, ptr);
    role.name = read_iam_name(item, ptr, role.account, role_names_, "role name");
    role.path = read_path(item, ptr);
    if (const json* v = get(item, ptr, "max_session_duration", false)) {
      const std::string duration_ptr = child(ptr, "max_session_duration");
      if (!v->is_number_integer()) {
        add(duration_ptr, "must be an integer");
      } else {
        // Unsigned values past int64 would wrap in get<int64_t>.
        const bool in_range =
            v->is_number_unsigned()
                ? v->get<std::uint64_t>() >= std::uint64_t{kMinRoleMaxSessionDuration} &&
                      v->get<std::uint64_t>() <= std::uint64_t{kMaxRoleMaxSessionDuration}
                : v->get<std::int64_t>() >= kMinRoleMaxSessionDuration &&
                      v->get<std::int64_t>() <= kMaxRoleMaxSessionDuration;
        if (!in_range)
          add(duration_ptr,
              "must be between " + std::to_string(kMinRoleMaxSessionDuration) + " and " +
                  std::to_string(kMaxRoleMaxSessionDuration));
        else
          role.max_session_duration = static_cast<int>(v->get<std::int64_t>());
      }
    }
    if (const json* v = get(item, ptr, "trust_policy", false))
      role.trust_policy = read_policy(*v, child(ptr, "trust_policy"));
    role.tags = read_tags(item, ptr);
    role.policies = read_policies(item, ptr);
    return role;
  }

  // The named side file, resolved against the config file's directory:
  // {resolved path, content}; nullopt when absent or unreadable (reported).
  std::optional<std::pair<std::string, std::string>> read_side_file(const json& item, const std::string& ptr,
                                                                    std::string_view key) {
    auto name = get_string(item, ptr, key, false);
    if (!name) return std::nullopt;
    if (source_ != ConfigSource::File) {
      // Nothing from the network may make the server read its disk.
      add(child(ptr, key),
          source_ == ConfigSource::Admin
              ? "file references are read only from the config given on the command line, at start; give the "
                "content inline (" + std::string(key.substr(0, key.size() - 5)) + ")"
              : "a state file is self-contained: give the content inline (" +
                    std::string(key.substr(0, key.size() - 5)) + ")");
      return std::nullopt;
    }
    if (name->empty()) {
      add(child(ptr, key), "must not be empty");
      return std::nullopt;
    }
    fs::path path(*name);
    if (path.is_relative()) path = fs::path(base_dir_) / path;
    auto content = read_whole_file(path, kMaxSideFileBytes);
    if (!content) {
      add(child(ptr, key), content.error());
      return std::nullopt;
    }
    return std::make_pair(path.string(), std::move(*content));
  }

  static bool is_jwk_set(const json& v) { return v.is_object() && v.contains("keys") && v["keys"].is_array(); }

  OidcProvider read_oidc_provider(const json& item, const std::string& ptr) {
    OidcProvider provider;
    provider.account = read_account_ref(item, ptr);
    if (auto url = get_string(item, ptr, "url", true)) {
      const bool has_scheme = url->rfind("https://", 0) == 0 || url->rfind("http://", 0) == 0;
      // http:// is allowed (AWS wants https) so a local test issuer can be used.
      if (!has_scheme || strip_scheme(*url).empty() || url->size() > 255)
        add(child(ptr, "url"), "must be an https:// (or http://) URL of at most 255 characters");
      else
        unique(oidc_urls_, provider.account + "/" + std::string(strip_scheme(*url)), child(ptr, "url"),
               "OIDC provider " + in_quotes(*url) + " in account " + provider.account);
      provider.url = std::move(*url);
    }
    provider.client_ids = read_strings(item, ptr, "client_ids");
    for (std::size_t i = 0; i < provider.client_ids.size(); ++i)
      if (provider.client_ids[i].empty() || provider.client_ids[i].size() > 255)
        add(child(child(ptr, "client_ids"), i), "must be 1-255 characters");
    provider.thumbprints = read_strings(item, ptr, "thumbprints");
    for (std::size_t i = 0; i < provider.thumbprints.size(); ++i)
      if (!is_thumbprint(provider.thumbprints[i]))
        add(child(child(ptr, "thumbprints"), i), "must be 40 hexadecimal characters");

    provider.builtin = get_bool(item, ptr, "builtin").value_or(false);
    if (provider.builtin && !provider.url.empty()) {
      if (builtin_oidc_url_.empty()) builtin_oidc_url_ = provider.url;
      else if (builtin_oidc_url_ != provider.url)
        add(child(ptr, "url"), "must be " + in_quotes(builtin_oidc_url_) + ": all built-in OIDC providers share one issuer");
    }
    const json* jwks = get(item, ptr, "jwks", false);
    if (provider.builtin && (jwks || item.contains("jwks_file"))) {
      add(ptr, "a builtin provider has stsd's own keys: give no jwks or jwks_file");
    } else if (jwks && item.contains("jwks_file")) {
      add(ptr, "give jwks or jwks_file, not both");
    } else if (jwks) {
      if (is_jwk_set(*jwks))
        provider.jwks = jwks->dump();
      else
        add(child(ptr, "jwks"), "must be a JWK set: an object with a \"keys\" array");
    } else if (auto file = read_side_file(item, ptr, "jwks_file")) {
      std::vector<ConfigProblem> file_problems;
      auto doc = detail::parse_document(file->second, file_problems);
      for (const auto& p : file_problems) add(child(ptr, "jwks_file"), file->first + ": " + p.to_string());
      if (doc && file_problems.empty()) {
        if (is_jwk_set(*doc))
          provider.jwks = doc->dump();
        else
          add(child(ptr, "jwks_file"), file->first + ": must be a JWK set: an object with a \"keys\" array");
      }
    }
    return provider;
  }

  SamlProvider read_saml_provider(const json& item, const std::string& ptr) {
    SamlProvider provider;
    provider.account = read_account_ref(item, ptr);
    if (auto name = get_string(item, ptr, "name", true)) {
      if (!is_saml_provider_name(*name))
        add(child(ptr, "name"), "must be 1-128 characters of A-Z, a-z, 0-9 and ._-");
      else
        unique(saml_names_, provider.account + "/" + *name, child(ptr, "name"),
               "SAML provider " + in_quotes(*name) + " in account " + provider.account);
      provider.name = std::move(*name);
    }
    provider.builtin = get_bool(item, ptr, "builtin").value_or(false);
    const bool has_inline = item.contains("metadata");
    if (provider.builtin && (has_inline || item.contains("metadata_file"))) {
      add(ptr, "a builtin provider has stsd's own certificate: give no metadata or metadata_file");
    } else if (has_inline && item.contains("metadata_file")) {
      add(ptr, "give metadata or metadata_file, not both");
    } else if (has_inline) {
      if (auto metadata = get_string(item, ptr, "metadata", false)) {
        if (metadata->empty())
          add(child(ptr, "metadata"), "must not be empty");
        else
          provider.metadata = std::move(*metadata);
      }
    } else if (auto file = read_side_file(item, ptr, "metadata_file")) {
      // The text ends up in JSON dumps, which must be UTF-8.
      if (file->second.empty())
        add(child(ptr, "metadata_file"), file->first + ": is empty");
      else if (!is_valid_utf8(file->second))
        add(child(ptr, "metadata_file"), file->first + ": is not valid UTF-8");
      else
        provider.metadata = std::move(file->second);
    }
    return provider;
  }

  std::string base_dir_;
  ConfigSource source_;
  std::vector<ConfigProblem>& problems_;
  // Value (or scoped key) -> pointer where it was first declared.
  std::unordered_map<std::string, std::string> accounts_, aliases_, user_names_, role_names_, access_keys_,
      mfa_serials_, oidc_urls_, saml_names_, policy_names_;
  std::string builtin_oidc_url_;
};

}  // namespace

Result<Config, ConfigError> parse_config(std::string_view json_text, std::string_view base_dir, ConfigSource source) {
  try {
    std::vector<ConfigProblem> problems;
    auto doc = detail::parse_document(json_text, problems);
    if (!doc) return unexpected(ConfigError{std::move(problems)});
    Config config = Loader(base_dir, source, problems).read(*doc);
    if (!problems.empty()) return unexpected(ConfigError{std::move(problems)});
    return config;
  } catch (const std::exception& e) {
    // Only resource exhaustion gets here; loading reports, never throws.
    return unexpected(ConfigError{{{"", std::string("cannot load config: ") + e.what()}}});
  }
}

Result<Config, ConfigError> load_config_file(const std::string& path, ConfigSource source) {
  std::string content;
  try {
    auto read = read_whole_file(path, kMaxConfigFileBytes);
    if (!read) return unexpected(ConfigError{{{"", read.error()}}});
    content = std::move(*read);
  } catch (const std::exception& e) {
    return unexpected(ConfigError{{{"", "cannot read " + path + ": " + e.what()}}});
  }
  const fs::path parent = fs::path(path).parent_path();
  return parse_config(content, parent.empty() ? std::string(".") : parent.string(), source);
}

}  // namespace stsd::config
