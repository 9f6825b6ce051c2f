#include "stsd/protocol/admin_endpoints.h"

#include <nlohmann/json.hpp>

namespace stsd::protocol {

namespace {

// A short machine-readable name beside the message, AWS-style for server faults.
std::string_view error_code(int status) {
  switch (status) {
    case 400: return "BadRequest";
    case 401: return "Unauthorized";
    case 404: return "NotFound";
    case 405: return "MethodNotAllowed";
    case 409: return "Conflict";
    default: return status >= 500 ? "InternalFailure" : "Error";
  }
}

}  // namespace

http::HttpResponse admin_json_response(int status, std::string body) {
  http::HttpResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

http::HttpResponse admin_json_error(int status, std::string_view message) {
  return admin_json_response(status, nlohmann::json{{"error", message}, {"code", error_code(status)}}.dump());
}

}  // namespace stsd::protocol
