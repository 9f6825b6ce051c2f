#pragma once
// libxml2 and xmlsec1 plumbing shared inside stsd_federation by SAML response
// verification, metadata parsing and the built-in IdP (internal: not under
// include/). Parsing is always the safe kind: no network, no DTD, no entity
// substitution, any DOCTYPE refused before its internal subset is read.
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <xmlsec/keys.h>
#include <xmlsec/xmldsig.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stsd/common/result.h"

#ifndef XMLSEC_CRYPTO_OPENSSL
#error "xmlsec must be compiled against its OpenSSL backend (pkg-config xmlsec1-openssl cflags missing)"
#endif

namespace stsd::domain::federation::xml {

inline constexpr std::string_view kDsigNs = "http://www.w3.org/2000/09/xmldsig#";

// RAII for libxml2 and xmlsec objects.
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

const xmlChar* xml_str(const char* s);
const xmlChar* xml_str(const std::string& s);
std::string_view view(const xmlChar* s);

// xmlsec's first (deepest, so most telling) error message of the current
// operation on this thread, for details in errors and logs.
extern thread_local std::string t_xmlsec_error;

// libxml2's generic error handlers are per thread: silences them on the
// calling thread (XPointer errors would go to stderr).
void quiet_this_thread();
// initialize_xml_security(), quiet_this_thread() and a cleared
// t_xmlsec_error; false when xmlsec could not be initialised.
bool ensure_ready();

// Parses `text` as a standalone XML document (see the header comment).
Result<XmlDocPtr, std::string> parse_xml_safely(std::string_view text);

// Tree walk by namespace URI and local name.
bool is_element(const xmlNode* node, std::string_view ns, std::string_view name);
std::vector<xmlNode*> child_elements(const xmlNode* parent, std::string_view ns, std::string_view name);
xmlNode* first_child(const xmlNode* parent, std::string_view ns, std::string_view name);
xmlNode* first_element_child(const xmlNode* parent);
// An attribute in no namespace (SAML's attributes are all unqualified).
std::optional<std::string> attribute(const xmlNode* node, const char* name);

// XML whitespace (space, tab, CR, LF) removed at both ends / everywhere.
std::string trim(std::string s);
std::string strip_space(std::string_view s);
// Text and CDATA children concatenated and trimmed; comments and processing
// instructions skipped (exclusive c14n without comments does not sign them,
// so skipping them yields exactly the signed value); any other child is an
// error.
Result<std::string, std::string> simple_text(const xmlNode* node);
// The ASCII subset of an NCName (xs:ID), which is what IdPs emit and keeps
// "#xpointer(...)"-style tricks out of Reference URIs.
bool is_ascii_ncname(std::string_view s);

// DER of the certificates a ds:Signature's (or md:KeyDescriptor's) KeyInfo
// names; undecodable base64 is skipped. Never used as keys for verifying.
std::vector<std::string> keyinfo_certificates(const xmlNode* key_info_parent);

}  // namespace stsd::domain::federation::xml
