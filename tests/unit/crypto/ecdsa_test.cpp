// Guards the P-256 ECDSA wrapper SigV4a verifies with (the generator as the
// public key of scalar 1, the range of private scalars, sign/verify, refusal
// of tampered or malformed signatures and off-curve points) and the
// constant-time big-endian helpers of its key derivation.
#include <gtest/gtest.h>

#include <string>

#include "stsd/crypto/crypto.h"

namespace stsd::crypto {
namespace {

std::string unhex(std::string_view hex) { return hex_decode(hex).value(); }

// SEC 2 / FIPS 186-4 P-256 domain parameters.
const std::string kGx = "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296";
const std::string kGy = "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";
const std::string kOrder = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";

std::string scalar(std::string_view hex) { return unhex(hex); }

TEST(CompareBigEndian, OrdersLikeIntegers) {
  EXPECT_EQ(compare_big_endian_constant_time(unhex("0001"), unhex("0002")), -1);
  EXPECT_EQ(compare_big_endian_constant_time(unhex("0100"), unhex("00ff")), 1);
  EXPECT_EQ(compare_big_endian_constant_time(unhex("abcd"), unhex("abcd")), 0);
  EXPECT_EQ(compare_big_endian_constant_time(unhex("ff00"), unhex("ff01")), -1);
  EXPECT_EQ(compare_big_endian_constant_time(unhex("80"), unhex("7f")), 1);
  EXPECT_EQ(compare_big_endian_constant_time("", ""), 0);
  EXPECT_EQ(compare_big_endian_constant_time(unhex("00"), unhex("0000")), std::nullopt);
  // Every pair of single bytes.
  for (int a = 0; a < 256; a += 5)
    for (int b = 0; b < 256; b += 3)
      EXPECT_EQ(compare_big_endian_constant_time(std::string(1, char(a)), std::string(1, char(b))),
                a < b ? -1 : a > b ? 1 : 0);
}

TEST(IncrementBigEndian, CarriesAndWraps) {
  std::string v = unhex("00ff");
  increment_big_endian_constant_time(v);
  EXPECT_EQ(hex_encode(v), "0100");
  v = unhex("12ffff");
  increment_big_endian_constant_time(v);
  EXPECT_EQ(hex_encode(v), "130000");
  v = unhex("ffff");
  increment_big_endian_constant_time(v);
  EXPECT_EQ(hex_encode(v), "0000");
  v = "";
  increment_big_endian_constant_time(v);
  EXPECT_EQ(v, "");
}

TEST(EcdsaP256, ScalarOneIsTheGenerator) {
  auto key = EcdsaP256Key::from_private_scalar(scalar(std::string(63, '0') + "1"));
  ASSERT_TRUE(key.has_value());
  EXPECT_TRUE(key->has_private_key());
  EXPECT_EQ(hex_encode(key->public_x()), kGx);
  EXPECT_EQ(hex_encode(key->public_y()), kGy);
}

TEST(EcdsaP256, PrivateScalarRange) {
  EXPECT_FALSE(EcdsaP256Key::from_private_scalar(scalar(std::string(64, '0'))));  // 0
  EXPECT_FALSE(EcdsaP256Key::from_private_scalar(scalar(kOrder)));               // n
  EXPECT_FALSE(EcdsaP256Key::from_private_scalar(scalar(std::string(64, 'f'))));
  EXPECT_FALSE(EcdsaP256Key::from_private_scalar(scalar("01")));                 // not 32 bytes
  // n - 1: the generator's negation (same x, y = p - Gy).
  auto last = EcdsaP256Key::from_private_scalar(
      scalar("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550"));
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(hex_encode(last->public_x()), kGx);
  EXPECT_NE(hex_encode(last->public_y()), kGy);
}

TEST(EcdsaP256, SignAndVerify) {
  auto key = EcdsaP256Key::from_private_scalar(sha256("a private key"));
  ASSERT_TRUE(key.has_value());
  const Sha256Digest digest = sha256_digest("message");
  auto der = key->sign_digest(digest);
  ASSERT_TRUE(der.has_value());
  EXPECT_EQ((*der)[0], '\x30');
  EXPECT_TRUE(key->verify_digest(digest, *der));
  EXPECT_FALSE(key->verify_digest(sha256_digest("massage"), *der));

  // The public half alone verifies, and cannot sign.
  auto pub = EcdsaP256Key::from_public_coordinates(key->public_x(), key->public_y());
  ASSERT_TRUE(pub.has_value());
  EXPECT_FALSE(pub->has_private_key());
  EXPECT_TRUE(pub->verify_digest(digest, *der));
  EXPECT_FALSE(pub->sign_digest(digest).has_value());

  // Another key does not.
  auto other = EcdsaP256Key::from_private_scalar(sha256("another key"));
  ASSERT_TRUE(other.has_value());
  EXPECT_FALSE(other->verify_digest(digest, *der));
}

TEST(EcdsaP256, MalformedSignaturesAreRefused) {
  auto key = EcdsaP256Key::from_private_scalar(sha256("a private key"));
  ASSERT_TRUE(key.has_value());
  const Sha256Digest digest = sha256_digest("message");
  const std::string der = key->sign_digest(digest).value();
  for (std::size_t i = 0; i < der.size(); ++i) {
    std::string bad = der;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    EXPECT_FALSE(key->verify_digest(digest, bad)) << "byte " << i;
  }
  EXPECT_FALSE(key->verify_digest(digest, ""));
  EXPECT_FALSE(key->verify_digest(digest, der.substr(0, der.size() - 1)));
  EXPECT_FALSE(key->verify_digest(digest, der + '\0'));
  EXPECT_FALSE(key->verify_digest(digest, std::string(300, '\x30')));
}

TEST(EcdsaP256, OffCurvePointsAreRefused) {
  EXPECT_TRUE(EcdsaP256Key::from_public_coordinates(unhex(kGx), unhex(kGy)).has_value());
  std::string y = unhex(kGy);
  y.back() = static_cast<char>(y.back() ^ 0x01);
  EXPECT_FALSE(EcdsaP256Key::from_public_coordinates(unhex(kGx), y).has_value());
  EXPECT_FALSE(EcdsaP256Key::from_public_coordinates(std::string(32, '\0'), std::string(32, '\0')).has_value());
  EXPECT_FALSE(EcdsaP256Key::from_public_coordinates(unhex(kGx), unhex(kGy).substr(1)).has_value());
}

TEST(EcdsaP256, MovedKeysKeepWorking) {
  auto key = EcdsaP256Key::from_private_scalar(sha256("a private key"));
  ASSERT_TRUE(key.has_value());
  EcdsaP256Key moved = std::move(*key);
  const Sha256Digest digest = sha256_digest("m");
  EXPECT_TRUE(moved.verify_digest(digest, moved.sign_digest(digest).value()));
  EcdsaP256Key assigned = EcdsaP256Key::from_private_scalar(sha256("k2")).value();
  assigned = std::move(moved);
  EXPECT_TRUE(assigned.verify_digest(digest, assigned.sign_digest(digest).value()));
}

}  // namespace
}  // namespace stsd::crypto
