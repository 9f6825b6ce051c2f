// Guards the JWT/JWS/JWK library behind AssumeRoleWithWebIdentity and the
// token minting: the RFC 7515 A.2/A.3 vectors verify, every algorithm round
// trips, key selection by kid/type/curve/alg, tampering in any byte fails,
// "none"/HS*/crit/malformed tokens are refused, registered claims of another
// type and repeated member names are refused, claims are read with AWS's
// typing rules, GetWebIdentityToken's issuer has keys of its own, JWKS parsing keeps only usable keys, and RFC 7638 kids match
// values computed independently with the openssl CLI.
#include "stsd/domain/federation/jwt_sign.h"
#include "stsd/domain/federation/jwt_verify.h"
#include "stsd/domain/federation/builtin_idps.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <atomic>
#include <map>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "stsd/crypto/crypto.h"

namespace stsd::domain::federation {
namespace {

using crypto::base64url_encode;

constexpr JwtAlgorithm kAllAlgorithms[] = {JwtAlgorithm::RS256, JwtAlgorithm::RS384, JwtAlgorithm::RS512,
                                           JwtAlgorithm::PS256, JwtAlgorithm::PS384, JwtAlgorithm::PS512,
                                           JwtAlgorithm::ES256, JwtAlgorithm::ES384, JwtAlgorithm::ES512};

// RSA generation is slow in Debug: one key per algorithm for the whole run.
const JwtSigningKey& key_for(JwtAlgorithm alg) {
  static std::mutex mutex;
  static std::map<JwtAlgorithm, JwtSigningKey> keys;
  std::lock_guard lock(mutex);
  auto it = keys.find(alg);
  if (it == keys.end()) it = keys.emplace(alg, JwtSigningKey::generate(alg)).first;
  return it->second;
}

Jwks jwks_of(const std::vector<const JwtSigningKey*>& keys) {
  auto jwks = Jwks::parse(jwks_json(keys));
  EXPECT_TRUE(jwks.has_value()) << jwks.error();
  return std::move(jwks).value();
}

std::string sign_ok(const JwtSigningKey& key, std::string_view claims, std::string_view extra = "") {
  auto token = key.sign(extra, claims);
  EXPECT_TRUE(token.has_value()) << token.error();
  return std::move(token).value();
}

// A token from raw header/payload texts and signature bytes (no signing).
std::string raw_token(std::string_view header, std::string_view payload, std::string_view sig = "sig") {
  return base64url_encode(header) + "." + base64url_encode(payload) + "." + base64url_encode(sig);
}

JwtProblem parse_problem(std::string_view token) {
  auto jwt = parse_jwt(token);
  EXPECT_FALSE(jwt.has_value()) << token;
  return jwt ? JwtProblem::BadSignature : jwt.error().problem;
}

Jwt parse_ok(std::string_view token) {
  auto jwt = parse_jwt(token);
  EXPECT_TRUE(jwt.has_value()) << jwt.error().detail;
  return std::move(jwt).value();
}

// Parse + verify; nullopt when both succeed.
std::optional<JwtProblem> check(std::string_view token, const Jwks& jwks) {
  auto jwt = parse_jwt(token);
  if (!jwt) return jwt.error().problem;
  auto verified = verify_jwt_signature(*jwt, jwks);
  if (!verified) return verified.error().problem;
  return std::nullopt;
}

Jwks parse_jwks_ok(std::string_view text) {
  auto jwks = Jwks::parse(text);
  EXPECT_TRUE(jwks.has_value()) << jwks.error();
  return jwks ? std::move(jwks).value() : Jwks();
}

// --- RFC 7515 Appendix A.2 (RS256) and A.3 (ES256) --------------------------

constexpr std::string_view kRfcSigningInput =
    "eyJhbGciOiJSUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
constexpr std::string_view kA2Token =
    "eyJhbGciOiJSUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    ".cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdb"
    "F9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383L"
    "cOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlV"
    "mtVrBp0igcN_IoypGlUPQGe77Rw";
constexpr std::string_view kA2N =
    "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-"
    "pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2Ca"
    "pHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb5"
    "4h4FRWyuXpoQ";
constexpr std::string_view kA3Token =
    "eyJhbGciOiJFUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    ".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
constexpr std::string_view kA3X = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
constexpr std::string_view kA3Y = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";

std::string rsa_jwk(std::string_view n, std::string_view kid = "", std::string_view extra = "") {
  std::string jwk = R"({"kty":"RSA","e":"AQAB","n":")" + std::string(n) + "\"";
  if (!kid.empty()) jwk += R"(,"kid":")" + std::string(kid) + "\"";
  return jwk + std::string(extra) + "}";
}
std::string a3_jwk(std::string_view kid = "", std::string_view crv = "P-256") {
  std::string jwk = R"({"kty":"EC","crv":")" + std::string(crv) + R"(","x":")" + std::string(kA3X) +
                    R"(","y":")" + std::string(kA3Y) + "\"";
  if (!kid.empty()) jwk += R"(,"kid":")" + std::string(kid) + "\"";
  return jwk + "}";
}
std::string keys_of(std::initializer_list<std::string> jwks) {
  std::string out = R"({"keys":[)";
  for (const auto& k : jwks) out += (out.back() == '[' ? "" : ",") + k;
  return out + "]}";
}

TEST(RfcVectors, A2Rs256Verifies) {
  Jwt jwt = parse_ok(kA2Token);
  EXPECT_EQ(jwt.alg, JwtAlgorithm::RS256);
  EXPECT_EQ(jwt.kid, "");
  EXPECT_EQ(jwt.header_json, R"({"alg":"RS256"})");
  EXPECT_EQ(jwt.signing_input(), kRfcSigningInput);
  EXPECT_EQ(jwt.signature().size(), 256u);
  EXPECT_EQ(jwt.string_claim("iss"), "joe");
  EXPECT_EQ(jwt.numeric_claim("exp"), 1300819380);
  EXPECT_EQ(jwt.claim_strings("http://example.com/is_root"), std::vector<std::string>{"true"});
  // A kid-less token is tried against every RSA key; the EC one is never a candidate.
  Jwks jwks = parse_jwks_ok(keys_of({a3_jwk("ec"), rsa_jwk(kA2N, "any-kid")}));
  EXPECT_TRUE(verify_jwt_signature(jwt, jwks).has_value());
}

TEST(RfcVectors, A3Es256Verifies) {
  Jwt jwt = parse_ok(kA3Token);
  EXPECT_EQ(jwt.alg, JwtAlgorithm::ES256);
  EXPECT_EQ(jwt.signature().size(), 64u);
  Jwks jwks = parse_jwks_ok(keys_of({rsa_jwk(kA2N), a3_jwk()}));
  EXPECT_TRUE(verify_jwt_signature(jwt, jwks).has_value());
}

TEST(RfcVectors, KeyOfTheOtherExampleDoesNotVerify) {
  // A.2's token against A.3's key: no RSA key at all, so no candidate.
  auto a2_vs_ec = verify_jwt_signature(parse_ok(kA2Token), parse_jwks_ok(keys_of({a3_jwk()})));
  ASSERT_FALSE(a2_vs_ec.has_value());
  EXPECT_EQ(a2_vs_ec.error().problem, JwtProblem::NoMatchingKey);
  // A.2's token against some other RSA key: a candidate that fails.
  const auto& other = key_for(JwtAlgorithm::RS256);
  auto a2_vs_other = verify_jwt_signature(parse_ok(kA2Token), jwks_of({&other}));
  ASSERT_FALSE(a2_vs_other.has_value());
  EXPECT_EQ(a2_vs_other.error().problem, JwtProblem::BadSignature);
}

TEST(RfcVectors, EveryOneCharacterChangeIsRejected) {
  Jwks jwks = parse_jwks_ok(keys_of({rsa_jwk(kA2N), a3_jwk()}));
  for (std::string_view vector : {kA2Token, kA3Token}) {
    for (std::size_t i = 0; i < vector.size(); ++i) {
      if (vector[i] == '.') continue;
      std::string mutated(vector);
      mutated[i] = mutated[i] == 'A' ? 'B' : 'A';
      EXPECT_NE(check(mutated, jwks), std::nullopt) << "position " << i;
    }
  }
}

