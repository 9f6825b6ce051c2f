#include "stsd/http/server.h"

#include <sys/resource.h>

#include <utility>  // before Asio (coroutine support in 1.74)

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <mutex>
#include <stdexcept>

#include "server_core.h"
#include "session.h"

namespace stsd::http {

namespace {

using tcp = net::ip::tcp;

// Back-off after an accept error that only time can fix (out of descriptors
// or kernel memory): spinning would burn a core, dying would drop everyone.
constexpr std::chrono::milliseconds kAcceptBackoff{50};

// Descriptors left for everything but connections: listeners, epoll and
// timers, log and state files, outbound fetches (JWKS, metadata).
constexpr std::size_t kReservedDescriptors = 64;

// max_connections, lowered so that accepting never runs out of descriptors:
// past that point new clients would wait in the backlog for an idle timeout.
std::size_t connections_within_descriptors(std::size_t wanted, std::size_t& descriptors) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return wanted;
  descriptors = static_cast<std::size_t>(limit.rlim_cur);
  const std::size_t usable =
      descriptors > 2 * kReservedDescriptors ? descriptors - kReservedDescriptors : descriptors / 2;
  return std::min(wanted, std::max<std::size_t>(usable, 1));
}

bool resource_exhausted(const boost::system::error_code& ec) {
  if (ec.category() != boost::system::system_category()) return false;
  const int v = ec.value();
  return v == EMFILE || v == ENFILE || v == ENOBUFS || v == ENOMEM;
}

// Peers on a dual-stack socket show up as ::ffff:a.b.c.d; report a.b.c.d.
std::string peer_address(const ConnectionSocket& socket) {
  boost::system::error_code ec;
  auto endpoint = socket.remote_endpoint(ec);
  if (ec) return {};
  auto address = endpoint.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    return net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6()).to_string();
  return address.to_string();
}

std::string describe(const ListenAddress& a) {
  return (a.host.find(':') != std::string::npos ? "[" + a.host + "]" : a.host) + ":" + std::to_string(a.port);
}

// IP literals are used as they are; any other name ("localhost") is resolved.
std::vector<tcp::endpoint> endpoints_for(net::io_context& io, const ListenAddress& address) {
  boost::system::error_code ec;
  auto literal = net::ip::make_address(address.host, ec);
  if (!ec) return {tcp::endpoint(literal, address.port)};
  tcp::resolver resolver(io);
  auto results = resolver.resolve(address.host, std::to_string(address.port),
                                  tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || results.empty())
    throw std::runtime_error("cannot listen on " + describe(address) + ": cannot resolve host: " + ec.message());
  std::vector<tcp::endpoint> out;
  for (const auto& entry : results)
    if (std::find(out.begin(), out.end(), entry.endpoint()) == out.end()) out.push_back(entry.endpoint());
  return out;
}

std::shared_ptr<net::ssl::context> make_tls_context(const TlsSettings& tls) {
  auto context = std::make_shared<net::ssl::context>(net::ssl::context::tls_server);
  context->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                       net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1 |
                       net::ssl::context::single_dh_use);
  boost::system::error_code ec;
  context->use_certificate_chain_file(tls.cert_file, ec);
  if (ec) throw std::runtime_error("cannot load TLS certificate '" + tls.cert_file + "': " + ec.message());
  context->use_private_key_file(tls.key_file, net::ssl::context::pem, ec);
  if (ec) throw std::runtime_error("cannot load TLS key '" + tls.key_file + "': " + ec.message());
  if (SSL_CTX_check_private_key(context->native_handle()) != 1)
    throw std::runtime_error("TLS key '" + tls.key_file + "' does not match certificate '" + tls.cert_file + "'");
  return context;
}

// One listening socket. Accepts on its own strand and gives every connection
// a new strand of its own.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& io, std::shared_ptr<ServerCore> core)
      : io_(io), core_(std::move(core)), strand_(net::make_strand(io)), acceptor_(strand_), backoff_(strand_) {}

  // Throws std::runtime_error naming the address.
  void open(const tcp::endpoint& endpoint, const std::string& what) {
    boost::system::error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    // v6-only so that "0.0.0.0:P" and "[::]:P" can both be listened on.
    if (!ec && endpoint.address().is_v6()) acceptor_.set_option(net::ip::v6_only(true), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error("cannot listen on " + what + ": " + ec.message());
    local_ = acceptor_.local_endpoint();
  }

  tcp::endpoint local_endpoint() const { return local_; }

  void start() {
    net::post(strand_, [self = shared_from_this()] { self->do_accept(); });
  }

  void stop() {
    net::post(strand_, [self = shared_from_this()] {
      boost::system::error_code ignored;
      self->acceptor_.close(ignored);
      self->backoff_.cancel();
    });
  }

 private:
  void do_accept() {
    if (!acceptor_.is_open()) return;
    acceptor_.async_accept(net::make_strand(io_), [self = shared_from_this()](boost::system::error_code ec,
                                                                              ConnectionSocket socket) {
      self->on_accept(ec, std::move(socket));
    });
  }

  void on_accept(boost::system::error_code ec, ConnectionSocket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
      if (resource_exhausted(ec)) {
        if (!backing_off_) spdlog::warn("http: accept on port {} failed: {}; backing off", local_.port(), ec.message());
        // Descriptors taken elsewhere: an idle connection gives one back.
        core_->evict_idle();
        backing_off_ = true;
        backoff_.expires_after(kAcceptBackoff);
        backoff_.async_wait([self = shared_from_this()](boost::system::error_code wait_ec) {
          if (!wait_ec) self->do_accept();
        });
        return;
      }
      // A peer that reset before we accepted it: nothing to do but go on.
      spdlog::debug("http: accept on port {} failed: {}", local_.port(), ec.message());
      return do_accept();
    }
    backing_off_ = false;
    // A failure to set one connection up (say SSL_new out of memory) must not
    // leave this handler: it would end io_context::run and the process.
    try {
      admit(std::move(socket));
    } catch (const std::exception& e) {
      spdlog::error("http: could not take a connection on port {}: {}", local_.port(), e.what());
    }
    do_accept();
  }

  void admit(ConnectionSocket socket) {
    boost::system::error_code ignored;
    if (core_->stopping()) return void(socket.close(ignored));
    if (core_->active() >= core_->max_connections()) {
      // The longest idle connection makes room; a new client is not starved.
      if (!core_->evict_idle()) {
        spdlog::debug("http: {} connections open and busy (max_connections); closing a new one", core_->active());
        return void(socket.close(ignored));
      }
      spdlog::debug("http: {} connections open (max_connections); closed the longest idle one", core_->active());
    }
    socket.set_option(tcp::no_delay(true), ignored);
    std::string remote = peer_address(socket);
    if (core_->tls_context) {
      std::make_shared<Session<TlsStream>>(core_, std::move(remote), std::move(socket), *core_->tls_context)->start();
    } else {
      std::make_shared<Session<PlainStream>>(core_, std::move(remote), std::move(socket))->start();
    }
  }

  net::io_context& io_;
  std::shared_ptr<ServerCore> core_;
  net::strand<net::io_context::executor_type> strand_;
  tcp::acceptor acceptor_;
  net::steady_timer backoff_;
  tcp::endpoint local_;
  bool backing_off_ = false;
};

}  // namespace

