#pragma once
// The console (README, "Console"): GET /_stsd/ui and its files, embedded in
// the binary; the data it shows, each behind admin_token like every other
// protected admin endpoint:
//   GET /_stsd/requests              recent requests, newest last (?limit=N)
//   GET /_stsd/requests/{id}         one request's decision trace (id = x-amzn-RequestId)
//   GET /_stsd/console/events        live requests as Server-Sent Events (?after=SEQ)
//   GET /_stsd/console/identities    accounts, users, groups, roles, policies, providers, trust edges
//   GET /_stsd/console/info          ring size, subscribers, whether a token is required
// Every answer carries a strict Content-Security-Policy (no inline script or
// style: the page's script and style are files of their own) and
// X-Content-Type-Options: nosniff.
#include <string_view>

#include "stsd/domain/store.h"
#include "stsd/http/server.h"
#include "stsd/protocol/admin_endpoints.h"
#include "stsd/service/console/request_log.h"

namespace stsd::protocol {

class ConsoleApi {
 public:
  // log: nullptr answers the data endpoints with 404; admin: whose admin_token
  // guards the data (nullptr: none).
  ConsoleApi(service::console::RequestLog* log, const AdminEndpoints* admin, const domain::StoreHolder* store)
      : log_(log), admin_(admin), store_(store) {}

  // Whether `path` (no query) is the console's.
  static bool owns(std::string_view path);
  http::HttpResponse handle(const http::HttpRequest& request, std::string_view path) const;

 private:
  service::console::RequestLog* log_;
  const AdminEndpoints* admin_;
  const domain::StoreHolder* store_;
};

}  // namespace stsd::protocol