// RFC 7520 section 4 (figures 1, 3, 8, 12, 19, 26): one non-JSON payload
// signed with RS256, PS384 (salt = 48 bytes) and ES512 (P-521, 66-byte R and
// S, R starting with a zero byte). Not JWTs, so through verify_jws_signature.
constexpr std::string_view kRfc7520Kid = "bilbo.baggins@hobbiton.example";
constexpr std::string_view kRfc7520Payload =
    "SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5k"
    "IGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4";
constexpr std::string_view kRfc7520RsaN =
    "n4EPtAOCc9AlkeQHPzHStgAbgs7bTZLwUBZdR8_KuKPEHLd4rHVTeT-O-XV2jRojdNhxJWTDvNd7nqQ0VEiZQHz_AJmSCpMaJMRBSFKrKb2wqVwG"
    "U_NsYOYL-QtiWN2lbzcEe6XC0dApr5ydQLrHqkHHig3RBordaZ6Aj-oBHqFEHYpPe7Tpe-OfVfHd1E6cS6M1FZcD1NNLYD5lFHpPI9bTwJlsde3u"
    "hGqC0ZCuEHg8lhzwOHrtIQbS0FVbb9k3-tVTU4fg_3L_vniUFAKwuCLqKnS2BYwdq_mzSnbLY7h_qixoR7jig3__kRhuaxwUkRz5iaiQkqgc5gHd"
    "rNP5zw";
constexpr std::string_view kRfc7520EcJwk =
    R"({"kty":"EC","kid":"bilbo.baggins@hobbiton.example","use":"sig","crv":"P-521",)"
    R"("x":"AHKZLLOsCOzz5cY97ewNUajB957y-C-U88c3v13nmGZx6sYl_oJXu9A5RkTKqjqvjyekWF-7ytDyRXYgCF5cj0Kt",)"
    R"("y":"AdymlHvOiLxXkEhayXQnNCvDX4h9htZaCJN34kfmC6pV5OhQHiraVySsUdaQkAgDPrwQrJmbnX9cwlGfP-HqHZR1"})";

struct Rfc7520Case {
  JwtAlgorithm alg;
  std::string_view header;
  std::string_view signature;
};
constexpr Rfc7520Case kRfc7520Cases[] = {
    {JwtAlgorithm::RS256, "eyJhbGciOiJSUzI1NiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9",
     "MRjdkly7_-oTPTS3AXP41iQIGKa80A0ZmTuV5MEaHoxnW2e5CZ5NlKtainoFmKZopdHM1O2U4mwzJdQx996ivp83xuglII7PNDi84wnB-BDk"
     "oBwA78185hX-Es4JIwmDLJK3lfWRa-XtL0RnltuYv746iYTh_qHRD68BNt1uSNCrUCTJDt5aAE6x8wW1Kt9eRo4QPocSadnHXFxnt8Is9Uzp"
     "ERV0ePPQdLuW3IS_de3xyIrDaLGdjluPxUAhb6L2aXic1U12podGU0KLUQSE_oI-ZnmKJ3F4uOZDnd6QZWJushZ41Axf_fcIe8u9ipH84ogo"
     "ree7vjbU5y18kDquDg"},
    {JwtAlgorithm::PS384, "eyJhbGciOiJQUzM4NCIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9",
     "cu22eBqkYDKgIlTpzDXGvaFfz6WGoz7fUDcfT0kkOy42miAh2qyBzk1xEsnk2IpN6-tPid6VrklHkqsGqDqHCdP6O8TTB5dDDItllVo6_1OL"
     "PpcbUrhiUSMxbbXUvdvWXzg-UD8biiReQFlfz28zGWVsdiNAUf8ZnyPEgVFn442ZdNqiVJRmBqrYRXe8P_ijQ7p8Vdz0TTrxUeT3lm8d9shn"
     "r2lfJT8ImUjvAA2Xez2Mlp8cBE5awDzT0qI0n6uiP1aCN_2_jLAeQTlqRHtfa64QQSUmFAAjVKPbByi7xho0uTOcbH510a6GYmJUAfmWjwZ6"
     "oD4ifKo8DYM-X72Eaw"},
    {JwtAlgorithm::ES512, "eyJhbGciOiJFUzUxMiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9",
     "AE_R_YZCChjn4791jSQCrdPZCNYqHXCTZH0-JZGYNlaAjP2kqaluUIIUnC9qvbu9Plon7KRTzoNEuT4Va2cmL1eJAQy3mtPBu_u_sDDyYjnA"
     "MDxXPn7XrT0lw-kvAD890jl8e2puQens_IEKBpHABlsbEPX6sFY8OcGDqoRuBomu9xQ2"},
};

TEST(RfcVectors, Rfc7520SignaturesVerify) {
  Jwks jwks = parse_jwks_ok(keys_of({rsa_jwk(kRfc7520RsaN, kRfc7520Kid), std::string(kRfc7520EcJwk)}));
  ASSERT_EQ(jwks.size(), 2u);
  for (const Rfc7520Case& c : kRfc7520Cases) {
    const std::string input = std::string(c.header) + "." + std::string(kRfc7520Payload);
    const std::string sig = *crypto::base64url_decode(c.signature);
    auto ok = verify_jws_signature(c.alg, kRfc7520Kid, input, sig, jwks);
    EXPECT_TRUE(ok.has_value()) << to_string(c.alg) << ": " << ok.error().detail;
    // The compact form is refused as a JWT only because its payload is prose, not JSON.
    auto as_jwt = parse_jwt(input + "." + std::string(c.signature));
    ASSERT_FALSE(as_jwt.has_value());
    EXPECT_EQ(as_jwt.error().problem, JwtProblem::Malformed);
    std::string bad = sig;
    bad[bad.size() / 2] ^= 0x10;
    auto tampered = verify_jws_signature(c.alg, kRfc7520Kid, input, bad, jwks);
    ASSERT_FALSE(tampered.has_value());
    EXPECT_EQ(tampered.error().problem, JwtProblem::BadSignature);
  }
}

// --- algorithms -------------------------------------------------------------

TEST(Algorithm, NamesRoundTripAndOthersAreRefused) {
  for (JwtAlgorithm alg : kAllAlgorithms) EXPECT_EQ(parse_jwt_algorithm(to_string(alg)), alg);
  EXPECT_EQ(to_string(JwtAlgorithm::PS384), "PS384");
  for (std::string_view name : {"none", "None", "HS256", "HS512", "rs256", "RS", "EdDSA", "ES256K", ""})
    EXPECT_EQ(parse_jwt_algorithm(name), std::nullopt) << name;
}

// --- sign -> parse -> verify ---------------------------------------------------

class RoundTrip : public ::testing::TestWithParam<JwtAlgorithm> {};

TEST_P(RoundTrip, SignedTokenVerifies) {
  const JwtSigningKey& key = key_for(GetParam());
  EXPECT_EQ(key.algorithm(), GetParam());
  const std::string claims = R"({"iss":"https://issuer.example","sub":"user-1","aud":"sts.amazonaws.com","exp":2000000000})";
  const std::string token = sign_ok(key, claims);

  Jwt jwt = parse_ok(token);
  EXPECT_EQ(jwt.alg, GetParam());
  EXPECT_EQ(jwt.kid, key.kid());
  EXPECT_EQ(jwt.claims_json, claims);  // claims are signed byte for byte
  EXPECT_EQ(jwt.header_json,
            R"({"alg":")" + std::string(to_string(GetParam())) + R"(","kid":")" + key.kid() + R"(","typ":"JWT"})");
  const std::map<JwtAlgorithm, std::size_t> ecdsa_sizes = {
      {JwtAlgorithm::ES256, 64}, {JwtAlgorithm::ES384, 96}, {JwtAlgorithm::ES512, 132}};  // R||S
  const auto es = ecdsa_sizes.find(GetParam());
  EXPECT_EQ(jwt.signature().size(), es == ecdsa_sizes.end() ? 256u : es->second);

  Jwks jwks = jwks_of({&key});
  ASSERT_EQ(jwks.size(), 1u);
  EXPECT_EQ(jwks.keys()[0].kid, key.kid());
  EXPECT_EQ(jwks.keys()[0].alg, GetParam());
  EXPECT_TRUE(verify_jwt_signature(jwt, jwks).has_value());
}

