#pragma once
// libxml2 and xmlsec1 (OpenSSL backend), which the SAML code verifies and
// signs with: their one-time process set-up.
namespace stsd::domain::federation {

// One-time process set-up of libxml2 and xmlsec (idempotent, thread-safe via
// std::call_once). Every SAML function calls it; call it early from main()
// anyway so the first request does not pay for it. It never enables DTD
// loading or entity substitution, and silences xmlsec's stderr printing.
void initialize_xml_security();

}  // namespace stsd::domain::federation
