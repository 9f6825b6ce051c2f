// Stages 2 to 4, the verifier and the test/bench signer.
// docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
#include <algorithm>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "canonical_request.h"
#include "stsd/crypto/crypto.h"
#include "stsd/sigv4/sigv4.h"

namespace stsd::sigv4 {

std::string string_to_sign(std::string_view amz_date, const CredentialScope& scope,
                           std::string_view canonical_request) {
  std::string out(detail::kAlgorithm);
  out += '\n';
  out += amz_date;
  out += '\n';
  out += scope.scope();
  out += '\n';
  out += crypto::sha256_hex(canonical_request);
  return out;
}

std::string signing_key(std::string_view secret_access_key, const CredentialScope& scope) {
  std::string k_secret = "AWS4";
  k_secret += secret_access_key;
  std::string k_date = crypto::hmac_sha256(k_secret, scope.date);
  std::string k_region = crypto::hmac_sha256(k_date, scope.region);
  std::string k_service = crypto::hmac_sha256(k_region, scope.service);
  return crypto::hmac_sha256(k_service, scope.terminator);
}

std::string signature(std::string_view signing_key, std::string_view string_to_sign) {
  return crypto::hex_encode(crypto::hmac_sha256(signing_key, string_to_sign));
}

namespace {

// The signing key changes only with the secret and the scope (a day, a
// region), so clients derive it once a day; the verifier does the same per
// thread and saves four HMACs a request. Bounded: cleared when full.
const std::string& cached_signing_key(std::string_view secret_access_key, const CredentialScope& scope) {
  constexpr std::size_t kMaxEntries = 1024;
  thread_local std::unordered_map<std::string, std::string> cache;
  std::string id(secret_access_key);
  id += '\0';
  id += scope.scope();
  auto it = cache.find(id);
  if (it != cache.end()) return it->second;
  if (cache.size() >= kMaxEntries) cache.clear();
  return cache.emplace(std::move(id), signing_key(secret_access_key, scope)).first->second;
}

bool matches(const Request& request, const SignedRequestInfo& info, std::string_view key, bool normalize,
             bool exclude_security_token) {
  std::string canonical = detail::build_canonical_request(request, info, normalize, exclude_security_token);
  std::string expected = signature(key, string_to_sign(info.amz_date, info.credential, canonical));
  return crypto::constant_time_equal(expected, info.signature);
}

}  // namespace

bool verify(const Request& request, const SignedRequestInfo& info, std::string_view secret_access_key,
            bool normalize_path) {
  if (info.algorithm != detail::kAlgorithm) return false;
  // A sent payload hash replaces the body in the signature, so it must be the
  // body's: STS has no unsigned-payload mode (the parameters are the body).
  if (detail::find_header(request, "x-amz-content-sha256") != nullptr &&
      !crypto::constant_time_equal(detail::payload_hash(request), crypto::sha256_hex(request.body)))
    return false;

  const std::string& key = cached_signing_key(secret_access_key, info.credential);
  if (matches(request, info, key, normalize_path, false)) return true;
  // Some signers append X-Amz-Security-Token to a presigned URL after signing
  // (AWS documents both orders); the token still has to belong to the key.
  return info.presigned && info.security_token && matches(request, info, key, normalize_path, true);
}

void sign(Request& request, std::string_view access_key_id, std::string_view secret_access_key,
          std::string_view region, std::string_view service, std::string_view amz_date,
          std::optional<std::string_view> session_token) {
  // Re-signing replaces the previous signature's headers.
  std::erase_if(request.headers, [](const Header& h) {
    return detail::iequals(h.name, "authorization") || detail::iequals(h.name, "x-amz-date") ||
           detail::iequals(h.name, "x-amz-security-token");
  });
  request.headers.push_back({"X-Amz-Date", std::string(amz_date)});
  if (session_token) request.headers.push_back({"X-Amz-Security-Token", std::string(*session_token)});

  SignedRequestInfo info;
  info.algorithm = std::string(detail::kAlgorithm);
  info.amz_date = std::string(amz_date);
  info.credential.access_key_id = std::string(access_key_id);
  info.credential.date = std::string(amz_date.substr(0, 8));
  info.credential.region = std::string(region);
  info.credential.service = std::string(service);
  info.credential.terminator = "aws4_request";
  // Sorted, as every SDK lists them.
  if (detail::find_header(request, "content-type") != nullptr) info.signed_headers.push_back("content-type");
  info.signed_headers.push_back("host");
  info.signed_headers.push_back("x-amz-date");
  if (session_token) info.signed_headers.push_back("x-amz-security-token");

  std::string canonical = canonical_request(request, info);
  info.signature = signature(signing_key(secret_access_key, info.credential),
                             string_to_sign(info.amz_date, info.credential, canonical));

  std::string signed_list;
  for (const auto& name : info.signed_headers) {
    if (!signed_list.empty()) signed_list += ';';
    signed_list += name;
  }
  request.headers.push_back({"Authorization", std::string(detail::kAlgorithm) + " Credential=" +
                                                  info.credential.access_key_id + "/" + info.credential.scope() +
                                                  ", SignedHeaders=" + signed_list + ", Signature=" + info.signature});
}

}  // namespace stsd::sigv4
