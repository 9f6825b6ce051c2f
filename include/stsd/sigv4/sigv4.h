#pragma once
// AWS Signature Version 4, as named stages (canonical request -> string to
// sign -> signing key -> signature) plus the parser of the two signed forms
// (Authorization header, presigned query). Leaf library: no HTTP library
// types, no store; the caller looks the secret up.
// Reference: docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
//
// SigV4a (AWS4-ECDSA-P256-SHA256, "asymmetric" SigV4) shares the canonical
// request and differs after it: the credential scope has no region
// (<key>/<date>/<service>/aws4_request), the regions the signature is good
// for travel in X-Amz-Region-Set (a signed header, or a query parameter of
// a presigned URL), the signing key is an ECDSA P-256 key derived from the
// secret, and the signature is the hex of a DER ECDSA signature of
// SHA-256(string to sign). Reference: awslabs/aws-c-auth
// (source/key_derivation.c, source/aws_signing.c) and its v4a test suite.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stsd/common/result.h"

namespace stsd::sigv4 {

inline constexpr std::string_view kAlgorithmHmac = "AWS4-HMAC-SHA256";         // SigV4
inline constexpr std::string_view kAlgorithmEcdsa = "AWS4-ECDSA-P256-SHA256";  // SigV4a

struct Header {
  std::string name;   // as received (any case)
  std::string value;  // as received (untrimmed)
};

// The parts of an HTTP request that SigV4 covers.
struct Request {
  std::string method;  // "GET", "POST"
  std::string path;    // raw, still percent-encoded, without the query
  std::string query;   // raw query string without '?', may be empty
  std::vector<Header> headers;
  std::string body;
};

// The credential scope: <key>/<date>/<region>/<service>/aws4_request, or
// for SigV4a <key>/<date>/<service>/aws4_request (regionless, region empty).
struct CredentialScope {
  std::string access_key_id;
  std::string date;        // YYYYMMDD
  std::string region;
  std::string service;
  std::string terminator;  // "aws4_request"
  bool regionless = false;    // SigV4a
  std::string scope() const;  // date/region/service/terminator (SigV4a: date/service/terminator)
};

// What the request claims: parsed from the Authorization header or from the
// X-Amz-* query parameters of a presigned URL.
struct SignedRequestInfo {
  bool presigned = false;
  std::string algorithm;                    // kAlgorithmHmac or kAlgorithmEcdsa
  CredentialScope credential;
  std::vector<std::string> signed_headers;  // lowercase, as listed
  std::string signature;                    // hex as sent (SigV4a: of the DER signature)
  std::string amz_date;                     // X-Amz-Date (or Date header), ISO8601 basic
  std::optional<std::string> security_token;  // X-Amz-Security-Token
  // SigV4a only: X-Amz-Region-Set as sent (repeated headers joined with ',').
  std::optional<std::string> region_set;

