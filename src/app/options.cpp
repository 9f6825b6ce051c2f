#include "stsd/app/options.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <functional>
#include <map>

namespace stsd::app {

namespace {

using Setter = std::function<std::optional<std::string>(Options&, const std::string&)>;

struct Flag {
  std::string name;      // --listen
  std::string env;       // STSD_LISTEN
  bool takes_value;
  Setter set;            // returns an error message, or nullopt
  bool repeatable = false;
};

std::optional<std::string> parse_listen(Options& o, const std::string& v) {
  auto colon = v.rfind(':');
  if (colon == std::string::npos || colon == 0) return "expected HOST:PORT, got '" + v + "'";
  std::string host = v.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  auto p = v.substr(colon + 1);
  auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
  if (ec != std::errc() || ptr != p.data() + p.size() || port > 65535) return "invalid port in '" + v + "'";
  o.listen.push_back({host, static_cast<unsigned short>(port)});
  return std::nullopt;
}

template <class T>
std::optional<std::string> parse_number(const std::string& v, T& out, T min, T max) {
  T n{};
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || ptr != v.data() + v.size() || n < min || n > max)
    return "expected a number between " + std::to_string(min) + " and " + std::to_string(max) + ", got '" + v + "'";
  out = n;
  return std::nullopt;
}

std::optional<std::string> parse_millis(const std::string& v, std::chrono::milliseconds& out) {
  long long n = 0;
  if (auto e = parse_number<long long>(v, n, 1, 86'400'000)) return e;
  out = std::chrono::milliseconds(n);
  return std::nullopt;
}

const std::vector<Flag>& flags() {
  static const std::vector<Flag> table = {
      {"--config", "STSD_CONFIG", true, [](Options& o, const std::string& v) -> std::optional<std::string> {
         o.config_path = v;
         return std::nullopt;
       }},
      {"--listen", "STSD_LISTEN", true, parse_listen, true},
      {"--threads", "STSD_THREADS", true,
       [](Options& o, const std::string& v) { return parse_number<unsigned>(v, o.threads, 1, 256); }},
      {"--tls-cert", "STSD_TLS_CERT", true, [](Options& o, const std::string& v) -> std::optional<std::string> {
         o.tls.cert_file = v;
         return std::nullopt;
       }},
      {"--tls-key", "STSD_TLS_KEY", true, [](Options& o, const std::string& v) -> std::optional<std::string> {
         o.tls.key_file = v;
         return std::nullopt;
       }},
      {"--auth", "STSD_AUTH", true, [](Options& o, const std::string& v) -> std::optional<std::string> {
         if (v == "strict") o.auth = service::AuthMode::Strict;
         else if (v == "permissive") o.auth = service::AuthMode::Permissive;
         else if (v == "off") o.auth = service::AuthMode::Off;
         else return "expected strict|permissive|off, got '" + v + "'";
         return std::nullopt;
       }},
      {"--state", "STSD_STATE", true, [](Options& o, const std::string& v) -> std::optional<std::string> {
         o.state_file = v;
         return std::nullopt;
       }},
      {"--reset-state", "STSD_RESET_STATE", false,
       [](Options& o, const std::string& v) -> std::optional<std::string> {
         if (v == "1" || v == "true" || v == "yes") o.reset_state = true;
         else if (v == "0" || v == "false" || v == "no") o.reset_state = false;
         else return "expected no value (or true|false), got '" + v + "'";
         return std::nullopt;
       }},
      {"--log-level", "STSD_LOG_LEVEL", true, [](Options& o, const std::string& v) -> std::optional<std::string> {
         if (!valid_log_level(v)) return "expected trace|debug|info|warn|error, got '" + v + "'";
         o.log_level = v;
         return std::nullopt;
       }},
      {"--log-format", "STSD_LOG_FORMAT", true, [](Options& o, const std::string& v) -> std::optional<std::string> {
         if (v == "text") o.log_format = LogFormat::Text;
         else if (v == "json") o.log_format = LogFormat::Json;
         else return "expected text|json, got '" + v + "'";
         return std::nullopt;
       }},
      {"--max-body-bytes", "STSD_MAX_BODY_BYTES", true,
       [](Options& o, const std::string& v) {
         return parse_number<std::size_t>(v, o.limits.body_limit, 1, 1ULL << 32);
       }},
      {"--max-header-bytes", "STSD_MAX_HEADER_BYTES", true,
       [](Options& o, const std::string& v) {
         return parse_number<std::size_t>(v, o.limits.header_limit, 1024, 1 << 20);
       }},
      {"--max-buffered-bytes", "STSD_MAX_BUFFERED_BYTES", true,
       [](Options& o, const std::string& v) {
         return parse_number<std::size_t>(v, o.limits.max_buffered_bytes, 1, 1ULL << 40);
       }},
      {"--read-timeout-ms", "STSD_READ_TIMEOUT_MS", true,
       [](Options& o, const std::string& v) { return parse_millis(v, o.limits.read_timeout); }},
      {"--idle-timeout-ms", "STSD_IDLE_TIMEOUT_MS", true,
       [](Options& o, const std::string& v) { return parse_millis(v, o.limits.idle_timeout); }},
      {"--max-connections", "STSD_MAX_CONNECTIONS", true,
       [](Options& o, const std::string& v) {
         return parse_number<std::size_t>(v, o.limits.max_connections, 1, 1'000'000);
       }},
      {"--oidc-key-refresh-s", "STSD_OIDC_KEY_REFRESH_S", true,
       [](Options& o, const std::string& v) {
         return parse_number<std::int64_t>(v, o.oidc_key_refresh_s, 1, 3600);
       }},
      {"--console-ring-size", "STSD_CONSOLE_RING_SIZE", true,
       [](Options& o, const std::string& v) {
         return parse_number<std::size_t>(v, o.console_ring_size, 0, 1'000'000);
       }},
      {"--console-subscribers", "STSD_CONSOLE_SUBSCRIBERS", true,
       [](Options& o, const std::string& v) {
         return parse_number<std::size_t>(v, o.console_subscribers, 0, 1000);
       }},
  };
  return table;
}

}  // namespace

