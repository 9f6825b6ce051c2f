// Guards *_file resolution: relative paths are read from the config file's
// directory (base_dir), absolute ones as given, and a missing or broken side
// file is a problem at its own pointer.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

#include "stsd/config/config.h"

using namespace stsd::config;
namespace fs = std::filesystem;

namespace {

// A fresh directory removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("stsd-config-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  fs::path write(const std::string& name, const std::string& content) const {
    const fs::path p = path_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }

 private:
  fs::path path_;
};

std::string providers_config(const std::string& jwks_file, const std::string& metadata_file) {
  return R"({
  "accounts": [{ "id": "111122223333" }],
  "oidc_providers": [{ "account": "111122223333", "url": "https://issuer.example.com",
                       "client_ids": ["my-app"], "jwks_file": ")" +
         jwks_file + R"(" }],
  "saml_providers": [{ "account": "111122223333", "name": "MyIdP", "metadata_file": ")" +
         metadata_file +
         R"(" }]
})";
}

const std::string kJwks = R"({ "keys": [ { "kty": "RSA", "kid": "k1", "n": "AQAB", "e": "AQAB" } ] })";
const std::string kMetadata = "<EntityDescriptor xmlns=\"urn:oasis:names:tc:SAML:2.0:metadata\"/>";

}  // namespace

TEST(ConfigFiles, RelativePathsResolveAgainstBaseDir) {
  TempDir dir;
  dir.write("idp/jwks.json", kJwks);
  dir.write("idp/metadata.xml", kMetadata);
  auto result = parse_config(providers_config("idp/jwks.json", "idp/metadata.xml"), dir.path().string());
  ASSERT_TRUE(result) << result.error().to_string();
  ASSERT_EQ(result->oidc_providers.size(), 1u);
  // Stored as canonical JSON text (compact, keys sorted).
  EXPECT_EQ(result->oidc_providers[0].jwks, R"({"keys":[{"e":"AQAB","kid":"k1","kty":"RSA","n":"AQAB"}]})");
  EXPECT_EQ(result->oidc_providers[0].client_ids, std::vector<std::string>{"my-app"});
  ASSERT_EQ(result->saml_providers.size(), 1u);
  EXPECT_EQ(result->saml_providers[0].metadata, kMetadata);
}

TEST(ConfigFiles, AbsolutePathsAreUsedAsGiven) {
  TempDir dir;
  const auto jwks = dir.write("jwks.json", kJwks);
  const auto metadata = dir.write("metadata.xml", kMetadata);
  auto result = parse_config(providers_config(jwks.string(), metadata.string()), "/nonexistent");
  ASSERT_TRUE(result) << result.error().to_string();
  EXPECT_TRUE(result->oidc_providers[0].jwks.has_value());
  EXPECT_EQ(result->saml_providers[0].metadata, kMetadata);
}

TEST(ConfigFiles, LoadConfigFileUsesItsOwnDirectory) {
  TempDir dir;
  dir.write("conf/jwks.json", kJwks);
  dir.write("conf/metadata.xml", kMetadata);
  const auto config = dir.write("conf/stsd.json", providers_config("jwks.json", "metadata.xml"));
  auto result = load_config_file(config.string());
  ASSERT_TRUE(result) << result.error().to_string();
  EXPECT_EQ(result->saml_providers[0].metadata, kMetadata);
}

TEST(ConfigFiles, MissingFilesAreProblemsAtTheirPointers) {
  TempDir dir;
  auto result = parse_config(providers_config("nope.json", "nope.xml"), dir.path().string());
  ASSERT_FALSE(result);
  const std::vector<ConfigProblem> expected{
      {"/oidc_providers/0/jwks_file",
       "cannot read " + (dir.path() / "nope.json").string() + ": No such file or directory"},
      {"/saml_providers/0/metadata_file",
       "cannot read " + (dir.path() / "nope.xml").string() + ": No such file or directory"},
  };
  EXPECT_EQ(result.error().problems, expected);

  auto missing = load_config_file((dir.path() / "absent.json").string());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().to_string(),
            "cannot read " + (dir.path() / "absent.json").string() + ": No such file or directory");

  auto directory = load_config_file(dir.path().string());
  ASSERT_FALSE(directory);
  EXPECT_EQ(directory.error().to_string(), "cannot read " + dir.path().string() + ": is a directory");
}

TEST(ConfigFiles, BrokenSideFilesNameTheFileAndLine) {
  TempDir dir;
  const auto jwks = dir.write("jwks.json", "{\n  \"keys\": [,]\n}\n");
  const auto metadata = dir.write("metadata.xml", std::string("<x>\xff</x>"));
  auto result = parse_config(providers_config("jwks.json", "metadata.xml"), dir.path().string());
  ASSERT_FALSE(result);
  const auto& problems = result.error().problems;
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].json_pointer, "/oidc_providers/0/jwks_file");
  EXPECT_EQ(problems[0].message.rfind(jwks.string() + ": invalid JSON at line 2, column 12: ", 0), 0u)
      << problems[0].message;
  EXPECT_EQ(problems[1].to_string(), "/saml_providers/0/metadata_file: " + metadata.string() + ": is not valid UTF-8");

  dir.write("jwks.json", R"({"keys": {}})");
  dir.write("metadata.xml", "");
  auto shapes = parse_config(providers_config("jwks.json", "metadata.xml"), dir.path().string());
  ASSERT_FALSE(shapes);
  const std::vector<ConfigProblem> expected{
      {"/oidc_providers/0/jwks_file", jwks.string() + ": must be a JWK set: an object with a \"keys\" array"},
      {"/saml_providers/0/metadata_file", metadata.string() + ": is empty"},
  };
  EXPECT_EQ(shapes.error().problems, expected);
}