TEST_P(RoundTrip, TamperedPayloadAndSignatureFail) {
  const JwtSigningKey& key = key_for(GetParam());
  Jwks jwks = jwks_of({&key});
  const std::string claims = R"({"sub":"alice","exp":2000000000})";
  const std::string token = sign_ok(key, claims);
  const auto dot1 = token.find('.'), dot2 = token.rfind('.');
  const std::string header = token.substr(0, dot1);
  const std::string sig = *crypto::base64url_decode(token.substr(dot2 + 1));

  for (std::size_t i = 0; i < claims.size(); ++i) {  // every payload byte
    std::string changed = claims;
    changed[i] = changed[i] == '1' ? '2' : '1';
    std::string forged = header + "." + base64url_encode(changed) + "." + base64url_encode(sig);
    auto problem = check(forged, jwks);
    ASSERT_NE(problem, std::nullopt) << i;
    if (parse_jwt(forged)) {
      EXPECT_EQ(problem, JwtProblem::BadSignature) << i;
    }
  }
  for (std::size_t i = 0; i < sig.size(); i += 7) {  // spread over the signature bytes
    std::string bad = sig;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    EXPECT_EQ(check(token.substr(0, dot2 + 1) + base64url_encode(bad), jwks), JwtProblem::BadSignature) << i;
  }
  // A truncated or extended signature is a bad signature, never a crash.
  EXPECT_EQ(check(token.substr(0, dot2 + 1) + base64url_encode(sig.substr(1)), jwks), JwtProblem::BadSignature);
  EXPECT_EQ(check(token.substr(0, dot2 + 1) + base64url_encode(sig + "x"), jwks), JwtProblem::BadSignature);
}

INSTANTIATE_TEST_SUITE_P(AllAlgorithms, RoundTrip, ::testing::ValuesIn(kAllAlgorithms),
                         [](const auto& info) { return std::string(to_string(info.param)); });

TEST(RoundTrip, EveryCharacterOfSignedTokensMatters) {
  for (JwtAlgorithm alg : {JwtAlgorithm::RS256, JwtAlgorithm::PS256, JwtAlgorithm::ES256}) {
    const JwtSigningKey& key = key_for(alg);
    Jwks jwks = jwks_of({&key});
    const std::string token = sign_ok(key, R"({"sub":"u","aud":["a","b"]})");
    ASSERT_EQ(check(token, jwks), std::nullopt);
    for (std::size_t i = 0; i < token.size(); ++i) {
      if (token[i] == '.') continue;
      std::string mutated = token;
      mutated[i] = mutated[i] == 'A' ? 'B' : 'A';
      EXPECT_NE(check(mutated, jwks), std::nullopt) << to_string(alg) << " position " << i;
    }
  }
}

TEST(RoundTrip, Pkcs1AndPssSignaturesAreNotInterchangeable) {
  // One RSA key published without "alg" serves RS256 and PS256 alike, but a
  // signature made with one padding never verifies as the other.
  const JwtSigningKey& rs = key_for(JwtAlgorithm::RS256);
  std::string jwk = rs.public_jwk_json();
  const std::string alg_member = R"("alg":"RS256",)";
  jwk.erase(jwk.find(alg_member), alg_member.size());
  Jwks jwks = parse_jwks_ok(keys_of({jwk}));
  Jwt jwt = parse_ok(sign_ok(rs, R"({"sub":"x"})"));
  EXPECT_TRUE(verify_jwt_signature(jwt, jwks).has_value());
  auto as_pss = verify_jws_signature(JwtAlgorithm::PS256, jwt.kid, jwt.signing_input(), jwt.signature(), jwks);
  ASSERT_FALSE(as_pss.has_value());
  EXPECT_EQ(as_pss.error().problem, JwtProblem::BadSignature);
  auto as_rs384 = verify_jws_signature(JwtAlgorithm::RS384, jwt.kid, jwt.signing_input(), jwt.signature(), jwks);
  ASSERT_FALSE(as_rs384.has_value());
  EXPECT_EQ(as_rs384.error().problem, JwtProblem::BadSignature);
}

TEST(RoundTrip, RsaSignatureMustKeepItsLeadingZeroBytes) {
  // A signature is exactly the modulus length (RFC 8017); one whose first
  // byte is 0 must not also verify with that byte stripped (OpenSSL's PSS
  // path alone would accept it). About 1 in 256 signatures starts with 0.
  for (JwtAlgorithm alg : {JwtAlgorithm::RS256, JwtAlgorithm::PS256}) {
    const JwtSigningKey& key = key_for(alg);
    Jwks jwks = jwks_of({&key});
    bool found = false;
    for (int i = 0; i < 4096 && !found; ++i) {
      Jwt jwt = parse_ok(sign_ok(key, R"({"n":)" + std::to_string(i) + "}"));
      if (jwt.signature()[0] != '\0') continue;
      found = true;
      EXPECT_TRUE(verify_jwt_signature(jwt, jwks).has_value());
      auto stripped = verify_jws_signature(alg, jwt.kid, jwt.signing_input(), jwt.signature().substr(1), jwks);
      ASSERT_FALSE(stripped.has_value()) << to_string(alg);
      EXPECT_EQ(stripped.error().problem, JwtProblem::BadSignature);
    }
    EXPECT_TRUE(found) << to_string(alg);
  }
}

// A PS256 signature over input with the given PSS salt length, made with
// OpenSSL directly from a PEM key (the library itself only makes salt = 32).
std::string pss_sign(std::string_view pem, std::string_view input, int salt_length) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  std::string sig(512, '\0');
  std::size_t len = sig.size();
  const bool ok = pkey && md && EVP_DigestSignInit(md, &pctx, EVP_sha256(), nullptr, pkey) == 1 &&
                  EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
                  EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt_length) == 1 &&
                  EVP_DigestSign(md, reinterpret_cast<unsigned char*>(sig.data()), &len,
                                 reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  EVP_MD_CTX_free(md);
  EVP_PKEY_free(pkey);
  EXPECT_TRUE(ok);
  sig.resize(ok ? len : 0);
  return sig;
}

// --- key selection -------------------------------------------------------------------

TEST(KeySelection, KidPicksTheKeyAmongMany) {
  const JwtSigningKey& rs = key_for(JwtAlgorithm::RS256);
  const JwtSigningKey& ps = key_for(JwtAlgorithm::PS512);
  const JwtSigningKey& es = key_for(JwtAlgorithm::ES256);
  Jwks jwks = jwks_of({&rs, &ps, &es});
  ASSERT_EQ(jwks.size(), 3u);
  EXPECT_EQ(check(sign_ok(rs, "{}"), jwks), std::nullopt);
  EXPECT_EQ(check(sign_ok(ps, "{}"), jwks), std::nullopt);
  EXPECT_EQ(check(sign_ok(es, "{}"), jwks), std::nullopt);

  // Without the signer's key: its kid matches nothing.
  EXPECT_EQ(check(sign_ok(rs, "{}"), jwks_of({&ps, &es})), JwtProblem::NoMatchingKey);
}

TEST(KeySelection, WrongKeyUnderTheRightKidIsABadSignature) {
  const JwtSigningKey& signer = key_for(JwtAlgorithm::RS256);
  const JwtSigningKey impostor = JwtSigningKey::generate(JwtAlgorithm::RS256);
  std::string jwk = impostor.public_jwk_json();
  jwk.replace(jwk.find(impostor.kid()), impostor.kid().size(), signer.kid());
  Jwks jwks = parse_jwks_ok(keys_of({jwk}));
  EXPECT_EQ(check(sign_ok(signer, "{}"), jwks), JwtProblem::BadSignature);
}

TEST(KeySelection, RightKeyUnderAnotherKidIsNoMatchingKey) {
  const std::string token = base64url_encode(R"({"alg":"RS256","kid":"k1"})") + std::string(kA2Token.substr(kA2Token.find('.')));
  EXPECT_EQ(check(token, parse_jwks_ok(keys_of({rsa_jwk(kA2N, "k2")}))), JwtProblem::NoMatchingKey);
  EXPECT_EQ(check(token, parse_jwks_ok(keys_of({rsa_jwk(kA2N)}))), JwtProblem::NoMatchingKey);
  // With the right kid the key is a candidate; the header changed, so the signature fails.
  EXPECT_EQ(check(token, parse_jwks_ok(keys_of({rsa_jwk(kA2N, "k1")}))), JwtProblem::BadSignature);
}

