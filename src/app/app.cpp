#include "stsd/app/app.h"

#include <utility>  // before Asio (coroutine support in 1.74)

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <thread>

#include "stsd/admin/admin_api.h"
#include "stsd/app/cpu_quota.h"
#include "stsd/app/state_db.h"
#include "stsd/common/logging.h"
#include "stsd/crypto/crypto.h"
#include "stsd/domain/authorization_message.h"
#include "stsd/domain/clock.h"
#include "stsd/domain/federation/xml_security.h"
#include "stsd/domain/jwks_fetcher.h"
#include "stsd/domain/session_token.h"
#include "stsd/http/client.h"
#include "stsd/protocol/frontend.h"
#include "stsd/protocol/response_writer.h"
#include "stsd/service/sts_service.h"

#ifndef STSD_VERSION
#define STSD_VERSION "0.0.0"
#endif

namespace stsd::app {

int serve(const Options& options, const config::Config& loaded, config::Config running,
          std::optional<domain::StoreData> entities) {
  namespace asio = boost::asio;

  // Without a configured key, tokens only live as long as this process (or,
  // with --state, as long as the state file: the key is kept there).
  if (!running.token_key) {
    running.token_key = crypto::random_bytes(32);
    if (!options.state_file) spdlog::info("no token_key configured: session tokens will not survive a restart");
  }
  const std::string token_key = *running.token_key;

  domain::MovableClock clock;  // POST /_stsd/clock moves it
  domain::StoreData data = entities ? std::move(*entities) : to_store_data(running, clock.now());
  data.region = running.region;
  data.role_mode = running.role_mode == config::RoleMode::Strict ? domain::RoleMode::Strict : domain::RoleMode::Auto;
  domain::StoreHolder store(std::make_shared<const domain::Store>(std::move(data)));
  std::unique_ptr<StateDb> state;
  if (options.state_file) {
    const std::string& path = *options.state_file;
    std::error_code ec;
    if (std::filesystem::exists(path, ec) && !StateDb::is_database(path)) {
      // An older stsd's JSON state file: already read; kept beside the database.
      const std::string kept = path + ".json-imported";
      std::filesystem::rename(path, kept, ec);
      if (ec) {
        spdlog::error("--state {}: cannot move the JSON state file aside to {}: {}", path, kept, ec.message());
        return 2;
      }
      spdlog::info("--state {}: imported the JSON state file into a state database (the JSON file is kept as {})",
                   path, kept);
    }
    auto opened = StateDb::open(path);
    if (!opened) {
      spdlog::error("--state: {}", opened.error());
      return 2;
    }
    state = std::move(*opened);
    // The database holds what is served from now on, key included.
    if (auto written = state->replace_all(config::dump_config(running, config::DumpFor::StateFile),
                                          store.get()->export_data());
        !written) {
      spdlog::error("--state: {}", written.error());
      return 2;
    }
    store.set_journal(state.get());
  }
  domain::SessionTokenCodec tokens(token_key);
  domain::AuthorizationMessageCodec messages(token_key);
  admin::ConfigControl::Hooks hooks;
  hooks.install_key = [&tokens, &messages](const std::string& key) {
    tokens.set_key(key);
    messages.set_token_key(key);
  };
  hooks.content_problems = content_problems;
  hooks.store_data = [](const config::Config& c) { return to_store_data(c); };
  admin::ConfigControl control(loaded, running, store, state.get(), std::move(hooks), &clock);
  domain::federation::initialize_xml_security();      // once, before any thread uses xmlsec
  domain::federation::BuiltinIdentityProviders idps;  // keys made on first use
  // OIDC providers without configured keys: fetched from their issuers on the
  // fetcher's own threads (see jwks_fetcher.h for why a request may wait).
  domain::JwksFetchLimits fetch_limits;
  fetch_limits.unknown_kid_refresh = options.oidc_key_refresh_s;
  domain::JwksFetcher jwks_fetcher(
      [](const std::string& url, const std::vector<std::string>& thumbprints, std::chrono::milliseconds timeout,
         std::size_t max_body) { return http::http_get(url, {thumbprints, timeout, max_body}); },
      clock, fetch_limits);
  service::StsService sts(store, tokens, messages, clock, idps, options.auth, &jwks_fetcher);
  service::IamService iam(store, tokens, messages, clock, options.auth);
  admin::AdminOperations operations(store, tokens, messages, clock, idps);
  admin::AdminApi admin(&control, &operations);
  service::console::RequestLog request_log(options.console_ring_size, options.console_subscribers);
  protocol::Frontend frontend(sts, STSD_VERSION, &admin, &iam, &request_log, &store);

  // Without --threads: one per CPU the process may use (a container's quota).
  const ThreadChoice choice = options.threads ? ThreadChoice{options.threads, std::nullopt} : default_io_threads();
  const unsigned threads = choice.threads;
  if (choice.quota) spdlog::info("cgroup CPU quota {:.2f}: {} I/O threads", *choice.quota, threads);
  asio::io_context io(static_cast<int>(threads));
  http::Server server(io, options.listen, options.limits,
                      [&frontend](const http::HttpRequest& r) { return frontend.handle(r); }, options.tls);
  // A body refused for --max-buffered-bytes: AWS's answer to a passing overload.
  server.set_busy_handler([](const http::HttpRequest&) {
    return protocol::render_error(
        StsError::make(ErrorCode::ServiceUnavailable, "The request has failed due to a temporary failure of the server."),
        protocol::make_request_id(), protocol::Format::Xml);
  });
  server.start();
  // The bound port, whatever the log level: with --listen HOST:0 it is how a
  // harness learns where stsd listens.
  for (const auto& a : server.bound())
    log_always(fmt::format("stsd {} listening on {}{}:{} (auth {}, {} threads)", STSD_VERSION,
                           options.tls.cert_file.empty() ? "http://" : "https://", a.host, a.port,
                           options.auth == service::AuthMode::Strict       ? "strict"
                           : options.auth == service::AuthMode::Permissive ? "permissive"
                                                                           : "off",
                           threads));

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
