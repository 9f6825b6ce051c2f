#pragma once
// The admin endpoints under /_stsd/ (README, "Admin endpoints"), outside the
// STS API: their routes and the bearer-token check. The frontend reaches
// them through its seam (protocol/admin_endpoints.h); the app plugs them in.
#include <string_view>

#include "stsd/admin/admin_operations.h"
#include "stsd/admin/config_control.h"
#include "stsd/protocol/admin_endpoints.h"

namespace stsd::admin {

// Errors are AdminError: 4xx for what the caller sent (every problem named,
// one per line), 500 for what failed on the server (a message without local
// paths; the detail goes to the server's log).
class AdminApi final : public protocol::AdminEndpoints {
 public:
  AdminApi(ConfigControl* control, const AdminOperations* operations) : control_(control), operations_(operations) {}

  http::HttpResponse handle(const http::HttpRequest& request, std::string_view path) const override;
  // No control or no admin_token configured, or `Authorization: Bearer
  // <admin_token>` (compared in constant time).
  bool authorized(const http::HttpRequest& request) const override;
  bool token_required() const override;

 private:
  ConfigControl* control_;  // nullptr: the config endpoints answer 404
  const AdminOperations* operations_;  // nullptr: those endpoints answer 404
};

}  // namespace stsd::admin
