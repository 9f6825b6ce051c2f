// Guards the admin side of the composition root (issue 11): PUT never reads
// files nor changes the token key (items 7, 9); rotation installs the new key
// only after it is durable; a state file that cannot be written is a 500
// naming no path, with nothing applied (item 20); the --state rule at start
// (item 10); identity-provider material checked by JSON path (item 18).
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include <sqlite3.h>

#include "stsd/app/app.h"
#include "stsd/app/config_control.h"
#include "stsd/app/state_db.h"

using namespace stsd;
namespace fs = std::filesystem;

namespace {

class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() / ("stsd-app-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

config::Config parse(const std::string& text) {
  auto c = config::parse_config(text, ".");
  EXPECT_TRUE(c) << c.error().to_string();
  return *c;
}

const std::string kBase = R"({"accounts": [{"id": "111122223333"}], "admin_token": "adm"})";

struct Control {
  explicit Control(std::optional<std::string> state_file, config::Config loaded = parse(kBase))
      : store(std::make_shared<const domain::Store>(app::to_store_data(loaded))) {
    if (state_file) {
      auto opened = app::StateDb::open(*state_file, 50);
      EXPECT_TRUE(opened) << opened.error();
      if (opened) state = std::move(*opened);
    }
    config::Config running = loaded;
    running.token_key = std::string(32, 'k');
    control = std::make_unique<app::ConfigControl>(loaded, running, store, state.get(),
                                                   [this](const std::string& key) { installed.push_back(key); });
  }
  domain::StoreHolder store;
  std::unique_ptr<app::StateDb> state;
  std::vector<std::string> installed;
  std::unique_ptr<app::ConfigControl> control;
};

// The running config a state database holds.
config::Config saved_config(const std::string& path) {
  auto db = app::StateDb::open(path);
  EXPECT_TRUE(db);
  auto contents = (*db)->read();
  EXPECT_TRUE(contents && *contents);
  auto c = config::parse_config((**contents).config_json, ".", config::ConfigSource::StateFile);
  EXPECT_TRUE(c);
  return *c;
}

// Another connection holding the database's write lock: every write fails.
struct WriteLock {
  explicit WriteLock(const std::string& path) {
    sqlite3_open(path.c_str(), &db);
    sqlite3_exec(db, "BEGIN EXCLUSIVE;", nullptr, nullptr, nullptr);
  }
  ~WriteLock() {
    sqlite3_exec(db, "ROLLBACK;", nullptr, nullptr, nullptr);
    sqlite3_close(db);
  }
  sqlite3* db = nullptr;
};

TEST(ConfigControl, PutRefusesFileReferencesAndAnotherTokenKey) {
  Control c(std::nullopt);
  auto file = c.control->replace_config(
      R"({"accounts": [{"id": "111122223333"}],
          "saml_providers": [{"account": "111122223333", "name": "x", "metadata_file": "/etc/passwd"}]})");
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().status, 400);
  EXPECT_NE(file.error().message.find("read only from the config given on the command line"), std::string::npos);

  auto key = c.control->replace_config(
      R"({"accounts": [{"id": "111122223333"}], "token_key": "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI="})");
  ASSERT_FALSE(key);
  EXPECT_NE(key.error().message.find("/_stsd/token-key/rotate"), std::string::npos);
  // The running key (base64 of 32 'k') is no change.
  EXPECT_TRUE(c.control->replace_config(
      R"({"accounts": [{"id": "111122223333"}], "token_key": "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s="})"));
  EXPECT_EQ(c.control->config_json().find("token_key"), std::string::npos);
  EXPECT_TRUE(c.installed.empty());
}

TEST(ConfigControl, RotationIsWrittenBeforeItIsInstalled) {
  TempDir dir;
  const std::string state = (dir.path() / "state.db").string();
  Control c(state);
  ASSERT_TRUE(c.control->rotate_token_key(R"({"token_key": "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI="})"));
  ASSERT_EQ(c.installed, std::vector<std::string>{std::string(32, 'B')});
  EXPECT_EQ(saved_config(state).token_key, std::string(32, 'B'));
  ASSERT_TRUE(c.control->rotate_token_key(""));
  ASSERT_EQ(c.installed.size(), 2u);
  EXPECT_EQ(c.installed[1].size(), 32u);
  EXPECT_NE(c.installed[1], std::string(32, 'B'));
  for (auto bad : {"[]", R"({"token_key": "c2hvcnQ="})", R"({"key": "x"})", "{"})
    EXPECT_EQ(c.control->rotate_token_key(bad).error().status, 400) << bad;
}

TEST(ConfigControl, AStateFileThatCannotBeWrittenIsA500NamingNoPath) {
  TempDir dir;
  const std::string state = (dir.path() / "state.db").string();
  Control c(state);
  WriteLock lock(state);
  const std::string next = R"({"accounts": [{"id": "111122223333"}, {"id": "444455556666"}]})";
  for (const auto& failed : {c.control->replace_config(next), c.control->reset(), c.control->rotate_token_key("")}) {
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().status, 500);
    EXPECT_EQ(failed.error().message.find(dir.path().string()), std::string::npos) << failed.error().message;
    EXPECT_EQ(failed.error().message.find("state.json"), std::string::npos) << failed.error().message;
  }
  EXPECT_TRUE(c.installed.empty());                                              // the key was not changed
  EXPECT_EQ(c.control->config_json().find("444455556666"), std::string::npos);  // nor the config
}

