#pragma once
// HTTP request in, HTTP response out: decode the Query protocol, hand the
// parameters and the signed request to the STS service, render the outcome.
// Also routes the admin endpoints under /_stsd/.
#include <string>

#include "stsd/http/server.h"
#include "stsd/protocol/metrics.h"
#include "stsd/service/sts_service.h"

namespace stsd::protocol {

class Frontend {
 public:
  explicit Frontend(const service::StsService& sts, std::string version) : sts_(sts), version_(std::move(version)) {}

  http::HttpResponse handle(const http::HttpRequest& request) const;

 private:
  http::HttpResponse handle_sts(const http::HttpRequest& request, const std::string& request_id) const;
  http::HttpResponse handle_admin(const http::HttpRequest& request, std::string_view path) const;

  const service::StsService& sts_;
  std::string version_;
  mutable Metrics metrics_;
};

// A random (v4) UUID for x-amzn-RequestId.
std::string make_request_id();

}  // namespace stsd::protocol