TEST(KeySelection, KeyTypeCurveAndAlgMustSuitTheToken) {
  const JwtSigningKey& es256 = key_for(JwtAlgorithm::ES256);
  const JwtSigningKey& es384 = key_for(JwtAlgorithm::ES384);
  const JwtSigningKey& rs = key_for(JwtAlgorithm::RS256);
  // The key's JWK under another kid and without its "alg", so that only type and curve decide.
  auto under_kid = [](const JwtSigningKey& k, const std::string& kid) {
    std::string jwk = k.public_jwk_json();
    jwk.replace(jwk.find(k.kid()), k.kid().size(), kid);
    const std::string alg_member = R"("alg":")" + std::string(to_string(k.algorithm())) + R"(",)";
    return jwk.erase(jwk.find(alg_member), alg_member.size());
  };
  // ES256 token, P-384 key with the same kid: wrong curve.
  EXPECT_EQ(check(sign_ok(es256, "{}"), parse_jwks_ok(keys_of({under_kid(es384, es256.kid())}))),
            JwtProblem::NoMatchingKey);
  // ES256 token, RSA key with the same kid; RS256 token, EC key with the same kid.
  EXPECT_EQ(check(sign_ok(es256, "{}"), parse_jwks_ok(keys_of({under_kid(rs, es256.kid())}))),
            JwtProblem::NoMatchingKey);
  EXPECT_EQ(check(sign_ok(rs, "{}"), parse_jwks_ok(keys_of({under_kid(es256, rs.kid())}))),
            JwtProblem::NoMatchingKey);
  // A JWK "alg" binds the key to that algorithm only.
  EXPECT_EQ(check(kA2Token, parse_jwks_ok(keys_of({rsa_jwk(kA2N, "", R"(,"alg":"RS384")")}))),
            JwtProblem::NoMatchingKey);
  EXPECT_EQ(check(kA2Token, parse_jwks_ok(keys_of({rsa_jwk(kA2N, "", R"(,"alg":"RS256")")}))), std::nullopt);
  // An empty set has no candidate.
  EXPECT_EQ(check(kA2Token, parse_jwks_ok(R"({"keys":[]})")), JwtProblem::NoMatchingKey);
}

// --- refused tokens ---------------------------------------------------------------------

TEST(ParseJwt, UnsupportedAlgorithmsAreRefused) {
  const std::string payload = R"({"sub":"x"})";
  EXPECT_EQ(parse_problem(raw_token(R"({"alg":"none"})", payload, "")), JwtProblem::UnsupportedAlgorithm);
  EXPECT_EQ(parse_problem(base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." + base64url_encode(payload) + "."),
            JwtProblem::UnsupportedAlgorithm);
  for (std::string_view alg : {"HS256", "HS384", "HS512", "RS1024", "none ", "EdDSA"})
    EXPECT_EQ(parse_problem(raw_token(R"({"alg":")" + std::string(alg) + "\"}", payload)),
              JwtProblem::UnsupportedAlgorithm)
        << alg;
  auto jwt = parse_jwt(raw_token(R"({"alg":"HS256"})", payload));
  ASSERT_FALSE(jwt.has_value());
  EXPECT_NE(jwt.error().detail.find("HS256"), std::string::npos);
}

TEST(ParseJwt, MalformedTokensAreRefused) {
  const std::string h = R"({"alg":"RS256"})";
  const std::string p = R"({"sub":"x"})";
  const std::string two = base64url_encode(h) + "." + base64url_encode(p);
  const std::vector<std::string> cases = {
      "",
      ".",
      "..",
      "abc",
      two,                                              // 2 segments
      raw_token(h, p) + ".x",                          // 4 segments
      raw_token(h, p) + ".x.y",                        // 5 segments (a JWE shape)
      two + ".",                                       // empty signature
      base64url_encode(h) + "=." + base64url_encode(p) + ".c2ln",   // padding
      base64url_encode(h) + "." + base64url_encode(p) + ".c2ln+/",  // base64, not base64url
      base64url_encode(h) + "." + base64url_encode(p) + ".c2lnMR",  // non-canonical trailing bits ("sig1" is c2lnMQ)
      base64url_encode(h) + "." + "e30*" + ".c2ln",                 // invalid character
      raw_token("not json", p),
      raw_token(h, "not json"),
      raw_token(h, R"(["an","array"])"),
      raw_token(h, R"("a string")"),
      raw_token(h, "42"),
      raw_token(h, ""),
      raw_token(R"(["RS256"])", p),
      raw_token("{}", p),                              // no alg
      raw_token(R"({"alg":256})", p),                  // alg not a string
      raw_token(R"({"alg":"RS256","kid":7})", p),      // kid not a string
      raw_token(R"({"alg":"RS256","crit":["exp"],"exp":1})", p),
      raw_token(R"({"alg":"RS256"})", R"({"a":)" + std::string(40, '[') + std::string(40, ']') + "}"),  // too deep
      raw_token(h, "{\"sub\":\"\xff\"}"),               // not UTF-8
      raw_token(h, R"({"sub":"x"} trailing)"),
      raw_token(h, R"({"sub":"x",})"),
  };
  for (const std::string& token : cases) EXPECT_EQ(parse_problem(token), JwtProblem::Malformed) << token;
}

TEST(ParseJwt, SizeLimitIs20000Characters) {
  // header.payload.sig with the payload padded so the token has exactly `size` characters.
  auto token_of_size = [](std::size_t size) {
    const std::string head = base64url_encode(R"({"alg":"RS256"})") + ".";
    const std::string tail = ".c2ln";
    std::size_t fill = (size - head.size() - tail.size()) * 3 / 4 - 16;
    std::string token;
    do token = head + base64url_encode(R"({"pad":")" + std::string(fill++, 'a') + "\"}") + tail;
    while (token.size() < size);
    return token;
  };
  const std::string at_limit = token_of_size(kMaxJwtSize);
  ASSERT_EQ(at_limit.size(), kMaxJwtSize);
  EXPECT_TRUE(parse_jwt(at_limit).has_value());
  const std::string over = token_of_size(kMaxJwtSize + 1);
  ASSERT_GT(over.size(), kMaxJwtSize);
  EXPECT_EQ(parse_problem(over), JwtProblem::Malformed);
  EXPECT_EQ(parse_problem(std::string(1'000'000, 'A')), JwtProblem::Malformed);
}

TEST(ParseJwt, ModestNestingIsAccepted) {
  Jwt jwt = parse_ok(raw_token(R"({"alg":"ES256","kid":"k"})",
                               R"({"a":)" + std::string(20, '[') + std::string(20, ']') + "}"));
  EXPECT_EQ(jwt.kid, "k");
  EXPECT_EQ(jwt.claim_json("a"), std::string(20, '[') + std::string(20, ']'));
}

// --- claims -----------------------------------------------------------------------------

Jwt with_claims(std::string_view claims) { return parse_ok(raw_token(R"({"alg":"RS256"})", claims)); }

