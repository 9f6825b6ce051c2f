#include "stsd/domain/federation/builtin_idps.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

#include "stsd/crypto/crypto.h"

namespace stsd::domain::federation {

std::string outbound_issuer_url(std::string_view account) {
  // A UUID (version 4 layout) named by the account: stable, distinct per account.
  std::string b = crypto::sha256("stsd outbound web identity issuer/" + std::string(account)).substr(0, 16);
  b[6] = static_cast<char>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<char>((b[8] & 0x3F) | 0x80);
  const std::string h = crypto::hex_encode(b);
  return "https://" + h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" +
         h.substr(20) + ".tokens.sts.stsd.local";
}

std::optional<std::string> self_base_url(std::string_view host, bool secure) {
  if (host.empty() || host.size() > 255) return std::nullopt;
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  auto is_name = [&](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '-' || c == '.'; };
  auto is_ipv6 = [&](char c) { return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || is_digit(c) || c == ':' || c == '.'; };
  std::size_t end = 0;  // end of the host part
  if (host.front() == '[') {
    end = host.find(']');
    if (end == std::string_view::npos || end < 3) return std::nullopt;
    if (!std::all_of(host.begin() + 1, host.begin() + static_cast<std::ptrdiff_t>(end), is_ipv6)) return std::nullopt;
    ++end;
  } else {
    end = std::min(host.find(':'), host.size());
    if (end == 0 || !std::all_of(host.begin(), host.begin() + static_cast<std::ptrdiff_t>(end), is_name))
      return std::nullopt;
  }
  const std::string_view port = host.substr(end);
  if (!port.empty() && (port.front() != ':' || port.size() < 2 || port.size() > 6 ||
                        !std::all_of(port.begin() + 1, port.end(), is_digit)))
    return std::nullopt;
  return std::string(secure ? "https://" : "http://") + std::string(host);
}

std::string oidc_discovery_json(std::string_view issuer, std::string_view jwks_uri,
                                const std::vector<JwtAlgorithm>& algorithms, const std::vector<std::string>& claims) {
  nlohmann::ordered_json out;
  out["issuer"] = issuer;
  out["jwks_uri"] = jwks_uri;
  out["response_types_supported"] = {"id_token"};
  out["subject_types_supported"] = {"public"};
  std::vector<std::string> names;
  for (JwtAlgorithm alg : algorithms) names.emplace_back(to_string(alg));
  out["id_token_signing_alg_values_supported"] = names;
  out["claims_supported"] = claims;
  return out.dump();
}

template <std::size_t N>
const BuiltinIdentityProviders::Slot* BuiltinIdentityProviders::slot(const std::array<JwtAlgorithm, N>& algorithms,
                                                                     std::array<Slot, N>& slots, JwtAlgorithm alg) {
  for (std::size_t i = 0; i < N; ++i) {
    if (algorithms[i] != alg) continue;
    Slot& s = slots[i];
    std::call_once(s.once, [&] {
      auto key = std::make_unique<const JwtSigningKey>(JwtSigningKey::generate(alg));
      auto jwks = Jwks::parse(jwks_json({key.get()}));
      // Our own key always parses; a failure is a bug worth stopping on.
      if (!jwks) throw std::logic_error("built-in JWKS does not parse: " + jwks.error());
      s.jwks = std::make_unique<const Jwks>(std::move(*jwks));
      s.key = std::move(key);
    });
    return &s;
  }
  return nullptr;
}

const BuiltinIdentityProviders::Slot* BuiltinIdentityProviders::slot(JwtAlgorithm alg) const {
  return slot(kBuiltinJwtAlgorithms, slots_, alg);
}

const JwtSigningKey* BuiltinIdentityProviders::outbound_key(JwtAlgorithm alg) const {
  const Slot* s = slot(kOutboundJwtAlgorithms, outbound_slots_, alg);
  return s ? s->key.get() : nullptr;
}

std::string BuiltinIdentityProviders::outbound_jwks_json() const {
  std::vector<const JwtSigningKey*> keys;
  for (JwtAlgorithm alg : kOutboundJwtAlgorithms) keys.push_back(outbound_key(alg));
  return jwks_json(keys);
}

const JwtSigningKey* BuiltinIdentityProviders::oidc_key(JwtAlgorithm alg) const {
  const Slot* s = slot(alg);
  return s ? s->key.get() : nullptr;
}

const Jwks* BuiltinIdentityProviders::oidc_jwks(JwtAlgorithm alg) const {
  const Slot* s = slot(alg);
  return s ? s->jwks.get() : nullptr;
}

std::string BuiltinIdentityProviders::oidc_jwks_json() const {
  std::vector<const JwtSigningKey*> keys;
  for (JwtAlgorithm alg : kBuiltinJwtAlgorithms) keys.push_back(oidc_key(alg));
  return jwks_json(keys);
}

const SamlIdentityProvider& BuiltinIdentityProviders::saml() const {
  std::call_once(saml_once_, [this] {
    saml_ = std::make_unique<const SamlIdentityProvider>(
        SamlIdentityProvider::generate(std::string(kBuiltinSamlEntityId)));
  });
  return *saml_;
}

}  // namespace stsd::domain::federation
