#pragma once
// What the admin endpoints under /_stsd/ do beyond config: inspect a session,
// encode authorization messages, and (federation) stsd's own test identity
// providers. JSON in, JSON out; AdminApi (admin_api.h) routes HTTP to these.
#include <string>
#include <string_view>

#include "stsd/common/result.h"
#include "stsd/domain/authorization_message.h"
#include "stsd/domain/clock.h"
#include "stsd/domain/federation/builtin_idps.h"
#include "stsd/domain/session_token.h"
#include "stsd/domain/store.h"

namespace stsd::admin {

// An admin call's failure: HTTP status and a message for {"error": ...}.
struct AdminError {
  int status = 400;
  std::string message;
};

// A document (JSON unless stated) and its HTTP status.
struct AdminAnswer {
  std::string body;
  int status = 200;
  std::string content_type = "application/json";
};

class AdminOperations {
 public:
  AdminOperations(domain::StoreHolder& store, const domain::SessionTokenCodec& tokens,
                  const domain::AuthorizationMessageCodec& messages, const domain::Clock& clock,
                  const domain::federation::BuiltinIdentityProviders& idps)
      : store_(store), tokens_(tokens), messages_(messages), clock_(clock), idps_(idps) {}

  // POST /_stsd/credentials/inspect {"access_key_id": "ASIA...", "session_token": "..."}
  // -> every fact the session token carries.
  Result<AdminAnswer, AdminError> inspect_credentials(std::string_view body) const;

  // POST /_stsd/delegation/token {"delegation_request_id": "..."} -> the
  // notification SendDelegationToken sends the partner (stsd has no SNS):
  // {"delegation_request_id", "notification_channel", "trade_in_token",
  // "expiration", "used"}; 404 before the token is sent.
  Result<AdminAnswer, AdminError> delegation_token(std::string_view body) const;

  // POST /_stsd/authz/encode <decoded authorization message JSON object>
  // -> {"EncodedMessage": "..."} that DecodeAuthorizationMessage returns.
  Result<AdminAnswer, AdminError> encode_authorization_message(std::string_view body) const;

  // The built-in OIDC issuer (the config's builtin OIDC provider).
  // GET /_stsd/oidc/.well-known/openid-configuration; host: the request's
  // Host header, secure: it came over TLS (jwks_uri is https:// then). An
  // invalid Host is refused (400), never reflected.
  Result<AdminAnswer, AdminError> oidc_discovery(std::string_view host, bool secure) const;
  // GetWebIdentityToken's per-account issuers: rest is what follows
  // /_stsd/outbound/, "<account>/.well-known/openid-configuration" or
  // "<account>/.well-known/jwks.json"; 404 for anything else.
  Result<AdminAnswer, AdminError> outbound_document(std::string_view rest, std::string_view host, bool secure) const;
  // GET /_stsd/oidc/jwks.json
  Result<AdminAnswer, AdminError> oidc_jwks() const;
  // POST /_stsd/oidc/token {"sub", "aud" (string or list), "claims" {...},
  // "lifetime" (seconds, default 3600; negative mints an expired token),
  // "algorithm" (default RS256)} -> {"token", "issuer", "expiration"}.
  Result<AdminAnswer, AdminError> mint_oidc_token(std::string_view body) const;

  // The built-in SAML IdP. GET /_stsd/saml/metadata (XML).
  Result<AdminAnswer, AdminError> saml_metadata() const;
  // POST /_stsd/saml/response {"role_arn" (required), "principal_arn", "subject",
  // "subject_format", "session_name", "session_duration", "source_identity",
  // "principal_tags" {...}, "transitive_tag_keys" [...], "attributes" {name: [..]},
  // "lifetime", "audience", "recipient", "session_not_on_or_after",
  // "sign_assertion", "sign_response", "digest"} -> {"saml_response", ...}.
  Result<AdminAnswer, AdminError> mint_saml_response(std::string_view body) const;

 private:
  domain::StoreHolder& store_;
  const domain::SessionTokenCodec& tokens_;
  const domain::AuthorizationMessageCodec& messages_;
  const domain::Clock& clock_;
  const domain::federation::BuiltinIdentityProviders& idps_;
};

}  // namespace stsd::admin
