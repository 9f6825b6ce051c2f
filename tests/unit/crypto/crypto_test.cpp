// Guards the OpenSSL wrappers against the published vectors (RFC 4231,
// RFC 2202, FIPS 180-2, RFC 4648) and the AEAD's refusal of any tampering.
#include "stsd/crypto/crypto.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <map>
#include <set>
#include <string>

namespace stsd::crypto {
namespace {

// --- FIPS 180-2 examples -------------------------------------------------

constexpr std::string_view kTwoBlocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

TEST(Sha256, Fips180Vectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(kTwoBlocks), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  EXPECT_EQ(sha256("abc").size(), 32u);
}

TEST(Sha1, Fips180Vectors) {
  EXPECT_EQ(hex_encode(sha1("")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(hex_encode(sha1("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(hex_encode(sha1(kTwoBlocks)), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  EXPECT_EQ(hex_encode(sha1(std::string(1000000, 'a'))), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

// --- RFC 4231 HMAC-SHA256 ------------------------------------------------

struct HmacCase {
  std::string key;
  std::string data;
  std::string_view mac_hex;
};

TEST(HmacSha256, Rfc4231Vectors) {
  std::string key4;
  for (int i = 1; i <= 25; ++i) key4 += static_cast<char>(i);
  const std::string big_key(131, '\xaa');
  const HmacCase cases[] = {
      {std::string(20, '\x0b'), "Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {"Jefe", "what do ya want for nothing?", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {std::string(20, '\xaa'), std::string(50, '\xdd'),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {key4, std::string(50, '\xcd'), "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {big_key, "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {big_key,
       "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be "
       "hashed before being used by the HMAC algorithm.",
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
  for (const auto& c : cases) EXPECT_EQ(hex_encode(hmac_sha256(c.key, c.data)), c.mac_hex) << c.data;
}

TEST(HmacSha256, Rfc4231TruncatedCase5) {
  // Test case 5 specifies only the first 128 bits.
  EXPECT_EQ(hex_encode(hmac_sha256(std::string(20, '\x0c'), "Test With Truncation")).substr(0, 32),
            "a3b6167473100ee06e0c796c2955552b");
}

TEST(HmacSha256, EmptyKeyAndData) {
  EXPECT_EQ(hex_encode(hmac_sha256("", "")), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(HmacSha1, Rfc2202Vectors) {
  EXPECT_EQ(hex_encode(hmac_sha1(std::string(20, '\x0b'), "Hi There")), "b617318655057264e28bc0b6fb378c8ef146be00");
  EXPECT_EQ(hex_encode(hmac_sha1("Jefe", "what do ya want for nothing?")),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
}

// --- fixed-size results and the per-thread contexts ----------------------

TEST(Sha256Digest, MatchesTheStringFormsOnTheVectors) {
  EXPECT_EQ(hex_encode(as_view(sha256_digest("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(as_view(sha256_digest(kTwoBlocks)), sha256(kTwoBlocks));
  EXPECT_EQ(hex_encode(as_view(hmac_sha256_digest("Jefe", "what do ya want for nothing?"))),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(as_view(hmac_sha256_digest("", "")), hmac_sha256("", ""));
}

TEST(Sha256Digest, ReusedContextsCarryNothingBetweenCalls) {
  // The digest and MAC contexts are per thread and re-initialised per call:
  // interleaved algorithms, keys and inputs must give the one-shot results.
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(hex_encode(sha1("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
    EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(hex_encode(hmac_sha256(std::string(20, '\x0b'), "Hi There")),
              "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    EXPECT_EQ(hex_encode(hmac_sha1("Jefe", "what do ya want for nothing?")),
              "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    EXPECT_EQ(hex_encode(hmac_sha256("", "")), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  }
}

TEST(HmacSha256Keyed, ManyMessagesUnderOneKeyMatchTheOneShot) {
  HmacSha256 jefe("Jefe");
  HmacSha256 big(std::string(131, '\xaa'));
  HmacSha256 empty("");
  for (int i = 0; i < 3; ++i) {
    // Each message starts from the keyed state, not from the previous one.
    EXPECT_EQ(hex_encode(as_view(jefe.mac("what do ya want for nothing?"))),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    EXPECT_EQ(as_view(jefe.mac("")), hmac_sha256("Jefe", ""));
    EXPECT_EQ(hex_encode(as_view(big.mac("Test Using Larger Than Block-Size Key - Hash Key First"))),
              "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    EXPECT_EQ(hex_encode(as_view(empty.mac(""))),
              "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
    // The per-thread one-shot context in between changes nothing.
    EXPECT_EQ(hex_encode(hmac_sha256(std::string(20, '\x0b'), "Hi There")),
              "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  }
}

TEST(HmacSha256Keyed, MovesCarryTheKey) {
  HmacSha256 a("Jefe");
  HmacSha256 b(std::move(a));
  EXPECT_EQ(as_view(b.mac("what do ya want for nothing?")), hmac_sha256("Jefe", "what do ya want for nothing?"));
  HmacSha256 c("other");
  c = std::move(b);
  EXPECT_EQ(as_view(c.mac("x")), hmac_sha256("Jefe", "x"));
}

// --- hex -------------------------------------------------------------------

TEST(Hex, AppendHexAppends) {
  std::string out = "x=";
  append_hex(out, std::string("\x00\x7f\x80\xff", 4));
  EXPECT_EQ(out, "x=007f80ff");
  append_hex(out, "");
  EXPECT_EQ(out, "x=007f80ff");
}

TEST(Hex, RoundTripAndRejects) {
  EXPECT_EQ(hex_encode(std::string("\x00\x01\xab\xff", 4)), "0001abff");
  EXPECT_EQ(hex_decode("0001abff"), std::string("\x00\x01\xab\xff", 4));
  EXPECT_EQ(hex_decode("ABFF"), std::string("\xab\xff"));
  EXPECT_EQ(hex_decode(""), std::string());
  EXPECT_FALSE(hex_decode("abc"));
  EXPECT_FALSE(hex_decode("zz"));
  EXPECT_FALSE(hex_decode("0g"));
}

// --- RFC 4648 section 10 -------------------------------------------------

TEST(Base64, Rfc4648Vectors) {
  const std::map<std::string, std::string> vectors = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},
                                                      {"foo", "Zm9v"},  {"foob", "Zm9vYg=="},  {"fooba", "Zm9vYmE="},
                                                      {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain), encoded);
    EXPECT_EQ(base64_decode(encoded), plain) << encoded;
  }
}

TEST(Base64, DecodeAcceptsMissingPaddingRejectsGarbage) {
  EXPECT_EQ(base64_decode("Zg"), "f");
  EXPECT_EQ(base64_decode("Zm8"), "fo");
  EXPECT_FALSE(base64_decode("Zg="));     // padding must complete a quantum
  EXPECT_FALSE(base64_decode("Z"));       // a lone symbol carries no byte
  EXPECT_FALSE(base64_decode("Zm9v\n"));  // whitespace is invalid
  EXPECT_FALSE(base64_decode("Zm=v"));    // '=' only at the end
  EXPECT_FALSE(base64_decode("Zm9v-_"));  // url alphabet
  EXPECT_FALSE(base64_decode("===="));
}

TEST(Base64, AllByteValuesRoundTrip) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (std::size_t n = 0; n <= all.size(); n += 7) {
    std::string s = all.substr(0, n);
    EXPECT_EQ(base64_decode(base64_encode(s)), s);
    EXPECT_EQ(base64url_decode(base64url_encode(s)), s);
  }
}

TEST(Base64Url, UrlAlphabetNoPadding) {
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("foob"), "Zm9vYg");
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_decode("-_8"), "\xfb\xff");
  EXPECT_EQ(base64url_decode("-_8="), "\xfb\xff");
  EXPECT_EQ(base64url_decode("Zg=="), "f");
  EXPECT_FALSE(base64url_decode("+/8="));
}

TEST(Base32, Rfc4648Vectors) {
  const std::map<std::string, std::string> vectors = {
      {"", ""},          {"f", "MY======"},        {"fo", "MZXQ===="},         {"foo", "MZXW6==="},
      {"foob", "MZXW6YQ="}, {"fooba", "MZXW6YTB"}, {"foobar", "MZXW6YTBOI======"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base32_encode(plain), encoded);
    EXPECT_EQ(base32_decode(encoded), plain) << encoded;
  }
}

TEST(Base32, DecodeIsLenientAboutCasePaddingAndSpaces) {
  EXPECT_EQ(base32_decode("mzxw6ytboi"), "foobar");
  EXPECT_EQ(base32_decode("MZXW 6YTB OI"), "foobar");
  EXPECT_EQ(base32_decode("JBSWY3DPEHPK3PXP"), "Hello!\xde\xad\xbe\xef");
  EXPECT_FALSE(base32_decode("MZXW1"));  // '1' is not in the alphabet
  EXPECT_FALSE(base32_decode("M"));      // 1, 3 or 6 trailing symbols are impossible
  EXPECT_FALSE(base32_decode("MZX"));
  EXPECT_FALSE(base32_decode("MZXW6Y"));
}

// --- random ----------------------------------------------------------------

TEST(Random, BytesHaveLengthAndVary) {
  EXPECT_EQ(random_bytes(0).size(), 0u);
  EXPECT_EQ(random_bytes(32).size(), 32u);
  EXPECT_NE(random_bytes(32), random_bytes(32));
}

TEST(Random, StringUsesOnlyTheAlphabet) {
  constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  for (std::size_t n : {0u, 1u, 16u, 40u, 1000u}) {
    std::string s = random_string(n, kAlphabet);
    EXPECT_EQ(s.size(), n);
    for (char c : s) EXPECT_NE(kAlphabet.find(c), std::string_view::npos) << c;
  }
}

TEST(Random, StringIsRoughlyUniform) {
  // Three symbols (256 % 3 != 0, where modulo bias would show) over 30000
  // draws: each count within 5% of 10000 (about 10 standard deviations).
  std::string s = random_string(30000, "abc");
  std::map<char, int> counts;
  for (char c : s) ++counts[c];
  ASSERT_EQ(counts.size(), 3u);
  for (const auto& [c, n] : counts) {
    EXPECT_GT(n, 9500) << c;
    EXPECT_LT(n, 10500) << c;
  }
}

TEST(Random, SingleSymbolAlphabet) { EXPECT_EQ(random_string(5, "x"), "xxxxx"); }

// --- constant-time equal -------------------------------------------------

TEST(ConstantTimeEqual, Compares) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "ab"));
  EXPECT_FALSE(constant_time_equal("", "a"));
  EXPECT_TRUE(constant_time_equal(std::string("a\0b", 3), std::string("a\0b", 3)));
  EXPECT_FALSE(constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST(Wipe, ZeroesAndEmpties) {
  std::string secret(40, 's');  // beyond SSO: a heap buffer
  const char* buffer = secret.data();
  wipe(secret);
  EXPECT_TRUE(secret.empty());
  EXPECT_EQ(secret.data(), buffer);  // clear() keeps the buffer...
  EXPECT_EQ(std::string(buffer, 40), std::string(40, '\0'));  // ...now zeroed
  std::string empty;
  wipe(empty);
  EXPECT_TRUE(empty.empty());
}

// --- AEAD ----------------------------------------------------------------

const std::string kKey = std::string(32, '\x42');
constexpr std::string_view kAad = "stsd-test-v1";

TEST(Aead, RoundTrip) {
  for (std::string plain : {std::string(), std::string("x"), std::string(1000, 'p'), std::string("\0\xff", 2)}) {
    std::string sealed = aead_seal(kKey, plain, kAad);
    EXPECT_EQ(sealed.size(), 12 + plain.size() + 16);
    EXPECT_EQ(aead_open(kKey, sealed, kAad), plain);
  }
}

TEST(Aead, FreshNonceEachSeal) {
  std::string a = aead_seal(kKey, "same", kAad);
  std::string b = aead_seal(kKey, "same", kAad);
  EXPECT_NE(a.substr(0, 12), b.substr(0, 12));
  EXPECT_NE(a, b);
}

TEST(Aead, EverySingleByteTamperIsRejected) {
  std::string sealed = aead_seal(kKey, "session token payload", kAad);
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    for (unsigned char flip : {0x01, 0x80, 0xff}) {
      std::string bad = sealed;
      bad[i] = static_cast<char>(bad[i] ^ flip);
      EXPECT_FALSE(aead_open(kKey, bad, kAad)) << "byte " << i << " flip " << int(flip);
    }
  }
}

TEST(Aead, TruncationAndExtensionAreRejected) {
  std::string sealed = aead_seal(kKey, "payload", kAad);
  for (std::size_t n = 0; n < sealed.size(); ++n) EXPECT_FALSE(aead_open(kKey, sealed.substr(0, n), kAad)) << n;
  EXPECT_FALSE(aead_open(kKey, sealed + "x", kAad));
}

TEST(Aead, WrongAadOrKeyIsRejected) {
  std::string sealed = aead_seal(kKey, "payload", kAad);
  EXPECT_FALSE(aead_open(kKey, sealed, "stsd-test-v2"));
  EXPECT_FALSE(aead_open(kKey, sealed, ""));
  std::string other_key = kKey;
  other_key[31] = '\x43';
  EXPECT_FALSE(aead_open(other_key, sealed, kAad));
  EXPECT_FALSE(aead_open(kKey.substr(0, 16), sealed, kAad));
}

TEST(AeadDeathTest, SealWithWrongKeySizeAborts) {
  EXPECT_DEATH(aead_seal("short", "x", kAad), "key must be 32 bytes");
}

}  // namespace
}  // namespace stsd::crypto

// Against OpenSSL's encoder, every length and tail shape; base64url is the
// same text with -_ and no padding.
TEST(Base64, MatchesOpenSslForEveryTailLength) {
  std::string bytes;
  for (int n = 0; n < 200; ++n) {
    std::string reference(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(reference.data()),
                                    reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    reference.resize(static_cast<std::size_t>(len));
    ASSERT_EQ(stsd::crypto::base64_encode(bytes), reference) << n;
    std::string url = reference;
    for (char& c : url) c = c == '+' ? '-' : c == '/' ? '_' : c;
    url.erase(url.find_last_not_of('=') + 1);
    ASSERT_EQ(stsd::crypto::base64url_encode(bytes), url) << n;
    ASSERT_EQ(stsd::crypto::base64url_decode(url), bytes) << n;
    bytes += static_cast<char>((n * 37 + 11) & 0xFF);
  }
}

// The per-thread GCM contexts keep the last key's schedule: alternating keys,
// a failed open (wrong tag) and the next open must all behave as fresh ones.
TEST(Aead, ReusedContextsAcrossKeysAndFailures) {
  const std::string key_a(32, 'a'), key_b(32, 'b');
  for (int round = 0; round < 3; ++round) {
    const std::string sealed_a = stsd::crypto::aead_seal(key_a, "plain-a", "aad");
    const std::string sealed_b = stsd::crypto::aead_seal(key_b, "plain-b", "aad");
    EXPECT_NE(sealed_a.substr(0, 12), stsd::crypto::aead_seal(key_a, "plain-a", "aad").substr(0, 12));  // fresh nonce
    EXPECT_EQ(stsd::crypto::aead_open(key_a, sealed_a, "aad"), "plain-a");
    EXPECT_FALSE(stsd::crypto::aead_open(key_a, sealed_b, "aad"));  // other key's text
    EXPECT_EQ(stsd::crypto::aead_open(key_b, sealed_b, "aad"), "plain-b");
    std::string tampered = sealed_b;
    tampered.back() ^= 1;
    EXPECT_FALSE(stsd::crypto::aead_open(key_b, tampered, "aad"));
    EXPECT_FALSE(stsd::crypto::aead_open(key_b, sealed_b, "other aad"));
    EXPECT_EQ(stsd::crypto::aead_open(key_b, sealed_b, "aad"), "plain-b");
    EXPECT_EQ(stsd::crypto::aead_open(key_a, sealed_a, "aad"), "plain-a");
    EXPECT_EQ(stsd::crypto::aead_open(key_a, stsd::crypto::aead_seal(key_a, "", ""), ""), "");
  }
}
