#pragma once
// The one place responses are rendered: AWS's Query-protocol XML envelopes
// (success and <ErrorResponse>), or AWS's JSON rendering for callers that
// send `Accept: application/json` (aws-iam-authenticator does).
#include <string_view>

#include "stsd/common/sts_error.h"
#include "stsd/http/server.h"
#include "stsd/service/result_node.h"

namespace stsd::protocol {

enum class Format { Xml, Json };

inline constexpr std::string_view kStsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/";
inline constexpr std::string_view kAwsFaultNamespace = "http://webservices.amazon.com/AWSFault/2005-15-09";
// stsd's extension: where a policy-decision AccessDenied carries its encoded
// authorization message (AWS's body has no place for it).
inline constexpr const char* kEncodedAuthorizationMessageHeader = "x-stsd-encoded-authorization-message";

// result is the <ActionResult> node; one without a name (an IAM operation
// without output) is left out, as AWS does. xml_namespace: the service's.
http::HttpResponse render_success(std::string_view action, const service::ResultNode& result,
                                  std::string_view request_id, Format format,
                                  std::string_view xml_namespace = kStsNamespace);
http::HttpResponse render_error(const StsError& error, std::string_view request_id, Format format,
                                std::string_view xml_namespace = kStsNamespace);

}  // namespace stsd::protocol
