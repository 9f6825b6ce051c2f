#include "stsd/service/authenticator.h"

#include <spdlog/spdlog.h>

#include "stsd/common/region.h"
#include "stsd/common/time_format.h"
#include "stsd/domain/access_key.h"

namespace stsd::service {

namespace {

constexpr std::int64_t kClockWindow = 15 * 60;
constexpr std::string_view kInvalidToken = "The security token included in the request is invalid.";
constexpr std::string_view kExpiredToken = "The security token included in the request is expired";
constexpr std::string_view kSignatureMismatch =
    "The request signature we calculated does not match the signature you provided. Check your AWS "
    "Secret Access Key and signing method. Consult the service documentation for details.";

StsError from_sigv4(const sigv4::Error& e) {
  switch (e.kind) {
    case sigv4::ErrorKind::MissingAuthenticationToken:
      return StsError::make(ErrorCode::MissingAuthenticationToken, e.message);
    case sigv4::ErrorKind::IncompleteSignature:
      return StsError::make(ErrorCode::IncompleteSignature, e.message);
    case sigv4::ErrorKind::SignatureDoesNotMatch:
      return StsError::make(ErrorCode::SignatureDoesNotMatch, e.message);
  }
  return StsError::make(ErrorCode::InternalFailure, "unmapped SigV4 error");
}

bool in_partition_of(const domain::Session& session, std::string_view region) {
  return arn_partition(session.arn) == partition_of(region);
}

// Long-term principals exist in every partition (stsd's accounts are not
// bound to one); their ARNs say the partition of the request's region.
Authenticated in_request_partition(Authenticated auth) {
  const std::string_view partition = partition_of(auth.region);
  if (!auth.caller.session && arn_partition(auth.caller.arn) != partition)
    auth.caller.arn = in_partition(auth.caller.arn, partition);
  return auth;
}

// SigV4a is accepted where the service's model lists aws.auth#sigv4a
// (STS; IAM lists only aws.auth#sigv4).
bool accepts_sigv4a(std::string_view service) { return service == "sts"; }

// Scope checks come first (region, then service; messages concatenated).
// A SigV4a region set must cover the region this server answers for; a set
// that does not gets SigV4's wrong-region error (AWS's text for SigV4a is
// not known).
std::optional<StsError> check_scope(const sigv4::SignedRequestInfo& info, std::string_view service,
                                    std::string_view server_region) {
  const sigv4::CredentialScope& scope = info.credential;
  std::string message;
  const bool region_ok = info.is_sigv4a() ? sigv4::region_set_covers(info.region_set.value_or(""), server_region)
                                          : !scope.region.empty();
  if (!region_ok) message += "Credential should be scoped to a valid region. ";
  if (scope.service != service)
    message += "Credential should be scoped to correct service: '" + std::string(service) + "'. ";
  if (!message.empty()) return StsError::make(ErrorCode::SignatureDoesNotMatch, message);
  if (scope.terminator != "aws4_request")
    return StsError::make(ErrorCode::SignatureDoesNotMatch,
                          "Credential should be scoped with a valid terminator: 'aws4_request', not '" +
                              scope.terminator + "'. ");
  return std::nullopt;
}

std::optional<StsError> check_clock(std::string_view amz_date, std::int64_t now) {
  auto when = parse_amz_date(amz_date);
  if (!when)
    return StsError::make(ErrorCode::IncompleteSignature,
                          "Date must be in ISO-8601 'basic format'. Got '" + std::string(amz_date) +
                              "'. See http://en.wikipedia.org/wiki/ISO_8601");
  if (*when < now - kClockWindow)
    return StsError::make(ErrorCode::SignatureDoesNotMatch,
                          "Signature expired: " + std::string(amz_date) + " is now earlier than " +
                              format_amz_date(now - kClockWindow) + " (" + format_amz_date(now) +
                              " - 15 min.)");
  if (*when > now + kClockWindow)
    return StsError::make(ErrorCode::SignatureDoesNotMatch,
                          "Signature not yet current: " + std::string(amz_date) + " is still later than " +
                              format_amz_date(now + kClockWindow) + " (" + format_amz_date(now) +
                              " + 15 min.)");
  return std::nullopt;
}

bool is_temporary_key(std::string_view id) { return id.substr(0, 4) == domain::kTemporaryKeyPrefix; }

}  // namespace

Result<Authenticated> Authenticator::authenticate(const sigv4::Request& request,
                                                  const domain::Store& store, std::string_view service) const {
  auto auth = mode_ == AuthMode::Off ? unverified(request, store) : verified(request, store, service);
  if (!auth) return auth;
  return in_request_partition(std::move(*auth));
}

Result<Authenticated> Authenticator::verified(const sigv4::Request& request, const domain::Store& store,
                                              std::string_view service) const {

  auto parsed = sigv4::parse(request);
  if (!parsed) return unexpected(from_sigv4(parsed.error()));
  const sigv4::SignedRequestInfo& info = *parsed;
  if (info.is_sigv4a() && !accepts_sigv4a(service))
    return fail(ErrorCode::IncompleteSignature,
                "Unsupported AWS 'algorithm': '" + info.algorithm + "' (only AWS4-HMAC-SHA256 for now). ");
  // SigV4 answers for the scope's region (any is accepted); SigV4a for the
  // server's, which the region set was checked to cover.
  const std::string& region = info.is_sigv4a() ? store.region() : info.credential.region;

  if (auto e = check_scope(info, service, store.region())) return unexpected(std::move(*e));
  // Against the machine's time: clients sign with it, also while stsd's clock is moved.
  if (auto e = check_clock(info.amz_date, clock_.machine_now())) return unexpected(std::move(*e));

  const std::string& key_id = info.credential.access_key_id;
  Caller caller;
  std::string_view secret;
  std::optional<domain::Session> session;

  if (info.security_token || is_temporary_key(key_id)) {
    if (!info.security_token) return fail(ErrorCode::InvalidClientTokenId, std::string(kInvalidToken));
    session = tokens_.open(*info.security_token);
    // The token must have been minted for exactly this access key id.
    if (!session || session->access_key_id != key_id)
      return fail(ErrorCode::InvalidClientTokenId, std::string(kInvalidToken));
    if (session->expiration <= clock_.now())
      return fail(ErrorCode::ExpiredToken, std::string(kExpiredToken));
    // A session of a role or user removed since, or issued in another
    // partition (its credentials do not exist here), is refused before the HMAC.
    if (!store.session_principal_exists(*session) || !in_partition_of(*session, region))
      return fail(ErrorCode::InvalidClientTokenId, std::string(kInvalidToken));
    secret = session->secret_access_key;
  } else {
    const domain::AccessKeyRecord* record = store.find_access_key(key_id);
    // An Inactive key cannot sign (IAM User Guide, "Manage access keys for IAM
    // users": an inactive key cannot be used for API calls); it is refused as
    // an unknown one is.
    if (record != nullptr && record->status != domain::AccessKeyStatus::Active) record = nullptr;
    if (record == nullptr) {
      if (mode_ == AuthMode::Permissive && store.default_user() != nullptr) {
        spdlog::warn("permissive auth: unknown access key {} accepted as {}", key_id,
                     store.default_user()->arn);
        return Authenticated{user_caller(*store.default_user(), key_id), region};
      }
      return fail(ErrorCode::InvalidClientTokenId, std::string(kInvalidToken));
    }
    secret = record->secret;
    const domain::User* owner = store.key_owner(*record);
    caller = owner ? user_caller(*owner, key_id) : root_caller(record->account, key_id);
  }

  if (!sigv4::verify(request, info, secret))
    return fail(ErrorCode::SignatureDoesNotMatch, std::string(kSignatureMismatch));

  if (session) caller = session_caller(std::move(*session), store);
  return Authenticated{std::move(caller), region};
}

Result<Authenticated> Authenticator::unverified(const sigv4::Request& request,
                                                const domain::Store& store) const {
  // With auth off a valid session token still tells who the caller is, so
  // role sessions keep their identity; anything else is the default user.
  // Nothing is verified, but an expired session or one whose role or user is
  // gone is refused as in every mode: it must not mint fresh credentials.
  std::string region = store.region();
  if (auto parsed = sigv4::parse(request)) {
    if (!parsed->credential.region.empty()) region = parsed->credential.region;
    if (parsed->security_token) {
      if (auto session = tokens_.open(*parsed->security_token)) {
        if (session->expiration <= clock_.now())
          return fail(ErrorCode::ExpiredToken, std::string(kExpiredToken));
        if (!store.session_principal_exists(*session) || !in_partition_of(*session, region))
          return fail(ErrorCode::InvalidClientTokenId, std::string(kInvalidToken));
        return Authenticated{session_caller(std::move(*session), store), region};
      }
    }
    if (const auto* record = store.find_access_key(parsed->credential.access_key_id)) {
      const domain::User* owner = store.key_owner(*record);
      return Authenticated{owner ? user_caller(*owner, record->id) : root_caller(record->account, record->id), region};
    }
  }
  if (const domain::User* user = store.default_user()) return Authenticated{user_caller(*user), region};
  return Authenticated{root_caller(store.default_account()), region};
}

}  // namespace stsd::service
