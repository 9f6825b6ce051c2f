#pragma once
// Command line and environment (flag wins over STSD_* variable).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "stsd/common/logging.h"
#include "stsd/common/result.h"
#include "stsd/http/server.h"
#include "stsd/service/authenticator.h"

namespace stsd::app {

enum class Command { Serve, PrintDefaultConfig, CheckConfig, Healthcheck, Version, Help };

struct Options {
  Command command = Command::Serve;
  std::optional<std::string> config_path;  // --config / STSD_CONFIG; also --check-config FILE
  std::vector<http::ListenAddress> listen;  // default 127.0.0.1:8090
  unsigned threads = 0;                     // 0: one per core
  http::TlsSettings tls;
  service::AuthMode auth = service::AuthMode::Strict;
  std::optional<std::string> state_file;
  bool reset_state = false;  // --reset-state: serve --config, replacing the state file's content
  std::string log_level = "info";
  LogFormat log_format = LogFormat::Text;
  http::Limits limits;
  // Least time between two fetches of an OIDC issuer's keys for tokens whose
  // kid is not in the cached set (domain::JwksFetchLimits::unknown_kid_refresh).
  std::int64_t oidc_key_refresh_s = 60;
  // The console's ring of recent requests (0: none) and its live streams at once.
  std::size_t console_ring_size = 1000;
  std::size_t console_subscribers = 8;
  std::string healthcheck_url = "http://127.0.0.1:8090/_stsd/health";
};

// Errors name the flag (or variable) and the problem.
Result<Options, std::string> parse_options(int argc, const char* const* argv);

std::string usage();

}  // namespace stsd::app
