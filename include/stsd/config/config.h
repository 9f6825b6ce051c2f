#pragma once
// The config file (README, "Configuration") as plain structs, and the one place it
// is read. Every problem names the JSON pointer it concerns, and all problems
// are reported at once. No JSON types leak out of this header.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stsd/common/result.h"
#include "stsd/common/session_limits.h"

namespace stsd::config {

enum class RoleMode { Auto, Strict };

struct AccessKey {
  std::string id;
  std::string secret;
  bool operator==(const AccessKey&) const = default;
};

struct Account {
  std::string id;     // 12 digits
  std::string alias;  // empty: none
  // The account root's own access keys (an extension of the contract's shape:
  // root callers for GetCallerIdentity, GetSessionToken's root clamp, ...).
  std::vector<AccessKey> access_keys;
  // Opt-in regions the account has enabled ("*": all of them); the others
  // are disabled, as on AWS. And regions where STS is deactivated (IAM
  // account settings): credentials for the account are refused there.
  std::vector<std::string> enabled_regions;
  std::vector<std::string> sts_inactive_regions;
  bool operator==(const Account&) const = default;
};

struct MfaDevice {
  std::string serial;
  std::string totp_secret;  // raw key bytes, decoded from the file's base32
  bool operator==(const MfaDevice&) const = default;
};

using Tags = std::map<std::string, std::string>;

struct User {
  std::string account;
  std::string name;
  std::string path = "/";
  std::vector<AccessKey> access_keys;
  std::vector<MfaDevice> mfa_devices;
  Tags tags;
  std::vector<std::string> policies;  // each a canonical JSON text (compact, sorted keys)
  bool operator==(const User&) const = default;
};

struct Role {
  std::string account;
  std::string name;
  std::string path = "/";
  int max_session_duration = kDefaultRoleMaxSessionDuration;  // seconds, 3600..43200
  std::optional<std::string> trust_policy;  // canonical JSON text
  Tags tags;
  std::vector<std::string> policies;  // canonical JSON texts
  bool operator==(const Role&) const = default;
};

// A customer managed policy (an extension of the contract's shape): what a
// PolicyArns entry arn:aws:iam::<account>:policy<path><name> names.
struct ManagedPolicy {
  std::string account;
  std::string name;
  std::string path = "/";
  std::string document;  // canonical JSON text
  bool operator==(const ManagedPolicy&) const = default;
};

// `jwks_file` in the file is read at load time into `jwks`; the struct keeps
// only the content, so a dump is self-contained.
struct OidcProvider {
  std::string account;
  std::string url;
  std::vector<std::string> client_ids;
  std::vector<std::string> thumbprints;  // accepted, ignored (as AWS does today)
  std::optional<std::string> jwks;       // canonical JSON text of a JWK set
  // stsd's own test issuer (an extension of the contract's shape): its keys
  // are made at start and served at /_stsd/oidc/jwks.json; tokens minted by
  // POST /_stsd/oidc/token carry `url` as their `iss`. No jwks then.
  bool builtin = false;
  bool operator==(const OidcProvider&) const = default;
};

// `metadata_file` is read at load time into `metadata`, like `jwks_file`.
struct SamlProvider {
  std::string account;
  std::string name;
  std::optional<std::string> metadata;  // SAML metadata XML text
  // stsd's own test IdP (extension): its signing certificate is made at start
  // and its metadata served at /_stsd/saml/metadata. No metadata then.
  bool builtin = false;
  bool operator==(const SamlProvider&) const = default;
};

struct Config {
  std::string region = "us-east-1";
  // Auto when the file declares no roles, Strict when it does; an explicit
  // "role_mode" wins.
  RoleMode role_mode = RoleMode::Auto;
  std::optional<std::string> token_key;  // exactly 32 raw bytes (base64 in the file)
  std::optional<std::string> admin_token;
  std::vector<Account> accounts;
  std::vector<User> users;
  std::vector<Role> roles;
  std::vector<ManagedPolicy> managed_policies;
  std::vector<OidcProvider> oidc_providers;
  std::vector<SamlProvider> saml_providers;
  // State files only (ConfigSource::StateFile): the fingerprint
  // (config_fingerprint) of the --config the state was started from, so a
  // restart can tell an edited config file from an unchanged one.
  std::optional<std::string> config_sha256;
  bool operator==(const Config&) const = default;
};

struct ConfigProblem {
  std::string json_pointer;  // RFC 6901; empty: the document as a whole
  std::string message;
  // "/users/0/name: is required" (or just the message for the whole document).
  std::string to_string() const;
  bool operator==(const ConfigProblem&) const = default;
};

struct ConfigError {
  // Never empty. Syntax or duplicate-key problems first, then field by
  // field in the order the file's sections are read.
  std::vector<ConfigProblem> problems;
  // One problem per line.
  std::string to_string() const;
};

// Where a document comes from decides what it may contain.
enum class ConfigSource {
  // --config, --check-config, the embedded default: read at start, before
  // any request; `*_file` side files are read (regular files of at most
  // kMaxSideFileBytes; FIFOs and devices are refused, never read).
  File,
  // --state: written by stsd itself, always self-contained: `*_file` is
  // refused; "config_sha256" is allowed (and only here).
  StateFile,
  // PUT /_stsd/config: from the network at run time. `*_file` is refused
  // with a problem saying so: no file is ever read for a request.
  Admin,
};

inline constexpr std::size_t kMaxSideFileBytes = 4 * 1024 * 1024;

// Reads and validates a config document. `base_dir` resolves relative
// `jwks_file` / `metadata_file` paths (the config file's directory). Never
// throws: every problem found is returned.
//
// Rules beyond the README's description of the file: unknown fields and duplicate keys
// are rejected; `accounts` is required and non-empty; every user, role and
// provider names an account declared there; names, paths, MFA serials and
// tags follow IAM's constraints; access key ids are [A-Za-z0-9_]{1,128} and
// unique across users (IAM's minimum of 16 is relaxed for the default's
// `test` key); `jwks`/`jwks_file` and `metadata`/`metadata_file` are each
// optional and mutually exclusive.
Result<Config, ConfigError> parse_config(std::string_view json_text, std::string_view base_dir,
                                         ConfigSource source = ConfigSource::File);

// Reads `path` and parses it with its own directory as base_dir.
Result<Config, ConfigError> load_config_file(const std::string& path, ConfigSource source = ConfigSource::File);

// The embedded default, exactly as `stsd --print-default-config` prints it
// (pretty-printed, trailing newline).
std::string_view embedded_default_config();

enum class DumpFor {
  // GET /_stsd/config: everything but the token key (it never leaves the
  // server: with it anyone could forge session tokens offline) and
  // config_sha256.
  Admin,
  // The --state file: everything, token key and config_sha256 included.
  StateFile,
};

// The config in the file's own shape (pretty-printed, 2-space indent,
// trailing newline; empty lists and unset options omitted, role_mode always
// explicit). For any Config parse_config returned, parse_config reads the
// StateFile dump back to an equal Config (as ConfigSource::StateFile when it
// has config_sha256); side files appear inline.
std::string dump_config(const Config& config, DumpFor purpose = DumpFor::Admin);

// A SHA-256 (hex) of what `config` says (its StateFile dump without
// config_sha256): equal for equal configs, whatever the file's layout.
std::string config_fingerprint(const Config& config);

// The top-level sections ("admin_token", "users", "token_key", ...) in which
// `a` and `b` differ, in file order; config_sha256 is not compared. Names
// only: values (secrets among them) never appear.
std::vector<std::string> differing_sections(const Config& a, const Config& b);

}  // namespace stsd::config
