#pragma once
// Composition root: io_context, store, clock, codecs, service, frontend,
// HTTP server and signal handling.
#include "stsd/app/options.h"
#include "stsd/config/config.h"
#include "stsd/domain/store.h"

namespace stsd::app {

// Config structs -> the domain's store data (derived fields filled by Store).
domain::StoreData to_store_data(const config::Config& config);

// The config's policies checked as IAM checks them when they are attached
// (trust policies as trust policies, users' and roles' policies as identity
// policies), each problem with its JSON pointer and AWS's
// MalformedPolicyDocument message. A document whose Statement is an empty
// list is a placeholder (as in the contract's example) and passes. Empty:
// all good.
std::vector<config::ConfigProblem> policy_problems(const config::Config& config);

// Runs until SIGTERM/SIGINT; returns the process exit code. loaded: the
// config read at start (what /_stsd/reset returns to); running: what to serve
// (the --state file's content when it exists); base_dir resolves side files
// of configs PUT at run time.
int serve(const Options& options, const config::Config& loaded, config::Config running,
          const std::string& base_dir);

// `stsd healthcheck [URL]`: 0 when URL answers 200 with "status":"ok".
int healthcheck(const std::string& url);

}  // namespace stsd::app
