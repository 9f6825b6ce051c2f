#pragma once
// HTTP request in, HTTP response out: decode the Query protocol, hand the
// parameters and the signed request to the service it is signed for (IAM
// for a SigV4 scope of `iam`, else STS), render the outcome. Also routes
// /_stsd/: the console, the open probes (health, metrics), the rest to the
// admin endpoints.
#include <string>

#include "stsd/http/server.h"
#include "stsd/protocol/admin_endpoints.h"
#include "stsd/protocol/console.h"
#include "stsd/protocol/metrics.h"
#include "stsd/service/iam_service.h"
#include "stsd/service/sts_service.h"

namespace stsd::protocol {

class Frontend {
 public:
  // admin: the admin endpoints (and the console's admin_token); iam: the IAM
  // API. nullptr: not offered.
  // log: where each STS/IAM request is remembered for the console (nullptr:
  // nowhere); store: what the console's identities page shows.
  Frontend(const service::StsService& sts, std::string version, const AdminEndpoints* admin = nullptr,
           const service::IamService* iam = nullptr, service::console::RequestLog* log = nullptr,
           const domain::StoreHolder* store = nullptr)
      : sts_(sts), iam_(iam), version_(std::move(version)), admin_(admin), log_(log), console_(log, admin, store) {}

  http::HttpResponse handle(const http::HttpRequest& request) const;

 private:
  http::HttpResponse handle_query(const http::HttpRequest& request, const std::string& request_id) const;
  http::HttpResponse handle_admin(const http::HttpRequest& request, std::string_view path) const;

  const service::StsService& sts_;
  const service::IamService* iam_;
  std::string version_;
  mutable Metrics metrics_;
  const AdminEndpoints* admin_;
  service::console::RequestLog* log_;
  ConsoleApi console_;
};

// A random (v4) UUID for x-amzn-RequestId.
std::string make_request_id();

}  // namespace stsd::protocol
