#pragma once
// The identity store: accounts, users (with access keys and MFA devices),
// roles. Immutable once built; a change builds a new Store and swaps it in
// (StoreHolder), so request threads never lock.
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "stsd/domain/arn.h"
#include "stsd/domain/federation/jwt.h"
#include "stsd/domain/policy.h"
#include "stsd/domain/session.h"

namespace stsd::domain {

enum class RoleMode { Auto, Strict };

struct MfaDevice {
  std::string serial;
  std::string secret;  // raw TOTP key bytes
};

// A policy as the store keeps it: its text (what the config holds and dumps)
// next to the form parsed once when the store is built. `parsed` is nullopt
// only for text Policy::parse refuses (an empty Statement list), which
// evaluates to ImplicitDeny with no matched statement.
struct StoredPolicy {
  std::string text;
  std::optional<Policy> parsed;
};

struct Account {
  std::string id;
  std::string alias;
};

struct User {
  std::string account;
  std::string name;
  std::string path = "/";
  std::string arn;
  std::string user_id;  // AIDA...
  std::vector<MfaDevice> mfa_devices;
  std::vector<Tag> tags;
  std::vector<std::string> policies;  // JSON texts
  // Derived by Store: `policies`, parsed.
  std::vector<StoredPolicy> compiled_policies;
};

struct Role {
  std::string account;
  std::string name;
  std::string path = "/";
  std::string arn;
  std::string role_id;  // AROA...
  int max_session_duration = 3600;
  std::optional<std::string> trust_policy;  // JSON text
  std::vector<Tag> tags;
  std::vector<std::string> policies;
  bool declared = true;  // false for roles made up in auto mode
  // Derived by Store for declared roles: the trust policy (the configured one,
  // or IAM's "this account" default when none is) and `policies`, parsed.
  std::optional<Policy> trust;
  std::vector<StoredPolicy> compiled_policies;
};

// A customer managed policy, named by PolicyArns entries.
struct ManagedPolicy {
  std::string account;
  std::string name;
  std::string path = "/";
  std::string arn;  // arn:aws:iam::<account>:policy<path><name>
  std::string document;
  std::optional<Policy> parsed;  // derived by Store from `document`
};

// An IAM OIDC identity provider. `iss` must equal `url` exactly. `key` is the
// URL without its scheme (a trailing slash kept, as IAM keeps it:
// oidc-provider/auth.example.com/): what the provider ARN ends with and what
// trust-policy condition keys are prefixed with (`key:sub`).
struct OidcProvider {
  std::string account;
  std::string url;
  std::string key;
  std::string arn;  // arn:aws:iam::<account>:oidc-provider/<key>
  std::vector<std::string> client_ids;
  std::optional<std::string> jwks;  // JWK set JSON text; none for builtin
  bool builtin = false;             // stsd's own test issuer's keys
  // Derived by Store from `jwks`: nullptr when there is none or it has no
  // usable key (tokens then fail as AWS fails an unreachable JWKS).
  std::shared_ptr<const federation::Jwks> keys;
};

struct SamlProvider {
  std::string account;
  std::string name;
  std::string arn;  // arn:aws:iam::<account>:saml-provider/<name>
  std::optional<std::string> metadata;  // metadata XML; none for builtin
  bool builtin = false;                 // stsd's own test IdP's certificate
  // Derived by Store from `metadata`: the IdP's entityID and signing
  // certificates (the trust anchors). Empty when the metadata does not parse.
  std::string entity_id;
  std::vector<std::string> certificates_der;
};

// Who owns a long-term access key: an IAM user, or an account's root.
struct AccessKeyRecord {
  std::string id;
  std::string secret;
  std::string account;
  const User* user = nullptr;  // nullptr: the account root
};

struct StoreData {
  std::string region = "us-east-1";
  RoleMode role_mode = RoleMode::Auto;
  std::vector<Account> accounts;
  std::vector<User> users;
  std::vector<Role> roles;
  std::vector<ManagedPolicy> managed_policies;
  std::vector<OidcProvider> oidc_providers;
  std::vector<SamlProvider> saml_providers;
  // Root credentials per account: {account id, key id, secret}.
  struct RootKey {
    std::string account;
    std::string id;
    std::string secret;
  };
  std::vector<RootKey> root_keys;
  // User access keys: {user index, key id, secret}.
  struct UserKey {
    std::size_t user;
    std::string id;
    std::string secret;
  };
  std::vector<UserKey> user_keys;
};

class Store {
 public:
  // Fills derived fields (ARNs, unique ids) and builds the indexes.
  explicit Store(StoreData data);
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const StoreData& data() const { return data_; }
  RoleMode role_mode() const { return data_.role_mode; }
  const std::string& region() const { return data_.region; }
  // The first declared account: where unknown keys land in permissive mode.
  const std::string& default_account() const;
  const User* default_user() const;

  const AccessKeyRecord* find_access_key(std::string_view id) const;
  // O(1), no allocation.
  const User* find_user_by_arn(std::string_view arn) const;
  // A declared role by its full ARN (path included); O(1), no allocation.
  const Role* find_declared_role(std::string_view arn) const;
  // Whether the principal a session was issued for still exists
  // (AWS-BEHAVIOUR.md section 4: a deleted issuer's sessions get
  // InvalidClientTokenId): the declared role of an assumed-role session (in
  // auto mode any role exists), the user or account root behind a
  // GetSessionToken / GetFederationToken session. Hash lookups only.
  bool session_principal_exists(const Session& session) const;
  // Declared role, or in auto mode one made up on the spot (max session
  // duration 43200). nullptr: no such role.
  std::shared_ptr<const Role> find_role(const RoleArn& arn) const;
  // The provider in `account` whose URL is exactly the `iss` claim: scheme,
  // host, path and any trailing slash alike, case-sensitively (OIDC Core
  // 3.1.3.7 "MUST exactly match"; AWS refuses an iss whose trailing slash
  // differs from the registered URL, and one without https://). nullptr: none.
  const OidcProvider* find_oidc_provider(std::string_view account, std::string_view issuer) const;
  const SamlProvider* find_saml_provider(std::string_view arn) const;
  // A customer managed policy's document; nullptr: not configured (AWS
  // managed policies arn:aws:iam::aws:policy/... never are).
  const std::string* find_managed_policy(std::string_view arn) const;
  const ManagedPolicy* find_managed_policy_entry(std::string_view arn) const;
  // The first built-in OIDC provider (all share one issuer URL); nullptr: none.
  const OidcProvider* builtin_oidc_provider() const;
  const SamlProvider* builtin_saml_provider() const;

 private:
  StoreData data_;
  // Transparent hashing: look-ups by string_view allocate nothing.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <class T>
  using ByName = std::unordered_map<std::string, T, Hash, std::equal_to<>>;
  ByName<AccessKeyRecord> keys_;
  ByName<std::shared_ptr<const Role>> roles_by_arn_;
  ByName<const User*> users_by_arn_;
  ByName<const ManagedPolicy*> managed_by_arn_;
  ByName<bool> accounts_;
};

// Holds the current Store; readers take a snapshot, writers swap.
class StoreHolder {
 public:
  explicit StoreHolder(std::shared_ptr<const Store> store) : store_(std::move(store)) {}
  std::shared_ptr<const Store> get() const {
    std::lock_guard lock(mutex_);
    return store_;
  }
  void set(std::shared_ptr<const Store> store) {
    std::lock_guard lock(mutex_);
    store_ = std::move(store);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const Store> store_;
};

}  // namespace stsd::domain