std::string usage() {
  return R"(stsd - a local AWS Security Token Service endpoint

Usage:
  stsd [--config FILE] [--listen HOST:PORT]... [--threads N]
       [--tls-cert FILE --tls-key FILE] [--auth strict|permissive|off]
       [--state FILE [--reset-state]] [--log-level trace|debug|info|warn|error] [--log-format text|json]
       [--max-body-bytes N] [--max-header-bytes N] [--max-buffered-bytes N]
       [--read-timeout-ms N] [--idle-timeout-ms N] [--max-connections N]
       [--oidc-key-refresh-s N] [--console-ring-size N] [--console-subscribers N]
  stsd --print-default-config      print the embedded default config
  stsd --check-config FILE         validate FILE, print problems, exit 0/2
  stsd healthcheck [URL]           exit 0 if the server answers healthy
  stsd --version | --help

--state FILE keeps every change made through the admin API or IAM (and the
token key) in FILE, a SQLite database, committed before the change is
acknowledged (a JSON state file of an older stsd is imported). On restart FILE is
served while --config is the config it was started from; when --config was
edited since, --config is served again (the state file's token key is kept
when the config names none) and the log names what differed.
--reset-state serves --config and replaces FILE's content in any case.

Every flag also reads an environment variable: STSD_CONFIG, STSD_LISTEN,
STSD_THREADS, STSD_TLS_CERT, STSD_TLS_KEY, STSD_AUTH, STSD_STATE, STSD_RESET_STATE,
STSD_LOG_LEVEL, STSD_LOG_FORMAT, STSD_MAX_BODY_BYTES, STSD_MAX_HEADER_BYTES,
STSD_MAX_BUFFERED_BYTES, STSD_READ_TIMEOUT_MS, STSD_IDLE_TIMEOUT_MS,
STSD_MAX_CONNECTIONS, STSD_OIDC_KEY_REFRESH_S, STSD_CONSOLE_RING_SIZE,
STSD_CONSOLE_SUBSCRIBERS
(a flag wins over its variable; STSD_LISTEN may list addresses separated by commas).
Defaults: --listen 127.0.0.1:8090, --auth strict, one thread per CPU the process may
use (the cgroup CPU quota in a container, rounded up),
read timeout 10000 ms, idle timeout 60000 ms, and:
  --max-body-bytes      10000000   one request body (1..4294967296); above: 413
  --max-header-bytes    16384      request line and headers, plus any chunked
                                   trailers (1024..1048576; one field may be as
                                   large as the limit); above: 400
  --max-buffered-bytes  268435456  request bodies held at once by all
                                   connections (1..2^40, at least
                                   --max-body-bytes, which it follows when
                                   not set); beyond: 503 ServiceUnavailable
  --max-connections     10000      open connections (1..1000000), lowered at
                                   start to what RLIMIT_NOFILE allows; when
                                   full, the longest idle one is closed
  --oidc-key-refresh-s  60         OIDC providers without configured keys:
                                   their issuer's keys are fetched (discovery
                                   document, then jwks_uri) and kept an hour;
                                   a token with an unknown kid fetches them
                                   again at most this often (1..3600)
  --console-ring-size   1000       requests the console (/_stsd/ui) and
                                   GET /_stsd/requests/{id} remember, with
                                   their decision traces (0..1000000; 0: none)
  --console-subscribers 8          live console streams open at once (0..1000)
)";
}

