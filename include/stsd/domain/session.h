#pragma once
// A temporary-credential session: every fact STS needs to answer later calls
// made with it. It travels sealed inside the session token (SessionTokenCodec),
// so issued credentials cost the server no memory.
#include <optional>
#include <string>
#include <vector>

#include "stsd/domain/clock.h"

namespace stsd::domain {

struct Tag {
  std::string key;
  std::string value;
  bool operator==(const Tag&) const = default;
};

// What kind of credential a caller presents; decides what it may call next.
enum class CredentialType {
  LongTerm,         // AKIA access key of a user or of an account root
  SessionToken,     // from GetSessionToken
  AssumedRole,      // from AssumeRole / AssumeRoleWithSAML / AssumeRoleWithWebIdentity
  FederatedUser,    // from GetFederationToken
  Delegated,        // from GetDelegatedAccessToken: the identity of a delegation request's approver
};

enum class PrincipalType { Root, User, AssumedRole, FederatedUser };

struct Session {
  CredentialType type = CredentialType::AssumedRole;
  std::string access_key_id;
  std::string secret_access_key;
  Seconds issued_at = 0;
  Seconds expiration = 0;

  // The identity GetCallerIdentity reports.
  PrincipalType principal_type = PrincipalType::AssumedRole;
  std::string account;
  std::string arn;
  std::string user_id;

  // The long-term principal behind a GetSessionToken / GetFederationToken
  // session, or the role behind an assumed-role session.
  std::string source_arn;
  std::string role_session_name;  // assumed-role sessions

  bool mfa_authenticated = false;
  Seconds mfa_auth_time = 0;
  // 0 for GetSessionToken/GetFederationToken, 1 for a role assumed with
  // long-term or GetSessionToken credentials, 2+ when chained.
  int chain_depth = 0;

  std::optional<std::string> source_identity;
  std::vector<Tag> tags;
  std::vector<std::string> transitive_tag_keys;
  std::optional<std::string> session_policy;
  std::vector<std::string> policy_arns;
  // GetScopedCredentials' scope-down policies, oldest first (at most
  // kMaxScopePolicies): each one bounds every later decision.
  std::vector<std::string> scope_policies;

  bool operator==(const Session&) const = default;
};

}  // namespace stsd::domain
