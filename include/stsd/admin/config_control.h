#pragma once
// The running config behind /_stsd/config, /_stsd/reset,
// /_stsd/token-key/rotate and /_stsd/clock, and its persistence with --state: every change is
// committed to the state database (ConfigState) before the store is swapped
// and the change acknowledged, so a kill -9 at any moment loses nothing that
// was acknowledged. Such commits (and those of IAM writes) are the only disk
// access a request makes (the acknowledged-durability contract); no file is
// ever read for a request.
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stsd/admin/admin_operations.h"
#include "stsd/config/config.h"
#include "stsd/domain/clock.h"
#include "stsd/domain/store.h"

namespace stsd::admin {

// The --state database as the running config writes it; the app's StateDb
// (app/state_db.h) is one, and admin/ stays below app/.
class ConfigState {
 public:
  virtual ~ConfigState() = default;
  // PUT /_stsd/config, reset: the config and every entity row, in one transaction.
  virtual Result<void, std::string> replace_all(std::string_view config_json, const domain::StoreData& data) = 0;
  // A token key rotation: the config row only.
  virtual Result<void, std::string> put_config(std::string_view config_json) = 0;
};

class ConfigControl {
 public:
  // What the composition root owns and a config change needs.
  struct Hooks {
    // Installs a new token key (32 bytes) in the session-token and
    // authorization-message codecs.
    std::function<void(const std::string& key)> install_key;
    // What a config needs beyond its shape before it is served (app::content_problems).
    std::function<std::vector<config::ConfigProblem>(const config::Config&)> content_problems;
    // The store a config builds (app::to_store_data).
    std::function<domain::StoreData(const config::Config&)> store_data;
  };

  // loaded: the config read at start (--config or the embedded default);
  // running: what to serve now (the state file's content when it had one),
  // its token_key set.
  // state: nullptr without --state. clock: what /_stsd/clock moves (its
  // offset is not persisted: a restart serves the machine's time).
  ConfigControl(config::Config loaded, config::Config running, domain::StoreHolder& store, ConfigState* state,
                Hooks hooks, domain::MovableClock* clock = nullptr);

  // The running config, in the config file's shape, without the token key.
  std::string config_json() const;
  // Replaces the store (and writes --state first when set). `*_file`
  // references and a token_key other than the running one are refused.
  Result<void, AdminError> replace_config(std::string_view json);
  // Back to the config loaded at start (the token key is kept).
  Result<void, AdminError> reset();
  // Replaces the session-token key: body empty (a random key) or
  // {"token_key": "<base64 of 32 bytes>"}. Tokens and authorization messages
  // sealed with the old key are refused from then on.
  Result<void, AdminError> rotate_token_key(std::string_view body);
  // The bearer token admin calls need; nullopt: none configured.
  std::optional<std::string> admin_token() const;
  // stsd's clock: {"now": ISO 8601, "epoch": seconds, "offset_seconds": N}.
  std::string clock_json() const;
  // Moves stsd's clock: body {"advance_seconds": N} (adds to the offset),
  // {"offset_seconds": N} (from the machine's time) or {"now": epoch seconds
  // or "YYYY-MM-DDTHH:MM:SSZ"}. Answers clock_json(). /_stsd/reset puts it back.
  Result<std::string, AdminError> move_clock(std::string_view body);

 private:
  Result<void, AdminError> install(config::Config next);
  // store: the store `next` builds (all rows replaced); nullptr: the config only.
  Result<void, AdminError> persist(const config::Config& next, const domain::Store* store);

  const config::Config loaded_;
  config::Config running_;
  domain::StoreHolder& store_;
  ConfigState* const state_;
  const Hooks hooks_;
  domain::MovableClock* const clock_;
  mutable std::mutex mutex_;  // serialises changes (and their writes) with reads of running_
};

}  // namespace stsd::admin