TEST(Claims, AudienceStringOrArray) {
  EXPECT_EQ(with_claims(R"({"aud":"sts.amazonaws.com"})").audiences(), std::vector<std::string>{"sts.amazonaws.com"});
  EXPECT_EQ(with_claims(R"({"aud":["a","b"]})").audiences(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(with_claims(R"({"aud":[]})").audiences(), std::vector<std::string>{});
  EXPECT_EQ(with_claims(R"({"sub":"x"})").audiences(), std::vector<std::string>{});
  // Other shapes are not read leniently: the token is refused (RegisteredClaimsOfAnotherTypeAreRefused).
  for (std::string_view aud : {R"(["a",1])", R"({"a":1})", "7", "null", R"([["a"]])"})
    EXPECT_EQ(parse_problem(raw_token(R"({"alg":"RS256"})", R"({"aud":)" + std::string(aud) + "}")),
              JwtProblem::Malformed)
        << aud;
}

TEST(Claims, NumericDatesMustBeIntegers) {
  // Unregistered names reach the accessor whatever their shape; registered ones are checked at parse time.
  Jwt jwt = with_claims(
      R"({"exp":1700000000,"iat":0,"neg":-5,"half":1.5,"f":1.0,"s":"1700000000","b":true,"big":18446744073709551615,"n":null})");
  EXPECT_EQ(jwt.numeric_claim("exp"), 1700000000);
  EXPECT_EQ(jwt.numeric_claim("iat"), 0);
  EXPECT_EQ(jwt.numeric_claim("neg"), -5);
  for (std::string_view name : {"half", "f", "s", "b", "big", "n", "absent"})
    EXPECT_EQ(jwt.numeric_claim(name), std::nullopt) << name;
}

// Issue 11 item 14: a registered claim of another type than RFC 7519 / OIDC
// Core register is refused outright, so no reader can take an array "sub"
// for one of its elements or an exp of 2^63-1 past an addition.
TEST(Claims, RegisteredClaimsOfAnotherTypeAreRefused) {
  const std::string h = R"({"alg":"RS256"})";
  const std::vector<std::string> refused = {
      R"({"sub":["admin","guest"]})", R"({"sub":7})", R"({"sub":null})", R"({"sub":{"a":"b"}})",
      R"({"iss":["https://a.example"]})", R"({"iss":1})", R"({"azp":["x"]})", R"({"jti":1})",
      R"({"nonce":false})", R"({"amr":[1]})", R"({"amr":{"a":1}})",
      R"({"exp":9223372036854775807})", R"({"exp":18446744073709551615})", R"({"exp":253402300800})",
      R"({"exp":-1})", R"({"exp":-9223372036854775808})", R"({"exp":1.5})", R"({"exp":1e3})",
      R"({"exp":"1700000000"})", R"({"exp":true})", R"({"exp":null})", R"({"nbf":1.0})", R"({"iat":-5})",
      R"({"iat":99999999999999999999})", R"({"auth_time":"1"})",
  };
  for (const std::string& claims : refused) {
    auto jwt = parse_jwt(raw_token(h, claims));
    ASSERT_FALSE(jwt.has_value()) << claims;
    EXPECT_EQ(jwt.error().problem, JwtProblem::Malformed) << claims;
    EXPECT_NE(jwt.error().detail.find("claim"), std::string::npos) << jwt.error().detail;
  }
  Jwt edge = with_claims(R"({"exp":253402300799,"nbf":0,"iat":1700000000,"amr":"pwd","sub":"s","iss":"i"})");
  EXPECT_EQ(edge.numeric_claim("exp"), 253402300799);
  EXPECT_EQ(edge.numeric_claim("nbf"), 0);
  // Header members that name a type must have it.
  for (std::string_view header : {R"({"alg":"RS256","typ":1})", R"({"alg":"RS256","cty":["JWT"]})"})
    EXPECT_EQ(parse_problem(raw_token(header, R"({"sub":"x"})")), JwtProblem::Malformed) << header;
}

// Issue 11 item 14: nlohmann keeps the last of repeated members; another
// verifier may keep the first. A repeated name anywhere is refused.
TEST(ParseJwt, RepeatedMemberNamesAreRefused) {
  const std::string h = R"({"alg":"RS256"})";
  for (std::string_view claims : {R"({"sub":"guest","sub":"admin"})", R"({"sub":"a","aud":"b","sub":"a"})",
                                  R"({"x":{"k":1,"k":2}})", R"({"x":[{"k":1},{"k":1,"k":1}]})",
                                  R"({"https://aws.amazon.com/tags":{"principal_tags":{"a":["1"]},"principal_tags":{}}})"}) {
    auto jwt = parse_jwt(raw_token(h, claims));
    ASSERT_FALSE(jwt.has_value()) << claims;
    EXPECT_EQ(jwt.error().detail, "payload repeats a member name") << claims;
  }
  auto header_twice = parse_jwt(raw_token(R"({"alg":"RS256","kid":"a","kid":"b"})", R"({"sub":"x"})"));
  ASSERT_FALSE(header_twice.has_value());
  EXPECT_EQ(header_twice.error().detail, "header repeats a member name");
  // The same name in different objects, or as a value, is no repetition.
  Jwt ok = with_claims(R"({"a":{"k":1},"b":{"k":2},"k":"k","l":[{"k":1},{"k":2}]})");
  EXPECT_EQ(ok.claim_json("l"), R"([{"k":1},{"k":2}])");
  // Nor is minting one possible.
  EXPECT_FALSE(key_for(JwtAlgorithm::ES256).sign("", R"({"sub":"a","sub":"b"})").has_value());
  EXPECT_FALSE(key_for(JwtAlgorithm::ES256).sign(R"({"x":1,"x":2})", R"({"sub":"a"})").has_value());
}

TEST(Claims, StringsAndStringLists) {
  Jwt jwt = with_claims(
      R"({"sub":"u1","amr":["authenticated","cognito-identity.amazonaws.com:authenticated:x"],)"
      R"("email_verified":true,"n":12,"f":1.5,"o":{"a":"b"},"mixed":["a",2,false],"nested":[["a"]],"z":null})");
  EXPECT_EQ(jwt.string_claim("sub"), "u1");
  EXPECT_EQ(jwt.string_claim("amr"), std::nullopt);
  EXPECT_EQ(jwt.string_claim("n"), std::nullopt);
  EXPECT_EQ(jwt.claim_strings("amr"),
            (std::vector<std::string>{"authenticated", "cognito-identity.amazonaws.com:authenticated:x"}));
  EXPECT_EQ(jwt.claim_strings("sub"), std::vector<std::string>{"u1"});
  EXPECT_EQ(jwt.claim_strings("email_verified"), std::vector<std::string>{"true"});
  EXPECT_EQ(jwt.claim_strings("n"), std::vector<std::string>{"12"});
  EXPECT_EQ(jwt.claim_strings("mixed"), (std::vector<std::string>{"a", "2", "false"}));
  for (std::string_view name : {"f", "o", "nested", "z", "absent"}) EXPECT_EQ(jwt.claim_strings(name), std::nullopt) << name;
  EXPECT_EQ(jwt.claim_json("o"), R"({"a":"b"})");
  EXPECT_EQ(jwt.claim_json("absent"), std::nullopt);
}

TEST(Claims, AwsSessionTags) {
  Jwt jwt = with_claims(R"({"https://aws.amazon.com/tags":{"principal_tags":{"Project":["Automation"],)"
                        R"("CostCenter":"987654"},"transitive_tag_keys":["Project"],"future":1}})");
  auto tags = jwt.aws_session_tags();
  ASSERT_TRUE(tags.has_value()) << tags.error();
  ASSERT_TRUE(tags->has_value());
  EXPECT_EQ((*tags)->principal_tags, (std::vector<std::pair<std::string, std::string>>{
                                         {"CostCenter", "987654"}, {"Project", "Automation"}}));
  EXPECT_EQ((*tags)->transitive_tag_keys, std::vector<std::string>{"Project"});

  auto absent = with_claims(R"({"sub":"x"})").aws_session_tags();
  ASSERT_TRUE(absent.has_value());
  EXPECT_FALSE(absent->has_value());

  for (std::string_view bad : {
           R"("text")",
           R"({"principal_tags":["a"]})",
           R"({"principal_tags":{"k":["v1","v2"]}})",
           R"({"principal_tags":{"k":[]}})",
           R"({"principal_tags":{"k":[1]}})",
           R"({"transitive_tag_keys":"k"})",
           R"({"transitive_tag_keys":["k",2]})",
       }) {
    auto result = with_claims(R"({"https://aws.amazon.com/tags":)" + std::string(bad) + "}").aws_session_tags();
    EXPECT_FALSE(result.has_value()) << bad;
  }
}

// --- JWKS parsing ------------------------------------------------------------------------

constexpr std::string_view kRsa1024N =
    "yqfo0eoVIOrka_hHkc3XIpQ-Jlr1wetFnHoFCH3sj4y54s5Z-xAdmGretw-8bPCY4WwqknQ2Gj7iZNiflUaoTqpgdmh8dujZr4dtlh0yb83k30v3"
    "ipDy4w058_uZrkWcgMvw9sHILZIzscpRQYuqof0qb9zav2-gpuh29dbpC9s";

TEST(JwksParse, StructuralErrorsAreRefused) {
  const std::vector<std::string> cases = {
      "",
      "not json",
      "[]",
      R"({"keys":{}})",
      R"({"key":[]})",
      R"({"keys":[1]})",
      keys_of({R"({"e":"AQAB","n":"AQAB"})"}),                       // no kty
      keys_of({R"({"kty":5})"}),
      keys_of({R"({"kty":"RSA","e":"AQAB","n":"AQ*B"})"}),           // bad base64 in n
      keys_of({R"({"kty":"RSA","e":"AQAB"})"}),                     // no n
      keys_of({R"({"kty":"RSA","e":"","n":")" + std::string(kA2N) + "\"}"}),
      keys_of({rsa_jwk(kA2N, "", R"(,"d":"AQAB")")}),               // private key published
      keys_of({a3_jwk().insert(1, R"("d":"AQAB",)")}),
      keys_of({R"({"kty":"EC","x":"AQAB","y":"AQAB"})"}),            // no crv
      keys_of({R"({"kty":"EC","crv":"P-256","x":")" + std::string(kA3X) + R"(","y":"AQAB"})"}),  // short y
      keys_of({R"({"kty":"EC","crv":"P-256","x":")" + std::string(kA3X) + R"(","y":")" + std::string(kA3X) + "\"}"}),  // off curve
      keys_of({rsa_jwk(kA2N, "", R"(,"use":5)")}),
  };
  for (const std::string& text : cases) EXPECT_FALSE(Jwks::parse(text).has_value()) << text;
  auto error = Jwks::parse(keys_of({a3_jwk(), rsa_jwk(kA2N, "", R"(,"d":"AQAB")")}));
  ASSERT_FALSE(error.has_value());
  EXPECT_NE(error.error().find("keys[1]"), std::string::npos) << error.error();
}

TEST(JwksParse, UnusableKeysAreSkipped) {
  Jwks jwks = parse_jwks_ok(keys_of({
      R"({"kty":"oct","k":"c2VjcmV0"})",
      R"({"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})",
      rsa_jwk(kA2N, "enc", R"(,"use":"enc")"),
      rsa_jwk(kA2N, "oaep", R"(,"alg":"RSA-OAEP")"),
      rsa_jwk(kA2N, "hs", R"(,"alg":"HS256")"),
      rsa_jwk(kA2N, "ops", R"(,"key_ops":["encrypt"])"),
      rsa_jwk(kRsa1024N, "weak"),
      a3_jwk("k1", "secp256k1"),
      rsa_jwk(kA2N, "good", R"(,"use":"sig","key_ops":["verify"],"x5c":["ignored"])"),
      a3_jwk("ec"),
  }));
  ASSERT_EQ(jwks.size(), 2u);
  EXPECT_EQ(jwks.keys()[0].kid, "good");
  EXPECT_EQ(jwks.keys()[0].type, JwksKey::Type::RSA);
  EXPECT_EQ(jwks.keys()[1].kid, "ec");
  EXPECT_EQ(jwks.keys()[1].curve, "P-256");
  // The weak key is gone, so a token naming it finds no key.
  const std::string weak = base64url_encode(R"({"alg":"RS256","kid":"weak"})") + std::string(kA2Token.substr(kA2Token.find('.')));
  EXPECT_EQ(check(weak, jwks), JwtProblem::NoMatchingKey);
}

