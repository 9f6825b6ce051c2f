// SAML metadata (CreateSAMLProvider's SAMLMetadataDocument): the IdP's
// entityID and signing certificates, read with the same safe parser.
#include "stsd/domain/federation/saml_metadata.h"

#include <openssl/x509.h>

#include <algorithm>

#include "stsd/crypto/openssl_ptr.h"
#include "stsd/domain/federation/saml_response.h"
#include "stsd/domain/federation/xml_security.h"
#include "xml_tree.h"

namespace stsd::domain::federation {

using namespace xml;
using crypto::X509Ptr;

Result<SamlMetadata, std::string> parse_saml_metadata(std::string_view xml) {
  initialize_xml_security();
  quiet_this_thread();
  if (xml.size() > kMaxSamlMetadataSize) return unexpected(std::string("metadata document too large"));
  auto parsed = parse_xml_safely(xml);
  if (!parsed) return unexpected(std::move(parsed).error());
  const xmlNode* root = xmlDocGetRootElement(parsed->get());
  const xmlNode* entity = root;
  if (is_element(root, kSamlMetadataNs, "EntitiesDescriptor")) {
    const auto entities = child_elements(root, kSamlMetadataNs, "EntityDescriptor");
    if (entities.size() != 1) return unexpected(std::string("EntitiesDescriptor must hold exactly one EntityDescriptor"));
    entity = entities.front();
  }
  if (!is_element(entity, kSamlMetadataNs, "EntityDescriptor")) {
    return unexpected(std::string("root element is not md:EntityDescriptor"));
  }
  SamlMetadata out;
  out.entity_id = trim(attribute(entity, "entityID").value_or(""));
  if (out.entity_id.empty()) return unexpected(std::string("EntityDescriptor has no entityID"));
  const auto idps = child_elements(entity, kSamlMetadataNs, "IDPSSODescriptor");
  if (idps.empty()) return unexpected(std::string("EntityDescriptor has no IDPSSODescriptor"));
  for (const xmlNode* idp : idps) {
    for (const xmlNode* kd : child_elements(idp, kSamlMetadataNs, "KeyDescriptor")) {
      const std::string use = trim(attribute(kd, "use").value_or(""));
      if (!use.empty() && use != "signing") continue;
      for (const std::string& der : keyinfo_certificates(kd)) {
        const auto* p = reinterpret_cast<const unsigned char*>(der.data());
        X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
        if (!cert || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
          return unexpected(std::string("a signing X509Certificate is not a valid DER certificate"));
        }
        if (std::find(out.signing_certificates_der.begin(), out.signing_certificates_der.end(), der) ==
            out.signing_certificates_der.end()) {
          out.signing_certificates_der.push_back(der);
        }
      }
    }
  }
  // keyinfo_certificates skips undecodable base64; say so rather than "none".
  if (out.signing_certificates_der.empty()) {
    return unexpected(std::string("IDPSSODescriptor has no usable signing certificate"));
  }
  return out;
}

}  // namespace stsd::domain::federation
