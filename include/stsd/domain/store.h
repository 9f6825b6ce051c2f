#pragma once
// The identity store: accounts, users (with access keys and MFA devices),
// groups, roles, managed policies, identity providers. A Store is an
// immutable snapshot: a request takes one (a pointer copy under a mutex held
// for nothing else) and reads it without locks. A change
// (config reload, an IAM write) edits a copy through StoreEditor and swaps it
// in (StoreHolder::update); the copy shares every entity it does not touch
// (PersistentIndex), so one write costs the same with ten or ten thousand
// entities. Every policy is parsed when its entity is put, never per request.
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stsd/common/session_limits.h"
#include "stsd/common/sts_error.h"
#include "stsd/domain/arn.h"
#include "stsd/domain/clock.h"
#include "stsd/domain/federation/jwt_verify.h"
#include "stsd/domain/persistent_index.h"
#include "stsd/domain/policy.h"
#include "stsd/domain/session.h"

namespace stsd::domain {

enum class RoleMode { Auto, Strict };

struct MfaDevice {
  std::string serial;
  std::string secret;  // raw TOTP key bytes
  Seconds enable_date = 0;
};

// A policy as the store keeps it: its text (what the config holds and dumps)
// next to the form parsed once when the entity is put. `parsed` is nullopt
// only for text Policy::parse refuses (an empty Statement list), which
// evaluates to ImplicitDeny with no matched statement.
struct StoredPolicy {
  std::string text;
  std::optional<Policy> parsed;
};

// An inline policy of a user, group or role: named, unique per entity.
struct InlinePolicy {
  std::string name;
  StoredPolicy policy;
};

struct Account {
  std::string id;
  std::string alias;
  std::vector<std::string> enabled_regions;       // opt-in regions enabled; "*": all
  std::vector<std::string> sts_inactive_regions;  // STS deactivated there
};

// Whether an account may use STS in a region.
enum class RegionStatus {
  Active,
  NotEnabled,   // an opt-in region the account has not enabled
  StsInactive,  // STS deactivated for the account in that region
};

struct User {
  std::string account;
  std::string name;
  std::string path = "/";
  std::string arn;      // derived by the store
  std::string user_id;  // AIDA...; derived from the ARN when empty
  Seconds create_date = 0;
  std::vector<MfaDevice> mfa_devices;
  std::vector<Tag> tags;
  std::vector<InlinePolicy> inline_policies;
  std::vector<std::string> attached_policies;  // managed policy ARNs, in attach order
  std::optional<std::string> permissions_boundary;
  std::vector<std::string> groups;  // group names, in join order
};

struct Group {
  std::string account;
  std::string name;
  std::string path = "/";
  std::string arn;
  std::string group_id;  // AGPA...
  Seconds create_date = 0;
  std::vector<InlinePolicy> inline_policies;
  std::vector<std::string> attached_policies;
};

struct Role {
  std::string account;
  std::string name;
  std::string path = "/";
  std::string arn;
  std::string role_id;  // AROA...
  Seconds create_date = 0;
  std::string description;
  int max_session_duration = kDefaultRoleMaxSessionDuration;
  std::optional<std::string> trust_policy;  // JSON text; none: trusts its own account
  std::vector<Tag> tags;
  std::vector<InlinePolicy> inline_policies;
  std::vector<std::string> attached_policies;
  std::optional<std::string> permissions_boundary;
  bool declared = true;  // false for roles made up in auto mode
  // Derived for declared roles: the trust policy (the configured one, or IAM's
  // "this account" default when none is), parsed.
  std::optional<Policy> trust;
};

struct PolicyVersion {
  std::string id;  // v1, v2, ...
  StoredPolicy document;
  Seconds create_date = 0;
};

// A customer managed policy, named by PolicyArns entries and attachments.
struct ManagedPolicy {
  std::string account;
  std::string name;
  std::string path = "/";
  std::string arn;        // arn:aws:iam::<account>:policy<path><name>
  std::string policy_id;  // ANPA...
  std::string description;
  Seconds create_date = 0;
  Seconds update_date = 0;
  std::vector<Tag> tags;
  std::vector<PolicyVersion> versions;  // oldest first
  std::string default_version = "v1";
  int next_version = 2;  // IAM never reuses a version number
  // The default version's document.
  const StoredPolicy& document() const;
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
  std::vector<std::string> thumbprints;
  Seconds create_date = 0;
  std::vector<Tag> tags;
  std::optional<std::string> jwks;  // JWK set JSON text; none for builtin
  bool builtin = false;             // stsd's own test issuer's keys
  // Derived from `jwks`: nullptr when there is none or it has no usable key
  // (tokens then fail as AWS fails an unreachable JWKS).
  std::shared_ptr<const federation::Jwks> keys;
};

struct SamlProvider {
  std::string account;
  std::string name;
  std::string arn;  // arn:aws:iam::<account>:saml-provider/<name>
  std::optional<std::string> metadata;  // metadata XML; none for builtin
  bool builtin = false;                 // stsd's own test IdP's certificate
  Seconds create_date = 0;
  std::vector<Tag> tags;
  // Derived from `metadata`: the IdP's entityID and signing certificates
  // (the trust anchors). Empty when the metadata does not parse.
  std::string entity_id;
  std::vector<std::string> certificates_der;
};

enum class AccessKeyStatus { Active, Inactive };

// A long-term access key: an IAM user's, or an account root's (empty user).
struct AccessKeyRecord {
  std::string id;
  std::string secret;
  std::string account;
  std::string user;  // user name; empty: the account root
  AccessKeyStatus status = AccessKeyStatus::Active;
  Seconds create_date = 0;
};

// --- Virtual MFA devices (IAM CreateVirtualMFADevice) ----------------------------
// A virtual MFA device of an account, assigned or not: an enabled device is
// also in its user's mfa_devices (same serial and secret).
struct VirtualMfaDevice {
  std::string account;
  std::string serial;  // arn:aws:iam::<account>:mfa<path><name>
  std::string secret;  // raw TOTP key bytes
  Seconds create_date = 0;
  std::vector<Tag> tags;
};
// --- end virtual MFA devices -------------------------------------------------------

// --- Instance profiles (IAM) -------------------------------------------------------

// An IAM instance profile: a container for at most one role (by name).
struct InstanceProfile {
  std::string account;
  std::string name;
  std::string path = "/";
  std::string arn;                  // arn:aws:iam::<account>:instance-profile<path><name>
  std::string instance_profile_id;  // AIPA...
  Seconds create_date = 0;
  std::vector<std::string> roles;   // role names, in add order
  std::vector<Tag> tags;
};

// --- end of instance profiles ----------------------------------------------------------

// --- Delegation requests (IAM temporary delegation; docs/DELEGATION.md) --------------

// The stored states; EXPIRED is derived from the clock (delegation_state).
enum class DelegationState { Unassigned, Assigned, PendingApproval, Accepted, Finalized, Rejected };

struct DelegationParameter {
  std::string name;
  std::vector<std::string> values;
  std::string type;  // string | stringList
};

// A partner's request for temporary access to a customer account, from
// CreateDelegationRequest to the trade-in token GetDelegatedAccessToken
// exchanges once for credentials of the approver.
struct DelegationRequest {
  std::string id;
  std::string requestor_account;  // the partner's account (RequestorId)
  std::string owner_account;      // OwnerAccountId: the target; empty: any account may associate
  std::string owner_id;           // OwnerId: the ARN that associated it; empty until then
  std::string description;
  std::string request_message;
  std::string policy_template_arn;
  std::vector<DelegationParameter> parameters;
  std::string workflow_id;  // RequestorWorkflowId, unique per requestor account
  std::string redirect_url;
  std::string notification_channel;
  std::int64_t session_duration = 3600;
  bool only_send_by_owner = false;
  DelegationState state = DelegationState::Unassigned;
  std::string notes;
  std::string rejection_reason;
  Seconds create_date = 0;
  Seconds updated_time = 0;  // the last transition or update
  // AcceptDelegationRequest: who accepted, and the identity the delegated
  // credentials carry (keys, issue and expiry empty).
  std::string approver_id;
  std::optional<Session> approver;
  // SendDelegationToken: the trade-in token (CSPRNG), when it stops being
  // exchangeable, and whether it was exchanged (single use).
  std::string trade_in_token;
  Seconds finalized_at = 0;
  Seconds token_expiration = 0;
  bool token_used = false;
};

// How long a request lives in each state without action (IAM User Guide,
// "Understanding the Request Lifecycle"): one day unassigned, seven days in
// every other state, counted from the last transition.
Seconds delegation_expiration_time(const DelegationRequest& request);
// The state IAM shows at `now`: the stored one, or EXPIRED past its expiry.
std::string_view delegation_state_name(const DelegationRequest& request, Seconds now);
bool delegation_expired(const DelegationRequest& request, Seconds now);

// --- end of delegation requests --------------------------------------------------------

// What a store is built from (the config, or a state database).
struct StoreData {
  std::string region = "us-east-1";
  RoleMode role_mode = RoleMode::Auto;
  std::vector<Account> accounts;
  std::vector<User> users;
  std::vector<Group> groups;
  std::vector<Role> roles;
  std::vector<ManagedPolicy> managed_policies;
  std::vector<OidcProvider> oidc_providers;
  std::vector<SamlProvider> saml_providers;
  std::vector<AccessKeyRecord> access_keys;
  std::vector<VirtualMfaDevice> virtual_mfa_devices;
  std::vector<InstanceProfile> instance_profiles;
  std::vector<DelegationRequest> delegation_requests;
};

class StoreEditor;

// What one StoreEditor changed, in order, for a StateJournal: the entity as
// put (shared with the new snapshot; its derived fields set), or nullptr
// when erased. `key` is unique per kind: an account id, an access key id, an
// ARN (managed policies, providers), an MFA serial, or Store::name_key
// (users, groups, roles, instance profiles).
enum class EntityKind {
  Account, User, Group, Role, ManagedPolicy, OidcProvider, SamlProvider, AccessKey, VirtualMfaDevice, InstanceProfile,
  DelegationRequest
};
struct StoreChange {
  EntityKind kind;
  std::string key;
  std::shared_ptr<const void> entity;  // the EntityKind's struct; nullptr: erased
};

// The one narrow interface to persistence: a change is made durable before
// the snapshot holding it is published (and so before it is acknowledged).
class StateJournal {
 public:
  virtual ~StateJournal() = default;
  // Error: what failed (the journal logs it; clients get ServiceFailure);
  // nothing is then published.
  virtual Result<void, std::string> commit(const std::vector<StoreChange>& changes) = 0;
};

class Store {
 public:
  // Derives ARNs and ids, parses policies and builds the indexes.
  explicit Store(StoreData data);

