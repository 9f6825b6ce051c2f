#pragma once
// The JWS algorithms stsd verifies and signs with (RFC 7518 RS*, PS*, ES*):
// only asymmetric ones. "none" and HS* are never accepted, because a
// verifier holding only public keys must not be tricked into treating a
// public key as an HMAC secret.
#include <optional>
#include <string_view>

namespace stsd::domain::federation {

enum class JwtAlgorithm { RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512 };

// Exact, case-sensitive JOSE names ("RS256"...); nullopt for everything else,
// including "none" and "HS256".
std::optional<JwtAlgorithm> parse_jwt_algorithm(std::string_view name);
std::string_view to_string(JwtAlgorithm alg);

}  // namespace stsd::domain::federation
