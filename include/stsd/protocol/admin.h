#pragma once
// The admin endpoints under /_stsd/ (README, "Admin endpoints"), outside the STS API.
// What they change is owned by the composition root and reached through
// AdminControl, so protocol/ depends neither on config/ nor on app/.
#include <optional>
#include <string>
#include <string_view>

#include "stsd/common/result.h"
#include "stsd/http/server.h"
#include "stsd/protocol/metrics.h"
#include "stsd/service/admin_operations.h"

namespace stsd::protocol {

// Errors are service::AdminError: 4xx for what the caller sent (every
// problem named, one per line), 500 for what failed on the server (a
// message without local paths; the detail goes to the server's log).
class AdminControl {
 public:
  virtual ~AdminControl() = default;
  // The running config, in the config file's shape, without the token key.
  virtual std::string config_json() const = 0;
  // Replaces the store (and writes --state first when set). `*_file`
  // references and a token_key other than the running one are refused.
  virtual Result<void, service::AdminError> replace_config(std::string_view json) = 0;
  // Back to the config loaded at start (the token key is kept).
  virtual Result<void, service::AdminError> reset() = 0;
  // Replaces the session-token key: body empty (a random key) or
  // {"token_key": "<base64 of 32 bytes>"}. Tokens and authorization messages
  // sealed with the old key are refused from then on.
  virtual Result<void, service::AdminError> rotate_token_key(std::string_view body) = 0;
  // stsd's clock: {"now": ISO 8601, "epoch": seconds, "offset_seconds": N}.
  virtual std::string clock_json() const = 0;
  // Moves stsd's clock: body {"advance_seconds": N} (adds to the offset),
  // {"offset_seconds": N} (from the machine's time) or {"now": epoch seconds
  // or "YYYY-MM-DDTHH:MM:SSZ"}. Answers clock_json(). /_stsd/reset puts it back.
  virtual Result<std::string, service::AdminError> move_clock(std::string_view body) = 0;
  // The bearer token admin calls need; nullopt: none configured.
  virtual std::optional<std::string> admin_token() const = 0;
};

// Whether the request may use the protected admin endpoints: no control or
// no admin_token configured, or `Authorization: Bearer <admin_token>`
// (compared in constant time).
bool admin_authorized(const AdminControl* control, const http::HttpRequest& request);

class AdminApi {
 public:
  AdminApi(AdminControl* control, const service::AdminOperations* operations, const Metrics& metrics,
           std::string version)
      : control_(control), operations_(operations), metrics_(metrics), version_(std::move(version)) {}

  // path: the target without its query, starting with /_stsd/.
  http::HttpResponse handle(const http::HttpRequest& request, std::string_view path) const;

 private:
  bool authorized(const http::HttpRequest& request) const;

  AdminControl* control_;  // nullptr: the config endpoints answer 404
  const service::AdminOperations* operations_;  // nullptr: those endpoints answer 404
  const Metrics& metrics_;
  std::string version_;
};

}  // namespace stsd::protocol
