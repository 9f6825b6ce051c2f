#include "stsd/app/config_control.h"

#include "stsd/app/state_db.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "stsd/app/app.h"
#include "stsd/common/json.h"
#include "stsd/common/time_format.h"
#include "stsd/crypto/crypto.h"

namespace stsd::app {

namespace {

std::string errno_text(std::string_view what, const std::string& path) {
  return std::string(what) + " " + path + ": " + std::strerror(errno);
}

}  // namespace

Result<void, std::string> write_file_atomically(const std::string& path, std::string_view content) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::string temp_name = ".";
  temp_name += target.filename().string();
  temp_name += ".tmp";
  const std::string temp = (dir / temp_name).string();

  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return unexpected(errno_text("cannot create", temp));
  std::size_t written = 0;
  while (written < content.size()) {
    ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      auto error = errno_text("cannot write", temp);
      ::close(fd);
      ::unlink(temp.c_str());
      return unexpected(error);
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    auto error = errno_text("cannot fsync", temp);
    ::close(fd);
    ::unlink(temp.c_str());
    return unexpected(error);
  }
  ::close(fd);
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    auto error = errno_text("cannot rename onto", path);
    ::unlink(temp.c_str());
    return unexpected(error);
  }
  // The rename itself is durable only once the directory is.
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

ConfigControl::ConfigControl(config::Config loaded, config::Config running, domain::StoreHolder& store,
                             StateDb* state, KeyInstaller install_key, domain::MovableClock* clock)
    : loaded_(std::move(loaded)),
      running_(std::move(running)),
      store_(store),
      state_(state),
      install_key_(std::move(install_key)),
      clock_(clock) {}

std::string ConfigControl::config_json() const {
  std::lock_guard lock(mutex_);
  return config::dump_config(running_, config::DumpFor::Admin);
}

std::optional<std::string> ConfigControl::admin_token() const {
  std::lock_guard lock(mutex_);
  return running_.admin_token;
}

Result<void, service::AdminError> ConfigControl::replace_config(std::string_view json) {
  auto parsed = config::parse_config(json, ".", config::ConfigSource::Admin);
  if (!parsed) return unexpected(service::AdminError{400, parsed.error().to_string()});
  if (auto problems = content_problems(*parsed); !problems.empty())
    return unexpected(service::AdminError{400, config::ConfigError{std::move(problems)}.to_string()});
  std::lock_guard lock(mutex_);
  if (parsed->token_key) {
    // Changing the key is its own explicit operation; the same key (a config
    // file PUT again as it is) is no change.
    if (!crypto::constant_time_equal(*parsed->token_key, running_.token_key.value_or("")))
      return unexpected(service::AdminError{
          400, "/token_key: the token key is not changed through PUT /_stsd/config; use POST "
               "/_stsd/token-key/rotate (or leave token_key out to keep the running key)"});
  }
  return install(std::move(*parsed));
}

Result<void, service::AdminError> ConfigControl::reset() {
  std::lock_guard lock(mutex_);
  if (clock_ != nullptr) clock_->set_offset(0);
  return install(loaded_);
}

std::string ConfigControl::clock_json() const {
  const domain::Seconds now = clock_ ? clock_->now() : domain::system_seconds();
  return nlohmann::json{{"now", format_iso8601(now)}, {"epoch", now}, {"offset_seconds", clock_ ? clock_->offset() : 0}}
      .dump();
}

