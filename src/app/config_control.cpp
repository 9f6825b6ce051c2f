#include "stsd/app/config_control.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "stsd/app/app.h"

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
  const std::string temp = (dir / ("." + target.filename().string() + ".tmp")).string();

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
                             std::optional<std::string> state_file, std::string base_dir)
    : loaded_(std::move(loaded)),
      running_(std::move(running)),
      store_(store),
      state_file_(std::move(state_file)),
      base_dir_(std::move(base_dir)) {}

std::string ConfigControl::config_json() const {
  std::lock_guard lock(mutex_);
  return config::dump_config(running_);
}

std::optional<std::string> ConfigControl::admin_token() const {
  std::lock_guard lock(mutex_);
  return running_.admin_token;
}

Result<void, std::string> ConfigControl::replace_config(std::string_view json) {
  auto parsed = config::parse_config(json, base_dir_);
  if (!parsed) return unexpected(parsed.error().to_string());
  if (auto problems = policy_problems(*parsed); !problems.empty())
    return unexpected(config::ConfigError{std::move(problems)}.to_string());
  std::lock_guard lock(mutex_);
  return install(std::move(*parsed));
}

Result<void, std::string> ConfigControl::reset() {
  std::lock_guard lock(mutex_);
  return install(loaded_);
}

Result<void, std::string> ConfigControl::install(config::Config next) {
  // The session token key is fixed for the process's life: tokens already
  // issued must keep working.
  next.token_key = running_.token_key;
  auto store = std::make_shared<const domain::Store>(to_store_data(next));
  if (state_file_) {
    auto written = write_file_atomically(*state_file_, config::dump_config(next));
    if (!written) return unexpected(written.error());
  }
  store_.set(std::move(store));
  running_ = std::move(next);
  return {};
}

}  // namespace stsd::app
