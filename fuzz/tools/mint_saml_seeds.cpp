// Writes the SAML seed corpora: fuzz/corpus/saml_response/ (Responses as XML,
// signed by keys/saml-idp.key.pem the way stsd's built-in IdP signs them, plus
// the tricky shapes of tests/unit/saml) and fuzz/corpus/saml_metadata/.
//   build/fuzz/fuzz/fuzz_mint_saml_seeds fuzz/keys fuzz/corpus
// Existing files of the same name are overwritten; others are left alone.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "stsd/domain/federation/saml_idp.h"

namespace {

namespace fs = std::filesystem;
using namespace stsd::domain::federation;

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "cannot read " << path << "\n";
    std::exit(1);
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write(const fs::path& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  std::cout << path.string() << " (" << content.size() << " bytes)\n";
}

std::string unbase64(std::string_view in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : in) {
    const int v = value(c);
    if (v < 0) continue;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

std::string replace_once(std::string text, std::string_view from, std::string_view to) {
  const auto at = text.find(from);
  if (at == std::string::npos) {
    std::cerr << "seed edit: \"" << from << "\" not found\n";
    std::exit(1);
  }
  return text.replace(at, from.size(), to);
}

// Removes the first element <tag ...>...</tag> (tag with its prefix).
std::string remove_element(std::string text, std::string_view tag) {
  const auto start = text.find("<" + std::string(tag));
  const std::string close = "</" + std::string(tag) + ">";
  const auto end = text.find(close, start);
  if (start == std::string::npos || end == std::string::npos) {
    std::cerr << "seed edit: <" << tag << "> not found\n";
    std::exit(1);
  }
  return text.erase(start, end + close.size() - start);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: " << argv[0] << " KEYS_DIR CORPUS_DIR\n";
    return 2;
  }
  const fs::path keys = argv[1], corpus = argv[2];
  auto idp = SamlIdentityProvider::from_pem("https://saml.fuzz.stsd.local", read(keys / "saml-idp.key.pem"),
                                            read(keys / "saml-idp.cert.pem"));
  if (!idp) {
    std::cerr << idp.error() << "\n";
    return 1;
  }
  const fs::path responses = corpus / "saml_response", metadata = corpus / "saml_metadata";
  fs::create_directories(responses);
  fs::create_directories(metadata);

  auto mint = [&](const SamlIdentityProvider::ResponseSpec& spec) {
    auto b64 = idp->mint_response_base64(spec);
    if (!b64) {
      std::cerr << b64.error() << "\n";
      std::exit(1);
    }
    return *b64;
  };
  SamlIdentityProvider::ResponseSpec base;
  base.name_id = "alice@example.com";
  base.issue_instant = 1704164645;  // 2024-01-02T03:04:05Z
  base.attributes = {
      {"https://aws.amazon.com/SAML/Attributes/Role",
       {"arn:aws:iam::111122223333:role/SamlRole,arn:aws:iam::111122223333:saml-provider/idp"}},
      {"https://aws.amazon.com/SAML/Attributes/RoleSessionName", {"alice"}},
  };

  const std::string assertion_signed = unbase64(mint(base));
  write(responses / "assertion-signed.xml", assertion_signed);

  auto spec = base;
  spec.sign_assertion = false;
  spec.sign_response = true;
  write(responses / "response-signed.xml", unbase64(mint(spec)));

  spec = base;
  spec.sign_response = true;
  spec.session_not_on_or_after = base.issue_instant + 7200;
  spec.attributes.push_back({"https://aws.amazon.com/SAML/Attributes/SessionDuration", {"1800"}});
  spec.attributes.push_back({"https://aws.amazon.com/SAML/Attributes/PrincipalTag:team", {"blue"}});
  spec.attributes.push_back({"https://aws.amazon.com/SAML/Attributes/TransitiveTagKeys", {"team", "project"}});
  spec.attributes.push_back({"https://aws.amazon.com/SAML/Attributes/SourceIdentity", {"alice"}});
  write(responses / "both-signed-tags.xml", unbase64(mint(spec)));

  spec = base;
  spec.digest = "sha1";
  spec.name_id_format = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient";
  spec.name_id = "_7f3a";
  write(responses / "sha1-transient.xml", unbase64(mint(spec)));

  spec = base;
  spec.sign_assertion = false;
  write(responses / "unsigned.xml", unbase64(mint(spec)));

  // As sent (base64 with line breaks): covers the decoder.
  std::string wrapped = mint(base);
  for (std::size_t i = 76; i < wrapped.size(); i += 77) wrapped.insert(i, "\n");
  write(responses / "base64-wrapped.txt", wrapped);

  // Shapes from tests/unit/saml/saml_test.cpp.
  write(responses / "comment-in-nameid.xml",  // still verifies: exclusive c14n drops comments
        replace_once(assertion_signed, ">alice@example.com<", ">alice@<!---->example.com<"));
  write(responses / "tampered-nameid.xml", replace_once(assertion_signed, ">alice@example.com<", ">admin@example.com<"));
  write(responses / "no-keyinfo.xml", remove_element(assertion_signed, "ds:KeyInfo"));
  write(responses / "doctype.xml",
        replace_once(assertion_signed, "<samlp:Response",
                     "<!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]><samlp:Response"));
  write(responses / "duplicate-assertion.xml",
        replace_once(assertion_signed, "</samlp:Response>",
                     "<saml:Assertion xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_dup\"/>"
                     "</samlp:Response>"));
  write(responses / "encrypted-assertion.xml",
        replace_once(assertion_signed, "</samlp:Response>",
                     "<saml:EncryptedAssertion xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\"/>"
                     "</samlp:Response>"));
  write(responses / "bad-instant.xml", replace_once(assertion_signed, "NotOnOrAfter=\"", "NotOnOrAfter=\"2"));

  // Metadata.
  const std::string md = idp->metadata_xml("https://saml.fuzz.stsd.local/sso");
  write(metadata / "idp.xml", md);
  write(metadata / "entities.xml",
        "<md:EntitiesDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\">" +
            replace_once(md, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", "") + "</md:EntitiesDescriptor>");
  write(metadata / "use-encryption.xml", replace_once(md, "use=\"signing\"", "use=\"encryption\""));
  write(metadata / "no-use.xml", replace_once(md, " use=\"signing\"", ""));
  write(metadata / "no-entity-id.xml", replace_once(md, " entityID=\"https://saml.fuzz.stsd.local\"", ""));
  write(metadata / "bad-certificate.xml", replace_once(md, "<ds:X509Certificate>", "<ds:X509Certificate>AAAA"));
  write(metadata / "doctype.xml", replace_once(md, "<md:EntityDescriptor", "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><md:EntityDescriptor"));
  write(metadata / "sp-only.xml", replace_once(replace_once(md, "<md:IDPSSODescriptor", "<md:SPSSODescriptor"),
                                               "</md:IDPSSODescriptor>", "</md:SPSSODescriptor>"));
  return 0;
}
