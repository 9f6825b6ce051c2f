#pragma once
// Turns a SigV4-signed request into a Caller, in the order AWS STS checks
// (texts: https://docs.aws.amazon.com/IAM/latest/UserGuide/signature-v4-troubleshooting.html;
// order: as the argmin STS oracle observed it live, github.com/justincormack/argmin,
// crates/s3-tests/src/bin/sts_oracle.rs): syntax, credential scope, clock,
// key/token, token expiry, the session's role or user still existing, then the HMAC.
#include "stsd/common/sts_error.h"
#include "stsd/domain/clock.h"
#include "stsd/domain/session_token.h"
#include "stsd/domain/store.h"
#include "stsd/service/caller.h"
#include "stsd/sigv4/sigv4.h"

namespace stsd::service {

enum class AuthMode {
  Strict,      // every signature verified
  Permissive,  // unknown keys accepted as a user of the default account
  Off,         // nothing verified; default user unless a valid session token is sent
               // (expired or orphaned session tokens are refused as in every mode)
};

struct Authenticated {
  Caller caller;
  std::string region;  // from the credential scope; where AWS echoes the region
};

class Authenticator {
 public:
  Authenticator(AuthMode mode, const domain::SessionTokenCodec& tokens, const domain::Clock& clock)
      : mode_(mode), tokens_(tokens), clock_(clock) {}

  // service: the SigV4 scope's service the request must be signed for.
  Result<Authenticated> authenticate(const sigv4::Request& request, const domain::Store& store,
                                     std::string_view service = "sts") const;
  AuthMode mode() const { return mode_; }

 private:
  Result<Authenticated> verified(const sigv4::Request& request, const domain::Store& store,
                                 std::string_view service) const;
  Result<Authenticated> unverified(const sigv4::Request& request, const domain::Store& store) const;

  AuthMode mode_;
  const domain::SessionTokenCodec& tokens_;
  const domain::Clock& clock_;
};

}  // namespace stsd::service