  RoleMode role_mode() const { return role_mode_; }
  const std::string& region() const { return region_; }
  // The first declared account: where unknown keys land in permissive mode.
  const std::string& default_account() const { return default_account_; }
  const User* default_user() const;
  std::vector<Account> accounts() const;  // in declaration order
  const Account* find_account(std::string_view id) const { return accounts_.find(id); }
  // Accounts the config does not declare (auto role mode) have every region.
  RegionStatus region_status(std::string_view account, std::string_view region) const;

  // Active or not: the authenticator checks the status.
  const AccessKeyRecord* find_access_key(std::string_view id) const;
  // The user a key belongs to; nullptr for a root key.
  const User* key_owner(const AccessKeyRecord& key) const;
  // O(1), no allocation.
  const User* find_user_by_arn(std::string_view arn) const;
  // By IAM's case-insensitive name within an account.
  const User* find_user(std::string_view account, std::string_view name) const;
  const Group* find_group(std::string_view account, std::string_view name) const;
  const Role* find_role_by_name(std::string_view account, std::string_view name) const;
  // A declared role by its full ARN (path included); O(1), no allocation.
  const Role* find_declared_role(std::string_view arn) const;
  // Whether the principal a session was issued for still exists
  // (a deleted issuer's sessions get InvalidClientTokenId, as the argmin STS
  // oracle observed live: github.com/justincormack/argmin,
  // crates/s3-tests/src/bin/sts_oracle.rs): the declared role of an assumed-role session (in
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
  const OidcProvider* find_oidc_provider_by_arn(std::string_view arn) const;
  const SamlProvider* find_saml_provider(std::string_view arn) const;
  // A customer managed policy; nullptr: none (AWS managed policies
  // arn:aws:iam::aws:policy/... never are).
  const ManagedPolicy* find_managed_policy_entry(std::string_view arn) const;
  // The first built-in OIDC provider (all share one issuer URL); nullptr: none.
  const OidcProvider* builtin_oidc_provider() const;
  const SamlProvider* builtin_saml_provider() const;