  bool is_sigv4a() const { return algorithm == kAlgorithmEcdsa; }
};

enum class ErrorKind {
  MissingAuthenticationToken,  // no Authorization header and no X-Amz-Algorithm query
  IncompleteSignature,         // malformed, missing components, unsupported algorithm (400)
  SignatureDoesNotMatch,       // both forms sent, 'Host' unsigned, scope date mismatch (403)
};

struct Error {
  ErrorKind kind;
  std::string message;  // AWS's wording (IAM User Guide, signature-v4-troubleshooting.html)
};

// Parses either signed form. Does not check the signature, the clock, the
// region (set) or the service; only the syntax, in AWS's order: both forms
// sent (SignatureDoesNotMatch) or none (MissingAuthenticationToken; an
// Authorization header not starting "AWS4-" counts as none), missing
// components (IncompleteSignature, all listed; for SigV4a X-Amz-Region-Set
// too), 'Host' not signed (SignatureDoesNotMatch; for the SigV4a header form
// 'X-Amz-Region-Set' too), algorithm other than the two above and a
// credential without 5 elements (4 for SigV4a) (IncompleteSignature), scope
// date differing from a well-formed X-Amz-Date (SignatureDoesNotMatch). The
// query form is chosen by the presence of X-Amz-Algorithm. Never throws, for
// any bytes.
Result<SignedRequestInfo, Error> parse(const Request& request);

// Whether a SigV4a region set covers region: the set is a comma-separated
// list (blanks around entries ignored) whose entries are region names or
// patterns in which '*' stands for any run of characters ("*", "us-*",
// "*-east-1"), compared ASCII case-insensitively.
bool region_set_covers(std::string_view region_set, std::string_view region);

// Stage 1: the canonical request. For presigned requests X-Amz-Signature is
// left out of the canonical query. normalize_path applies RFC 3986 dot-segment
// removal and slash collapsing (all services but S3).
std::string canonical_request(const Request& request, const SignedRequestInfo& info,
                              bool normalize_path = true);
// Stage 2.
std::string string_to_sign(std::string_view amz_date, const CredentialScope& scope,
                            std::string_view canonical_request);
// Stage 2 of SigV4a: the same lines under AWS4-ECDSA-P256-SHA256, with the
// regionless scope.
std::string string_to_sign_v4a(std::string_view amz_date, const CredentialScope& scope,
                               std::string_view canonical_request);
// Stage 3 (raw bytes).
std::string signing_key(std::string_view secret_access_key, const CredentialScope& scope);
// Stage 4 (lowercase hex).
std::string signature(std::string_view signing_key, std::string_view string_to_sign);

// SigV4a stage 3: the ECDSA P-256 key derived from the access key id and
// secret (aws-c-auth source/key_derivation.c): candidate k = HMAC-SHA256(
// "AWS4A" + secret, 0x00000001 || "AWS4-ECDSA-P256-SHA256" || 0x00 ||
// access key id || counter || 0x00000100) for counter = 1, 2, ..., 254; the
// first k <= n - 2 (n the group order) gives the private key k + 1. Here
// its public half, as affine coordinates in lowercase hex (64 digits each);
// nullopt only if no counter gave a key (probability about 2^-8128).
struct PublicKey {
  std::string x;
  std::string y;
};
std::optional<PublicKey> sigv4a_public_key(std::string_view access_key_id, std::string_view secret_access_key);
// SigV4a stage 4: a fresh (randomised) signature, lowercase hex of DER.
std::string sigv4a_signature(std::string_view access_key_id, std::string_view secret_access_key,
                             std::string_view string_to_sign);
// Whether signature_hex (hex of DER, any case) is a valid SigV4a signature
// of string_to_sign by the key derived from the access key id and secret.
bool sigv4a_signature_matches(std::string_view access_key_id, std::string_view secret_access_key,
                              std::string_view string_to_sign, std::string_view signature_hex);

// All stages of the request's algorithm; SigV4 compares with the sent
// signature in constant time, SigV4a verifies the ECDSA signature with the
// derived key (cached per thread, keyed by access key id and secret). Also
// false when an x-amz-content-sha256 header is not the body's hash. A
// presigned request carrying X-Amz-Security-Token is accepted whether the
// token was in the signed query or appended after signing. Checks neither
// the clock nor the region set (region_set_covers).
bool verify(const Request& request, const SignedRequestInfo& info,
            std::string_view secret_access_key, bool normalize_path = true);

// Signs a request (used by tests and benchmarks): adds X-Amz-Date, the
// Authorization header and (if given) X-Amz-Security-Token, replacing any
// earlier ones. Signs host, x-amz-date, x-amz-security-token (if given) and
// content-type (if present).
void sign(Request& request, std::string_view access_key_id, std::string_view secret_access_key,
          std::string_view region, std::string_view service, std::string_view amz_date,
          std::optional<std::string_view> session_token = std::nullopt);

// The same with SigV4a: adds X-Amz-Date, X-Amz-Region-Set, the Authorization
// header and (if given) X-Amz-Security-Token, replacing any earlier ones,
// and signs x-amz-region-set as well.
void sign_v4a(Request& request, std::string_view access_key_id, std::string_view secret_access_key,
              std::string_view region_set, std::string_view service, std::string_view amz_date,
              std::optional<std::string_view> session_token = std::nullopt);

}  // namespace stsd::sigv4
