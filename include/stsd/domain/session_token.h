#pragma once
// Session tokens: AES-256-GCM of a serialised Session under the server's
// token_key, base64 on the wire.
//
// The most a session token may be (AWS's documented limit, which
// MinimumSessionTokenSize may not exceed). Any server holding the same key accepts a
// token minted by another; tampering is detected by the AEAD tag.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "stsd/domain/key_slot.h"
#include "stsd/domain/session.h"

namespace stsd::domain {

inline constexpr std::size_t kMaxSessionTokenSize = 4096;

class SessionTokenCodec {
 public:
  // key: 32 bytes.
  explicit SessionTokenCodec(std::string key);

  // Replaces the key (32 bytes); safe while other threads seal and open.
  // Tokens sealed with the old key are refused from then on.
  void set_key(std::string key);

  // min_size: the token is padded to at least that many characters
  // (MinimumSessionTokenSize); the padding is sealed with the rest.
  std::string seal(const Session& session, std::size_t min_size = 0) const;
  // nullopt for anything not sealed by this key (garbage, tampered, other key).
  std::optional<Session> open(std::string_view token) const;

 private:
  const std::string& key() const;

  KeySlot key_;
};

}  // namespace stsd::domain
