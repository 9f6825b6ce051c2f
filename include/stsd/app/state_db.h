#pragma once
// --state FILE: a SQLite database (WAL, synchronous commits) holding the
// running config (settings, token key, which --config it started from) and
// one row per store entity. An IAM write commits only the rows it changed,
// in one transaction, before its snapshot is published and the request
// answered, so its cost does not grow with the store and a kill -9 loses
// nothing that was acknowledged. Admin changes (PUT config, reset) replace
// every row in one transaction.
//
// A FILE in the JSON format of older stsd versions is imported: read as the
// running config, kept next to the database as FILE.json-imported.
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "stsd/admin/config_control.h"
#include "stsd/common/result.h"
#include "stsd/domain/store.h"

struct sqlite3;

namespace stsd::app {

class StateDb final : public domain::StateJournal, public admin::ConfigState {
 public:
  // Opens or creates the database; an old JSON state file at `path` must be
  // moved aside first (see is_database).
  // busy_timeout_ms: how long a write waits for another connection's lock.
  static Result<std::unique_ptr<StateDb>, std::string> open(const std::string& path, int busy_timeout_ms = 1000);
  ~StateDb() override;
  StateDb(const StateDb&) = delete;
  StateDb& operator=(const StateDb&) = delete;

  // True when `path` is a SQLite database (false for a JSON state file).
  static bool is_database(const std::string& path);

  struct Contents {
    std::string config_json;                   // the running config (DumpFor::StateFile)
    std::optional<domain::StoreData> entities;  // nullopt: no entity rows were ever written
  };
  // nullopt: the database is new (no config row).
  Result<std::optional<Contents>, std::string> read();

  // Start, PUT /_stsd/config, reset: everything replaced in one transaction.
  Result<void, std::string> replace_all(std::string_view config_json, const domain::StoreData& data) override;
  // A token key rotation: the config row only.
  Result<void, std::string> put_config(std::string_view config_json) override;
  // An IAM write: the changed rows.
  Result<void, std::string> commit(const std::vector<domain::StoreChange>& changes) override;

 private:
  explicit StateDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Result<void, std::string> exec(const char* sql);
  Result<void, std::string> in_transaction(const std::function<Result<void, std::string>()>& body);
  Result<void, std::string> upsert(std::string_view kind, std::string_view key, std::string_view body);
  Result<void, std::string> erase(std::string_view kind, std::string_view key);
  Result<void, std::string> put_meta(std::string_view name, std::string_view value);
  std::string error_text(std::string_view what) const;

  sqlite3* db_;
  std::string path_;
  std::mutex mutex_;
};

// Entity <-> JSON row bodies (state_codec.cpp): every field, ids and dates
// included, so a store read back equals the one written.
std::string entity_body(domain::EntityKind kind, const void* entity);
std::string_view entity_kind_name(domain::EntityKind kind);
// Adds the row to `data`; false when the row cannot be read.
bool add_entity(std::string_view kind, std::string_view body, domain::StoreData& data);
// Rows of a whole store, in the order a Store is built from.
template <class F>
void for_each_entity(const domain::StoreData& data, F&& f) {
  using K = domain::EntityKind;
  for (const auto& e : data.accounts) f(K::Account, e.id, &e);
  for (const auto& e : data.users) f(K::User, domain::Store::name_key(e.account, e.name), &e);
  for (const auto& e : data.groups) f(K::Group, domain::Store::name_key(e.account, e.name), &e);
  for (const auto& e : data.roles) f(K::Role, domain::Store::name_key(e.account, e.name), &e);
  for (const auto& e : data.managed_policies) f(K::ManagedPolicy, e.arn, &e);
  for (const auto& e : data.oidc_providers) f(K::OidcProvider, e.arn, &e);
  for (const auto& e : data.saml_providers) f(K::SamlProvider, e.arn, &e);
  for (const auto& e : data.access_keys) f(K::AccessKey, e.id, &e);
  for (const auto& e : data.virtual_mfa_devices) f(K::VirtualMfaDevice, e.serial, &e);
  for (const auto& e : data.instance_profiles) f(K::InstanceProfile, domain::Store::name_key(e.account, e.name), &e);
  for (const auto& e : data.delegation_requests) f(K::DelegationRequest, e.id, &e);
}

}  // namespace stsd::app
