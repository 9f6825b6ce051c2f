// stsd's built-in SAML identity provider (test tooling, not attack surface):
// an RSA identity, its metadata, and signed Responses minted with xmlsec1.
#include "stsd/domain/federation/saml_idp.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/valid.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <xmlsec/crypto.h>
#include <xmlsec/templates.h>
#include <xmlsec/transforms.h>

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "stsd/common/time_format.h"
#include "stsd/crypto/crypto.h"
#include "stsd/crypto/openssl_ptr.h"
#include "xml_tree.h"

namespace stsd::domain::federation {

using namespace xml;
using crypto::BioPtr;
using crypto::BnPtr;
using crypto::PkeyPtr;
using crypto::X509Ptr;

namespace {

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      // Attribute-value normalisation would turn these into spaces.
      case '\n': out += "&#10;"; break;
      case '\r': out += "&#13;"; break;
      case '\t': out += "&#9;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string new_saml_id() { return std::string("_").append(crypto::hex_encode(crypto::random_bytes(20))); }

std::string pem_of_pkey(EVP_PKEY* pkey) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), pkey, nullptr, nullptr, 0, nullptr, nullptr) != 1) return {};
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string der_of_cert(X509* cert) {
  unsigned char* der = nullptr;
  const int n = i2d_X509(cert, &der);
  if (n <= 0) return {};
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(n));
  OPENSSL_free(der);
  return out;
}

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "stsd: fatal: cannot generate the SAML IdP identity (%s)\n", what);
  std::abort();
}

// Adds an enveloped, exclusively canonicalised signature as the child right
// after `element`'s Issuer (where the SAML schema puts it) and signs it.
bool sign_element(xmlDoc* doc, xmlNode* element, const std::string& id, const std::string& key_pem,
                  const std::string& cert_der, bool sha1) {
  xmlNode* issuer = first_child(element, kSamlAssertionNs, "Issuer");
  if (issuer == nullptr) return false;
  xmlNode* signature = xmlSecTmplSignatureCreateNsPref(doc, xmlSecTransformExclC14NId,
                                                       sha1 ? xmlSecTransformRsaSha1Id : xmlSecTransformRsaSha256Id,
                                                       nullptr, xml_str("ds"));
  if (signature == nullptr) return false;
  if (xmlAddNextSibling(issuer, signature) == nullptr) {
    xmlFreeNode(signature);
    return false;
  }
  const std::string uri = "#" + id;
  xmlNode* ref = xmlSecTmplSignatureAddReference(signature, sha1 ? xmlSecTransformSha1Id : xmlSecTransformSha256Id,
                                                 nullptr, xml_str(uri), nullptr);
  if (ref == nullptr || xmlSecTmplReferenceAddTransform(ref, xmlSecTransformEnvelopedId) == nullptr ||
      xmlSecTmplReferenceAddTransform(ref, xmlSecTransformExclC14NId) == nullptr) {
    return false;
  }
  xmlNode* key_info = xmlSecTmplSignatureEnsureKeyInfo(signature, nullptr);
  xmlNode* x509 = key_info == nullptr ? nullptr : xmlSecTmplKeyInfoAddX509Data(key_info);
  if (x509 == nullptr || xmlSecTmplX509DataAddCertificate(x509) == nullptr) return false;

  // A fresh key per signature: the context destroys it, and sharing one
  // xmlSecKey across threads is not allowed.
  XmlSecKeyPtr key(xmlSecOpenSSLAppKeyLoadMemory(reinterpret_cast<const xmlSecByte*>(key_pem.data()),
                                                 static_cast<xmlSecSize>(key_pem.size()), xmlSecKeyDataFormatPem,
                                                 nullptr, nullptr, nullptr));
  if (!key || xmlSecOpenSSLAppKeyCertLoadMemory(key.get(), reinterpret_cast<const xmlSecByte*>(cert_der.data()),
                                                static_cast<xmlSecSize>(cert_der.size()),
                                                xmlSecKeyDataFormatCertDer) < 0) {
    return false;
  }
  DSigCtxPtr ctx(xmlSecDSigCtxCreate(nullptr));
  if (!ctx) return false;
  ctx->signKey = key.release();
  return xmlSecDSigCtxSign(ctx.get(), signature) >= 0;
}

}  // namespace

