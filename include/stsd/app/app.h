#pragma once
// Composition root: io_context, store, clock, codecs, service, frontend,
// HTTP server and signal handling.
#include "stsd/app/options.h"
#include "stsd/config/config.h"
#include "stsd/domain/store.h"

namespace stsd::app {

// Config structs -> the domain's store data (derived fields filled by Store).
// `now` is the creation date of what the config declares.
domain::StoreData to_store_data(const config::Config& config, domain::Seconds now = domain::SystemClock().now());

// The config's policies checked as IAM checks them when they are attached
// (trust policies as trust policies, users' and roles' policies as identity
// policies), each problem with its JSON pointer and AWS's
// MalformedPolicyDocument message. A document whose Statement is an empty
// list is a placeholder (as in the contract's example) and passes. Empty:
// all good.
std::vector<config::ConfigProblem> policy_problems(const config::Config& config);

// The identity providers' material checked with the parsers that will use
// it: each OIDC provider's JWKS must hold at least one usable key, each SAML
// provider's metadata must parse (XML, entityID, a signing certificate).
// Problems name the provider's JSON pointer (/oidc_providers/0/jwks, ...).
std::vector<config::ConfigProblem> identity_provider_problems(const config::Config& config);

// policy_problems and identity_provider_problems: what a config needs beyond
// its shape before it is served (at start, from --state, and on PUT).
std::vector<config::ConfigProblem> content_problems(const config::Config& config);

// What to serve at start with --state FILE, given the config read at start
// (`source` names it in log lines):
// - no state file yet, or reset_state: the config;
// - a state file started from this same config (its config_sha256 is the
//   config's fingerprint): the state file, i.e. the config plus every change
//   acknowledged at run time;
// - a state file started from another config (the config file was edited
//   since): the config, keeping the state file's token key when the config
//   names none, so issued sessions stay valid;
// - a state file that records no config (older stsd): the state file.
// Never silent: whenever what is served differs from the config, one log
// line names the differing sections (never their values).
// FILE is a SQLite state database (state_db.h), or a JSON state file of an
// older stsd (read here, converted by serve()). When the database's entity
// rows are served (the first two cases above), `entities` holds them: the
// store as IAM and the admin API left it.
struct StateAtStart {
  config::Config running;
  std::optional<domain::StoreData> entities;
};
Result<StateAtStart, config::ConfigError> running_config_at_start(const config::Config& loaded,
                                                                  const std::string& source,
                                                                  const std::string& state_file, bool reset_state);

// Writes `content` to `path` atomically and durably (a JSON state file as an
// older stsd wrote it). Error: what failed (with the path: for the server's
// log, never for a client).
Result<void, std::string> write_file_atomically(const std::string& path, std::string_view content);

// Runs until SIGTERM/SIGINT; returns the process exit code. loaded: the
// config read at start (what /_stsd/reset returns to); running: what to serve
// (see running_config_at_start).
// entities: the store to serve instead of `running`'s identities.
int serve(const Options& options, const config::Config& loaded, config::Config running,
          std::optional<domain::StoreData> entities = std::nullopt);

// `stsd healthcheck [URL]`: 0 when URL answers 200 with "status":"ok".
int healthcheck(const std::string& url);

}  // namespace stsd::app
