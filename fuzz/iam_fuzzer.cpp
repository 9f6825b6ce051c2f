// Fuzz target: the IAM Query API behind the form decoder: model decoding and
// validation (IAM's 176 operations, the regular-expression patterns), the
// typed request structs, the actions and their store edits, the result
// rendering; plus model validation of every STS operation on the same input.
// Input: a form body (Action=...&Version=2010-05-08&...), run unsigned with
// authentication off against a small store, which is reset every time.
// Checks beyond "no crash, no leak": every answer is a result or an error
// with a known code.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "stsd/domain/authorization_message.h"
#include "stsd/domain/clock.h"
#include "stsd/domain/session_token.h"
#include "stsd/domain/store.h"
#include "stsd/protocol/query.h"
#include "stsd/service/iam_service.h"
#include "stsd/service/model.h"

namespace {

void require(bool ok) {
  if (!ok) std::abort();  // libFuzzer reports a deadly signal with the input
}

std::shared_ptr<const stsd::domain::Store> base_store() {
  stsd::domain::StoreData d;
  d.accounts.push_back({"111122223333", ""});
  stsd::domain::User user;
  user.account = "111122223333";
  user.name = "alice";
  d.users.push_back(user);
  stsd::domain::Role role;
  role.account = "111122223333";
  role.name = "app";
  role.inline_policies.push_back(
      {"p", {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]})", {}}});
  d.roles.push_back(role);
  return std::make_shared<const stsd::domain::Store>(std::move(d));
}

struct World {
  std::shared_ptr<const stsd::domain::Store> base = base_store();
  stsd::domain::StoreHolder store{base};
  stsd::domain::FixedClock clock{1767225600};
  stsd::domain::SessionTokenCodec tokens{std::string(32, 'k')};
  stsd::domain::AuthorizationMessageCodec messages{std::string(32, 'k')};
  stsd::service::IamService iam{store, tokens, messages, clock, stsd::service::AuthMode::Off};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static World world;
  world.store.set(world.base);
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  stsd::service::Parameters params;
  stsd::protocol::parse_form(body, params);

  if (const std::string* action = params.find("Action")) {
    if (const auto* op = stsd::service::find_operation(stsd::service::Service::Sts, *action)) (void)op->validate(params);
    const stsd::service::Outcome out = world.iam.handle(params, stsd::sigv4::Request{});
    if (!out.result) {
      require(!stsd::error_info(out.result.error().code).wire_code.empty());
    }
  }
  return 0;
}
