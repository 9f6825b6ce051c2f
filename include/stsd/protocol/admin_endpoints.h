#pragma once
// The frontend's seam to the admin endpoints under /_stsd/ (README, "Admin
// endpoints"): admin/ implements it and the app plugs it in, so protocol/
// depends neither on admin/ nor on what it changes (config, --state).
#include <string>
#include <string_view>

#include "stsd/http/server.h"

namespace stsd::protocol {

class AdminEndpoints {
 public:
  virtual ~AdminEndpoints() = default;
  // path: the target without its query, starting with /_stsd/ (neither the
  // console's nor the open probes /_stsd/health and /_stsd/metrics).
  virtual http::HttpResponse handle(const http::HttpRequest& request, std::string_view path) const = 0;
  // Whether the request may use the protected admin endpoints (the console's
  // data endpoints are such).
  virtual bool authorized(const http::HttpRequest& request) const = 0;
  // Whether an admin_token is configured.
  virtual bool token_required() const = 0;
};

// The JSON answers under /_stsd/ (the console's aside), written here once for
// the frontend's own probes and for admin/: `body` as application/json, and
// {"code": <a short name for the status>, "error": message}.
http::HttpResponse admin_json_response(int status, std::string body);
http::HttpResponse admin_json_error(int status, std::string_view message);

}  // namespace stsd::protocol