TEST(StateAtStart, ServesTheStateOnlyWhileTheConfigIsTheOneItCameFrom) {
  TempDir dir;
  const std::string state = (dir.path() / "state.json").string();
  const config::Config loaded = parse(kBase);

  auto fresh = app::running_config_at_start(loaded, "config.json", state, false);
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->running.config_sha256, config::config_fingerprint(loaded));

  // What an older serve() wrote at start (JSON), then a change made at run time.
  config::Config changed = fresh->running;
  changed.token_key = std::string(32, 's');
  changed.admin_token = "changed-at-run-time";
  ASSERT_TRUE(app::write_file_atomically(state, config::dump_config(changed, config::DumpFor::StateFile)));

  auto same = app::running_config_at_start(loaded, "config.json", state, false);
  ASSERT_TRUE(same);
  EXPECT_EQ(same->running.admin_token, "changed-at-run-time");

  auto reset = app::running_config_at_start(loaded, "config.json", state, true);
  ASSERT_TRUE(reset);
  EXPECT_EQ(reset->running.admin_token, "adm");
  EXPECT_FALSE(reset->running.token_key);

  config::Config edited = parse(R"({"accounts": [{"id": "111122223333"}], "admin_token": "hardened"})");
  auto after_edit = app::running_config_at_start(edited, "config.json", state, false);
  ASSERT_TRUE(after_edit);
  EXPECT_EQ(after_edit->running.admin_token, "hardened");
  EXPECT_EQ(after_edit->running.token_key, std::string(32, 's'));  // the config names none: sessions survive
  EXPECT_EQ(after_edit->running.config_sha256, config::config_fingerprint(edited));

  // A state file of an older stsd (no config_sha256) is served as before.
  changed.config_sha256.reset();
  ASSERT_TRUE(app::write_file_atomically(state, config::dump_config(changed, config::DumpFor::StateFile)));
  auto old = app::running_config_at_start(edited, "config.json", state, false);
  ASSERT_TRUE(old);
  EXPECT_EQ(old->running.admin_token, "changed-at-run-time");
  EXPECT_FALSE(old->entities);  // a JSON state file has no entity rows
}

TEST(StateAtStart, ADatabaseServesItsEntityRowsWhileTheConfigIsUnchanged) {
  TempDir dir;
  const std::string state = (dir.path() / "state.db").string();
  const config::Config loaded = parse(kBase);
  config::Config running = loaded;
  running.config_sha256 = config::config_fingerprint(loaded);
  domain::StoreHolder holder(std::make_shared<const domain::Store>(app::to_store_data(running)));
  {
    auto db = app::StateDb::open(state);
    ASSERT_TRUE(db);
    ASSERT_TRUE((*db)->replace_all(config::dump_config(running, config::DumpFor::StateFile),
                                   holder.get()->export_data()));
    holder.set_journal(db->get());
    // An IAM-style write: committed row by row.
    auto added = holder.update<int>([](domain::StoreEditor& e) -> Result<int> {
      domain::Role role;
      role.account = "111122223333";
      role.name = "from-iam";
      role.role_id = "AROAFROMIAM0000000001";
      role.create_date = 1700000000;
      e.put_role(std::move(role));
      return 1;
    });
    ASSERT_TRUE(added);
  }
  auto at_start = app::running_config_at_start(loaded, "config.json", state, false);
  ASSERT_TRUE(at_start);
  ASSERT_TRUE(at_start->entities);
  domain::Store store(std::move(*at_start->entities));
  const domain::Role* role = store.find_role_by_name("111122223333", "FROM-IAM");
  ASSERT_NE(role, nullptr);
  EXPECT_EQ(role->role_id, "AROAFROMIAM0000000001");
  EXPECT_EQ(role->create_date, 1700000000);

  // The config edited since: served instead, rows not used.
  config::Config edited = parse(R"({"accounts": [{"id": "111122223333"}], "admin_token": "other"})");
  auto after_edit = app::running_config_at_start(edited, "config.json", state, false);
  ASSERT_TRUE(after_edit);
  EXPECT_FALSE(after_edit->entities);
}

TEST(IdentityProviderProblems, NameTheProvidersJsonPath) {
  const config::Config c = parse(R"({"accounts": [{"id": "111122223333"}],
      "oidc_providers": [{"account": "111122223333", "url": "https://a.example.com", "jwks": {"keys": []}},
                         {"account": "111122223333", "url": "https://b.example.com",
                          "jwks": {"keys": [{"kty": "RSA", "n": "AQAB", "e": "AQAB", "d": "AQAB"}]}}],
      "saml_providers": [{"account": "111122223333", "name": "x", "metadata": "not xml"},
                         {"account": "111122223333", "name": "y", "metadata": "<EntityDescriptor/>"}]})");
  const auto problems = app::identity_provider_problems(c);
  ASSERT_EQ(problems.size(), 4u);
  EXPECT_EQ(problems[0].json_pointer, "/oidc_providers/0/jwks");
  EXPECT_EQ(problems[0].message.rfind("has no usable key", 0), 0u);
  EXPECT_EQ(problems[1].json_pointer, "/oidc_providers/1/jwks");
  EXPECT_EQ(problems[1].message.rfind("not a usable JWK set: ", 0), 0u);
  EXPECT_EQ(problems[2].json_pointer, "/saml_providers/0/metadata");
  EXPECT_EQ(problems[3].json_pointer, "/saml_providers/1/metadata");
  EXPECT_TRUE(app::identity_provider_problems(parse(kBase)).empty());
}

}  // namespace
