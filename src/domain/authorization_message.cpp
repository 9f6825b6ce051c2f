#include "stsd/domain/authorization_message.h"

#include "stsd/crypto/crypto.h"

namespace stsd::domain {

namespace {
constexpr std::string_view kAad = "stsd-authorization-message-v1";
// AES-GCM framing around the plaintext: 12-byte nonce + 16-byte tag.
constexpr std::size_t kSealOverhead = 28;

std::string bound_aad(std::string_view account) {
  std::string aad(kAad);
  aad += "/account=";
  aad += account;
  return aad;
}
}  // namespace

AuthorizationMessageCodec::AuthorizationMessageCodec(std::string_view token_key)
    // A separate key: a session token can never be replayed as a message.
    : key_(crypto::hmac_sha256(token_key, kAad)) {}

void AuthorizationMessageCodec::set_token_key(std::string_view token_key) {
  key_.set(crypto::hmac_sha256(token_key, kAad));
}

const std::string& AuthorizationMessageCodec::key() const {
  thread_local KeySlot::Cache cache;
  return key_.get(cache);
}

std::string AuthorizationMessageCodec::encode(std::string_view decoded_json) const {
  return crypto::base64url_encode(crypto::aead_seal(key(), decoded_json, kAad));
}

std::string AuthorizationMessageCodec::encode_for(std::string_view account, std::string_view decoded_json) const {
  return crypto::base64url_encode(crypto::aead_seal(key(), decoded_json, bound_aad(account)));
}

std::optional<std::string> AuthorizationMessageCodec::decode(std::string_view account,
                                                             std::string_view encoded) const {
  auto sealed = crypto::base64url_decode(encoded);
  if (!sealed) return std::nullopt;
  const std::string& key = this->key();
  // The AAD names the account: a message bound to another one fails its tag.
  if (auto json = crypto::aead_open(key, *sealed, bound_aad(account))) return json;
  return crypto::aead_open(key, *sealed, kAad);
}

std::size_t AuthorizationMessageCodec::max_decoded_size() {
  // base64url without padding: 4 characters per 3 bytes.
  return kMaxEncodedAuthorizationMessage / 4 * 3 - kSealOverhead;
}

}  // namespace stsd::domain
