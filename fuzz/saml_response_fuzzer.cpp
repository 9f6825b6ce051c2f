// Fuzz target: the SAML Response reader (verify_saml_response) with a fixed
// list of trusted certificates: an unrelated EC certificate, then the one of
// keys/saml-idp.key.pem that signed the seeds (fixtures.h).
// Input: a Response as XML (the seeds: minted by tools/mint_saml_seeds.cpp),
// which the harness base64-encodes as an IdP would POST it, so mutations land
// in the XML. An input not starting with '<' is passed as-is, which covers
// the base64 decoding (whitespace, padding, garbage) too.
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "fixtures.h"
#include "stsd/domain/federation/saml_response.h"

namespace {

using namespace stsd::domain::federation;

void require(bool ok) {
  if (!ok) std::abort();
}

std::string pem_to_der(std::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (cert == nullptr) std::abort();
  unsigned char* der = nullptr;
  const int len = i2d_X509(cert, &der);
  X509_free(cert);
  if (len <= 0) std::abort();
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

std::string base64(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(v >> shift) & 63];
  }
  if (i + 1 == in.size()) {
    const unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

const std::vector<std::string>& trusted() {
  static const std::vector<std::string> certs = {pem_to_der(stsd::fuzz::kSamlOtherCertPem),
                                                 pem_to_der(stsd::fuzz::kSamlIdpCertPem)};
  return certs;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 128 * 1024) return -1;  // AWS caps SAMLAssertion at 100000 characters
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string sent = !input.empty() && input[0] == '<' ? base64(input) : std::string(input);

  auto result = verify_saml_response(sent, trusted());
  if (!result) {
    require(!to_string(result.error().problem).empty());
    return 0;
  }
  // Something verified, so something was signed, by the trusted key.
  require(result->assertion_signed || result->response_signed);
  require(!result->assertion_id.empty());
  for (const auto& attribute : result->attributes) (void)attribute.values.size();
  return 0;
}
