#pragma once
// Minting temporary credentials: a fresh ASIA key id (account encoded), a
// secret, and the session sealed into the session token.
#include <string>

#include "stsd/domain/session.h"
#include "stsd/domain/session_token.h"

namespace stsd::domain {

struct IssuedCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  Seconds expiration = 0;
};

// Fills session.access_key_id / secret_access_key, then seals it into a token
// of at least min_token_size characters.
IssuedCredentials issue_credentials(Session& session, const SessionTokenCodec& codec, std::size_t min_token_size = 0);

}  // namespace stsd::domain
