#include "stsd/app/app.h"

#include <utility>  // before Asio (coroutine support in 1.74)

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include <thread>

#include "stsd/crypto/crypto.h"
#include "stsd/domain/authorization_message.h"
#include "stsd/domain/clock.h"
#include "stsd/domain/session_token.h"
#include "stsd/protocol/frontend.h"
#include "stsd/service/sts_service.h"

#ifndef STSD_VERSION
#define STSD_VERSION "0.0.0"
#endif

namespace stsd::app {

int serve(const Options& options, const config::Config& config) {
  namespace asio = boost::asio;

  // Without a configured key, tokens only live as long as this process.
  std::string token_key = config.token_key ? *config.token_key : crypto::random_bytes(32);
  if (!config.token_key) spdlog::info("no token_key configured: session tokens will not survive a restart");

  domain::SystemClock clock;
  domain::StoreHolder store(std::make_shared<const domain::Store>(to_store_data(config)));
  domain::SessionTokenCodec tokens(token_key);
  domain::AuthorizationMessageCodec messages(token_key);
  service::StsService sts(store, tokens, messages, clock, options.auth);
  protocol::Frontend frontend(sts, STSD_VERSION);

  const unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  asio::io_context io(static_cast<int>(threads));
  http::Server server(io, options.listen, options.limits,
                      [&frontend](const http::HttpRequest& r) { return frontend.handle(r); }, options.tls);
  server.start();
  for (const auto& a : server.bound())
    spdlog::info("stsd {} listening on {}{}:{} (auth {}, {} threads)", STSD_VERSION,
                 options.tls.cert_file.empty() ? "http://" : "https://", a.host, a.port,
                 options.auth == service::AuthMode::Strict       ? "strict"
                 : options.auth == service::AuthMode::Permissive ? "permissive"
                                                                 : "off",
                 threads);

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("signal {}: stopping", signal);
    server.stop();
  });

  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : pool) t.join();
  spdlog::info("stopped");
  return 0;
}

}  // namespace stsd::app
