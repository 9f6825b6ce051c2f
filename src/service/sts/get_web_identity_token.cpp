// GetWebIdentityToken (outbound identity federation): a JWT about the caller,
// issued by its account's own issuer (outbound_issuer_url: AWS gives each
// account one) and signed with the requested algorithm (RS256 or ES384) by
// keys of their own, never the built-in test issuer's: an application that
// trusts the test issuer must not accept these (and an application that
// checks iss accepts only its account's). Verifiable through
// /_stsd/outbound/<account>/.well-known/openid-configuration.
// Claims follow AWS's "Understanding token claims": iss, aud, sub (the IAM
// principal: a role session's role ARN), iat, exp, jti, and AWS's own under
// "https://sts.amazonaws.com/" (aws_account, source_region, principal_id,
// principal_tags, request_tags). Like AWS's, these tokens are refused by
// AssumeRoleWithWebIdentity.
#include <nlohmann/json.hpp>

#include "stsd/common/uuid.h"
#include "stsd/crypto/crypto.h"
#include "stsd/domain/federation/builtin_idps.h"
#include "stsd/service/authorization.h"
#include "stsd/service/sts/actions.h"

namespace stsd::service::sts {

namespace {

constexpr std::int64_t kDefaultDuration = 300;
// AWS's own limit is not published; this bounds what tags can add.
constexpr std::size_t kMaxPayloadBytes = 16384;

// The IAM principal a token names: a role session is its role, a
// GetSessionToken session its user.
std::string subject_of(const Caller& caller) {
  if (caller.session && !caller.session->source_arn.empty()) return caller.session->source_arn;
  return caller.arn;
}

}  // namespace

Result<GetWebIdentityTokenResponse> get_web_identity_token(const GetWebIdentityTokenRequest& in, const Context& ctx) {
  const Caller& caller = *ctx.caller;
  const std::int64_t now = ctx.clock.now();
  // stsd's switch for outbound federation (AWS's is per account): a builtin OIDC provider.
  if (ctx.store.builtin_oidc_provider() == nullptr)
    return fail(ErrorCode::OutboundWebIdentityFederationDisabled,
                "Outbound web identity federation is not enabled: the config has no builtin OIDC provider");

  const std::string& alg_name = in.SigningAlgorithm;
  auto alg = domain::federation::parse_jwt_algorithm(alg_name);
  if (!alg || (*alg != domain::federation::JwtAlgorithm::RS256 && *alg != domain::federation::JwtAlgorithm::ES384))
    return fail(ErrorCode::ValidationError, "1 validation error detected: Value '" + alg_name +
                                                "' at 'signingAlgorithm' failed to satisfy constraint: Member must "
                                                "satisfy enum value set: [RS256, ES384]");
  const std::int64_t duration = in.DurationSeconds.value_or(kDefaultDuration);
  if (caller.session && now + duration > caller.session->expiration)
    return fail(ErrorCode::SessionDurationEscalation,
                "The requested DurationSeconds would outlive the credentials used to request the token");

  const std::vector<std::string>& audiences = in.Audience;
  // SubjectMode OriginIdentity names the human or workload behind the
  // session, from its trusted identity propagation context, which no stsd
  // session carries; Scope goes only with it (API reference, GetWebIdentityToken).
  const std::string subject_mode = in.SubjectMode.value_or("AWSIdentity");
  if (in.Scope && (subject_mode != "OriginIdentity" || audiences.size() != 1))
    return fail(ErrorCode::ValidationError,
                "Scope can be specified only when SubjectMode is OriginIdentity and exactly one Audience is requested.");
  if (subject_mode == "OriginIdentity")
    return fail(ErrorCode::ValidationError,
                "SubjectMode OriginIdentity requires a trusted identity propagation context with "
                "aws:OriginIdentity/Subject in the calling session; this session has none.");
  domain::PolicyRequest request = caller_request(caller, "sts:GetWebIdentityToken", "*", now);
  request.context["sts:identitytokenaudience"] = audiences;
  request.context["sts:durationseconds"] = {std::to_string(duration)};
  request.context["sts:signingalgorithm"] = {alg_name};
  request.context["sts:subjectmode"] = {subject_mode};
  if (auto ok = Authorizer(ctx.store, ctx.messages, ctx.trace).authorize(caller, nullptr, request); !ok)
    return unexpected(ok.error());
  nlohmann::ordered_json claims;
  claims["iss"] = domain::federation::outbound_issuer_url(caller.account);
  claims["aud"] = audiences.size() == 1 ? nlohmann::ordered_json(audiences.front()) : nlohmann::ordered_json(audiences);
  claims["sub"] = subject_of(caller);
  claims["iat"] = now;
  claims["exp"] = now + duration;
  claims["jti"] = format_uuid4(crypto::random_bytes(16));
  nlohmann::ordered_json aws;
  aws["aws_account"] = caller.account;
  aws["source_region"] = ctx.region;
  aws["principal_id"] = caller.arn;
  nlohmann::ordered_json principal_tags = nlohmann::ordered_json::object();
  if (caller.user)
    for (const auto& t : caller.user->tags) principal_tags[t.key] = t.value;
  if (caller.session)
    for (const auto& t : caller.session->tags) principal_tags[t.key] = t.value;
  if (!principal_tags.empty()) aws["principal_tags"] = std::move(principal_tags);
  nlohmann::ordered_json request_tags = nlohmann::ordered_json::object();
  if (in.Tags)
    for (const auto& t : *in.Tags) request_tags[t.Key] = t.Value;
  if (!request_tags.empty()) aws["request_tags"] = std::move(request_tags);
  claims["https://sts.amazonaws.com/"] = std::move(aws);

  const std::string payload = claims.dump();
  if (payload.size() > kMaxPayloadBytes)
    return fail(ErrorCode::JWTPayloadSizeExceeded, "The requested token's payload exceeds " +
                                                       std::to_string(kMaxPayloadBytes) + " bytes");
  const auto* key = ctx.idps.outbound_key(*alg);
  if (key == nullptr) return fail(ErrorCode::InternalFailure, "no built-in key for " + alg_name);
  auto token = key->sign("", payload);
  if (!token) return fail(ErrorCode::InternalFailure, "signing failed");

  return GetWebIdentityTokenResponse{.WebIdentityToken = std::move(*token),
                                     .Expiration = Timestamp{now + duration}};
}

}  // namespace stsd::service::sts
