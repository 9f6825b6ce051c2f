// libxml2 + xmlsec1 (OpenSSL backend) set-up, safe parsing and tree walking
// for the SAML code (xml_tree.h).
#include "xml_tree.h"

#include <libxml/parserInternals.h>
#include <libxml/valid.h>
#include <libxml/xmlerror.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/xmlsec.h>

#include <algorithm>
#include <climits>
#include <mutex>

#include "stsd/crypto/crypto.h"
#include "stsd/domain/federation/xml_security.h"

namespace stsd::domain::federation {

namespace xml {

const xmlChar* xml_str(const char* s) { return reinterpret_cast<const xmlChar*>(s); }
const xmlChar* xml_str(const std::string& s) { return reinterpret_cast<const xmlChar*>(s.c_str()); }
std::string_view view(const xmlChar* s) {
  return s == nullptr ? std::string_view{} : std::string_view(reinterpret_cast<const char*>(s));
}

// ------------------------------------------------------- initialisation ----

// xmlsec reports through one process-wide callback; keep the first (deepest,
// so most telling) message of the current operation per thread for details.
thread_local std::string t_xmlsec_error;

namespace {

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

}  // namespace

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

namespace {

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

}  // namespace

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

namespace {
bool is_xml_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

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

}  // namespace xml

void initialize_xml_security() {
  static std::once_flag once;
  std::call_once(once, xml::initialize_once);
}

}  // namespace stsd::domain::federation
