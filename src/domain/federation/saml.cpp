// SAML 2.0 Response verification and signing over libxml2 + xmlsec1 (OpenSSL
// backend). The design rule against signature wrapping: find the signed
// element ourselves (a direct child Signature whose only Reference is "#" +
// its parent's ID, IDs unique, one Assertion in the whole document), let
// xmlsec check the cryptography with keys we chose, then read data only from
// that element.
#include "stsd/domain/federation/saml.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/valid.h>
#include <libxml/xmlerror.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/list.h>
#include <xmlsec/templates.h>
#include <xmlsec/transforms.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <unordered_set>
#include <utility>

#include "stsd/common/time_format.h"
#include "stsd/crypto/crypto.h"
#include "stsd/crypto/openssl_ptr.h"

#ifndef XMLSEC_CRYPTO_OPENSSL
#error "xmlsec must be compiled against its OpenSSL backend (pkg-config xmlsec1-openssl cflags missing)"
#endif

namespace stsd::domain::federation {
namespace {

constexpr std::string_view kDsigNs = "http://www.w3.org/2000/09/xmldsig#";
constexpr std::string_view kXmlNs = "http://www.w3.org/XML/1998/namespace";
constexpr std::string_view kBearer = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
constexpr std::string_view kEnvelopedAlg = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
constexpr std::string_view kExcC14nAlg = "http://www.w3.org/2001/10/xml-exc-c14n#";
constexpr std::string_view kExcC14nCommentsAlg = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments";

// ---------------------------------------------------------------- RAII ----

struct XmlDocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using XmlDocPtr = std::unique_ptr<xmlDoc, XmlDocFree>;
struct XmlCharFree {
  void operator()(xmlChar* p) const { xmlFree(p); }
};
using XmlCharPtr = std::unique_ptr<xmlChar, XmlCharFree>;
struct ParserCtxtFree {
  void operator()(xmlParserCtxt* c) const { xmlFreeParserCtxt(c); }
};
struct DSigCtxFree {
  void operator()(xmlSecDSigCtx* c) const { xmlSecDSigCtxDestroy(c); }
};
using DSigCtxPtr = std::unique_ptr<xmlSecDSigCtx, DSigCtxFree>;
struct XmlSecKeyFree {
  void operator()(xmlSecKey* k) const { xmlSecKeyDestroy(k); }
};
using XmlSecKeyPtr = std::unique_ptr<xmlSecKey, XmlSecKeyFree>;
using crypto::BioPtr;
using crypto::BnPtr;
using crypto::PkeyPtr;
using crypto::X509Ptr;

const xmlChar* xml_str(const char* s) { return reinterpret_cast<const xmlChar*>(s); }
const xmlChar* xml_str(const std::string& s) { return reinterpret_cast<const xmlChar*>(s.c_str()); }
std::string_view view(const xmlChar* s) {
  return s == nullptr ? std::string_view{} : std::string_view(reinterpret_cast<const char*>(s));
}

// ------------------------------------------------------- initialisation ----

// xmlsec reports through one process-wide callback; keep the first (deepest,
// so most telling) message of the current operation per thread for details.
thread_local std::string t_xmlsec_error;

void record_xmlsec_error(const char* /*file*/, int /*line*/, const char* func,
                         const char* error_object, const char* error_subject, int /*reason*/,
                         const char* msg) {
  if (!t_xmlsec_error.empty()) return;
  std::string text;
  if (func != nullptr) text += func;
  if (error_object != nullptr) (text += ' ') += error_object;
  if (error_subject != nullptr) (text += ' ') += error_subject;
  if (msg != nullptr) (text += ": ") += msg;
  t_xmlsec_error = text.substr(0, 300);
}

void ignore_structured_error(void* /*ctx*/, xmlErrorPtr /*error*/) {}

bool g_xmlsec_ready = false;

void initialize_once() {
  xmlInitParser();
  // Unlike xmlsec's examples we leave libxml2's global defaults alone (no
  // entity substitution, no DTD loading): every parse sets its own options.
  if (xmlSecInit() < 0) return;
  if (xmlSecCheckVersion() != 1) return;
  if (xmlSecOpenSSLAppInit(nullptr) < 0) return;
  if (xmlSecOpenSSLInit() < 0) return;
  xmlSecErrorsSetCallback(record_xmlsec_error);
  g_xmlsec_ready = true;
}

// libxml2's generic error handlers are per thread: silence them on every
// thread that enters this module (XPointer errors would go to stderr).
void quiet_this_thread() {
  thread_local bool quiet = false;
  if (quiet) return;
  xmlSetStructuredErrorFunc(nullptr, ignore_structured_error);
  quiet = true;
}

bool ensure_ready() {
  initialize_xml_security();
  quiet_this_thread();
  t_xmlsec_error.clear();
  return g_xmlsec_ready;
}

// ----------------------------------------------------------- safe parse ----

struct ParseGuard {
  bool saw_doctype = false;
};

// Called at "<!DOCTYPE name ..." before any of the internal subset is read:
// stopping here means no entity is ever declared, so none can be expanded.
void refuse_doctype(void* ctx, const xmlChar* /*name*/, const xmlChar* /*external_id*/,
                    const xmlChar* /*system_id*/) {
  auto* parser = static_cast<xmlParserCtxtPtr>(ctx);
  static_cast<ParseGuard*>(parser->_private)->saw_doctype = true;
  xmlStopParser(parser);
}

Result<XmlDocPtr, std::string> parse_xml_safely(std::string_view text) {
  if (text.size() > static_cast<std::size_t>(INT_MAX)) return unexpected(std::string("document too large"));
  std::unique_ptr<xmlParserCtxt, ParserCtxtFree> parser(
      xmlCreateMemoryParserCtxt(text.data(), static_cast<int>(text.size())));
  if (!parser) return unexpected(std::string("cannot create XML parser"));
  ParseGuard guard;
  parser->_private = &guard;
  // No network, no error printing; deliberately without NOENT, DTDLOAD,
  // DTDATTR, XINCLUDE and HUGE (libxml2's depth and size limits stay on).
  xmlCtxtUseOptions(parser.get(), XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  parser->sax->internalSubset = refuse_doctype;
  parser->sax->serror = ignore_structured_error;
  const int rc = xmlParseDocument(parser.get());
  XmlDocPtr doc(parser->myDoc);
  parser->myDoc = nullptr;
  if (guard.saw_doctype) return unexpected(std::string("DOCTYPE is not allowed"));
  if (rc != 0 || !parser->wellFormed || !doc) {
    std::string detail = "not well-formed XML";
    if (const xmlError* err = xmlCtxtGetLastError(parser.get()); err != nullptr && err->message != nullptr) {
      std::string msg = err->message;
      while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
      detail += " (line " + std::to_string(err->line) + ": " + msg.substr(0, 200) + ")";
    }
    return unexpected(std::move(detail));
  }
  if (doc->intSubset != nullptr || doc->extSubset != nullptr) {
    return unexpected(std::string("DOCTYPE is not allowed"));
  }
  return doc;
}

// ------------------------------------------------------------- tree walk ----

bool is_element(const xmlNode* node, std::string_view ns, std::string_view name) {
  return node != nullptr && node->type == XML_ELEMENT_NODE && node->ns != nullptr &&
         view(node->ns->href) == ns && view(node->name) == name;
}

std::vector<xmlNode*> child_elements(const xmlNode* parent, std::string_view ns, std::string_view name) {
  std::vector<xmlNode*> out;
  for (xmlNode* c = parent->children; c != nullptr; c = c->next) {
    if (is_element(c, ns, name)) out.push_back(c);
  }
  return out;
}

xmlNode* first_child(const xmlNode* parent, std::string_view ns, std::string_view name) {
  for (xmlNode* c = parent->children; c != nullptr; c = c->next) {
    if (is_element(c, ns, name)) return c;
  }
  return nullptr;
}

xmlNode* first_element_child(const xmlNode* parent) {
  for (xmlNode* c = parent->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) return c;
  }
  return nullptr;
}

// An attribute in no namespace (SAML's attributes are all unqualified).
std::optional<std::string> attribute(const xmlNode* node, const char* name) {
  XmlCharPtr value(xmlGetNoNsProp(node, xml_str(name)));
  if (!value) return std::nullopt;
  return std::string(view(value.get()));
}

bool is_xml_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string trim(std::string s) {
  std::size_t b = 0;
  while (b < s.size() && is_xml_space(s[b])) ++b;
  std::size_t e = s.size();
  while (e > b && is_xml_space(s[e - 1])) --e;
  return s.substr(b, e - b);
}

std::string strip_space(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (!is_xml_space(c)) out += c;
  }
  return out;
}

// Text and CDATA children concatenated; comments and processing instructions
// skipped (exclusive c14n without comments does not sign them, so skipping
// them yields exactly the signed value); anything else is not a simple value.
Result<std::string, std::string> simple_text(const xmlNode* node) {
  std::string out;
  for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
    switch (c->type) {
      case XML_TEXT_NODE:
      case XML_CDATA_SECTION_NODE:
        out += view(c->content);
        break;
      case XML_COMMENT_NODE:
      case XML_PI_NODE:
        break;
      default:
        return unexpected(std::string("<").append(view(node->name)).append("> must hold text only"));
    }
  }
  return trim(std::move(out));
}

