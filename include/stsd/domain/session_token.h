#pragma once
// Session tokens: AES-256-GCM of a serialised Session under the server's
// token_key, base64 on the wire. Any server holding the same key accepts a
// token minted by another; tampering is detected by the AEAD tag.
#include <optional>
#include <string>
#include <string_view>

#include "stsd/domain/key_slot.h"
#include "stsd/domain/session.h"

namespace stsd::domain {

class SessionTokenCodec {
 public:
  // key: 32 bytes.
  explicit SessionTokenCodec(std::string key);

  // Replaces the key (32 bytes); safe while other threads seal and open.
  // Tokens sealed with the old key are refused from then on.
  void set_key(std::string key);

  std::string seal(const Session& session) const;
  // nullopt for anything not sealed by this key (garbage, tampered, other key).
  std::optional<Session> open(std::string_view token) const;

 private:
  const std::string& key() const;

  KeySlot key_;
};

}  // namespace stsd::domain
