// SAML 2.0 Response verification (AssumeRoleWithSAML's untrusted input) over
// libxml2 + xmlsec1 (OpenSSL backend). The design rule against signature
// wrapping: find the signed element ourselves (a direct child Signature whose
// only Reference is "#" + its parent's ID, IDs unique, one Assertion in the
// whole document), let xmlsec check the cryptography with keys we chose, then
// read data only from that element.
#include "stsd/domain/federation/saml_response.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/valid.h>
#include <xmlsec/crypto.h>
#include <xmlsec/list.h>
#include <xmlsec/transforms.h>

#include <algorithm>
#include <climits>
#include <unordered_set>
#include <utility>

#include "stsd/common/time_format.h"
#include "stsd/crypto/crypto.h"
#include "xml_tree.h"

namespace stsd::domain::federation {
namespace {

using namespace xml;

constexpr std::string_view kXmlNs = "http://www.w3.org/XML/1998/namespace";
constexpr std::string_view kBearer = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
constexpr std::string_view kEnvelopedAlg = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
constexpr std::string_view kExcC14nAlg = "http://www.w3.org/2001/10/xml-exc-c14n#";
constexpr std::string_view kExcC14nCommentsAlg = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments";

}  // namespace

std::optional<std::int64_t> saml_assertion_expiry(const SamlAssertionData& data) {
  if (!data.subject_not_on_or_after) return std::nullopt;
  if (data.not_on_or_after) return std::min(*data.subject_not_on_or_after, *data.not_on_or_after);
  return data.subject_not_on_or_after;
}

std::optional<std::int64_t> parse_saml_session_duration(std::string_view text) {
  if (text.empty() || text.size() > 9) return std::nullopt;
  std::int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

namespace {

// ------------------------------------------------------- verification ----

SamlError fail(SamlProblem problem, std::string detail) { return SamlError{problem, std::move(detail)}; }

// Every ID-like attribute value in the document, to refuse duplicates: the
// classic wrapping attacks rely on two elements answering to one ID.
struct DocumentFacts {
  std::vector<xmlNode*> assertions;
  bool encrypted = false;
  std::optional<std::string> duplicate_id;
};

void collect_facts(xmlNode* node, DocumentFacts& facts, std::unordered_set<std::string>& ids) {
  for (xmlNode* n = node; n != nullptr; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    if (is_element(n, kSamlAssertionNs, "Assertion")) facts.assertions.push_back(n);
    if (is_element(n, kSamlAssertionNs, "EncryptedAssertion") || is_element(n, kSamlAssertionNs, "EncryptedID") ||
        is_element(n, kSamlAssertionNs, "EncryptedAttribute")) {
      facts.encrypted = true;
    }
    for (xmlAttr* a = n->properties; a != nullptr; a = a->next) {
      const std::string_view name = view(a->name);
      const bool id_like = (a->ns == nullptr && (name == "ID" || name == "Id" || name == "id")) ||
                           (a->ns != nullptr && view(a->ns->href) == kXmlNs && name == "id");
      if (!id_like) continue;
      XmlCharPtr value(xmlNodeListGetString(n->doc, a->children, 1));
      std::string v(view(value.get()));
      if (!ids.insert(v).second && !facts.duplicate_id) facts.duplicate_id = v;
    }
    collect_facts(n->children, facts, ids);
  }
}

// Registers parent/@ID as the document's only ID of that value; xmlsec
// resolves "#id" through exactly this table.
Result<std::string, SamlError> register_id(xmlDoc* doc, xmlNode* element) {
  const std::string what(view(element->name));
  xmlAttr* attr = xmlHasNsProp(element, xml_str("ID"), nullptr);
  if (attr == nullptr) return unexpected(fail(SamlProblem::Malformed, what + " has no ID"));
  XmlCharPtr value(xmlNodeListGetString(doc, attr->children, 1));
  std::string id(view(value.get()));
  if (!is_ascii_ncname(id)) return unexpected(fail(SamlProblem::Malformed, what + "/@ID is not an NCName"));
  if (xmlAddID(nullptr, doc, xml_str(id), attr) == nullptr || xmlGetID(doc, xml_str(id)) != attr) {
    return unexpected(fail(SamlProblem::Malformed, "duplicate ID " + id));
  }
  return id;
}

bool add_ids(xmlSecPtrListPtr list, std::initializer_list<xmlSecTransformId> ids) {
  for (xmlSecTransformId id : ids) {
    if (xmlSecPtrListAdd(list, const_cast<void*>(static_cast<const void*>(id))) < 0) return false;
  }
  return true;
}


// Structural rules xmlsec cannot express: exactly one Reference, pointing
// at this signature's own parent, with only the transforms SAML uses.
Result<void, SamlError> check_signature_shape(const xmlNode* signature, const std::string& parent_id) {
  xmlNode* signed_info = first_element_child(signature);
  if (!is_element(signed_info, kDsigNs, "SignedInfo")) {
    return unexpected(fail(SamlProblem::BadSignature, "Signature does not start with SignedInfo"));
  }
  const auto references = child_elements(signed_info, kDsigNs, "Reference");
  if (references.size() != 1) {
    return unexpected(fail(SamlProblem::BadSignature,
                           "SignedInfo must hold exactly one Reference, found " + std::to_string(references.size())));
  }
  const auto uri = attribute(references.front(), "URI");
  if (!uri || *uri != "#" + parent_id) {
    return unexpected(fail(SamlProblem::BadSignature,
                           "Reference URI \"" + uri.value_or("") + "\" does not point at the signed element #" + parent_id));
  }
  for (xmlNode* transforms : child_elements(references.front(), kDsigNs, "Transforms")) {
    for (xmlNode* t = transforms->children; t != nullptr; t = t->next) {
      if (t->type != XML_ELEMENT_NODE) continue;
      const auto alg = attribute(t, "Algorithm").value_or("");
      if (!is_element(t, kDsigNs, "Transform") ||
          (alg != kEnvelopedAlg && alg != kExcC14nAlg && alg != kExcC14nCommentsAlg)) {
        return unexpected(fail(SamlProblem::BadSignature, "Reference transform not allowed: " + alg));
      }
    }
  }
  return {};
}

enum class Attempt { Verified, Invalid, Error };

// One xmlsec verification of `signature` with `key` (consumed), restricted
// to same-document references and the algorithms SAML IdPs use.
Attempt verify_with_key(xmlNode* signature, XmlSecKeyPtr key, const std::string& parent_id) {
  DSigCtxPtr ctx(xmlSecDSigCtxCreate(nullptr));
  if (!ctx) return Attempt::Error;
  ctx->signKey = key.release();  // owned by ctx from here; KeyInfo is then never consulted
  ctx->flags = XMLSEC_DSIG_FLAGS_IGNORE_MANIFESTS | XMLSEC_DSIG_FLAGS_STORE_SIGNEDINFO_REFERENCES;
  ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
  ctx->keyInfoReadCtx.maxRetrievalMethodLevel = 0;
  // The context owns (and destroys) its reference-transform list.
  ctx->enabledReferenceTransforms = xmlSecPtrListCreate(xmlSecTransformIdListId);
  if (ctx->enabledReferenceTransforms == nullptr ||
      !add_ids(ctx->enabledReferenceTransforms,
               {xmlSecTransformEnvelopedId, xmlSecTransformExclC14NId, xmlSecTransformExclC14NWithCommentsId,
                xmlSecTransformSha1Id, xmlSecTransformSha256Id, xmlSecTransformSha384Id, xmlSecTransformSha512Id}) ||
      !add_ids(&ctx->transformCtx.enabledTransforms,
               {xmlSecTransformExclC14NId, xmlSecTransformExclC14NWithCommentsId, xmlSecTransformRsaSha1Id,
                xmlSecTransformRsaSha256Id, xmlSecTransformRsaSha384Id, xmlSecTransformRsaSha512Id,
                xmlSecTransformEcdsaSha1Id, xmlSecTransformEcdsaSha256Id, xmlSecTransformEcdsaSha384Id,
                xmlSecTransformEcdsaSha512Id})) {
    return Attempt::Error;
  }
  if (xmlSecDSigCtxVerify(ctx.get(), signature) < 0) return Attempt::Error;
  if (ctx->status != xmlSecDSigStatusSucceeded) return Attempt::Invalid;
  // Belt and braces: what xmlsec actually dereferenced must be our parent.
  if (xmlSecPtrListGetSize(&ctx->signedInfoReferences) != 1) return Attempt::Invalid;
  auto* ref = static_cast<xmlSecDSigReferenceCtxPtr>(xmlSecPtrListGetItem(&ctx->signedInfoReferences, 0));
  if (ref == nullptr || ref->status != xmlSecDSigStatusSucceeded || view(ref->uri) != "#" + parent_id) {
    return Attempt::Invalid;
  }
  return Attempt::Verified;
}

XmlSecKeyPtr key_from_certificate(const std::string& der) {
  if (der.empty() || der.size() > UINT_MAX / 2) return nullptr;
  return XmlSecKeyPtr(xmlSecOpenSSLAppKeyLoadMemory(reinterpret_cast<const xmlSecByte*>(der.data()),
                                                    static_cast<xmlSecSize>(der.size()), xmlSecKeyDataFormatCertDer,
                                                    nullptr, nullptr, nullptr));
}

Result<void, SamlError> verify_signature(xmlNode* signature, const std::string& parent_id,
                                         const std::vector<std::string>& trusted_certs_der) {
  const std::string what = "<" + std::string(view(signature->parent->name)) + "> signature";
  if (auto shape = check_signature_shape(signature, parent_id); !shape) {
    return unexpected(fail(shape.error().problem, what + ": " + shape.error().detail));
  }
  const auto named = keyinfo_certificates(signature);
  if (trusted_certs_der.empty()) return unexpected(fail(SamlProblem::UntrustedKey, "no trusted certificate"));
  // Try the trusted certificate the KeyInfo names first; then all others.
  std::vector<const std::string*> order;
  for (const auto& c : trusted_certs_der) {
    if (std::find(named.begin(), named.end(), c) != named.end()) order.push_back(&c);
  }
  for (const auto& c : trusted_certs_der) {
    if (std::find(order.begin(), order.end(), &c) == order.end()) order.push_back(&c);
  }
  std::string error_detail;
  for (const std::string* cert : order) {
    t_xmlsec_error.clear();
    XmlSecKeyPtr key = key_from_certificate(*cert);
    if (!key) {
      if (error_detail.empty()) error_detail = "trusted certificate unusable: " + t_xmlsec_error;
      continue;
    }
    switch (verify_with_key(signature, std::move(key), parent_id)) {
      case Attempt::Verified:
        return {};
      case Attempt::Invalid:
        break;
      case Attempt::Error:
        if (error_detail.empty() && !t_xmlsec_error.empty()) error_detail = t_xmlsec_error;
        break;
    }
  }
  const bool names_trusted = std::any_of(named.begin(), named.end(), [&](const std::string& c) {
    return std::find(trusted_certs_der.begin(), trusted_certs_der.end(), c) != trusted_certs_der.end();
  });
  if (!named.empty() && !names_trusted) {
    return unexpected(fail(SamlProblem::UntrustedKey, what + " was made with a certificate that is not trusted"));
  }
  return unexpected(fail(SamlProblem::BadSignature,
                         what + " does not verify" + (error_detail.empty() ? "" : " (" + error_detail + ")")));
}

Result<std::optional<std::int64_t>, SamlError> time_attribute(const xmlNode* node, const char* name) {
  const auto text = attribute(node, name);
  if (!text) return std::optional<std::int64_t>{};
  const auto t = parse_xs_datetime(trim(*text));
  if (!t) {
    return unexpected(fail(SamlProblem::Malformed,
                           std::string(view(node->name)) + "/@" + name + " is not an xs:dateTime: " + text->substr(0, 64)));
  }
  return std::optional<std::int64_t>(*t);
}

Result<std::string, SamlError> text_of(const xmlNode* node) {
  auto text = simple_text(node);
  if (!text) return unexpected(fail(SamlProblem::Malformed, std::move(text).error()));
  return std::move(*text);
}

// At most one child of that name (SAML's schema says so for the elements we read).
Result<xmlNode*, SamlError> optional_single(const xmlNode* parent, std::string_view name) {
  const auto found = child_elements(parent, kSamlAssertionNs, name);
  if (found.size() > 1) {
    return unexpected(fail(SamlProblem::Malformed, "more than one <" + std::string(name) + ">"));
  }
  return found.empty() ? nullptr : found.front();
}

#define SAML_TRY(var, expr)                          \
  auto var##_result = (expr);                        \
  if (!var##_result) return unexpected(std::move(var##_result).error()); \
  auto var = std::move(*var##_result)

Result<void, SamlError> read_assertion(const xmlNode* assertion, SamlAssertionData& out) {
  SAML_TRY(issuer, optional_single(assertion, "Issuer"));
  if (issuer != nullptr) {
    SAML_TRY(text, text_of(issuer));
    out.issuer = std::move(text);
  }

  SAML_TRY(subject, optional_single(assertion, "Subject"));
  if (subject != nullptr) {
    SAML_TRY(name_id, optional_single(subject, "NameID"));
    if (name_id != nullptr) {
      SAML_TRY(text, text_of(name_id));
      out.name_id = std::move(text);
      out.name_id_format = trim(attribute(name_id, "Format").value_or(""));
    }
    for (xmlNode* confirmation : child_elements(subject, kSamlAssertionNs, "SubjectConfirmation")) {
      if (trim(attribute(confirmation, "Method").value_or("")) != kBearer) continue;
      if (xmlNode* data = first_child(confirmation, kSamlAssertionNs, "SubjectConfirmationData")) {
        out.recipient = trim(attribute(data, "Recipient").value_or(""));
        SAML_TRY(not_on_or_after, time_attribute(data, "NotOnOrAfter"));
        out.subject_not_on_or_after = not_on_or_after;
      }
      break;
    }
  }

  SAML_TRY(conditions, optional_single(assertion, "Conditions"));
  if (conditions != nullptr) {
    SAML_TRY(not_before, time_attribute(conditions, "NotBefore"));
    SAML_TRY(not_on_or_after, time_attribute(conditions, "NotOnOrAfter"));
    out.not_before = not_before;
    out.not_on_or_after = not_on_or_after;
    for (xmlNode* restriction : child_elements(conditions, kSamlAssertionNs, "AudienceRestriction")) {
      for (xmlNode* audience : child_elements(restriction, kSamlAssertionNs, "Audience")) {
        SAML_TRY(text, text_of(audience));
        out.audiences.push_back(std::move(text));
      }
    }
  }

  if (xmlNode* authn = first_child(assertion, kSamlAssertionNs, "AuthnStatement")) {
    SAML_TRY(session_end, time_attribute(authn, "SessionNotOnOrAfter"));
    out.session_not_on_or_after = session_end;
  }

  for (xmlNode* statement : child_elements(assertion, kSamlAssertionNs, "AttributeStatement")) {
    for (xmlNode* attr : child_elements(statement, kSamlAssertionNs, "Attribute")) {
      SamlAttribute a;
      a.name = trim(attribute(attr, "Name").value_or(""));
      for (xmlNode* value : child_elements(attr, kSamlAssertionNs, "AttributeValue")) {
        SAML_TRY(text, text_of(value));
        a.values.push_back(std::move(text));
      }
      out.attributes.push_back(std::move(a));
    }
  }
  return {};
}

}  // namespace

std::string_view to_string(SamlProblem problem) {
  switch (problem) {
    case SamlProblem::Malformed: return "Malformed";
    case SamlProblem::NotSigned: return "NotSigned";
    case SamlProblem::BadSignature: return "BadSignature";
    case SamlProblem::UntrustedKey: return "UntrustedKey";
    case SamlProblem::Encrypted: return "Encrypted";
  }
  return "Unknown";
}

Result<SamlAssertionData, SamlError> verify_saml_response(std::string_view base64_response,
                                                          const std::vector<std::string>& trusted_certs_der) {
  if (!ensure_ready()) return unexpected(fail(SamlProblem::BadSignature, "xmlsec is not available"));
  if (base64_response.size() > kMaxSamlResponseBase64Size) {
    return unexpected(fail(SamlProblem::Malformed, "SAML response too large"));
  }
  // IdPs wrap base64 at 64 or 76 columns; the line breaks carry no data.
  const auto xml = crypto::base64_decode(strip_space(base64_response));
  if (!xml || xml->empty()) return unexpected(fail(SamlProblem::Malformed, "SAML response is not base64"));
  auto parsed = parse_xml_safely(*xml);
  if (!parsed) return unexpected(fail(SamlProblem::Malformed, std::move(parsed).error()));
  XmlDocPtr doc = std::move(*parsed);

  xmlNode* response = xmlDocGetRootElement(doc.get());
  if (!is_element(response, kSamlProtocolNs, "Response")) {
    return unexpected(fail(SamlProblem::Malformed, "root element is not samlp:Response"));
  }
  DocumentFacts facts;
  std::unordered_set<std::string> ids;
  collect_facts(response, facts, ids);
  if (facts.encrypted) {
    return unexpected(fail(SamlProblem::Encrypted, "encrypted assertions and identifiers are not supported"));
  }
  if (facts.assertions.size() != 1) {
    return unexpected(fail(SamlProblem::Malformed,
                           "expected exactly one Assertion, found " + std::to_string(facts.assertions.size())));
  }
  xmlNode* assertion = facts.assertions.front();
  if (assertion->parent != response) {
    return unexpected(fail(SamlProblem::Malformed, "the Assertion is not a direct child of the Response"));
  }
  if (facts.duplicate_id) {
    return unexpected(fail(SamlProblem::Malformed, "duplicate ID " + facts.duplicate_id->substr(0, 64)));
  }
  SAML_TRY(response_id, register_id(doc.get(), response));
  SAML_TRY(assertion_id, register_id(doc.get(), assertion));

  const auto response_sigs = child_elements(response, kDsigNs, "Signature");
  const auto assertion_sigs = child_elements(assertion, kDsigNs, "Signature");
  if (response_sigs.size() > 1 || assertion_sigs.size() > 1) {
    return unexpected(fail(SamlProblem::Malformed, "more than one Signature on one element"));
  }
  if (response_sigs.empty() && assertion_sigs.empty()) {
    return unexpected(fail(SamlProblem::NotSigned, "neither the Response nor the Assertion is signed"));
  }
  if (!response_sigs.empty()) {
    if (auto ok = verify_signature(response_sigs.front(), response_id, trusted_certs_der); !ok) {
      return unexpected(std::move(ok).error());
    }
  }
  if (!assertion_sigs.empty()) {
    if (auto ok = verify_signature(assertion_sigs.front(), assertion_id, trusted_certs_der); !ok) {
      return unexpected(std::move(ok).error());
    }
  }

  // From here on, every node read lies inside a verified signed element.
  SamlAssertionData data;
  data.response_signed = !response_sigs.empty();
  data.assertion_signed = !assertion_sigs.empty();
  data.response_id = response_id;
  data.assertion_id = assertion_id;
  if (auto ok = read_assertion(assertion, data); !ok) return unexpected(std::move(ok).error());
  if (data.issuer.empty() && data.response_signed) {
    SAML_TRY(issuer, optional_single(response, "Issuer"));
    if (issuer != nullptr) {
      SAML_TRY(text, text_of(issuer));
      data.issuer = std::move(text);
    }
  }
  if (xmlNode* status = first_child(response, kSamlProtocolNs, "Status")) {
    if (xmlNode* code = first_child(status, kSamlProtocolNs, "StatusCode")) {
      data.status_code = trim(attribute(code, "Value").value_or(""));
    }
  }
  return data;
}

#undef SAML_TRY

}  // namespace stsd::domain::federation
