// argv/env -> config -> App -> run. The one start-up try/catch: bad flags or
// a bad config print one clear message and exit 2 with nothing started.
#include <spdlog/spdlog.h>

#ifdef STSD_WITH_MIMALLOC
#include <mimalloc.h>
#endif

#include <exception>
#include <iostream>

#include "stsd/app/app.h"
#include "stsd/common/logging.h"
#include "stsd/config/config.h"

namespace {

// "stsd 0.1.0" plus the allocator when it is not the C library's.
std::string version_line() {
  std::string line = "stsd " STSD_VERSION_STRING;
#ifdef STSD_WITH_MIMALLOC
  const int v = mi_version();  // 209 for 2.0.9
  line += " (mimalloc " + std::to_string(v / 100) + "." + std::to_string(v / 10 % 10) + "." + std::to_string(v % 10) + ")";
#endif
  return line;
}

void print_problems(const stsd::config::ConfigError& error, const std::string& source) {
  for (const auto& p : error.problems) std::cerr << "stsd: " << source << ": " << p.to_string() << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace stsd;
  auto parsed = app::parse_options(argc, argv);
  if (!parsed) {
    std::cerr << "stsd: " << parsed.error() << "\n";
    return 2;
  }
  const app::Options& options = *parsed;
  switch (options.command) {
    case app::Command::Help: std::cout << app::usage(); return 0;
    case app::Command::Version: std::cout << version_line() << "\n"; return 0;
    case app::Command::PrintDefaultConfig: std::cout << config::embedded_default_config(); return 0;
    case app::Command::Healthcheck: return app::healthcheck(options.healthcheck_url);
    case app::Command::CheckConfig:
    case app::Command::Serve: break;
  }

  try {
    auto loaded = options.config_path ? config::load_config_file(*options.config_path)
                                      : config::parse_config(config::embedded_default_config(), ".");
    const std::string source = options.config_path ? *options.config_path : "embedded default";
    if (loaded) {
      if (auto problems = app::content_problems(*loaded); !problems.empty())
        loaded = unexpected(config::ConfigError{std::move(problems)});
    }
    if (!loaded) {
      print_problems(loaded.error(), source);
      return 2;
    }
    if (options.command == app::Command::CheckConfig) {
      std::cout << source << ": ok\n";
      return 0;
    }
    setup_logging(options.log_level, options.log_format);
    config::Config running = *loaded;
    std::optional<domain::StoreData> entities;
    if (options.state_file) {
      // A state file from an earlier run holds every acknowledged change.
      auto at_start = app::running_config_at_start(*loaded, source, *options.state_file, options.reset_state);
      if (!at_start) {
        print_problems(at_start.error(), *options.state_file);
        return 2;
      }
      running = std::move(at_start->running);
      entities = std::move(at_start->entities);
    }
    return app::serve(options, *loaded, std::move(running), std::move(entities));
  } catch (const std::exception& e) {
    std::cerr << "stsd: " << e.what() << "\n";
    return 2;
  }
}