  // A principal's identity policies, for one decision: its inline and
  // attached policies and, for a user, its groups' (IAM evaluates them as
  // one set). Pointers into this snapshot.
  std::vector<const StoredPolicy*> identity_policies(const User& user) const;
  std::vector<const StoredPolicy*> identity_policies(const Role& role) const;
  // The permissions boundary's document; nullptr when none is set or its
  // policy is gone.
  const StoredPolicy* boundary(const std::optional<std::string>& arn) const;

  // Everything, for listing and export (unordered; callers sort).
  template <class F> void for_each_user(F&& f) const { users_.for_each([&](const auto&, const User& u) { f(u); }); }
  template <class F> void for_each_group(F&& f) const { groups_.for_each([&](const auto&, const Group& g) { f(g); }); }
  template <class F> void for_each_role(F&& f) const { roles_.for_each([&](const auto&, const Role& r) { f(r); }); }
  template <class F> void for_each_managed_policy(F&& f) const {
    policies_.for_each([&](const auto&, const ManagedPolicy& p) { f(p); });
  }
  template <class F> void for_each_oidc_provider(F&& f) const {
    oidc_by_arn_.for_each([&](const auto&, const OidcProvider& p) { f(p); });
  }
  template <class F> void for_each_saml_provider(F&& f) const {
    saml_by_arn_.for_each([&](const auto&, const SamlProvider& p) { f(p); });
  }
  template <class F> void for_each_access_key(F&& f) const {
    keys_.for_each([&](const auto&, const AccessKeyRecord& k) { f(k); });
  }

