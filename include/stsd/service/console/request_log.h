#pragma once
// The console's memory of recent requests: a bounded ring of records (what
// the live list shows, and each request's decision trace), written once per
// request by the protocol layer and read by the console's endpoints.
//
// Cost on the request path: one record (a few short strings) moved into a
// slot under a mutex held for a pointer swap; nothing else, whether or not
// anyone watches. Readers copy out shared pointers under the same mutex and
// do all their work (JSON, filtering) outside it, so a reader never makes a
// request wait for more than that copy. A capacity of 0 keeps nothing.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "stsd/domain/decision_trace.h"

namespace stsd::service::console {

struct RequestRecord {
  std::uint64_t seq = 0;      // assigned by RequestLog::add, from 1
  std::int64_t time_ms = 0;   // Unix time of the answer, milliseconds
  std::string request_id;     // x-amzn-RequestId
  std::string service;        // "sts" or "iam"
  std::string action;         // the operation, or the Action the request named when it is unknown
  std::string principal;      // the caller's ARN; empty when unsigned or not authenticated
  int status = 0;
  std::string error_code;     // empty on success
  std::string error_message;
  std::int64_t latency_us = 0;
  std::string user_agent;
  std::string remote_address;
  std::shared_ptr<const domain::DecisionTrace> trace;  // nullptr: no policy took part
};

class RequestLog {
 public:
  // capacity: records kept (0: none); max_subscribers: live streams at once.
  RequestLog(std::size_t capacity, std::size_t max_subscribers);

  std::size_t capacity() const { return slots_.size(); }
  bool enabled() const { return !slots_.empty(); }

  void add(RequestRecord record);

  // The newest record with this request id; nullptr when none is kept.
  std::shared_ptr<const RequestRecord> find(std::string_view request_id) const;

  struct Batch {
    std::vector<std::shared_ptr<const RequestRecord>> records;  // oldest first
    std::uint64_t skipped = 0;  // records after `after` that were overwritten before this read
    std::uint64_t last = 0;     // the seq to pass next time
  };
  // Records with seq > after, at most `max` (the oldest of them; the rest
  // come next time).
  Batch since(std::uint64_t after, std::size_t max) const;
  // The newest `max` records, oldest first.
  Batch latest(std::size_t max) const;
  std::uint64_t last_seq() const;

  // A live subscriber's slot: false when max_subscribers are already taken.
  bool try_subscribe();
  void unsubscribe();
  std::size_t subscribers() const { return subscribers_.load(); }
  std::size_t max_subscribers() const { return max_subscribers_; }

 private:
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<const RequestRecord>> slots_;  // seq % capacity
  std::uint64_t next_seq_ = 1;
  std::size_t max_subscribers_;
  std::atomic<std::size_t> subscribers_{0};
};

}  // namespace stsd::service::console