SamlIdentityProvider SamlIdentityProvider::generate(std::string entity_id) {
  PkeyPtr pkey(EVP_RSA_gen(2048));
  if (!pkey) die("RSA key generation");
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1) die("X509_new");
  // A positive random 127-bit serial (RFC 5280 4.1.2.2 wants unique, <= 20 bytes).
  std::string serial_bytes = crypto::random_bytes(16);
  serial_bytes[0] = static_cast<char>(serial_bytes[0] & 0x7f);
  BnPtr serial(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(serial_bytes.data()), 16, nullptr));
  if (!serial || BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr) die("serial");
  // Valid from a day ago, so clock skew between stsd and a client never
  // makes a fresh certificate "not yet valid".
  if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -86400) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 86400) == nullptr) {
    die("validity");
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("stsd"), -1, -1,
                                 0) != 1 ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>("stsd built-in SAML IdP"), -1, -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(), name) != 1 || X509_set_pubkey(cert.get(), pkey.get()) != 1 ||
      X509_sign(cert.get(), pkey.get(), EVP_sha256()) <= 0) {
    die("certificate");
  }
  SamlIdentityProvider idp;
  idp.entity_id_ = std::move(entity_id);
  idp.private_key_pem_ = pem_of_pkey(pkey.get());
  idp.certificate_der_ = der_of_cert(cert.get());
  if (idp.private_key_pem_.empty() || idp.certificate_der_.empty()) die("encoding");
  return idp;
}

Result<SamlIdentityProvider, std::string> SamlIdentityProvider::from_pem(std::string entity_id,
                                                                         std::string_view private_key_pem,
                                                                         std::string_view certificate_pem) {
  BioPtr key_bio(BIO_new_mem_buf(private_key_pem.data(), static_cast<int>(private_key_pem.size())));
  PkeyPtr pkey(key_bio ? PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!pkey) return unexpected(std::string("private key is not an unencrypted PEM private key"));
  if (!EVP_PKEY_is_a(pkey.get(), "RSA") || EVP_PKEY_get_bits(pkey.get()) < 2048) {
    return unexpected(std::string("private key must be RSA of at least 2048 bits"));
  }
  BioPtr cert_bio(BIO_new_mem_buf(certificate_pem.data(), static_cast<int>(certificate_pem.size())));
  X509Ptr cert(cert_bio ? PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) return unexpected(std::string("certificate is not a PEM X.509 certificate"));
  if (X509_check_private_key(cert.get(), pkey.get()) != 1) {
    return unexpected(std::string("certificate does not match the private key"));
  }
  SamlIdentityProvider idp;
  idp.entity_id_ = std::move(entity_id);
  idp.private_key_pem_ = pem_of_pkey(pkey.get());
  idp.certificate_der_ = der_of_cert(cert.get());
  if (idp.private_key_pem_.empty() || idp.certificate_der_.empty()) {
    return unexpected(std::string("cannot re-encode key or certificate"));
  }
  return idp;
}

std::string SamlIdentityProvider::certificate_pem() const {
  const std::string b64 = crypto::base64_encode(certificate_der_);
  std::string out = "-----BEGIN CERTIFICATE-----\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) out += b64.substr(i, 64) + "\n";
  out += "-----END CERTIFICATE-----\n";
  return out;
}

std::string SamlIdentityProvider::metadata_xml(std::string_view sso_location) const {
  const std::string location = xml_escape(sso_location.empty() ? std::string_view(entity_id_) : sso_location);
  std::string x;
  x += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" xmlns:ds=\"";
  x += kDsigNs;
  x += "\" entityID=\"" + xml_escape(entity_id_) + "\">";
  x += "<md:IDPSSODescriptor WantAuthnRequestsSigned=\"false\" "
       "protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">";
  x += "<md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>";
  x += crypto::base64_encode(certificate_der_);
  x += "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>";
  x += "<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>";
  x += "<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</md:NameIDFormat>";
  x += "<md:SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\" Location=\"" + location +
       "\"/>";
  x += "</md:IDPSSODescriptor></md:EntityDescriptor>\n";
  return x;
}

