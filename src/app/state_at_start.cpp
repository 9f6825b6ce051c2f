#include "stsd/app/app.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "stsd/app/state_db.h"

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