  // --- Virtual MFA devices ---
  const VirtualMfaDevice* find_virtual_mfa_device(std::string_view serial) const {
    return virtual_mfa_devices_.find(serial);
  }
  template <class F> void for_each_virtual_mfa_device(F&& f) const {
    virtual_mfa_devices_.for_each([&](const auto&, const VirtualMfaDevice& d) { f(d); });
  }
  // --- end virtual MFA devices ---
  std::size_t role_count() const { return roles_.size(); }

  // --- Instance profiles (IAM) ---
  const InstanceProfile* find_instance_profile(std::string_view account, std::string_view name) const;
  template <class F> void for_each_instance_profile(F&& f) const {
    instance_profiles_.for_each([&](const auto&, const InstanceProfile& p) { f(p); });
  }
  // --- end of instance profiles ---
  std::size_t user_count() const { return users_.size(); }

  // --- Delegation requests ---
  const DelegationRequest* find_delegation_request(std::string_view id) const { return delegations_.find(id); }
  // By its trade-in token (once sent); nullptr: no request has that token.
  const DelegationRequest* find_delegation_by_token(std::string_view token) const;
  template <class F> void for_each_delegation_request(F&& f) const {
    delegations_.for_each([&](const auto&, const DelegationRequest& d) { f(d); });
  }
  // --- end of delegation requests ---

  // Everything, as a Store is built from it (users: the default one first,
  // so that a store rebuilt from it answers unknown keys the same way).
  StoreData export_data() const;

  // Index keys: an entity's name is unique per account case-insensitively.
  static std::string name_key(std::string_view account, std::string_view name);

 private:
  friend class StoreEditor;
  // Editors start from a copy; it shares every entity.
  Store(const Store&) = default;
  Store& operator=(const Store&) = default;

  std::string region_;
  RoleMode role_mode_ = RoleMode::Auto;
  std::string default_account_;
  std::string first_user_key_;
  std::vector<std::string> account_order_;
  PersistentIndex<Account> accounts_;
  PersistentIndex<User> users_;         // name_key
  PersistentIndex<User> users_by_arn_;  // same entities
  PersistentIndex<Group> groups_;       // name_key
  PersistentIndex<Role> roles_;         // name_key
  PersistentIndex<Role> roles_by_arn_;  // same entities
  PersistentIndex<ManagedPolicy> policies_;  // ARN
  PersistentIndex<OidcProvider> oidc_by_arn_;
  PersistentIndex<OidcProvider> oidc_by_issuer_;  // account + '\n' + url
  PersistentIndex<SamlProvider> saml_by_arn_;
  PersistentIndex<AccessKeyRecord> keys_;  // key id
  // --- Virtual MFA devices ---
  PersistentIndex<VirtualMfaDevice> virtual_mfa_devices_;  // serial
  std::string builtin_oidc_arn_, builtin_saml_arn_;
  // --- Instance profiles (IAM) ---
  PersistentIndex<InstanceProfile> instance_profiles_;  // name_key
  // --- end of instance profiles ---
  // --- Delegation requests ---
  PersistentIndex<DelegationRequest> delegations_;          // id
  PersistentIndex<DelegationRequest> delegations_by_token_;  // SHA-256 hex of the trade-in token
};

// A private copy of a snapshot being changed. `put_*` derive the entity's
// ARN, id and parsed policies, replacing any entity of the same name (or
// ARN); `erase_*` return false when there was nothing to erase. No rule of
// IAM is checked here: the IAM actions check before they edit.
class StoreEditor {
 public:
  explicit StoreEditor(const Store& base) : store_(new Store(base)) {}

