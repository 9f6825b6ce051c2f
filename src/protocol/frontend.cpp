#include "stsd/protocol/frontend.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "stsd/common/ascii.h"
#include "stsd/common/logging.h"
#include "stsd/common/uuid.h"
#include "stsd/crypto/crypto.h"
#include "stsd/protocol/query.h"
#include "stsd/protocol/response_writer.h"
#include "stsd/service/model.h"

namespace stsd::protocol {

namespace {

constexpr std::string_view kAdminPrefix = "/_stsd/";
// Where AWS sends requests it cannot read as an STS call (no Content-Type, no
// Action): a 302 to this page, as the argmin STS oracle recorded it live
// (github.com/justincormack/argmin, crates/s3-tests/src/bin/sts_oracle.rs).
constexpr std::string_view kRedirectLocation = "https://aws.amazon.com/iam";

Format response_format(const http::HttpRequest& request) {
  return request.header("Accept").find("application/json") != std::string_view::npos ? Format::Json
                                                                                       : Format::Xml;
}

sigv4::Request to_sigv4(const http::HttpRequest& request) {
  sigv4::Request out;
  out.method = request.method;
  auto q = request.target.find('?');
  out.path = request.target.substr(0, q);
  if (q != std::string::npos) out.query = request.target.substr(q + 1);
  out.headers.reserve(request.headers.size());
  for (const auto& [name, value] : request.headers) out.headers.push_back({name, value});
  out.body = request.body;
  return out;
}

std::string clipped(std::string_view text, std::size_t limit) {
  return std::string(text.substr(0, limit));
}

http::HttpResponse redirect(std::string_view query) {
  http::HttpResponse r;
  r.status = 302;
  std::string location(kRedirectLocation);
  if (!query.empty()) location.append("?").append(query);
  r.headers.emplace_back("Location", std::move(location));
  return r;
}

}  // namespace

std::string make_request_id() {
  // Request ids are not secrets: a per-thread PRNG seeded from the CSPRNG.
  thread_local std::mt19937_64 rng([] {
    std::string seed = crypto::random_bytes(8);
    std::uint64_t v = 0;
    for (unsigned char c : seed) v = (v << 8) | c;
    return v;
  }());
  const std::uint64_t hi = rng(), lo = rng();
  return format_uuid4(hi, lo);
}

http::HttpResponse Frontend::handle(const http::HttpRequest& request) const {
  const std::string request_id = make_request_id();
  try {
    std::string_view path = std::string_view(request.target).substr(0, request.target.find('?'));
    if (path.substr(0, kAdminPrefix.size()) == kAdminPrefix)
      return ConsoleApi::owns(path) ? console_.handle(request, path) : handle_admin(request, path);
    return handle_query(request, request_id);
  } catch (const std::exception& e) {
    // A bug, never bad input: answer as AWS does for its own failures.
    spdlog::error("request_id={} internal failure: {}", request_id, e.what());
    return render_error(StsError::make(ErrorCode::InternalFailure, "An internal error occurred."), request_id,
                        Format::Xml);
  }
}

http::HttpResponse Frontend::handle_admin(const http::HttpRequest& request, std::string_view path) const {
  const bool get = request.method == "GET" || request.method == "HEAD";
  // Health and metrics stay open: container health checks and scrapers carry no token.
  if (path == "/_stsd/health" && get)
    return admin_json_response(200, nlohmann::json{{"status", "ok"}, {"version", version_}}.dump());
  if (path == "/_stsd/metrics" && get) {
    http::HttpResponse r;
    r.headers.emplace_back("Content-Type", "text/plain; version=0.0.4");
    r.body = metrics_.render();
    return r;
  }
  if (admin_ == nullptr) return admin_json_error(404, "not found");
  return admin_->handle(request, path);
}

namespace {

// The service of a SigV4 credential scope (<key>/<date>/<region>/<service>/
// aws4_request), from the Authorization header or a presigned
// X-Amz-Credential; empty when the request is not signed that way.
std::string_view signing_service(const http::HttpRequest& request, const service::Parameters& params) {
  std::string_view credential;
  const std::string_view authorization = request.header("Authorization");
  if (auto at = authorization.find("Credential="); at != std::string_view::npos) {
    credential = authorization.substr(at + 11);
    credential = credential.substr(0, credential.find_first_of(", "));
  } else if (const std::string* presigned = params.find("X-Amz-Credential")) {
    credential = *presigned;
  }
  // The element before the terminator: KEY/DATE/REGION/SERVICE/aws4_request
  // (SigV4) or KEY/DATE/SERVICE/aws4_request (SigV4a, no region).
  const auto last = credential.rfind('/');
  if (last == std::string_view::npos) return {};
  credential = credential.substr(0, last);
  const auto before = credential.rfind('/');
  if (before == std::string_view::npos) return {};
  return credential.substr(before + 1);
}

}  // namespace

http::HttpResponse Frontend::handle_query(const http::HttpRequest& request, const std::string& request_id) const {
  const auto started = std::chrono::steady_clock::now();
  service::Parameters params;
  std::string_view query;
  if (auto q = request.target.find('?'); q != std::string::npos) query = std::string_view(request.target).substr(q + 1);

  if (request.method == "POST") {
    // Only a form body carries parameters; without one AWS redirects.
    if (!istarts_with(request.header("Content-Type"), "application/x-www-form-urlencoded"))
      return redirect({});
    parse_form(request.body, params);
    parse_form(query, params);
  } else if (request.method == "GET") {
    parse_form(query, params);
  } else {
    return redirect({});
  }
  if (!params.contains("Action")) return redirect(request.method == "GET" ? query : std::string_view());

  const Format format = response_format(request);
  // Signed for iam and not an STS call (an STS Version signed for iam gets
  // STS's wrong-scope answer, as on AWS's STS endpoint).
  const std::string* version = params.find("Version");
  const bool to_iam = iam_ != nullptr && signing_service(request, params) == "iam" &&
                      (version == nullptr || *version != service::service_info(service::Service::Sts).api_version);
  const std::string_view xml_namespace =
      to_iam ? service::service_info(service::Service::Iam).xml_namespace : kStsNamespace;
  service::Outcome outcome = to_iam ? iam_->handle(params, to_sigv4(request)) : sts_.handle(params, to_sigv4(request));
  http::HttpResponse response =
      outcome.result ? render_success(outcome.action, *outcome.result, request_id, format, xml_namespace)
                     : render_error(outcome.result.error(), request_id, format, xml_namespace);

  const auto latency =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
  const std::string_view error_code = outcome.result ? std::string_view() : error_info(outcome.result.error().code).wire_code;
  const bool issued = outcome.result && std::any_of(outcome.result->children.begin(), outcome.result->children.end(),
                                                    [](const service::ResultNode& n) { return n.name == "Credentials"; });
  metrics_.record(outcome.action, error_code, latency, issued);
  log_request({request_id, outcome.action, outcome.principal_arn, response.status, error_code, latency.count()});
  if (log_ != nullptr && log_->enabled()) {
    service::console::RequestRecord record;
    record.time_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    record.request_id = request_id;
    record.service = to_iam ? "iam" : "sts";
    // A request for an unknown action is listed with the name it asked for;
    // what a client chose is kept short, so the ring's memory stays bounded.
    record.action = !outcome.action.empty() ? outcome.action : clipped(*params.find("Action"), 256);
    record.principal = std::move(outcome.principal_arn);
    record.status = response.status;
    record.error_code = std::string(error_code);
    if (!outcome.result) record.error_message = clipped(outcome.result.error().message, 2048);
    record.latency_us = latency.count();
    record.user_agent = clipped(request.header("User-Agent"), 512);
    record.remote_address = request.remote_address;
    if (!outcome.trace.empty())
      record.trace = std::make_shared<const domain::DecisionTrace>(std::move(outcome.trace));
    log_->add(std::move(record));
  }
  return response;
}

}  // namespace stsd::protocol
