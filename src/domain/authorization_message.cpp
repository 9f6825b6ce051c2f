#include "stsd/domain/authorization_message.h"

#include "stsd/crypto/crypto.h"

namespace stsd::domain {

namespace {
constexpr std::string_view kAad = "stsd-authorization-message-v1";
}

AuthorizationMessageCodec::AuthorizationMessageCodec(std::string_view token_key)
    // A separate key: a session token can never be replayed as a message.
    : key_(crypto::hmac_sha256(token_key, kAad)) {}

std::string AuthorizationMessageCodec::encode(std::string_view decoded_json) const {
  return crypto::base64url_encode(crypto::aead_seal(key_, decoded_json, kAad));
}

std::optional<std::string> AuthorizationMessageCodec::decode(std::string_view encoded) const {
  auto sealed = crypto::base64url_decode(encoded);
  if (!sealed) return std::nullopt;
  return crypto::aead_open(key_, *sealed, kAad);
}

}  // namespace stsd::domain
