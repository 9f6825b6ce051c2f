#pragma once
// The authenticated principal of a request, and the three ways one is made
// (src/service/caller.cpp): the authenticator's and the tests' only ones.
#include <optional>
#include <string>

#include "stsd/domain/session.h"
#include "stsd/domain/store.h"

namespace stsd::service {

struct Caller {
  domain::CredentialType credential_type = domain::CredentialType::LongTerm;
  domain::PrincipalType principal_type = domain::PrincipalType::User;
  std::string account;
  std::string arn;
  std::string user_id;
  std::string access_key_id;
  // The IAM user behind long-term keys or a GetSessionToken session.
  const domain::User* user = nullptr;
  // Present for temporary credentials.
  std::optional<domain::Session> session;

  bool is_root() const { return principal_type == domain::PrincipalType::Root; }
};

// The root of an account / an IAM user, as callers with long-term keys.
Caller root_caller(const std::string& account, std::string access_key_id = {});
Caller user_caller(const domain::User& user, std::string access_key_id = {});
Caller session_caller(domain::Session session, const domain::Store& store);

}  // namespace stsd::service
