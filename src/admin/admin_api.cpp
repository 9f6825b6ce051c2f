#include "stsd/admin/admin_api.h"

#include "stsd/crypto/crypto.h"

namespace stsd::admin {

namespace {

using protocol::admin_json_error;
using protocol::admin_json_response;

http::HttpResponse render_done(const Result<void, AdminError>& done, std::string_view ok_body) {
  if (!done) return admin_json_error(done.error().status, done.error().message);
  return admin_json_response(200, std::string(ok_body));
}

std::string_view bearer_token(const http::HttpRequest& request) {
  std::string_view auth = request.header("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (auth.substr(0, kBearer.size()) == kBearer) return auth.substr(kBearer.size());
  return request.header("X-Stsd-Admin-Token");
}

http::HttpResponse render(const Result<AdminAnswer, AdminError>& answer) {
  if (!answer) return admin_json_error(answer.error().status, answer.error().message);
  http::HttpResponse r;
  r.status = answer->status;
  r.headers.emplace_back("Content-Type", answer->content_type);
  r.body = answer->body;
  return r;
}

}  // namespace

bool AdminApi::authorized(const http::HttpRequest& request) const {
  if (control_ == nullptr) return true;
  auto token = control_->admin_token();
  return !token || crypto::constant_time_equal(bearer_token(request), *token);
}

bool AdminApi::token_required() const { return control_ != nullptr && control_->admin_token().has_value(); }

http::HttpResponse AdminApi::handle(const http::HttpRequest& request, std::string_view path) const {
  const bool get = request.method == "GET" || request.method == "HEAD";
  if (control_ != nullptr &&
      (path == "/_stsd/reset" || path == "/_stsd/config" || path == "/_stsd/token-key/rotate" ||
       path == "/_stsd/clock")) {
    if (!authorized(request)) return admin_json_error(401, "admin token required (Authorization: Bearer <admin_token>)");
    if (path == "/_stsd/reset") {
      if (request.method != "POST") return admin_json_error(405, "use POST");
      return render_done(control_->reset(), R"({"status":"reset"})");
    }
    if (path == "/_stsd/clock") {
      if (get) return admin_json_response(200, control_->clock_json());
      if (request.method != "POST") return admin_json_error(405, "use GET or POST");
      auto moved = control_->move_clock(request.body);
      if (!moved) return admin_json_error(moved.error().status, moved.error().message);
      return admin_json_response(200, std::move(*moved));
    }
    if (path == "/_stsd/token-key/rotate") {
      if (request.method != "POST") return admin_json_error(405, "use POST");
      return render_done(control_->rotate_token_key(request.body), R"({"status":"rotated"})");
    }
    if (get) return admin_json_response(200, control_->config_json());
    if (request.method != "PUT") return admin_json_error(405, "use GET or PUT");
    return render_done(control_->replace_config(request.body), R"({"status":"replaced"})");
  }
  if (operations_ != nullptr) {
    using Operation = Result<AdminAnswer, AdminError> (AdminOperations::*)(
        std::string_view) const;
    static const std::pair<std::string_view, Operation> kPosts[] = {
        {"/_stsd/credentials/inspect", &AdminOperations::inspect_credentials},
        {"/_stsd/authz/encode", &AdminOperations::encode_authorization_message},
        {"/_stsd/delegation/token", &AdminOperations::delegation_token},
        {"/_stsd/oidc/token", &AdminOperations::mint_oidc_token},
        {"/_stsd/saml/response", &AdminOperations::mint_saml_response},
    };
    for (const auto& [route, operation] : kPosts) {
      if (path != route) continue;
      if (!authorized(request)) return admin_json_error(401, "admin token required (Authorization: Bearer <admin_token>)");
      if (request.method != "POST") return admin_json_error(405, "use POST");
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
  return admin_json_error(404, "not found");
}

}  // namespace stsd::admin
