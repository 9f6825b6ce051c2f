// Guards what a config document may make the server do, by where it comes
// from (issue 11): side files are read only from the config given at start
// (item 7) and then only regular files of bounded size, never FIFOs or
// devices, never blocking; the token key never appears in the admin dump
// (item 9) but does in the state file; config_sha256 (the --state rule,
// item 10) is accepted only in state files; differing_sections names
// sections, never values.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "stsd/config/config.h"

using namespace stsd::config;
namespace fs = std::filesystem;

namespace {

class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("stsd-config-sources-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  fs::path write(const std::string& name, const std::string& content) const {
    const fs::path p = path_ / name;
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }

 private:
  fs::path path_;
};

std::string saml_config(const std::string& metadata_file) {
  return R"({"accounts": [{"id": "111122223333"}],
             "saml_providers": [{"account": "111122223333", "name": "IdP", "metadata_file": ")" +
         metadata_file + R"("}]})";
}

std::string oidc_config(const std::string& jwks_file) {
  return R"({"accounts": [{"id": "111122223333"}],
             "oidc_providers": [{"account": "111122223333", "url": "https://issuer.example.com", "jwks_file": ")" +
         jwks_file + R"("}]})";
}

TEST(ConfigSources, AdminDocumentsNeverReadFiles) {
  TempDir dir;
  const auto metadata = dir.write("metadata.xml", "<EntityDescriptor/>");
  // Readable and valid as far as the loader goes: refused all the same.
  for (const std::string& path : {metadata.string(), std::string("/etc/passwd"), std::string("/dev/zero")}) {
    auto result = parse_config(saml_config(path), dir.path().string(), ConfigSource::Admin);
    ASSERT_FALSE(result) << path;
    ASSERT_EQ(result.error().problems.size(), 1u);
    EXPECT_EQ(result.error().problems[0].to_string(),
              "/saml_providers/0/metadata_file: file references are read only from the config given on the command "
              "line, at start; give the content inline (metadata)");
    // The problem never carries the file's content.
    EXPECT_EQ(result.error().to_string().find("root:"), std::string::npos);
  }
  auto jwks = parse_config(oidc_config("/etc/passwd"), ".", ConfigSource::Admin);
  ASSERT_FALSE(jwks);
  EXPECT_EQ(jwks.error().problems[0].json_pointer, "/oidc_providers/0/jwks_file");
  auto state = parse_config(oidc_config("/etc/passwd"), ".", ConfigSource::StateFile);
  ASSERT_FALSE(state);
  EXPECT_EQ(state.error().problems[0].to_string(),
            "/oidc_providers/0/jwks_file: a state file is self-contained: give the content inline (jwks)");
  // The config given at start still reads them.
  EXPECT_TRUE(parse_config(saml_config(metadata.string()), ".", ConfigSource::File));
}

TEST(ConfigSources, StartupSideFilesMustBeSmallRegularFiles) {
  TempDir dir;
  // A device: refused without reading (reading /dev/zero never ends).
  auto zero = parse_config(saml_config("/dev/zero"), ".");
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().problems[0].to_string(), "/saml_providers/0/metadata_file: cannot read /dev/zero: not a regular file");

  // A FIFO with no writer: opening it for reading would block forever.
  const fs::path fifo = dir.path() / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const auto started = std::chrono::steady_clock::now();
  auto pipe = parse_config(saml_config(fifo.string()), ".");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  ASSERT_FALSE(pipe);
  EXPECT_EQ(pipe.error().problems[0].to_string(),
            "/saml_providers/0/metadata_file: cannot read " + fifo.string() + ": not a regular file");

  const auto big = dir.write("big.xml", std::string(kMaxSideFileBytes + 1, 'x'));
  auto large = parse_config(saml_config(big.string()), ".");
  ASSERT_FALSE(large);
  EXPECT_EQ(large.error().problems[0].to_string(), "/saml_providers/0/metadata_file: cannot read " + big.string() +
                                                       ": larger than " + std::to_string(kMaxSideFileBytes) + " bytes");
}

TEST(ConfigSources, ConfigFilesThemselvesAreRegularFilesOnly) {
  auto device = load_config_file("/dev/zero");
  ASSERT_FALSE(device);
  EXPECT_EQ(device.error().to_string(), "cannot read /dev/zero: not a regular file");
}

Config keyed_config() {
  auto parsed = parse_config(R"({"accounts": [{"id": "111122223333"}],
                                 "token_key": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "admin_token": "adm"})",
                             ".");
  EXPECT_TRUE(parsed);
  return *parsed;
}

TEST(ConfigSources, TheTokenKeyIsDumpedOnlyIntoTheStateFile) {
  Config c = keyed_config();
  c.config_sha256 = std::string(64, 'a');
  const std::string admin = dump_config(c);
  EXPECT_EQ(admin.find("token_key"), std::string::npos) << admin;
  EXPECT_EQ(admin.find("config_sha256"), std::string::npos) << admin;
  EXPECT_EQ(dump_config(c, DumpFor::Admin), admin);
  const std::string state = dump_config(c, DumpFor::StateFile);
  EXPECT_NE(state.find("\"token_key\": \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\""), std::string::npos);
  auto back = parse_config(state, ".", ConfigSource::StateFile);
  ASSERT_TRUE(back) << back.error().to_string();
  EXPECT_EQ(*back, c);
}

TEST(ConfigSources, ConfigSha256BelongsToStateFilesOnly) {
  const std::string text = R"({"accounts": [{"id": "111122223333"}], "config_sha256": "abc"})";
  auto state = parse_config(text, ".", ConfigSource::StateFile);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->config_sha256, "abc");
  for (auto source : {ConfigSource::File, ConfigSource::Admin}) {
    auto other = parse_config(text, ".", source);
    ASSERT_FALSE(other);
    EXPECT_EQ(other.error().to_string(), "/config_sha256: unknown field");
  }
}

TEST(ConfigSources, FingerprintFollowsContentNotLayout) {
  Config a = keyed_config();
  auto relaid = parse_config(R"({
      "admin_token": "adm",
      "token_key": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
      "accounts": [ { "id": "111122223333" } ] })",
                             ".");
  ASSERT_TRUE(relaid);
  EXPECT_EQ(config_fingerprint(a), config_fingerprint(*relaid));
  EXPECT_EQ(config_fingerprint(a).size(), 64u);
  Config with_digest = a;
  with_digest.config_sha256 = "anything";
  EXPECT_EQ(config_fingerprint(with_digest), config_fingerprint(a));
  Config b = a;
  b.admin_token = "other";
  EXPECT_NE(config_fingerprint(a), config_fingerprint(b));
}

TEST(ConfigSources, DifferingSectionsNamesSectionsOnly) {
  Config a = keyed_config();
  Config b = a;
  EXPECT_TRUE(differing_sections(a, b).empty());
  b.admin_token = "new-secret";
  b.token_key = std::string(32, 'k');
  User bob;
  bob.account = "111122223333";
  bob.name = "bob";
  b.users.push_back(bob);
  b.config_sha256 = "ignored";
  EXPECT_EQ(differing_sections(a, b), (std::vector<std::string>{"token_key", "admin_token", "users"}));
}

}  // namespace
