#pragma once
// Encoded authorization messages (the blob in some AccessDenied errors that
// DecodeAuthorizationMessage turns back into JSON). Sealed with a key derived
// from the token key so only this deployment can decode them.
#include <optional>
#include <string>
#include <string_view>

namespace stsd::domain {

class AuthorizationMessageCodec {
 public:
  explicit AuthorizationMessageCodec(std::string_view token_key);
  std::string encode(std::string_view decoded_json) const;
  std::optional<std::string> decode(std::string_view encoded) const;

 private:
  std::string key_;
};

}  // namespace stsd::domain
