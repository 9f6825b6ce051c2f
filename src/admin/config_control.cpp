#include "stsd/admin/config_control.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "stsd/common/json.h"
#include "stsd/common/time_format.h"
#include "stsd/crypto/crypto.h"

namespace stsd::admin {

ConfigControl::ConfigControl(config::Config loaded, config::Config running, domain::StoreHolder& store,
                             ConfigState* state, Hooks hooks, domain::MovableClock* clock)
    : loaded_(std::move(loaded)),
      running_(std::move(running)),
      store_(store),
      state_(state),
      hooks_(std::move(hooks)),
      clock_(clock) {}

std::string ConfigControl::config_json() const {
  std::lock_guard lock(mutex_);
  return config::dump_config(running_, config::DumpFor::Admin);
}

std::optional<std::string> ConfigControl::admin_token() const {
  std::lock_guard lock(mutex_);
  return running_.admin_token;
}

Result<void, AdminError> ConfigControl::replace_config(std::string_view json) {
  auto parsed = config::parse_config(json, ".", config::ConfigSource::Admin);
  if (!parsed) return unexpected(AdminError{400, parsed.error().to_string()});
  if (auto problems = hooks_.content_problems(*parsed); !problems.empty())
    return unexpected(AdminError{400, config::ConfigError{std::move(problems)}.to_string()});
  std::lock_guard lock(mutex_);
  if (parsed->token_key) {
    // Changing the key is its own explicit operation; the same key (a config
    // file PUT again as it is) is no change.
    if (!crypto::constant_time_equal(*parsed->token_key, running_.token_key.value_or("")))
      return unexpected(AdminError{
          400, "/token_key: the token key is not changed through PUT /_stsd/config; use POST "
               "/_stsd/token-key/rotate (or leave token_key out to keep the running key)"});
  }
  return install(std::move(*parsed));
}

Result<void, AdminError> ConfigControl::reset() {
  std::lock_guard lock(mutex_);
  if (clock_ != nullptr) clock_->set_offset(0);
  return install(loaded_);
}

std::string ConfigControl::clock_json() const {
  const domain::Seconds now = clock_ ? clock_->now() : domain::system_seconds();
  return nlohmann::json{{"now", format_iso8601(now)}, {"epoch", now}, {"offset_seconds", clock_ ? clock_->offset() : 0}}
      .dump();
}

Result<std::string, AdminError> ConfigControl::move_clock(std::string_view body) {
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

Result<void, AdminError> ConfigControl::rotate_token_key(std::string_view body) {
  std::string key;
  const bool empty_body = body.find_first_not_of(" \t\r\n") == std::string_view::npos;
  if (empty_body) {
    key = crypto::random_bytes(32);
  } else {
    auto doc = read_json<nlohmann::json>(body);
    if (!doc || !doc->is_object())
      return unexpected(AdminError{
          400, "the body must be empty or a JSON object {\"token_key\": \"<base64 of 32 bytes>\"}" +
                   (doc ? std::string() : ": " + doc.error().to_string())});
    for (const auto& [name, value] : doc->items())
      if (name != "token_key")
        return unexpected(AdminError{400, std::string("/").append(escape_json_pointer_token(name)).append(": unknown field")});
    const auto given = doc->find("token_key");
    if (given == doc->end()) {
      key = crypto::random_bytes(32);
    } else {
      auto bytes = given->is_string() ? crypto::base64_decode(given->get<std::string>()) : std::nullopt;
      if (!bytes || bytes->size() != 32)
        return unexpected(AdminError{400, "/token_key: must be base64 of exactly 32 bytes"});
      key = std::move(*bytes);
    }
  }
  std::lock_guard lock(mutex_);
  config::Config next = running_;
  next.token_key = key;
  // Durable first: a restart must not bring back the key that was replaced.
  if (auto written = persist(next, nullptr); !written) return written;
  hooks_.install_key(key);
  running_ = std::move(next);
  spdlog::warn("token key rotated through the admin API: session tokens and authorization messages issued before "
               "are refused from now on");
  return {};
}

Result<void, AdminError> ConfigControl::persist(const config::Config& next, const domain::Store* store) {
  if (state_ == nullptr) return {};
  const std::string config_json = config::dump_config(next, config::DumpFor::StateFile);
  auto written = store ? state_->replace_all(config_json, store->export_data()) : state_->put_config(config_json);
  if (!written) {
    // The detail (path, errno) is for the operator, not for the client.
    spdlog::error("--state: {}", written.error());
    return unexpected(AdminError{
        500, "the change could not be saved to the state file, so it was not applied (the server log has the "
             "reason)"});
  }
  return {};
}

Result<void, AdminError> ConfigControl::install(config::Config next) {
  // The token key changes only by rotate_token_key; the state file keeps
  // recording which --config it was started from.
  next.token_key = running_.token_key;
  next.config_sha256 = running_.config_sha256;
  auto store = std::make_shared<const domain::Store>(hooks_.store_data(next));
  if (auto written = persist(next, store.get()); !written) return written;
  store_.set(std::move(store));
  running_ = std::move(next);
  return {};
}

}  // namespace stsd::admin
