#pragma once
// HTTP request in, HTTP response out: decode the Query protocol, hand the
// parameters and the signed request to the service it is signed for (IAM
// for a SigV4 scope of `iam`, else STS), render the outcome. Also routes the
// admin endpoints under /_stsd/.
#include <string>

#include "stsd/http/server.h"
#include "stsd/protocol/admin.h"
#include "stsd/protocol/console.h"
#include "stsd/protocol/metrics.h"
#include "stsd/service/iam_service.h"
#include "stsd/service/sts_service.h"

namespace stsd::protocol {

class Frontend {
 public:
  // control: what /_stsd/reset and /_stsd/config change; operations: the
  // other admin endpoints; iam: the IAM API. nullptr: not offered.
  // log: where each STS/IAM request is remembered for the console (nullptr:
  // nowhere); store: what the console's identities page shows.
  Frontend(const service::StsService& sts, std::string version, AdminControl* control = nullptr,
           const service::AdminOperations* operations = nullptr, const service::IamService* iam = nullptr,
           service::console::RequestLog* log = nullptr, const domain::StoreHolder* store = nullptr)
      : sts_(sts), iam_(iam), admin_(control, operations, metrics_, std::move(version)), log_(log),
        console_(log, control, store) {}

  http::HttpResponse handle(const http::HttpRequest& request) const;

 private:
  http::HttpResponse handle_query(const http::HttpRequest& request, const std::string& request_id) const;

  const service::StsService& sts_;
  const service::IamService* iam_;
  mutable Metrics metrics_;
  AdminApi admin_;
  service::console::RequestLog* log_;
  ConsoleApi console_;
};

// A random (v4) UUID for x-amzn-RequestId.
std::string make_request_id();

}  // namespace stsd::protocol
