#include "stsd/protocol/admin.h"

#include <nlohmann/json.hpp>

#include "stsd/crypto/crypto.h"

namespace stsd::protocol {

namespace {

http::HttpResponse json_response(int status, std::string body) {
  http::HttpResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

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

http::HttpResponse json_error(int status, std::string_view message) {
  return json_response(status, nlohmann::json{{"error", message}, {"code", error_code(status)}}.dump());
}

http::HttpResponse render_done(const Result<void, service::AdminError>& done, std::string_view ok_body) {
  if (!done) return json_error(done.error().status, done.error().message);
  return json_response(200, std::string(ok_body));
}

std::string_view bearer_token(const http::HttpRequest& request) {
  std::string_view auth = request.header("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (auth.substr(0, kBearer.size()) == kBearer) return auth.substr(kBearer.size());
  return request.header("X-Stsd-Admin-Token");
}

http::HttpResponse render(const Result<service::AdminAnswer, service::AdminError>& answer) {
  if (!answer) return json_error(answer.error().status, answer.error().message);
  http::HttpResponse r;
  r.status = answer->status;
  r.headers.emplace_back("Content-Type", answer->content_type);
  r.body = answer->body;
  return r;
}

}  // namespace

bool admin_authorized(const AdminControl* control, const http::HttpRequest& request) {
  if (control == nullptr) return true;
  auto token = control->admin_token();
  return !token || crypto::constant_time_equal(bearer_token(request), *token);
}

bool AdminApi::authorized(const http::HttpRequest& request) const { return admin_authorized(control_, request); }

http::HttpResponse AdminApi::handle(const http::HttpRequest& request, std::string_view path) const {
  const bool get = request.method == "GET" || request.method == "HEAD";
  // Health and metrics stay open: container health checks and scrapers carry no token.
  if (path == "/_stsd/health" && get)
    return json_response(200, nlohmann::json{{"status", "ok"}, {"version", version_}}.dump());
  if (path == "/_stsd/metrics" && get) {
    http::HttpResponse r;
    r.headers.emplace_back("Content-Type", "text/plain; version=0.0.4");
    r.body = metrics_.render();
    return r;
  }

  if (control_ != nullptr &&
      (path == "/_stsd/reset" || path == "/_stsd/config" || path == "/_stsd/token-key/rotate" ||
       path == "/_stsd/clock")) {
    if (!authorized(request)) return json_error(401, "admin token required (Authorization: Bearer <admin_token>)");
    if (path == "/_stsd/reset") {
      if (request.method != "POST") return json_error(405, "use POST");
      return render_done(control_->reset(), R"({"status":"reset"})");
    }
    if (path == "/_stsd/clock") {
      if (get) return json_response(200, control_->clock_json());
      if (request.method != "POST") return json_error(405, "use GET or POST");
      auto moved = control_->move_clock(request.body);
      if (!moved) return json_error(moved.error().status, moved.error().message);
      return json_response(200, std::move(*moved));
    }
    if (path == "/_stsd/token-key/rotate") {
      if (request.method != "POST") return json_error(405, "use POST");
      return render_done(control_->rotate_token_key(request.body), R"({"status":"rotated"})");
    }
    if (get) return json_response(200, control_->config_json());
    if (request.method != "PUT") return json_error(405, "use GET or PUT");
    return render_done(control_->replace_config(request.body), R"({"status":"replaced"})");
  }
  if (operations_ != nullptr) {
    using Operation = Result<service::AdminAnswer, service::AdminError> (service::AdminOperations::*)(
        std::string_view) const;
    static const std::pair<std::string_view, Operation> kPosts[] = {
        {"/_stsd/credentials/inspect", &service::AdminOperations::inspect_credentials},
        {"/_stsd/authz/encode", &service::AdminOperations::encode_authorization_message},
        {"/_stsd/delegation/token", &service::AdminOperations::delegation_token},
        {"/_stsd/oidc/token", &service::AdminOperations::mint_oidc_token},
        {"/_stsd/saml/response", &service::AdminOperations::mint_saml_response},
    };
    for (const auto& [route, operation] : kPosts) {
      if (path != route) continue;
      if (!authorized(request)) return json_error(401, "admin token required (Authorization: Bearer <admin_token>)");
      if (request.method != "POST") return json_error(405, "use POST");
      return render((operations_->*operation)(request.body));
    }
    // The IdPs' public documents are open, as a real IdP's are.
    if (get && path == "/_stsd/oidc/.well-known/openid-configuration")
      return render(operations_->oidc_discovery(request.header("Host"), request.secure));
    if (constexpr std::string_view kOutbound = "/_stsd/outbound/"; get && path.substr(0, kOutbound.size()) == kOutbound)
      return render(operations_->outbound_document(path.substr(kOutbound.size()), request.header("Host"), request.secure));
    if (get && path == "/_stsd/oidc/jwks.json") return render(operations_->oidc_jwks());
    if (get && path == "/_stsd/saml/metadata") return render(operations_->saml_metadata());
  }
  return json_error(404, "not found");
}

}  // namespace stsd::protocol
