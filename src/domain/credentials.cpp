#include "stsd/domain/credentials.h"

#include "stsd/domain/access_key.h"

namespace stsd::domain {

IssuedCredentials issue_credentials(Session& session, const SessionTokenCodec& codec, std::size_t min_token_size) {
  session.access_key_id = make_access_key_id(kTemporaryKeyPrefix, session.account);
  session.secret_access_key = make_secret_access_key();
  return {session.access_key_id, session.secret_access_key, codec.seal(session, min_token_size), session.expiration};
}

}  // namespace stsd::domain