// xs:ID is an NCName; we accept its ASCII subset, which is what IdPs emit and
// keeps "#xpointer(...)"-style tricks out of Reference URIs.
bool is_ascii_ncname(std::string_view s) {
  if (s.empty()) return false;
  auto name_start = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  if (!name_start(s.front())) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
  });
}

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

// Certificates named in the Signature's KeyInfo (used only to tell "signed
// by someone else" from "broken signature", never as keys).
std::vector<std::string> keyinfo_certificates(const xmlNode* signature) {
  std::vector<std::string> out;
  for (xmlNode* key_info : child_elements(signature, kDsigNs, "KeyInfo")) {
    for (xmlNode* data : child_elements(key_info, kDsigNs, "X509Data")) {
      for (xmlNode* cert : child_elements(data, kDsigNs, "X509Certificate")) {
        auto text = simple_text(cert);
        if (!text) continue;
        if (auto der = crypto::base64_decode(strip_space(*text))) out.push_back(std::move(*der));
      }
    }
  }
  return out;
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

void initialize_xml_security() {
  static std::once_flag once;
  std::call_once(once, initialize_once);
}

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

// ------------------------------------------------------------- metadata ----

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

// ----------------------------------------------------------- built-in IdP ----

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

#undef SAML_TRY

}  // namespace stsd::domain::federation
