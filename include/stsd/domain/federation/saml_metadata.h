#pragma once
// SAML metadata, as CreateSAMLProvider's SAMLMetadataDocument carries it:
// the identity provider's entityID and signing certificates, parsed as
// safely as a Response (saml_response.h).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stsd/common/result.h"

namespace stsd::domain::federation {

// Larger documents are refused before parsing (AWS caps SAMLMetadataDocument
// at 10000000 characters).
inline constexpr std::size_t kMaxSamlMetadataSize = 10'000'000;

struct SamlMetadata {
  std::string entity_id;
  // DER of every X509Certificate under IDPSSODescriptor/KeyDescriptor with
  // use="signing" or no use (use="encryption" keys cannot sign).
  std::vector<std::string> signing_certificates_der;
};

// Accepts an md:EntityDescriptor root, or an md:EntitiesDescriptor holding
// exactly one EntityDescriptor. Refuses DOCTYPEs, a missing entityID or
// IDPSSODescriptor, no signing certificate, and certificates OpenSSL cannot
// parse. A Signature on the metadata itself is ignored (AWS does the same:
// the operator vouches for the document by uploading it).
Result<SamlMetadata, std::string> parse_saml_metadata(std::string_view xml);

}  // namespace stsd::domain::federation