TEST(JwksParse, JwksJsonSkipsNullsAndKeepsKids) {
  const JwtSigningKey& a = key_for(JwtAlgorithm::ES384);
  const JwtSigningKey& b = key_for(JwtAlgorithm::PS256);
  Jwks jwks = jwks_of({&a, nullptr, &b});
  ASSERT_EQ(jwks.size(), 2u);
  EXPECT_EQ(jwks.keys()[0].kid, a.kid());
  EXPECT_EQ(jwks.keys()[0].curve, "P-384");
  EXPECT_EQ(jwks.keys()[1].kid, b.kid());
  EXPECT_EQ(jwks_json({}), R"({"keys":[]})");
}

// --- signing keys ---------------------------------------------------------------------------

// Generated once with `openssl genpkey`; the expected kids were computed with
// the openssl CLI from the public key (RFC 7638 canonical JSON, SHA-256).
constexpr std::string_view kEcP256Pem = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgHZOnCWOKGZI7GpxE
roLB/TPWcMxsdy6WbkHdYq6GbcehRANCAATFFwOaxb5nTNyMt3kI4gDwKzn98/xL
UxxQE9J+LNd1wTKEk/go0AgYS4ABccOaZaN/Lx2BZAoF2Rp8ZbKXtMD2
-----END PRIVATE KEY-----
)";
constexpr std::string_view kEcP256Kid = "-bC2STqf20eNysoVgq1RTMbncAvt12PY2KPmpCshcrA";
constexpr std::string_view kEcP256X = "xRcDmsW-Z0zcjLd5COIA8Cs5_fP8S1McUBPSfizXdcE";
constexpr std::string_view kEcP256Y = "MoST-CjQCBhLgAFxw5plo38vHYFkCgXZGnxlspe0wPY";
constexpr std::string_view kEcP256EncryptedPem = R"(-----BEGIN ENCRYPTED PRIVATE KEY-----
MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAgFXohmOQwK7gICCAAw
DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEKns5bq2WQnXMnH9gyEXXd0EgZAG
qFJ1/kxfb+3sKuN70NDDh0oM/wKdVhjUcxsqR/8druhdywQvUnaRTgfLPnQCkRAK
3oQvRplRrZ+3v/b1SNhoFm6w7EJLNKG+mMfJJHh1l5OMAY2t7xMYZM7EX1ETJwsM
jVqCrsUU7CquhXeM0eKjLOvmRoFvoKNHDkkUi/lCyVgNiGN/dPUr/rL4Bnjk5KU=
-----END ENCRYPTED PRIVATE KEY-----
)";
constexpr std::string_view kRsa2048Pem = R"(-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDoyxcMT1rzi9KJ
yqqnkjtAMwadawIBlxI3OFNMbSqa5FBA8UmhvlB/d67J9nnZ+K7yorPXIVe86yE4
3mSZ3IxapgxzwcClxgrkyan72YX7rlhlCz65VGcyPd6KmRWB6bRDC5jYErbB2RJT
dKLOR2Ri+GeQt6LoqYJ24pMNePYFwis0Ras067++RThVQoWjPgRGnlMbk9zkJ/WP
Yby7f/RswwMM1w+7Dpoqzr1InPS/av344kluwhdw4C2ESZUMSxhzv+tNtGDTmRQ3
qxE9Q0CGqUzqt+e4ykZHXv2+KYSc9wAq+sS9XC+EC8u1A1Fz5O7E84Xy4tm0JiJn
kUPPKR4XAgMBAAECggEASs+BT6Zs3xmPBlMH9qQKwH3lYU9TLLmk0/QY6NWoPHCk
zcn81Kq5ac1HcYXw8Lh3WGgrDTac4Ixbd9AYWk3DGRqFo+mfBGcZdx7LrrDf2trT
c11iweI6661wR/AcNkypbmZarw2Mh80/k2xHKa1NuHSFq78n7kcTMytrAIhf38dC
am84SsyPbY9ezjiSHQWDzJtVADTCIm2I7sSSdZMytlLBYJA7pK4aJYfbQYoGz+2p
P6vEF0nOA1BM7O0zCQWQ9yVeB6QsgOjr81x9hRi0/ShkmZnjQrmJrSrWV3mqwtMo
QdyPpLe4EBkTnvgCkZTtjrk5tK7OzdIBNm03ysJjoQKBgQD7y7Veyti+SFFI3835
8tGIN09clu9mhD8NwawG2DJCMspTv14DAba4rNmMxNMOQhj5VVhL4PgLz4E20QOL
dsXp2GxeRjI4LoHdvKWftQic4qsdUgELNXApjOXNtn8W3XRnlNi6BS3/K50mSPDr
CZE9QSjZ7His0/loNEG07WC3xwKBgQDsrigMBBs4R3McR6Zm79eAOkBFqoI6s+G3
pzuJQJk8sRk6UUICMtyRmb6UNOkMvg2VFjkNVKMMSQkYvoDhje2YWRnZIfrbmrqz
lxtDcdxc2b0Jg7RJQghW6zWZQ/3iGoE1mDOZloGWj3s0tOwa0K332U5RwwtoXhrG
FTvQw2SHMQKBgQDJsRNHKxUS1rrFtQA5BtfwVN2tPPnnFGetjUVO9j7L6ANJsjCM
GANVSp+4srCc6zU2A7cGkN4gF8dZMXO1cx51gnbLzU7M0fQUudexZkHP6YFHqzhK
0jNWFRa/AUAsAJgNoJ055IxDqZvn3uWcX72HY3pllZXUWredUL6RPtQKYQKBgQDY
SWbLZE1DpveolkmYtAEpaxIlF+aeopfY7vhXOzNN5UF6q5s4yyYJ4IfqhFecj2l2
HrLQXdIKfgvUEvNQLBU+Ld6TMJxAZyvKxoHhpoGMUGaR9Uuhzrg0RgnbH+k44KPH
SGmPJ50Q69nZlqRU9PKmFm2eBjG8lJK/BdR9uLF7YQKBgEitu0wzajNAZo6tPQon
Ud++0kbXUV1Q1k4y5BsCN/QiX8Yfoljo+Pt93v/GCInB2kH7VMhNnLioEL1bAmK1
AH2Bd+Nq82Z5rstre51sOqgVVslW2kISZ4Z2qicZfDLGLtkvW6LLoFsXLn0A6rys
ggmDX9CpWn67qcKOHxaLOC7w
-----END PRIVATE KEY-----
)";
constexpr std::string_view kRsa2048Kid = "jVDLK9Ni39O8PRQPJCGAraSh4e5SXlHObQ5IwECrC-o";
constexpr std::string_view kRsa1024Pem = R"(-----BEGIN PRIVATE KEY-----
MIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGBAMqn6NHqFSDq5Gv4
R5HN1yKUPiZa9cHrRZx6BQh97I+MueLOWfsQHZhq3rcPvGzwmOFsKpJ0Nho+4mTY
n5VGqE6qYHZofHbo2a+HbZYdMm/N5N9L94qQ8uMNOfP7ma5FnIDL8PbByC2SM7HK
UUGLqqH9Km/c2r9voKbodvXW6QvbAgMBAAECgYAh6mf0eZB/qdAAodSYejJ+/wBH
uwFWKuHDhkhBW5GzlIGni5FTiybo0zniuSd3s+xiDZAyYnCLg+qvpfFPMjwIYgzj
2HVtiibKMRAy6G+YKDd4CXh3NxZAQzSoJd654C8873fZ9rWeNvEqdUQ+QEvM11RB
P45vie09zCFdPD5LwQJBAOY7xyP3WyopBgnEvpNMd6955EOK+tzvwI7l1IncxCes
9rxiW5rJzNTQSpDFA50xtahLFBOM5HU48jnsdPkol5cCQQDhVgd2uCGLDYy9FxqO
4akjd9vT8U6L7O39X58a7+V5Z6uzk509aRHV3R2BR9GGayweUr26X52JgvldVdCn
VRZdAkB4Q92gggOTIF7RF37dfuI+PZPpXF3yryKNAq1lXnbwqr8wZMipMKTYvf1V
ZjSfFmpoAN/53m0wdpDBhS0NQhD9AkAyfA7CB3DkcY21k6aMmnxFiQYETwz1Bokv
eivwYgz8jUCHxCu3ZYHsc1S38To9Lme9B3ageemWtHRf9+j+hG61AkEAkwpxYRM2
xqPDyeBGb6FP5jM169l8tUs2qfA+6dLrd4tqsm6+5tkbSThf9KqkljiKUEoNLqJf
bID7ddvi27/v7A==
-----END PRIVATE KEY-----
)";