struct Server::Impl {
  Impl(net::io_context& io, std::vector<ListenAddress> listen, Limits limits, Handler handler, TlsSettings tls)
      : io(io),
        listen(std::move(listen)),
        tls(std::move(tls)),
        core(std::make_shared<ServerCore>(io, limits, std::move(handler))) {}

  net::io_context& io;
  std::vector<ListenAddress> listen;
  TlsSettings tls;
  std::shared_ptr<ServerCore> core;
  mutable std::mutex mutex;  // guards listeners: bound()/stop() may run on any thread
  std::vector<std::shared_ptr<Listener>> listeners;
  bool started = false;
};

Server::Server(boost::asio::io_context& io, std::vector<ListenAddress> listen, Limits limits, Handler handler,
               TlsSettings tls)
    : impl_(std::make_shared<Impl>(io, std::move(listen), limits, std::move(handler), std::move(tls))) {}

Server::~Server() { stop(); }

void Server::start() {
  std::lock_guard lock(impl_->mutex);
  if (impl_->started) throw std::logic_error("stsd::http::Server::start called twice");
  if (!impl_->tls.cert_file.empty() || !impl_->tls.key_file.empty()) {
    if (impl_->tls.cert_file.empty() || impl_->tls.key_file.empty())
      throw std::runtime_error("TLS needs both a certificate and a key file");
    impl_->core->tls_context = make_tls_context(impl_->tls);
  }
  std::vector<std::shared_ptr<Listener>> listeners;
  for (const auto& address : impl_->listen) {
    auto endpoints = endpoints_for(impl_->io, address);
    for (std::size_t i = 0; i < endpoints.size(); ++i) {
      auto endpoint = endpoints[i];
      // A resolved name with port 0: every address shares the first free port.
      if (i > 0 && address.port == 0) endpoint.port(listeners.back()->local_endpoint().port());
      auto listener = std::make_shared<Listener>(impl_->io, impl_->core);
      try {
        listener->open(endpoint, describe(address));
      } catch (const std::runtime_error& e) {
        // The first address of a name must work; later ones (say ::1 where
        // IPv6 is off) may be skipped.
        if (i == 0) throw;
        spdlog::warn("http: {}", e.what());
        continue;
      }
      listeners.push_back(std::move(listener));
    }
  }
  const std::size_t wanted = impl_->core->limits().max_connections;
  std::size_t descriptors = 0;
  const std::size_t effective = connections_within_descriptors(wanted, descriptors);
  if (effective < wanted)
    spdlog::warn("http: RLIMIT_NOFILE is {}: at most {} connections at once instead of {} (--max-connections)",
                 descriptors, effective, wanted);
  impl_->core->set_max_connections(effective);
  for (const auto& listener : listeners) listener->start();
  impl_->listeners = std::move(listeners);
  impl_->started = true;
}

void Server::set_busy_handler(BusyHandler busy) {
  std::lock_guard lock(impl_->mutex);
  if (impl_->started) throw std::logic_error("stsd::http::Server::set_busy_handler called after start");
  impl_->core->busy_handler = std::move(busy);
}

std::vector<ListenAddress> Server::bound() const {
  std::lock_guard lock(impl_->mutex);
  std::vector<ListenAddress> out;
  for (const auto& listener : impl_->listeners) {
    const auto endpoint = listener->local_endpoint();
    out.push_back(ListenAddress{endpoint.address().to_string(), endpoint.port()});
  }
  return out;
}

void Server::stop() {
  std::lock_guard lock(impl_->mutex);
  for (const auto& listener : impl_->listeners) listener->stop();
  impl_->core->stop();
}

std::size_t Server::active_connections() const { return impl_->core->active(); }

}  // namespace stsd::http