Result<std::string, service::AdminError> ConfigControl::move_clock(std::string_view body) {
  using service::AdminError;
  if (clock_ == nullptr) return unexpected(AdminError{404, "this server's clock cannot be moved"});
  const AdminError usage{400, "the body must be one of {\"advance_seconds\": N}, {\"offset_seconds\": N}, "
                              "{\"now\": <epoch seconds or \"YYYY-MM-DDTHH:MM:SSZ\">}"};
  auto doc = read_json<nlohmann::json>(body);
  if (!doc || !doc->is_object() || doc->size() != 1) return unexpected(usage);
  const std::string name = doc->begin().key();
  const nlohmann::json& value = doc->begin().value();
  const domain::Seconds machine = clock_->machine_now();
  std::optional<domain::Seconds> target;  // the time stsd's clock is to show
  if ((name == "advance_seconds" || name == "offset_seconds") && value.is_number_integer()) {
    // Bounded first, so the sums below cannot overflow.
    const auto n = value.get<std::int64_t>();
    if (n >= -domain::kMaxClockSeconds && n <= domain::kMaxClockSeconds)
      target = machine + (name == "advance_seconds" ? clock_->offset() + n : n);
  } else if (name == "now" && value.is_number_integer()) {
    target = value.get<std::int64_t>();
  } else if (name == "now" && value.is_string()) {
    target = parse_iso8601_utc(value.get<std::string>());
  } else {
    return unexpected(usage);
  }
  if (!target || *target < 0 || *target > domain::kMaxClockSeconds)
    return unexpected(AdminError{400, "/" + name + ": the clock must stay between 1970-01-01T00:00:00Z and "
                                                   "9999-12-31T23:59:59Z"});
  clock_->set_offset(*target - machine);
  spdlog::info("clock moved through the admin API: now {} (offset {} s)", format_iso8601(*target),
               *target - machine);
  return clock_json();
}

Result<void, service::AdminError> ConfigControl::rotate_token_key(std::string_view body) {
  std::string key;
  const bool empty_body = body.find_first_not_of(" \t\r\n") == std::string_view::npos;
  if (empty_body) {
    key = crypto::random_bytes(32);
  } else {
    auto doc = read_json<nlohmann::json>(body);
    if (!doc || !doc->is_object())
      return unexpected(service::AdminError{
          400, "the body must be empty or a JSON object {\"token_key\": \"<base64 of 32 bytes>\"}" +
                   (doc ? std::string() : ": " + doc.error().to_string())});
    for (const auto& [name, value] : doc->items())
      if (name != "token_key")
        return unexpected(service::AdminError{400, std::string("/").append(escape_json_pointer_token(name)).append(": unknown field")});
    const auto given = doc->find("token_key");
    if (given == doc->end()) {
      key = crypto::random_bytes(32);
    } else {
      auto bytes = given->is_string() ? crypto::base64_decode(given->get<std::string>()) : std::nullopt;
      if (!bytes || bytes->size() != 32)
        return unexpected(service::AdminError{400, "/token_key: must be base64 of exactly 32 bytes"});
      key = std::move(*bytes);
    }
  }
  std::lock_guard lock(mutex_);
  config::Config next = running_;
  next.token_key = key;
  // Durable first: a restart must not bring back the key that was replaced.
  if (auto written = persist(next, nullptr); !written) return written;
  install_key_(key);
  running_ = std::move(next);
  spdlog::warn("token key rotated through the admin API: session tokens and authorization messages issued before "
               "are refused from now on");
  return {};
}

Result<void, service::AdminError> ConfigControl::persist(const config::Config& next, const domain::Store* store) {
  if (state_ == nullptr) return {};
  const std::string config_json = config::dump_config(next, config::DumpFor::StateFile);
  auto written = store ? state_->replace_all(config_json, store->export_data()) : state_->put_config(config_json);
  if (!written) {
    // The detail (path, errno) is for the operator, not for the client.
    spdlog::error("--state: {}", written.error());
    return unexpected(service::AdminError{
        500, "the change could not be saved to the state file, so it was not applied (the server log has the "
             "reason)"});
  }
  return {};
}

Result<void, service::AdminError> ConfigControl::install(config::Config next) {
  // The token key changes only by rotate_token_key; the state file keeps
  // recording which --config it was started from.
  next.token_key = running_.token_key;
  next.config_sha256 = running_.config_sha256;
  auto store = std::make_shared<const domain::Store>(to_store_data(next));
  if (auto written = persist(next, store.get()); !written) return written;
  store_.set(std::move(store));
  running_ = std::move(next);
  return {};
}

namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

namespace {

// The running config a state file holds, and its entity rows.
Result<std::optional<StateAtStart>, config::ConfigError> read_state(const std::string& state_file) {
  const auto problem = [&](std::string message) {
    return unexpected(config::ConfigError{{config::ConfigProblem{"", std::move(message)}}});
  };
  if (!StateDb::is_database(state_file)) {
    auto state = config::load_config_file(state_file, config::ConfigSource::StateFile);
    if (!state) return unexpected(std::move(state).error());
    return std::optional<StateAtStart>(StateAtStart{std::move(*state), std::nullopt});
  }
  auto db = StateDb::open(state_file);
  if (!db) return problem(db.error());
  auto contents = (*db)->read();
  if (!contents) return problem(contents.error());
  if (!*contents) return std::optional<StateAtStart>();
  auto state = config::parse_config((*contents)->config_json, ".", config::ConfigSource::StateFile);
  if (!state) return unexpected(std::move(state).error());
  return std::optional<StateAtStart>(StateAtStart{std::move(*state), std::move((*contents)->entities)});
}

}  // namespace

Result<StateAtStart, config::ConfigError> running_config_at_start(const config::Config& loaded,
                                                                  const std::string& source,
                                                                  const std::string& state_file, bool reset_state) {
  config::Config running = loaded;
  running.config_sha256 = config::config_fingerprint(loaded);
  std::error_code ec;
  if (!std::filesystem::exists(state_file, ec)) return StateAtStart{running, std::nullopt};
  if (reset_state) {
    spdlog::warn("--state {}: --reset-state given: serving {}; the state file's earlier content (changes made at run "
                 "time, its token key) is replaced",
                 state_file, source);
    return StateAtStart{running, std::nullopt};
  }
  auto read = read_state(state_file);
  if (!read) return unexpected(std::move(read).error());
  if (!*read) return StateAtStart{running, std::nullopt};
  std::optional<domain::StoreData> entities = std::move((*read)->entities);
  std::optional<config::Config> state = std::move((*read)->running);
  if (auto problems = content_problems(*state); !problems.empty())
    return unexpected(config::ConfigError{std::move(problems)});

  auto differs = config::differing_sections(loaded, *state);
  // A config without a key has no key to differ from: the state keeps the one made at start.
  if (!loaded.token_key) std::erase(differs, std::string("token_key"));
  const std::string sections = joined(differs);

  if (state->config_sha256 == running.config_sha256) {
    if (!differs.empty())
      spdlog::warn("--state {}: serving the state file: {} is unchanged since the state was started from it, and "
                   "changes made at run time make them differ in: {} (--reset-state serves {} again)",
                   state_file, source, sections, source);
    return StateAtStart{std::move(*state), std::move(entities)};
  }
  if (!state->config_sha256) {
    if (!differs.empty())
      spdlog::warn("--state {}: serving the state file, which records no config it was started from (written by an "
                   "older stsd) and differs from {} in: {} (--reset-state serves {} instead)",
                   state_file, source, sections, source);
    state->config_sha256 = running.config_sha256;
    return StateAtStart{std::move(*state), std::move(entities)};
  }
  spdlog::warn("--state {}: {} changed since the state file was started from it: serving {}; the state file differed "
               "from it in: {}; changes made at run time are replaced",
               state_file, source, source, sections.empty() ? "nothing" : sections);
  if (!loaded.token_key && state->token_key) {
    running.token_key = state->token_key;
    spdlog::info("--state {}: keeping the state file's token key (the config names none): issued sessions stay valid",
                 state_file);
  }
  return StateAtStart{running, std::nullopt};
}

}  // namespace stsd::app
