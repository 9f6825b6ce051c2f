#pragma once
// Pieces of stage 1 and header lookups shared inside stsd_sigv4.
#include <string>
#include <string_view>

#include "stsd/sigv4/sigv4.h"

#include "stsd/common/ascii.h"

namespace stsd::sigv4::detail {

inline constexpr std::string_view kAlgorithm = kAlgorithmHmac;

using stsd::iequals;

// First header with this name (case-insensitive), or nullptr.
const std::string* find_header(const Request& request, std::string_view name);

// RFC 3986 section 5.2.4 dot-segment removal plus collapsing of empty
// segments ("//"), as AWS does for every service but S3.
std::string normalize_path(std::string_view path);

// The canonical request; exclude_security_token leaves X-Amz-Security-Token
// out of a presigned canonical query (signers that append it after signing).
std::string build_canonical_request(const Request& request, const SignedRequestInfo& info, bool normalize,
                                    bool exclude_security_token);

// The hashed payload: the x-amz-content-sha256 header when sent, otherwise
// hex(sha256(body)).
std::string payload_hash(const Request& request);

}  // namespace stsd::sigv4::detail
