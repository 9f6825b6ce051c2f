// Fuzz target: the JSON Web Key Set parser (Jwks::parse).
// Input: any bytes, taken as a JWKS document. For a set it accepts, the
// keys are used: a fixed ES256 token and a fixed RS256 token (signed by
// keys/, see fixtures.h) are verified against it, which exercises key
// selection by kid/alg/curve over fuzzed keys.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "fixtures.h"
#include "stsd/domain/federation/jwt_verify.h"

namespace {

using namespace stsd::domain::federation;

void require(bool ok) {
  if (!ok) std::abort();
}

const std::vector<Jwt>& fixed_tokens() {
  static const std::vector<Jwt> tokens = [] {
    std::vector<Jwt> out;
    for (std::string_view compact : {stsd::fuzz::kJwtEs256, stsd::fuzz::kJwtRs256, stsd::fuzz::kJwtPs256NoKid}) {
      auto jwt = parse_jwt(compact);
      if (!jwt) std::abort();  // fixtures.h out of step with jwt_verify.cpp
      out.push_back(*jwt);
    }
    return out;
  }();
  return tokens;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 256 * 1024) return -1;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto jwks = Jwks::parse(text);
  if (!jwks) {
    require(!jwks.error().empty());
    return 0;
  }
  for (const auto& key : jwks->keys()) {
    require(key.pkey != nullptr);
    if (key.type == JwksKey::Type::EC) require(key.curve == "P-256" || key.curve == "P-384" || key.curve == "P-521");
  }
  for (const auto& jwt : fixed_tokens()) (void)verify_jwt_signature(jwt, *jwks);
  return 0;
}
