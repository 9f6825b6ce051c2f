#include "server_core.h"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

namespace stsd::http {

ServerCore::ServerCore(boost::asio::io_context& io, Limits limits, Handler handler)
    : limits_(limits),
      handler_(std::move(handler)),
      budget_(limits.max_buffered_bytes),
      max_connections_(limits.max_connections),
      strand_(io.get_executor()),
      grace_timer_(strand_) {}

void ServerCore::add(const std::shared_ptr<SessionBase>& session) {
  std::lock_guard lock(mutex_);
  sessions_.emplace(session.get(), session);
}

void ServerCore::remove(const SessionBase* session) {
  bool drained = false;
  {
    std::lock_guard lock(mutex_);
    sessions_.erase(session);
    drained = sessions_.empty() && stopping();
  }
  // The last connection is gone: cancel the grace timer so io_context::run() can return.
  if (drained) boost::asio::post(strand_, [self = shared_from_this()] { self->grace_timer_.cancel(); });
}

std::size_t ServerCore::active() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

bool ServerCore::evict_idle() {
  std::shared_ptr<SessionBase> victim;
  bool chosen = false;
  {
    std::lock_guard lock(mutex_);
    // A scan, only when full: the request path pays one atomic store instead
    // of keeping an ordered idle list.
    for (int attempt = 0; attempt < 4; ++attempt) {
      const std::weak_ptr<SessionBase>* oldest = nullptr;
      const SessionBase* oldest_key = nullptr;
      std::int64_t oldest_since = 0;
      for (const auto& [key, weak] : sessions_) {
        const std::int64_t since = key->idle_since_.load(std::memory_order_relaxed);
        if (since > 0 && (oldest == nullptr || since < oldest_since)) {
          oldest = &weak;
          oldest_key = key;
          oldest_since = since;
        }
      }
      if (oldest == nullptr) return false;
      // Fails if its request began meanwhile: then look again.
      if (!oldest_key->idle_since_.compare_exchange_strong(oldest_since, SessionBase::kEvicted,
                                                           std::memory_order_acq_rel))
        continue;
      victim = oldest->lock();  // empty if it is being destroyed: its slot frees anyway
      chosen = true;
      break;
    }
  }
  // Outside the lock: releasing the last reference runs remove().
  if (victim) victim->force_close();
  return chosen;
}

std::vector<std::shared_ptr<SessionBase>> ServerCore::snapshot() const {
  std::vector<std::shared_ptr<SessionBase>> out;
  std::lock_guard lock(mutex_);
  out.reserve(sessions_.size());
  for (const auto& [key, weak] : sessions_)
    if (auto session = weak.lock()) out.push_back(std::move(session));
  return out;
}

void ServerCore::stop() {
  if (stopping_.exchange(true, std::memory_order_acq_rel)) return;
  // The snapshot is released outside the lock: dropping the last reference
  // runs a session's destructor, which calls remove().
  for (const auto& session : snapshot()) session->on_server_stop();
  boost::asio::post(strand_, [self = shared_from_this()] {
    // Runs on the strand, so a remove() that empties the registry after this
    // check posts its cancel behind the wait armed here.
    if (self->active() == 0) return;
    self->grace_timer_.expires_after(self->limits_.shutdown_grace);
    self->grace_timer_.async_wait([self](const boost::system::error_code& ec) {
      if (ec) return;
      auto left = self->snapshot();
      spdlog::warn("http: shutdown grace of {} ms over, closing {} connection(s)",
                   self->limits_.shutdown_grace.count(), left.size());
      for (const auto& session : left) session->force_close();
    });
  });
}

}  // namespace stsd::http
