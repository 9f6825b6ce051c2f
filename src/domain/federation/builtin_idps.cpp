#include "stsd/domain/federation/builtin_idps.h"

#include <stdexcept>
#include <vector>

namespace stsd::domain::federation {

const BuiltinIdentityProviders::Slot* BuiltinIdentityProviders::slot(JwtAlgorithm alg) const {
  for (std::size_t i = 0; i < kBuiltinJwtAlgorithms.size(); ++i) {
    if (kBuiltinJwtAlgorithms[i] != alg) continue;
    Slot& s = slots_[i];
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
