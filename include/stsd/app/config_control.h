#pragma once
// The running config behind /_stsd/config and /_stsd/reset, and its
// persistence with --state: every change is written to the state file
// atomically (temp file, fsync, rename, fsync of the directory) before the
// store is swapped and the change acknowledged, so a kill -9 at any moment
// loses nothing that was acknowledged.
#include <mutex>
#include <optional>
#include <string>

#include "stsd/config/config.h"
#include "stsd/domain/store.h"
#include "stsd/protocol/admin.h"

namespace stsd::app {

class ConfigControl : public protocol::AdminControl {
 public:
  // loaded: the config read at start (--config or the embedded default);
  // running: what to serve now (the state file's content when it had one).
  ConfigControl(config::Config loaded, config::Config running, domain::StoreHolder& store,
                std::optional<std::string> state_file, std::string base_dir);

  std::string config_json() const override;
  Result<void, std::string> replace_config(std::string_view json) override;
  Result<void, std::string> reset() override;
  std::optional<std::string> admin_token() const override;

 private:
  Result<void, std::string> install(config::Config next);

  const config::Config loaded_;
  config::Config running_;
  domain::StoreHolder& store_;
  const std::optional<std::string> state_file_;
  const std::string base_dir_;
  mutable std::mutex mutex_;  // serialises changes (and their writes) with reads of running_
};

// Writes `content` to `path` atomically and durably. Error: what failed.
Result<void, std::string> write_file_atomically(const std::string& path, std::string_view content);

}  // namespace stsd::app
