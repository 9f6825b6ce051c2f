#pragma once
// State shared by the listeners and every session: limits, the handler, the
// connection registry and the graceful-stop machinery. Sessions hold it by
// shared_ptr so it outlives the Server while their handlers are still queued.
#include <utility>  // before Asio (coroutine support in 1.74)

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "request_parser.h"
#include "stsd/http/server.h"

namespace stsd::http {

// What the core needs from a connection; both calls are thread-safe (they
// post to the connection's strand).
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Close now if idle; otherwise finish the current request, then close.
  virtual void on_server_stop() = 0;
  // Grace period over: close whatever the state.
  virtual void force_close() = 0;

 protected:
  // Waiting for a request's first byte: the core may close this connection
  // to admit a new one (the longest idle goes first).
  void mark_idle() noexcept {
    idle_since_.store(std::max<std::int64_t>(1, std::chrono::steady_clock::now().time_since_epoch().count()),
                      std::memory_order_relaxed);
  }
  // Not idle any more; false if the core chose it for eviction meanwhile.
  bool mark_busy() noexcept { return idle_since_.exchange(0, std::memory_order_acq_rel) != kEvicted; }

 private:
  friend class ServerCore;
  static constexpr std::int64_t kEvicted = -1;
  // 0: busy; kEvicted: chosen to be closed; else: idle since (steady ticks).
  mutable std::atomic<std::int64_t> idle_since_{0};
};

class ServerCore : public std::enable_shared_from_this<ServerCore> {
 public:
  ServerCore(boost::asio::io_context& io, Limits limits, Handler handler);

  const Limits& limits() const { return limits_; }
  const Handler& handler() const { return handler_; }
  BodyBudget& budget() { return budget_; }
  // Set once before start(), like tls_context.
  BusyHandler busy_handler;
  // limits().max_connections, lowered at start to what RLIMIT_NOFILE allows.
  std::size_t max_connections() const { return max_connections_; }
  void set_max_connections(std::size_t n) { max_connections_ = n; }
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }

  // Null for plain HTTP. Set once in start(), before any session exists.
  std::shared_ptr<boost::asio::ssl::context> tls_context;

  void add(const std::shared_ptr<SessionBase>& session);
  // Called from a session's destructor.
  void remove(const SessionBase* session);
  std::size_t active() const;
  // Closes the connection idle the longest to make room for a new one;
  // false if every connection is busy.
  bool evict_idle();

  // Tell every session to wind down and arm the grace timer; idempotent.
  void stop();

 private:
  std::vector<std::shared_ptr<SessionBase>> snapshot() const;

  Limits limits_;
  Handler handler_;
  BodyBudget budget_;
  std::size_t max_connections_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::unordered_map<const SessionBase*, std::weak_ptr<SessionBase>> sessions_;
  // The grace timer lives on its own strand: stop() and remove() come from any thread.
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::steady_timer grace_timer_;
};

}  // namespace stsd::http
