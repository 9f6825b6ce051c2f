// Guards what the composition root serves at start with --state (issue 11,
// item 10) and the identity-provider material checked by JSON path (item
// 18). The admin endpoints' changes to the running config: tests/unit/admin/
// (with a locked state database: tests/e2e/test_admin_hardening.py).
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "stsd/app/app.h"
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
