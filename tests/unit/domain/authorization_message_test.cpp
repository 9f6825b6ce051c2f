// Guards encoded authorization messages (issue 11 items 11 and 19): a message
// about a principal decodes only in that principal's account; unbound (admin)
// messages decode anywhere; the size bound matches DecodeAuthorizationMessage.
#include <gtest/gtest.h>

#include "stsd/domain/authorization_message.h"

using namespace stsd::domain;

TEST(AuthorizationMessage, DecodesOnlyInItsAccount) {
  AuthorizationMessageCodec codec(std::string(32, 'k'));
  const std::string bound = codec.encode_for("111122223333", R"({"allowed":false})");
  EXPECT_EQ(codec.decode("111122223333", bound), R"({"allowed":false})");
  EXPECT_FALSE(codec.decode("444455556666", bound));
  const std::string unbound = codec.encode(R"({"x":1})");
  EXPECT_EQ(codec.decode("444455556666", unbound), R"({"x":1})");
  EXPECT_FALSE(codec.decode("111122223333", "not-a-message"));
  EXPECT_FALSE(AuthorizationMessageCodec(std::string(32, 'o')).decode("111122223333", bound));
}

TEST(AuthorizationMessage, TheLargestAllowedJsonEncodesWithinTheLimit) {
  AuthorizationMessageCodec codec(std::string(32, 'k'));
  const std::string json(AuthorizationMessageCodec::max_decoded_size(), 'a');
  EXPECT_LE(codec.encode_for("111122223333", json).size(), kMaxEncodedAuthorizationMessage);
}