Result<Options, std::string> parse_options(int argc, const char* const* argv) {
  Options options;
  std::map<std::string, bool> seen;  // flags given on the command line

  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") { options.command = Command::Help; return options; }
    if (arg == "--version") { options.command = Command::Version; return options; }
    if (arg == "--print-default-config") { options.command = Command::PrintDefaultConfig; continue; }
    if (arg == "--check-config") {
      if (i + 1 >= argc) return unexpected(std::string("--check-config: missing FILE"));
      options.command = Command::CheckConfig;
      options.config_path = argv[++i];
      seen["--config"] = true;
      continue;
    }
    if (arg == "healthcheck" && i == 1) {
      options.command = Command::Healthcheck;
      if (i + 1 < argc) options.healthcheck_url = argv[++i];
      if (i + 1 < argc) return unexpected("healthcheck: unexpected argument '" + std::string(argv[i + 1]) + "'");
      return options;
    }
    std::string value;
    bool inline_value = false;
    if (auto eq = arg.find('='); eq != std::string::npos && arg.rfind("--", 0) == 0) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      inline_value = true;
    }
    const Flag* flag = nullptr;
    for (const auto& f : flags())
      if (f.name == arg) flag = &f;
    if (flag == nullptr) return unexpected("unknown argument '" + arg + "' (see --help)");
    if (!inline_value && !flag->takes_value) {
      value = "true";
    } else if (!inline_value) {
      if (i + 1 >= argc) return unexpected(arg + ": missing value");
      value = argv[++i];
    }
    if (seen[flag->name] && !flag->repeatable) return unexpected(arg + ": given more than once");
    seen[flag->name] = true;
    if (auto e = flag->set(options, value)) return unexpected(arg + ": " + *e);
  }

  for (const auto& f : flags()) {
    if (seen[f.name]) continue;
    const char* env = std::getenv(f.env.c_str());
    if (env == nullptr || *env == '\0') continue;
    std::string value = env;
    if (f.repeatable) {
      std::size_t start = 0;
      while (start <= value.size()) {
        auto comma = value.find(',', start);
        std::string part = value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!part.empty())
          if (auto e = f.set(options, part)) return unexpected(f.env + ": " + *e);
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    } else if (auto e = f.set(options, value)) {
      return unexpected(f.env + ": " + *e);
    }
  }
  if (options.reset_state && !options.state_file)
    return unexpected(std::string("--reset-state needs --state FILE"));
  if (options.tls.cert_file.empty() != options.tls.key_file.empty())
    return unexpected(std::string("--tls-cert and --tls-key must be given together"));
  const char* budget_env = std::getenv("STSD_MAX_BUFFERED_BYTES");
  const bool budget_given = seen["--max-buffered-bytes"] || (budget_env != nullptr && *budget_env != '\0');
  // Unless set, the budget follows a larger body limit: one such body must fit.
  if (!budget_given) options.limits.max_buffered_bytes = std::max(options.limits.max_buffered_bytes, options.limits.body_limit);
  if (options.limits.max_buffered_bytes < options.limits.body_limit)
    return unexpected(std::string("--max-buffered-bytes must be at least --max-body-bytes (") +
                      std::to_string(options.limits.body_limit) + ")");
  if (options.listen.empty()) options.listen.push_back({"127.0.0.1", 8090});
  return options;
}

}  // namespace stsd::app