TEST(SigningKey, PemKeysHaveRfc7638Kids) {
  auto ec = JwtSigningKey::from_pem(kEcP256Pem, JwtAlgorithm::ES256);
  ASSERT_TRUE(ec.has_value()) << ec.error();
  EXPECT_EQ(ec->kid(), kEcP256Kid);
  EXPECT_EQ(ec->public_jwk_json(), R"({"alg":"ES256","crv":"P-256","kid":")" + std::string(kEcP256Kid) +
                                       R"(","kty":"EC","use":"sig","x":")" + std::string(kEcP256X) +
                                       R"(","y":")" + std::string(kEcP256Y) + R"("})");

  for (JwtAlgorithm alg : {JwtAlgorithm::RS256, JwtAlgorithm::PS512}) {
    auto rsa = JwtSigningKey::from_pem(kRsa2048Pem, alg);
    ASSERT_TRUE(rsa.has_value()) << rsa.error();
    EXPECT_EQ(rsa->kid(), kRsa2048Kid);
    EXPECT_EQ(rsa->algorithm(), alg);
    EXPECT_EQ(rsa->public_jwk_json().find("\"d\""), std::string::npos);
    EXPECT_NE(rsa->public_jwk_json().find(R"("e":"AQAB")"), std::string::npos);
    EXPECT_EQ(check(sign_ok(*rsa, R"({"sub":"pem"})"), jwks_of({&*rsa})), std::nullopt);
  }
  EXPECT_EQ(check(sign_ok(*ec, R"({"sub":"pem"})"), jwks_of({&*ec})), std::nullopt);
}

TEST(SigningKey, PssSaltMustBeTheHashLength) {
  // RFC 7518 3.5: salt length = hash length; others are refused, not tolerated.
  auto key = JwtSigningKey::from_pem(kRsa2048Pem, JwtAlgorithm::PS256);
  ASSERT_TRUE(key.has_value()) << key.error();
  Jwks jwks = jwks_of({&*key});
  const std::string input = base64url_encode(R"({"alg":"PS256"})") + "." + base64url_encode("{}");
  EXPECT_TRUE(verify_jws_signature(JwtAlgorithm::PS256, "", input, pss_sign(kRsa2048Pem, input, 32), jwks).has_value());
  for (int salt : {0, 20, 64, RSA_PSS_SALTLEN_MAX}) {
    auto result = verify_jws_signature(JwtAlgorithm::PS256, "", input, pss_sign(kRsa2048Pem, input, salt), jwks);
    ASSERT_FALSE(result.has_value()) << salt;
    EXPECT_EQ(result.error().problem, JwtProblem::BadSignature);
  }
}

TEST(SigningKey, PemMustSuitTheAlgorithm) {
  EXPECT_FALSE(JwtSigningKey::from_pem(kEcP256Pem, JwtAlgorithm::ES384).has_value());
  EXPECT_FALSE(JwtSigningKey::from_pem(kEcP256Pem, JwtAlgorithm::RS256).has_value());
  EXPECT_FALSE(JwtSigningKey::from_pem(kRsa2048Pem, JwtAlgorithm::ES256).has_value());
  EXPECT_FALSE(JwtSigningKey::from_pem(kRsa1024Pem, JwtAlgorithm::RS256).has_value());
  EXPECT_FALSE(JwtSigningKey::from_pem(kEcP256EncryptedPem, JwtAlgorithm::ES256).has_value());  // never prompts
  EXPECT_FALSE(JwtSigningKey::from_pem("", JwtAlgorithm::ES256).has_value());
  EXPECT_FALSE(JwtSigningKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                                       JwtAlgorithm::ES256)
                   .has_value());
}

TEST(SigningKey, GeneratedKeysDifferAndPublishOnlyPublicMembers) {
  JwtSigningKey a = JwtSigningKey::generate(JwtAlgorithm::ES256);
  JwtSigningKey b = JwtSigningKey::generate(JwtAlgorithm::ES256);
  EXPECT_NE(a.kid(), b.kid());
  EXPECT_EQ(a.kid().size(), 43u);  // base64url of 32 bytes
  EXPECT_EQ(a.public_jwk_json().find("\"d\""), std::string::npos);
  EXPECT_EQ(check(sign_ok(a, "{}"), jwks_of({&b})), JwtProblem::NoMatchingKey);
}

TEST(SigningKey, HeaderExtrasMergeButAlgAndKidAreOurs) {
  const JwtSigningKey& key = key_for(JwtAlgorithm::ES256);
  Jwt jwt = parse_ok(sign_ok(key, R"({"sub":"x"})", R"({"typ":"at+jwt","alg":"none","kid":"evil","x-extra":1})"));
  EXPECT_EQ(jwt.alg, JwtAlgorithm::ES256);
  EXPECT_EQ(jwt.kid, key.kid());
  EXPECT_EQ(jwt.header_json,
            R"({"alg":"ES256","kid":")" + key.kid() + R"(","typ":"at+jwt","x-extra":1})");
  EXPECT_TRUE(verify_jwt_signature(jwt, jwks_of({&key})).has_value());

  EXPECT_FALSE(key.sign("", "not json").has_value());
  EXPECT_FALSE(key.sign("", R"(["array"])").has_value());
  EXPECT_FALSE(key.sign("[]", "{}").has_value());
  EXPECT_FALSE(key.sign("{", "{}").has_value());
}

// Verification contexts are cached per thread (16 entries): more keys than
// that, each verified again after its entry was evicted, with the JWKS (and
// so the key objects) rebuilt every time.
TEST(SigningKey, VerificationAcrossMoreKeysThanTheContextCacheHolds) {
  std::vector<JwtSigningKey> keys;
  for (int i = 0; i < 20; ++i) keys.push_back(JwtSigningKey::generate(JwtAlgorithm::ES256));
  std::vector<std::string> tokens;
  for (const auto& k : keys) tokens.push_back(sign_ok(k, R"({"sub":"x"})"));
  for (int round = 0; round < 2; ++round) {
    for (std::size_t i = 0; i < keys.size(); ++i) {
      const Jwks own = jwks_of({&keys[i]});
      EXPECT_TRUE(verify_jwt_signature(parse_ok(tokens[i]), own).has_value()) << i;
      const Jwks other = jwks_of({&keys[(i + 1) % keys.size()]});
      EXPECT_FALSE(verify_jwt_signature(parse_ok(tokens[i]), other).has_value()) << i;
    }
  }
}