  const Store& view() const { return *store_; }

  void put_account(Account account);
  const User& put_user(User user);
  bool erase_user(std::string_view account, std::string_view name);
  const Group& put_group(Group group);
  bool erase_group(std::string_view account, std::string_view name);
  const Role& put_role(Role role);
  bool erase_role(std::string_view account, std::string_view name);
  const ManagedPolicy& put_managed_policy(ManagedPolicy policy);
  bool erase_managed_policy(std::string_view arn);
  const OidcProvider& put_oidc_provider(OidcProvider provider);
  bool erase_oidc_provider(std::string_view arn);
  const SamlProvider& put_saml_provider(SamlProvider provider);
  bool erase_saml_provider(std::string_view arn);
  void put_access_key(AccessKeyRecord key);
  bool erase_access_key(std::string_view id);
  // --- Virtual MFA devices ---
  void put_virtual_mfa_device(VirtualMfaDevice device);
  bool erase_virtual_mfa_device(std::string_view serial);
  // --- end virtual MFA devices ---
  // --- Instance profiles (IAM) ---
  const InstanceProfile& put_instance_profile(InstanceProfile profile);
  bool erase_instance_profile(std::string_view account, std::string_view name);
  // --- end of instance profiles ---
  // --- Delegation requests ---
  const DelegationRequest& put_delegation_request(DelegationRequest request);
  // --- end of delegation requests ---

  std::shared_ptr<const Store> finish() && { return std::move(store_); }
  // What was put and erased so far, in order.
  const std::vector<StoreChange>& changes() const { return changes_; }

 private:
  void record(EntityKind kind, std::string key, std::shared_ptr<const void> entity) {
    changes_.push_back({kind, std::move(key), std::move(entity)});
  }

  std::shared_ptr<Store> store_;
  std::vector<StoreChange> changes_;
};

// Holds the current Store; readers take a snapshot, writers edit one at a time.
class StoreHolder {
 public:
  explicit StoreHolder(std::shared_ptr<const Store> store) : store_(std::move(store)) {}
  std::shared_ptr<const Store> get() const {
    std::lock_guard lock(mutex_);
    return store_;
  }
  void set(std::shared_ptr<const Store> store) {
    std::lock_guard writer(writer_);
    std::lock_guard lock(mutex_);
    store_ = std::move(store);
  }
  // Runs `edit` on a copy of the current snapshot, writers one at a time;
  // when it succeeds, commits its changes to the journal (if any) and
  // publishes the copy. Readers are never blocked for more than a pointer
  // copy. A journal failure publishes nothing: ServiceFailure.
  template <class T>
  Result<T> update(const std::function<Result<T>(StoreEditor&)>& edit) {
    std::lock_guard writer(writer_);
    StoreEditor editor(*get());
    Result<T> out = edit(editor);
    if (out) {
      if (auto committed = commit(editor.changes()); !committed) return unexpected(committed.error());
      auto next = std::move(editor).finish();
      std::lock_guard lock(mutex_);
      store_ = std::move(next);
    }
    return out;
  }
  // Set once at start, before requests are served; nullptr: no persistence.
  void set_journal(StateJournal* journal) { journal_ = journal; }

 private:
  Result<void> commit(const std::vector<StoreChange>& changes);

  StateJournal* journal_ = nullptr;
  mutable std::mutex mutex_;
  std::mutex writer_;
  std::shared_ptr<const Store> store_;
};

}  // namespace stsd::domain