Result<std::string, std::string> SamlIdentityProvider::mint_response_base64(const ResponseSpec& spec) const {
  if (!ensure_ready()) return unexpected(std::string("xmlsec is not available"));
  if (spec.digest != "sha256" && spec.digest != "sha1") {
    return unexpected("unsupported digest \"" + spec.digest + "\" (sha256 or sha1)");
  }
  const std::string response_id = new_saml_id();
  const std::string assertion_id = new_saml_id();
  const std::string issue = format_iso8601(spec.issue_instant);
  const std::string until = format_iso8601(spec.issue_instant + spec.lifetime_seconds);
  const std::string issuer = "<saml:Issuer>" + xml_escape(entity_id_) + "</saml:Issuer>";

  std::string x;
  x += "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" "
       "xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"" + response_id +
       "\" Version=\"2.0\" IssueInstant=\"" + issue + "\" Destination=\"" + xml_escape(spec.recipient) + "\">";
  x += issuer;
  x += "<samlp:Status><samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"/></samlp:Status>";
  x += "<saml:Assertion xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" "
       "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" ID=\"" + assertion_id +
       "\" Version=\"2.0\" IssueInstant=\"" + issue + "\">";
  x += issuer;
  x += "<saml:Subject><saml:NameID";
  if (!spec.name_id_format.empty()) x += " Format=\"" + xml_escape(spec.name_id_format) + "\"";
  x += ">" + xml_escape(spec.name_id) + "</saml:NameID>";
  x += "<saml:SubjectConfirmation Method=\"urn:oasis:names:tc:SAML:2.0:cm:bearer\">"
       "<saml:SubjectConfirmationData NotOnOrAfter=\"" + until + "\" Recipient=\"" + xml_escape(spec.recipient) +
       "\"/></saml:SubjectConfirmation></saml:Subject>";
  x += "<saml:Conditions NotBefore=\"" + issue + "\" NotOnOrAfter=\"" + until + "\">";
  x += "<saml:AudienceRestriction><saml:Audience>" + xml_escape(spec.audience) +
       "</saml:Audience></saml:AudienceRestriction></saml:Conditions>";
  x += "<saml:AuthnStatement AuthnInstant=\"" + issue + "\" SessionIndex=\"" + assertion_id + "\"";
  if (spec.session_not_on_or_after) {
    x += " SessionNotOnOrAfter=\"" + format_iso8601(*spec.session_not_on_or_after) + "\"";
  }
  x += "><saml:AuthnContext><saml:AuthnContextClassRef>"
       "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
       "</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>";
  if (!spec.attributes.empty()) {
    x += "<saml:AttributeStatement>";
    for (const SamlAttribute& a : spec.attributes) {
      x += "<saml:Attribute Name=\"" + xml_escape(a.name) + "\">";
      for (const std::string& v : a.values) {
        x += "<saml:AttributeValue xsi:type=\"xs:string\">" + xml_escape(v) + "</saml:AttributeValue>";
      }
      x += "</saml:Attribute>";
    }
    x += "</saml:AttributeStatement>";
  }
  x += "</saml:Assertion></samlp:Response>";

  // Parsing what we wrote also rejects values that cannot be XML text
  // (control characters, invalid UTF-8) before anything is signed.
  auto parsed = parse_xml_safely(x);
  if (!parsed) return unexpected("a value cannot be carried in XML: " + parsed.error());
  XmlDocPtr doc = std::move(*parsed);
  xmlNode* response = xmlDocGetRootElement(doc.get());
  xmlNode* assertion = first_child(response, kSamlAssertionNs, "Assertion");
  for (xmlNode* element : {response, assertion}) {
    xmlAttr* attr = xmlHasNsProp(element, xml_str("ID"), nullptr);
    if (attr == nullptr || xmlAddID(nullptr, doc.get(), attr->children->content, attr) == nullptr) {
      return unexpected(std::string("cannot register IDs"));
    }
  }
  const bool sha1 = spec.digest == "sha1";
  // Assertion first: the Response signature must cover the signed Assertion.
  if (spec.sign_assertion && !sign_element(doc.get(), assertion, assertion_id, private_key_pem_, certificate_der_, sha1)) {
    return unexpected("signing the Assertion failed: " + t_xmlsec_error);
  }
  if (spec.sign_response && !sign_element(doc.get(), response, response_id, private_key_pem_, certificate_der_, sha1)) {
    return unexpected("signing the Response failed: " + t_xmlsec_error);
  }
  xmlChar* mem = nullptr;
  int size = 0;
  xmlDocDumpMemoryEnc(doc.get(), &mem, &size, "UTF-8");
  if (mem == nullptr) return unexpected(std::string("cannot serialise the Response"));
  XmlCharPtr owned(mem);
  return crypto::base64_encode(std::string_view(reinterpret_cast<const char*>(mem), static_cast<std::size_t>(size)));
}

}  // namespace stsd::domain::federation