// Parses are remembered per thread by the token's exact bytes: a repeat must
// give the same token, and a token one byte away must be parsed on its own.
TEST(ParseJwt, RepeatedParsesAgreeAndNeighboursAreParsedAfresh) {
  const std::string padding(9000, 'p');  // past the size parses are remembered for
  for (const std::string& sub : {std::string("alice"), padding}) {
    const std::string claims = R"({"sub":")" + sub + R"(","aud":["a","b"],"exp":2000000000})";
    const std::string token = raw_token(R"({"alg":"ES256","kid":"k1"})", claims);
    const Jwt first = parse_ok(token);
    for (int round = 0; round < 3; ++round) {
      const Jwt again = parse_ok(token);
      EXPECT_EQ(again.alg, JwtAlgorithm::ES256);
      EXPECT_EQ(again.kid, "k1");
      EXPECT_EQ(again.header_json, first.header_json);
      EXPECT_EQ(again.claims_json, claims);
      EXPECT_EQ(again.signing_input(), first.signing_input());
      EXPECT_EQ(again.signature(), "sig");
      EXPECT_EQ(again.string_claim("sub"), sub);
      EXPECT_EQ(again.audiences(), (std::vector<std::string>{"a", "b"}));
    }
    const std::string other = raw_token(R"({"alg":"ES256","kid":"k2"})", claims);
    EXPECT_EQ(parse_ok(other).kid, "k2");
    EXPECT_EQ(parse_problem(token.substr(0, token.size() - 1) + "!"), JwtProblem::Malformed);
  }
}

// Successful verifications are remembered per thread by (key, algorithm,
// exact bytes): a repeat must still verify, and nothing else may ride on it.
TEST(SigningKey, RememberedVerificationsNeedTheSameBytesAndTheSameKey) {
  for (JwtAlgorithm alg : {JwtAlgorithm::RS256, JwtAlgorithm::ES256}) {
    const JwtSigningKey& key = key_for(alg);
    const JwtSigningKey impostor = JwtSigningKey::generate(alg);
    const Jwks own = jwks_of({&key});
    // The impostor's public key published under the genuine key's kid.
    const std::string& jwk = impostor.public_jwk_json();
    const auto at = jwk.find(impostor.kid());
    const std::string impostor_jwk = jwk.substr(0, at) + key.kid() + jwk.substr(at + impostor.kid().size());
    const Jwks swapped = parse_jwks_ok(R"({"keys":[)" + impostor_jwk + "]}");

    const std::string token = sign_ok(key, R"({"sub":"remembered","exp":2000000000})");
    const auto dot2 = token.rfind('.');
    std::string flipped = *crypto::base64url_decode(token.substr(dot2 + 1));
    flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x01);
    const std::string forged = token.substr(0, dot2 + 1) + base64url_encode(flipped);
    for (int round = 0; round < 3; ++round) {
      EXPECT_EQ(check(token, own), std::nullopt) << round;
      EXPECT_EQ(check(token, swapped), JwtProblem::BadSignature) << round;
      EXPECT_EQ(check(forged, own), JwtProblem::BadSignature) << round;
      EXPECT_EQ(check(token, jwks_of({&key})), std::nullopt) << round;  // same key, new key object
    }
    // More tokens than the memory holds, then the first again.
    for (int i = 0; i < 40; ++i)
      EXPECT_EQ(check(sign_ok(key, R"({"i":)" + std::to_string(i) + "}"), own), std::nullopt) << i;
    EXPECT_EQ(check(token, own), std::nullopt);
    EXPECT_EQ(check(token, swapped), JwtProblem::BadSignature);
  }
}

// --- concurrency ------------------------------------------------------------------------------

TEST(Concurrency, SharedKeysSignAndVerifyFromManyThreads) {
  const JwtSigningKey& rs = key_for(JwtAlgorithm::PS256);
  const JwtSigningKey& es = key_for(JwtAlgorithm::ES384);
  const Jwks jwks = jwks_of({&rs, &es});
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        const JwtSigningKey& key = (i + t) % 2 ? rs : es;
        auto token = key.sign("", R"({"i":)" + std::to_string(i) + "}");
        if (!token || check(*token, jwks) != std::nullopt || check(kA3Token, jwks) != JwtProblem::NoMatchingKey)
          ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

// --- built-in issuers (GetWebIdentityToken's; documents pointing back at stsd) ---------

// Issue 11 item 21: GetWebIdentityToken's tokens were signed with the test
// issuer's keys, so whoever trusted the test issuer accepted them. The
// outbound issuer is per account and its keys are its own.
TEST(OutboundIssuer, PerAccountIssuerAndKeysOfItsOwn) {
  const std::string a = outbound_issuer_url("111122223333");
  EXPECT_EQ(a, outbound_issuer_url("111122223333"));
  EXPECT_NE(a, outbound_issuer_url("444455556666"));
  EXPECT_TRUE(std::regex_match(a, std::regex(R"(https://[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.tokens\.sts\.stsd\.local)")))
      << a;

  BuiltinIdentityProviders idps;
  for (JwtAlgorithm alg : kOutboundJwtAlgorithms) {
    const JwtSigningKey* outbound = idps.outbound_key(alg);
    ASSERT_NE(outbound, nullptr);
    ASSERT_NE(idps.oidc_key(alg), nullptr);
    EXPECT_NE(outbound->kid(), idps.oidc_key(alg)->kid());
    // A token of the outbound issuer does not verify with the test issuer's keys, nor the other way round.
    const std::string token = sign_ok(*outbound, R"({"sub":"x"})");
    EXPECT_EQ(check(token, *idps.oidc_jwks(alg)), JwtProblem::NoMatchingKey);
    auto published = Jwks::parse(idps.outbound_jwks_json());
    ASSERT_TRUE(published.has_value());
    EXPECT_EQ(check(token, *published), std::nullopt);
    EXPECT_EQ(check(sign_ok(*idps.oidc_key(alg), R"({"sub":"x"})"), *published), JwtProblem::NoMatchingKey);
  }
  EXPECT_EQ(idps.outbound_key(JwtAlgorithm::RS512), nullptr);
}

// Issue 11 item 21: jwks_uri came from the Host header, always as http://.
TEST(SelfBaseUrl, SchemeFollowsTlsAndOnlyValidHostsAreUsed) {
  EXPECT_EQ(self_base_url("127.0.0.1:8090", false), "http://127.0.0.1:8090");
  EXPECT_EQ(self_base_url("127.0.0.1:8443", true), "https://127.0.0.1:8443");
  EXPECT_EQ(self_base_url("sts.local", true), "https://sts.local");
  EXPECT_EQ(self_base_url("[::1]:8090", false), "http://[::1]:8090");
  EXPECT_EQ(self_base_url("My-Host.example.test:1", false), "http://My-Host.example.test:1");
  for (std::string_view bad :
       {"", ":8090", "a b", "evil.example\"/x", "evil.example/x", "user@evil.example", "evil.example?x",
        "evil.example#x", "h\r\nX-Injected: 1", "h\x1b[31m", "h:", "h:123456", "h:80x", "h:80:81", "[::1",
        "[]:80", "[::g]", "[::1]x", "<script>", "h%2f", "\xc3\xa9t\xc3\xa9"})
    EXPECT_EQ(self_base_url(bad, false), std::nullopt) << bad;
  EXPECT_EQ(self_base_url(std::string(256, 'a'), false), std::nullopt);
}

TEST(SelfBaseUrl, DiscoveryDocumentNamesWhatItIsGiven) {
  const std::string doc = oidc_discovery_json("https://i.example", "https://h:1/jwks.json",
                                              {JwtAlgorithm::RS256, JwtAlgorithm::ES384}, {"sub"});
  EXPECT_EQ(doc, R"({"issuer":"https://i.example","jwks_uri":"https://h:1/jwks.json","response_types_supported":)"
                 R"(["id_token"],"subject_types_supported":["public"],"id_token_signing_alg_values_supported":)"
                 R"(["RS256","ES384"],"claims_supported":["sub"]})");
}

}  // namespace
}  // namespace stsd::domain::federation
