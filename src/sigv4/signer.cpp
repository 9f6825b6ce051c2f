// Stages 2 to 4, the verifier and the test/bench signer, for SigV4 and
// SigV4a. docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "canonical_request.h"
#include "ecdsa_key_cache.h"
#include "signing_key_cache.h"
#include "stsd/crypto/crypto.h"
#include "stsd/sigv4/sigv4.h"

namespace stsd::sigv4 {

namespace {

constexpr std::size_t kHexDigestSize = 2 * std::tuple_size_v<crypto::Sha256Digest>;

// Lowercase hex of a digest into a fixed buffer (no allocation).
void hex_into(std::array<char, kHexDigestSize>& out, const crypto::Sha256Digest& digest) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (std::size_t i = 0; i < digest.size(); ++i) {
    out[2 * i] = kDigits[static_cast<unsigned char>(digest[i]) >> 4];
    out[2 * i + 1] = kDigits[static_cast<unsigned char>(digest[i]) & 0xF];
  }
}

void append_scope(std::string& out, const CredentialScope& scope) {
  out += scope.date;
  out += '/';
  if (!scope.regionless) {
    out += scope.region;
    out += '/';
  }
  out += scope.service;
  out += '/';
  out += scope.terminator;
}

// <algorithm>\n<amz date>\n<scope>\n<hex sha256 of the canonical request>
std::string build_string_to_sign(std::string_view algorithm, std::string_view amz_date, const CredentialScope& scope,
                                 std::string_view canonical_request) {
  std::string out;
  out.reserve(algorithm.size() + amz_date.size() + scope.date.size() + scope.region.size() + scope.service.size() +
              scope.terminator.size() + kHexDigestSize + 6);
  out += algorithm;
  out += '\n';
  out += amz_date;
  out += '\n';
  append_scope(out, scope);
  out += '\n';
  crypto::append_hex(out, crypto::as_view(crypto::sha256_digest(canonical_request)));
  return out;
}

}  // namespace

std::string string_to_sign(std::string_view amz_date, const CredentialScope& scope,
                           std::string_view canonical_request) {
  return build_string_to_sign(detail::kAlgorithm, amz_date, scope, canonical_request);
}

std::string string_to_sign_v4a(std::string_view amz_date, const CredentialScope& scope,
                               std::string_view canonical_request) {
  CredentialScope regionless = scope;
  regionless.regionless = true;
  return build_string_to_sign(kAlgorithmEcdsa, amz_date, regionless, canonical_request);
}

std::string signing_key(std::string_view secret_access_key, const CredentialScope& scope) {
  return std::string(crypto::as_view(detail::derive_signing_key(secret_access_key, scope)));
}

std::string signature(std::string_view signing_key, std::string_view string_to_sign) {
  return crypto::hex_encode(crypto::as_view(crypto::hmac_sha256_digest(signing_key, string_to_sign)));
}

std::optional<PublicKey> sigv4a_public_key(std::string_view access_key_id, std::string_view secret_access_key) {
  const crypto::EcdsaP256Key* key = detail::thread_ecdsa_key_cache().get(access_key_id, secret_access_key);
  if (key == nullptr) return std::nullopt;
  return PublicKey{crypto::hex_encode(key->public_x()), crypto::hex_encode(key->public_y())};
}

std::string sigv4a_signature(std::string_view access_key_id, std::string_view secret_access_key,
                             std::string_view string_to_sign) {
  const crypto::EcdsaP256Key* key = detail::thread_ecdsa_key_cache().get(access_key_id, secret_access_key);
  if (key == nullptr) return {};
  std::optional<std::string> der = key->sign_digest(crypto::sha256_digest(string_to_sign));
  return der ? crypto::hex_encode(*der) : std::string();
}

bool sigv4a_signature_matches(std::string_view access_key_id, std::string_view secret_access_key,
                              std::string_view string_to_sign, std::string_view signature_hex) {
  std::optional<std::string> der = crypto::hex_decode(signature_hex);
  if (!der || der->empty()) return false;
  const crypto::EcdsaP256Key* key = detail::thread_ecdsa_key_cache().get(access_key_id, secret_access_key);
  return key != nullptr && key->verify_digest(crypto::sha256_digest(string_to_sign), *der);
}

