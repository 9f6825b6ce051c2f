#include "stsd/service/console/request_log.h"

#include <algorithm>
#include <utility>

namespace stsd::service::console {

RequestLog::RequestLog(std::size_t capacity, std::size_t max_subscribers)
    : slots_(capacity), max_subscribers_(max_subscribers) {}

void RequestLog::add(RequestRecord record) {
  if (slots_.empty()) return;
  // Built outside the lock; the displaced record is freed outside it too.
  auto shared = std::make_shared<RequestRecord>(std::move(record));
  std::shared_ptr<const RequestRecord> displaced;
  {
    std::lock_guard lock(mutex_);
    shared->seq = next_seq_++;
    displaced = std::exchange(slots_[shared->seq % slots_.size()], std::move(shared));
  }
}

std::shared_ptr<const RequestRecord> RequestLog::find(std::string_view request_id) const {
  std::lock_guard lock(mutex_);
  const std::size_t n = slots_.size();
  for (std::size_t i = 0; i < n && next_seq_ > i + 1; ++i) {
    const auto& slot = slots_[(next_seq_ - 1 - i) % n];
    if (slot && slot->request_id == request_id) return slot;
  }
  return nullptr;
}

RequestLog::Batch RequestLog::since(std::uint64_t after, std::size_t max) const {
  Batch out;
  std::lock_guard lock(mutex_);
  const std::uint64_t newest = next_seq_ - 1;
  out.last = std::min(after, newest);
  if (slots_.empty() || after >= newest) return out;
  // The oldest seq still in the ring.
  const std::uint64_t oldest = newest >= slots_.size() ? newest - slots_.size() + 1 : 1;
  std::uint64_t from = after + 1;
  if (from < oldest) {
    out.skipped = oldest - from;
    from = oldest;
  }
  const std::uint64_t to = std::min<std::uint64_t>(newest, from + max - 1);
  out.records.reserve(static_cast<std::size_t>(to - from + 1));
  for (std::uint64_t seq = from; seq <= to; ++seq) out.records.push_back(slots_[seq % slots_.size()]);
  out.last = to;
  return out;
}

RequestLog::Batch RequestLog::latest(std::size_t max) const {
  const std::uint64_t newest = last_seq();
  return since(newest > max ? newest - max : 0, max);
}

std::uint64_t RequestLog::last_seq() const {
  std::lock_guard lock(mutex_);
  return next_seq_ - 1;
}

bool RequestLog::try_subscribe() {
  std::size_t now = subscribers_.load();
  while (now < max_subscribers_)
    if (subscribers_.compare_exchange_weak(now, now + 1)) return true;
  return false;
}

void RequestLog::unsubscribe() { subscribers_.fetch_sub(1); }

}  // namespace stsd::service::console
