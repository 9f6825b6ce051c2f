#pragma once
// Encoded authorization messages (the blob in some AccessDenied errors that
// DecodeAuthorizationMessage turns back into JSON). Sealed with a key derived
// from the token key so only this deployment can decode them.
//
// A message about a principal is bound to that principal's account: it
// decodes only for callers of the same account, as on AWS, where the message
// is decodable only in the account it was issued for. Messages encoded
// without an account (the admin API's test messages) decode for anyone.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "stsd/domain/key_slot.h"

namespace stsd::domain {

// DecodeAuthorizationMessage's EncodedMessage is 1–10240 characters
// (botocore model, encodedMessageType): a longer message could never be
// decoded, so none is issued.
inline constexpr std::size_t kMaxEncodedAuthorizationMessage = 10240;

class AuthorizationMessageCodec {
 public:
  explicit AuthorizationMessageCodec(std::string_view token_key);
  // Follows a token-key rotation: messages sealed before are refused.
  void set_token_key(std::string_view token_key);
  // Unbound: decodable by a caller of any account.
  std::string encode(std::string_view decoded_json) const;
  // Bound to `account` (12 digits).
  std::string encode_for(std::string_view account, std::string_view decoded_json) const;
  // The JSON of a message this deployment sealed for `account` (or for no
  // account); nullopt otherwise (garbage, tampered, another key, another
  // account).
  std::optional<std::string> decode(std::string_view account, std::string_view encoded) const;
  // Largest JSON whose encoding fits kMaxEncodedAuthorizationMessage.
  static std::size_t max_decoded_size();

 private:
  const std::string& key() const;

  KeySlot key_;
};

}  // namespace stsd::domain
