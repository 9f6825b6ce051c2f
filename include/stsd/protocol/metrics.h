#pragma once
// Request metrics for GET /_stsd/metrics, in Prometheus text format:
// requests by action and code, a latency histogram, credentials issued.
#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace stsd::protocol {

class Metrics {
 public:
  // code: the wire error code, or "" for success.
  void record(std::string_view action, std::string_view code, std::chrono::microseconds latency,
              bool issued_credentials);
  std::string render() const;

 private:
  static constexpr std::array<double, 10> kBucketsSeconds = {0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                                             0.005,  0.01,    0.025,  0.1,   1.0};
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> requests_;
  std::array<std::uint64_t, kBucketsSeconds.size()> buckets_{};
  std::uint64_t count_ = 0;
  double sum_seconds_ = 0;
  std::map<std::string, std::uint64_t> credentials_;
};

}  // namespace stsd::protocol
