#pragma once
// The running config behind /_stsd/config, /_stsd/reset,
// /_stsd/token-key/rotate and /_stsd/clock, and its persistence with --state: every change is
// committed to the state database (state_db.h) before the store is swapped
// and the change acknowledged, so a kill -9 at any moment loses nothing that
// was acknowledged. Such commits (and those of IAM writes) are the only disk
// access a request makes (the acknowledged-durability contract); no file is
// ever read for a request.
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "stsd/config/config.h"
#include "stsd/domain/clock.h"
#include "stsd/domain/store.h"
#include "stsd/protocol/admin.h"

namespace stsd::app {

class ConfigControl : public protocol::AdminControl {
 public:
  // Installs a new token key (32 bytes) in the session-token and
  // authorization-message codecs.
  using KeyInstaller = std::function<void(const std::string& key)>;

  // loaded: the config read at start (--config or the embedded default);
  // running: what to serve now (the state file's content when it had one),
  // its token_key set.
  // state: nullptr without --state. clock: what /_stsd/clock moves (its
  // offset is not persisted: a restart serves the machine's time).
  ConfigControl(config::Config loaded, config::Config running, domain::StoreHolder& store, class StateDb* state,
                KeyInstaller install_key, domain::MovableClock* clock = nullptr);

  std::string config_json() const override;
  Result<void, service::AdminError> replace_config(std::string_view json) override;
  Result<void, service::AdminError> reset() override;
  Result<void, service::AdminError> rotate_token_key(std::string_view body) override;
  std::optional<std::string> admin_token() const override;
  std::string clock_json() const override;
  Result<std::string, service::AdminError> move_clock(std::string_view body) override;

 private:
  Result<void, service::AdminError> install(config::Config next);
  // store: the store `next` builds (all rows replaced); nullptr: the config only.
  Result<void, service::AdminError> persist(const config::Config& next, const domain::Store* store);

  const config::Config loaded_;
  config::Config running_;
  domain::StoreHolder& store_;
  class StateDb* const state_;
  const KeyInstaller install_key_;
  domain::MovableClock* const clock_;
  mutable std::mutex mutex_;  // serialises changes (and their writes) with reads of running_
};

// Writes `content` to `path` atomically and durably. Error: what failed
// (with the path: for the server's log, never for a client).
Result<void, std::string> write_file_atomically(const std::string& path, std::string_view content);

}  // namespace stsd::app
