// Fuzz target: the SAML metadata reader (parse_saml_metadata), as
// CreateSAMLProvider and the config's metadata/metadata_file use it.
// Input: any bytes, taken as the metadata XML document.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "stsd/domain/federation/saml_metadata.h"

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 256 * 1024) return -1;
  const std::string_view xml(reinterpret_cast<const char*>(data), size);
  auto metadata = stsd::domain::federation::parse_saml_metadata(xml);
  if (!metadata) {
    require(!metadata.error().empty());
    return 0;
  }
  require(!metadata->entity_id.empty());
  require(!metadata->signing_certificates_der.empty());
  for (const auto& der : metadata->signing_certificates_der) require(!der.empty());
  return 0;
}
