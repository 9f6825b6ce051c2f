#include "stsd/protocol/metrics.h"

#include <fmt/format.h>

namespace stsd::protocol {

void Metrics::record(std::string_view action, std::string_view code, std::chrono::microseconds latency,
                     bool issued_credentials) {
  const double seconds = static_cast<double>(latency.count()) / 1e6;
  std::lock_guard lock(mutex_);
  ++requests_[{std::string(action.empty() ? "-" : action), std::string(code.empty() ? "OK" : code)}];
  for (std::size_t i = 0; i < kBucketsSeconds.size(); ++i)
    if (seconds <= kBucketsSeconds[i]) ++buckets_[i];
  ++count_;
  sum_seconds_ += seconds;
  if (issued_credentials) ++credentials_[std::string(action)];
}

std::string Metrics::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  out += "# HELP stsd_requests_total STS requests by action and result code.\n";
  out += "# TYPE stsd_requests_total counter\n";
  for (const auto& [key, n] : requests_)
    out += fmt::format("stsd_requests_total{{action=\"{}\",code=\"{}\"}} {}\n", key.first, key.second, n);
  out += "# HELP stsd_request_duration_seconds Time to handle an STS request.\n";
  out += "# TYPE stsd_request_duration_seconds histogram\n";
  for (std::size_t i = 0; i < kBucketsSeconds.size(); ++i)
    out += fmt::format("stsd_request_duration_seconds_bucket{{le=\"{}\"}} {}\n", kBucketsSeconds[i], buckets_[i]);
  out += fmt::format("stsd_request_duration_seconds_bucket{{le=\"+Inf\"}} {}\n", count_);
  out += fmt::format("stsd_request_duration_seconds_sum {}\n", sum_seconds_);
  out += fmt::format("stsd_request_duration_seconds_count {}\n", count_);
  out += "# HELP stsd_credentials_issued_total Temporary credentials issued, by action.\n";
  out += "# TYPE stsd_credentials_issued_total counter\n";
  for (const auto& [action, n] : credentials_)
    out += fmt::format("stsd_credentials_issued_total{{action=\"{}\"}} {}\n", action, n);
  return out;
}

}  // namespace stsd::protocol