namespace {

bool matches(const Request& request, const SignedRequestInfo& info, std::string_view secret_access_key,
             bool normalize, bool exclude_security_token) {
  std::string canonical = detail::build_canonical_request(request, info, normalize, exclude_security_token);
  if (info.is_sigv4a())
    return sigv4a_signature_matches(info.credential.access_key_id, secret_access_key,
                                    string_to_sign_v4a(info.amz_date, info.credential, canonical), info.signature);
  crypto::Sha256Digest mac = detail::thread_signing_key_cache().sign(
      secret_access_key, info.credential, string_to_sign(info.amz_date, info.credential, canonical));
  std::array<char, kHexDigestSize> expected;
  hex_into(expected, mac);
  return crypto::constant_time_equal(std::string_view(expected.data(), expected.size()), info.signature);
}

}  // namespace

bool verify(const Request& request, const SignedRequestInfo& info, std::string_view secret_access_key,
            bool normalize_path) {
  if (info.algorithm != kAlgorithmHmac && info.algorithm != kAlgorithmEcdsa) return false;
  // A sent payload hash replaces the body in the signature, so it must be the
  // body's: STS has no unsigned-payload mode (the parameters are the body).
  if (detail::find_header(request, "x-amz-content-sha256") != nullptr &&
      !crypto::constant_time_equal(detail::payload_hash(request), crypto::sha256_hex(request.body)))
    return false;

  if (matches(request, info, secret_access_key, normalize_path, false)) return true;
  // Some signers append X-Amz-Security-Token to a presigned URL after signing
  // (AWS documents both orders); the token still has to belong to the key.
  return info.presigned && info.security_token && matches(request, info, secret_access_key, normalize_path, true);
}

namespace {

// sign() and sign_v4a(): region_set set means SigV4a with that set.
void sign_with(Request& request, std::string_view access_key_id, std::string_view secret_access_key,
               std::string_view region, std::optional<std::string_view> region_set, std::string_view service,
               std::string_view amz_date, std::optional<std::string_view> session_token) {
  // Re-signing replaces the previous signature's headers.
  std::erase_if(request.headers, [](const Header& h) {
    return detail::iequals(h.name, "authorization") || detail::iequals(h.name, "x-amz-date") ||
           detail::iequals(h.name, "x-amz-security-token") || detail::iequals(h.name, "x-amz-region-set");
  });
  request.headers.push_back({"X-Amz-Date", std::string(amz_date)});
  if (region_set) request.headers.push_back({"X-Amz-Region-Set", std::string(*region_set)});
  if (session_token) request.headers.push_back({"X-Amz-Security-Token", std::string(*session_token)});

  SignedRequestInfo info;
  info.algorithm = std::string(region_set ? kAlgorithmEcdsa : kAlgorithmHmac);
  info.amz_date = std::string(amz_date);
  info.credential.access_key_id = std::string(access_key_id);
  info.credential.date = std::string(amz_date.substr(0, 8));
  info.credential.region = std::string(region);
  info.credential.service = std::string(service);
  info.credential.terminator = "aws4_request";
  info.credential.regionless = region_set.has_value();
  // Sorted, as every SDK lists them.
  if (detail::find_header(request, "content-type") != nullptr) info.signed_headers.push_back("content-type");
  info.signed_headers.push_back("host");
  info.signed_headers.push_back("x-amz-date");
  if (region_set) info.signed_headers.push_back("x-amz-region-set");
  if (session_token) info.signed_headers.push_back("x-amz-security-token");

  std::string canonical = canonical_request(request, info);
  if (region_set)
    info.signature = sigv4a_signature(access_key_id, secret_access_key,
                                      string_to_sign_v4a(info.amz_date, info.credential, canonical));
  else
    info.signature = signature(signing_key(secret_access_key, info.credential),
                               string_to_sign(info.amz_date, info.credential, canonical));

  std::string signed_list;
  for (const auto& name : info.signed_headers) {
    if (!signed_list.empty()) signed_list += ';';
    signed_list += name;
  }
  request.headers.push_back({"Authorization", info.algorithm + " Credential=" + info.credential.access_key_id + "/" +
                                                  info.credential.scope() + ", SignedHeaders=" + signed_list +
                                                  ", Signature=" + info.signature});
}

}  // namespace

void sign(Request& request, std::string_view access_key_id, std::string_view secret_access_key,
          std::string_view region, std::string_view service, std::string_view amz_date,
          std::optional<std::string_view> session_token) {
  sign_with(request, access_key_id, secret_access_key, region, std::nullopt, service, amz_date, session_token);
}

void sign_v4a(Request& request, std::string_view access_key_id, std::string_view secret_access_key,
              std::string_view region_set, std::string_view service, std::string_view amz_date,
              std::optional<std::string_view> session_token) {
  sign_with(request, access_key_id, secret_access_key, "", region_set, service, amz_date, session_token);
}

}  // namespace stsd::sigv4
