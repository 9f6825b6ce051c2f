// Fuzz target: the JWT parser (parse_jwt) and signature check
// (verify_jwt_signature) against a fixed small JWKS (fixtures.h).
// Input, two forms:
//   - a compact JWS "header.payload.signature" as sent (the seeds: valid
//     tokens signed by keys/, so the "verifies" path is reached);
//   - starting with '{' (never the first byte of base64url): raw
//     "header-json\nclaims-json\nsignature-bytes", which the harness
//     base64url-encodes, so mutations land in the JSON rather than in base64.
// Then every claim accessor a caller uses.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fixtures.h"
#include "stsd/domain/federation/jwt_verify.h"

namespace {

using namespace stsd::domain::federation;

void require(bool ok) {
  if (!ok) std::abort();
}

std::string base64url(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == in.size()) {
    const unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
  } else if (i + 2 == in.size()) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

std::string compact_from_raw(std::string_view raw) {
  const std::size_t a = raw.find('\n');
  if (a == std::string_view::npos) return base64url(raw) + "..";
  const std::size_t b = raw.find('\n', a + 1);
  const std::string_view header = raw.substr(0, a);
  const std::string_view claims = b == std::string_view::npos ? raw.substr(a + 1) : raw.substr(a + 1, b - a - 1);
  const std::string_view signature = b == std::string_view::npos ? std::string_view() : raw.substr(b + 1);
  return base64url(header) + "." + base64url(claims) + "." + base64url(signature);
}

const Jwks& fixed_jwks() {
  static const Jwks jwks = [] {
    auto parsed = Jwks::parse(stsd::fuzz::kJwksJson);
    if (!parsed || parsed->size() != 5) std::abort();  // fixtures.h out of step with jwt_verify.cpp
    return *parsed;
  }();
  return jwks;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 2 * kMaxJwtSize) return -1;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string compact = !input.empty() && input[0] == '{' ? compact_from_raw(input) : std::string(input);

  auto jwt = parse_jwt(compact);
  if (!jwt) {
    require(jwt.error().problem == JwtProblem::Malformed || jwt.error().problem == JwtProblem::UnsupportedAlgorithm);
    return 0;
  }
  require(compact.size() <= kMaxJwtSize);
  require(parse_jwt_algorithm(to_string(jwt->alg)) == jwt->alg);
  require(!jwt->signature().empty());
  require(compact.compare(0, jwt->signing_input().size(), jwt->signing_input()) == 0);

  // Registered claims have their registered types once parsed (issue 11 item 14).
  for (std::string_view name : {"iss", "sub", "azp", "jti", "nonce"})
    require(jwt->claim_json(name).has_value() == jwt->string_claim(name).has_value());
  for (std::string_view name : {"exp", "nbf", "iat", "auth_time"}) {
    const auto value = jwt->numeric_claim(name);
    require(jwt->claim_json(name).has_value() == value.has_value());
    require(!value || (*value >= 0 && *value <= 253402300799));
  }
  if (jwt->claim_json("aud")) require(jwt->claim_strings("aud").has_value());
  for (std::string_view name : {"iss", "sub", "aud", "azp", "email", "nonce"}) (void)jwt->string_claim(name);
  (void)jwt->audiences();
  for (std::string_view name : {"exp", "nbf", "iat", "auth_time"}) (void)jwt->numeric_claim(name);
  for (std::string_view name : {"amr", "email_verified", "groups", "sub"}) (void)jwt->claim_strings(name);
  (void)jwt->claim_json("https://aws.amazon.com/tags");
  if (auto tags = jwt->aws_session_tags(); tags && *tags) {
    for (std::size_t i = 1; i < (*tags)->principal_tags.size(); ++i)
      require((*tags)->principal_tags[i - 1].first <= (*tags)->principal_tags[i].first);
  }

  auto verified = verify_jwt_signature(*jwt, fixed_jwks());
  if (!verified)
    require(verified.error().problem == JwtProblem::NoMatchingKey ||
            verified.error().problem == JwtProblem::BadSignature);
  return 0;
}
