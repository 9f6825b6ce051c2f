#include "stsd/service/caller.h"

#include "stsd/domain/arn.h"

namespace stsd::service {

Caller root_caller(const std::string& account, std::string access_key_id) {
  Caller c;
  c.principal_type = domain::PrincipalType::Root;
  c.account = account;
  c.arn = domain::root_arn(account);
  c.user_id = account;
  c.access_key_id = std::move(access_key_id);
  return c;
}

Caller user_caller(const domain::User& user, std::string access_key_id) {
  Caller c;
  c.principal_type = domain::PrincipalType::User;
  c.account = user.account;
  c.arn = user.arn;
  c.user_id = user.user_id;
  c.user = &user;
  c.access_key_id = std::move(access_key_id);
  return c;
}

Caller session_caller(domain::Session session, const domain::Store& store) {
  Caller c;
  c.credential_type = session.type;
  c.principal_type = session.principal_type;
  c.account = session.account;
  c.arn = session.arn;
  c.user_id = session.user_id;
  c.access_key_id = session.access_key_id;
  if (session.type == domain::CredentialType::SessionToken ||
      session.type == domain::CredentialType::FederatedUser ||
      (session.type == domain::CredentialType::Delegated && session.principal_type == domain::PrincipalType::User))
    c.user = store.find_user_by_arn(session.source_arn);
  c.session = std::move(session);
  return c;
}

}  // namespace stsd::service
