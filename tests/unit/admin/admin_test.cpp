// Guards the admin module. The running config (issue 11): PUT never reads
// files nor changes the token key (items 7, 9) and runs the app's content
// checks; rotation installs the new key only after it is durable; a state
// that cannot be written is a 500 naming no path, with nothing applied (item
// 20). The routes: the protected ones want the admin token, wrong methods and
// unknown paths answer JSON errors.
#include <gtest/gtest.h>

#include "stsd/admin/admin_api.h"
#include "stsd/admin/config_control.h"

using namespace stsd;

namespace {

config::Config parse(const std::string& text) {
  auto c = config::parse_config(text, ".");
  EXPECT_TRUE(c) << c.error().to_string();
  return *c;
}

const std::string kBase = R"({"accounts": [{"id": "111122223333"}], "admin_token": "adm"})";

// The --state database as the running config sees it: keeps what was
// written, or fails as a locked database does, naming its path.
struct FakeState final : admin::ConfigState {
  Result<void, std::string> replace_all(std::string_view config_json, const domain::StoreData&) override {
    return write(config_json);
  }
  Result<void, std::string> put_config(std::string_view config_json) override { return write(config_json); }
  Result<void, std::string> write(std::string_view config_json) {
    if (fail) return unexpected(std::string("/var/lib/stsd/state.db: database is locked"));
    saved = std::string(config_json);
    return {};
  }
  bool fail = false;
  std::string saved;
};

struct Control {
  explicit Control(bool with_state, config::Config loaded = parse(kBase))
      : store(std::make_shared<const domain::Store>(domain::StoreData{})) {
    config::Config running = loaded;
    running.token_key = std::string(32, 'k');
    admin::ConfigControl::Hooks hooks;
    hooks.install_key = [this](const std::string& key) { installed.push_back(key); };
    hooks.content_problems = [this](const config::Config&) { return problems; };
    hooks.store_data = [](const config::Config&) { return domain::StoreData{}; };
    control = std::make_unique<admin::ConfigControl>(loaded, running, store, with_state ? &state : nullptr,
                                                     std::move(hooks));
  }
  domain::StoreHolder store;
  FakeState state;
  std::vector<std::string> installed;
  std::vector<config::ConfigProblem> problems;  // what the app's content checks find
  std::unique_ptr<admin::ConfigControl> control;
};

// The running config the state holds.
config::Config saved_config(const FakeState& state) {
  auto c = config::parse_config(state.saved, ".", config::ConfigSource::StateFile);
  EXPECT_TRUE(c);
  return *c;
}

TEST(ConfigControl, PutRefusesFileReferencesAndAnotherTokenKey) {
  Control c(false);
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

TEST(ConfigControl, PutRunsTheContentChecks) {
  Control c(false);
  c.problems.push_back({"/roles/0/assume_role_policy", "MalformedPolicyDocument"});
  auto put = c.control->replace_config(R"({"accounts": [{"id": "111122223333"}, {"id": "444455556666"}]})");
  ASSERT_FALSE(put);
  EXPECT_EQ(put.error().status, 400);
  EXPECT_NE(put.error().message.find("/roles/0/assume_role_policy"), std::string::npos) << put.error().message;
  EXPECT_EQ(c.control->config_json().find("444455556666"), std::string::npos);
}

TEST(ConfigControl, RotationIsWrittenBeforeItIsInstalled) {
  Control c(true);
  ASSERT_TRUE(c.control->rotate_token_key(R"({"token_key": "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI="})"));
  ASSERT_EQ(c.installed, std::vector<std::string>{std::string(32, 'B')});
  EXPECT_EQ(saved_config(c.state).token_key, std::string(32, 'B'));
  ASSERT_TRUE(c.control->rotate_token_key(""));
  ASSERT_EQ(c.installed.size(), 2u);
  EXPECT_EQ(c.installed[1].size(), 32u);
  EXPECT_NE(c.installed[1], std::string(32, 'B'));
  for (auto bad : {"[]", R"({"token_key": "c2hvcnQ="})", R"({"key": "x"})", "{"})
    EXPECT_EQ(c.control->rotate_token_key(bad).error().status, 400) << bad;
}

TEST(ConfigControl, AStateThatCannotBeWrittenIsA500NamingNoPath) {
  Control c(true);
  c.state.fail = true;
  const std::string next = R"({"accounts": [{"id": "111122223333"}, {"id": "444455556666"}]})";
  for (const auto& failed : {c.control->replace_config(next), c.control->reset(), c.control->rotate_token_key("")}) {
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().status, 500);
    EXPECT_EQ(failed.error().message.find("/var/lib/stsd"), std::string::npos) << failed.error().message;
    EXPECT_EQ(failed.error().message.find("state.db"), std::string::npos) << failed.error().message;
  }
  EXPECT_TRUE(c.installed.empty());                                              // the key was not changed
  EXPECT_EQ(c.control->config_json().find("444455556666"), std::string::npos);  // nor the config
}

http::HttpRequest admin_request(std::string method, std::string target, std::string token = "") {
  http::HttpRequest r;
  r.method = std::move(method);
  r.target = std::move(target);
  if (!token.empty()) r.headers.emplace_back("Authorization", "Bearer " + token);
  return r;
}

TEST(AdminApi, TheProtectedRoutesWantTheAdminToken) {
  Control c(false);
  admin::AdminApi api(c.control.get(), nullptr);
  EXPECT_TRUE(api.token_required());
  EXPECT_FALSE(api.authorized(admin_request("GET", "/_stsd/config")));
  EXPECT_FALSE(api.authorized(admin_request("GET", "/_stsd/config", "other")));
  EXPECT_TRUE(api.authorized(admin_request("GET", "/_stsd/config", "adm")));
  auto legacy = admin_request("GET", "/_stsd/config");
  legacy.headers.emplace_back("X-Stsd-Admin-Token", "adm");
  EXPECT_TRUE(api.authorized(legacy));

  auto refused = api.handle(admin_request("POST", "/_stsd/reset"), "/_stsd/reset");
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.body,
            R"j({"code":"Unauthorized","error":"admin token required (Authorization: Bearer <admin_token>)"})j");
  auto get = api.handle(admin_request("GET", "/_stsd/reset", "adm"), "/_stsd/reset");
  EXPECT_EQ(get.status, 405);
  EXPECT_EQ(get.body, R"({"code":"MethodNotAllowed","error":"use POST"})");
  auto reset = api.handle(admin_request("POST", "/_stsd/reset", "adm"), "/_stsd/reset");
  EXPECT_EQ(reset.status, 200);
  EXPECT_EQ(reset.body, R"({"status":"reset"})");
}

TEST(AdminApi, WithoutControlNothingIsProtectedAndTheConfigRoutesAreUnknown) {
  admin::AdminApi api(nullptr, nullptr);
  EXPECT_FALSE(api.token_required());
  EXPECT_TRUE(api.authorized(admin_request("GET", "/_stsd/config")));
  auto config = api.handle(admin_request("GET", "/_stsd/config"), "/_stsd/config");
  EXPECT_EQ(config.status, 404);
  EXPECT_EQ(config.body, R"({"code":"NotFound","error":"not found"})");
  ASSERT_EQ(config.headers.size(), 1u);
  EXPECT_EQ(config.headers[0].second, "application/json");
}

}  // namespace
