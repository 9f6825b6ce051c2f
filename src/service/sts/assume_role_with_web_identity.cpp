// AssumeRoleWithWebIdentity: an OpenID Connect ID token, verified for real,
// exchanged for a role session. Unsigned, as on AWS. The token's issuer must
// be an OIDC provider of the role's account, its signature must verify with
// that provider's keys (stsd's own for the built-in issuer), its audience must
// be one of the provider's client ids, its times must hold, and the role's
// trust policy must allow the provider (Federated principal) with the token's
// claims as condition keys.
//
// OAuth 2.0 access tokens (ProviderId www.amazon.com / graph.facebook.com)
// cannot be verified offline, and stsd never accepts what it cannot verify:
// they are refused with InvalidIdentityToken saying so.
//
// Error texts: "No OpenIDConnect provider found in your account for <iss>",
// "Incorrect token audience", "Couldn't retrieve verification key from your
// identity provider,  please reference AssumeRoleWithWebIdentity
// documentation for requirements", "Token expired: current date/time <now>
// must be before the expiration date/time <exp>" (ExpiredTokenException) and
// AccessDenied "Not authorized to perform sts:AssumeRoleWithWebIdentity" are
// observed AWS texts, quoted in public issue threads (e.g.
// github.com/mozilla-iam/mozilla-aws-cli/issues/127 for the provider text,
// github.com/aws-actions/configure-aws-credentials/issues/1446 for AccessDenied).
// The texts for a malformed token, a bad signature and a token not yet valid
// are stsd's own (AWS's are not public).
#include <algorithm>

#include "stsd/common/ascii.h"
#include "stsd/domain/arn.h"
#include "stsd/domain/federation/jwt_verify.h"
#include "stsd/domain/policy.h"
#include "stsd/service/authorization.h"
#include "stsd/service/federated_session.h"
#include "stsd/service/role_session.h"
#include "stsd/service/session_options.h"
#include "stsd/service/region_guard.h"
#include "stsd/service/sts/actions.h"

namespace stsd::service::sts {

namespace {

using domain::federation::Jwt;
using domain::federation::JwtProblem;

// Clock skew tolerated on exp / nbf / iat.
constexpr std::int64_t kSkewSeconds = 300;
// GetWebIdentityToken's claim namespace: AWS refuses its own outbound tokens here.
constexpr std::string_view kOutboundClaim = "https://sts.amazonaws.com/";
constexpr std::string_view kSourceIdentityClaim = "https://aws.amazon.com/source_identity";

StsError invalid_token(std::string message) { return StsError::make(ErrorCode::InvalidIdentityToken, std::move(message)); }

constexpr std::string_view kCannotGetKey =
    "Couldn't retrieve verification key from your identity provider,  please reference "
    "AssumeRoleWithWebIdentity documentation for requirements";

StsError cannot_get_key() { return invalid_token(std::string(kCannotGetKey)); }

// The issuer's keys could not be fetched (unreachable, untrusted certificate,
// bad documents): AWS's IDPCommunicationError, with the same text.
StsError idp_unreachable() { return StsError::make(ErrorCode::IDPCommunicationError, std::string(kCannotGetKey)); }

// The claims a trust policy sees, as `<provider key>:<claim>`. AWS documents
// aud, sub, amr (and azp/oaud when both are present); every other top-level
// string or string-list claim is offered too, so policies on GitHub's or
// GitLab's custom claims work.
void put_claim_keys(const Jwt& jwt, const std::string& prefix, domain::ConditionContext& context) {
  for (const auto& name : jwt.claim_names())
    if (auto values = jwt.claim_strings(name)) context[ascii_lower(prefix + ":" + name)] = *values;
  const auto aud = jwt.audiences();
  if (auto azp = jwt.string_claim("azp")) {
    // With an authorized party, AWS's `aud` key is azp and `oaud` the token's aud.
    context[ascii_lower(prefix + ":aud")] = {*azp};
    context[ascii_lower(prefix + ":oaud")] = aud;
  } else {
    context[ascii_lower(prefix + ":aud")] = aud;
  }
}

}  // namespace

Result<AssumeRoleWithWebIdentityResponse> assume_role_with_web_identity(const AssumeRoleWithWebIdentityRequest& in,
                                                                        const Context& ctx) {
  const std::int64_t now = ctx.clock.now();
  const std::string& requested_arn = in.RoleArn;
  const std::string& session_name = in.RoleSessionName;
  auto arn = domain::parse_role_arn(requested_arn);
  if (!arn) return fail(ErrorCode::ValidationError, requested_arn + " is invalid");

  if (in.ProviderId)
    return unexpected(invalid_token("stsd cannot verify OAuth 2.0 access tokens (ProviderId " + *in.ProviderId +
                                    "); use an OpenID Connect ID token from a configured OIDC provider"));

  auto jwt = domain::federation::parse_jwt(in.WebIdentityToken);
  if (!jwt) {
    if (jwt.error().problem == JwtProblem::UnsupportedAlgorithm)
      return unexpected(invalid_token("The web identity token is signed with an unsupported algorithm"));
    // The detail names only our own words and claim names, never token text.
    return unexpected(invalid_token("The web identity token is not a valid signed JWT: " + jwt.error().detail));
  }
  const std::string issuer = jwt->string_claim("iss").value_or("");
  const domain::OidcProvider* provider = ctx.store.find_oidc_provider(arn->account, issuer);
  if (issuer.empty() || provider == nullptr)
    return unexpected(invalid_token("No OpenIDConnect provider found in your account for " + issuer));

  // The built-in issuer's keys are made on first use: verify with the token's algorithm's.
  const domain::federation::Jwks* keys = provider->builtin ? ctx.idps.oidc_jwks(jwt->alg) : provider->keys.get();
  // Without configured keys, the issuer's own (discovery document, then
  // jwks_uri), as AWS does. Configured keys always win: never fetched.
  std::shared_ptr<const domain::federation::Jwks> fetched;
  if (!provider->builtin && !provider->jwks && ctx.jwks_fetcher != nullptr) {
    auto got = ctx.jwks_fetcher->keys_for(*provider, jwt->kid);
    if (!got) return unexpected(idp_unreachable());
    fetched = std::move(*got);
    keys = fetched.get();
  }
  if (keys == nullptr) return unexpected(cannot_get_key());
  if (auto verified = domain::federation::verify_jwt_signature(*jwt, *keys); !verified) {
    if (verified.error().problem == JwtProblem::NoMatchingKey) return unexpected(cannot_get_key());
    return unexpected(invalid_token("The web identity token signature is invalid"));
  }
  if (jwt->claim_json(kOutboundClaim))
    return unexpected(invalid_token("Tokens from GetWebIdentityToken cannot be used with AssumeRoleWithWebIdentity"));

  // Audience: the authorized party when there is one, else any aud entry.
  std::optional<std::string> audience;
  std::vector<std::string> candidates = jwt->audiences();
  if (auto azp = jwt->string_claim("azp")) candidates.insert(candidates.begin(), *azp);
  for (const auto& c : candidates)
    if (!audience && std::find(provider->client_ids.begin(), provider->client_ids.end(), c) != provider->client_ids.end())
      audience = c;
  if (!audience) return unexpected(invalid_token("Incorrect token audience"));

  // parse_jwt bounds NumericDates to [0, 253402300799], so these sums cannot overflow.
  const auto exp = jwt->numeric_claim("exp");
  if (!exp) return unexpected(invalid_token("The web identity token has no integer exp claim"));
  if (now - kSkewSeconds > *exp)
    return fail(ErrorCode::ExpiredTokenException, "Token expired: current date/time " + std::to_string(now) +
                                                      " must be before the expiration date/time " +
                                                      std::to_string(*exp));
  if (auto nbf = jwt->numeric_claim("nbf"); nbf && *nbf > now + kSkewSeconds)
    return unexpected(invalid_token("The web identity token is not valid yet (nbf)"));
  if (auto iat = jwt->numeric_claim("iat"); iat && *iat > now + kSkewSeconds)
    return unexpected(invalid_token("The web identity token was issued in the future (iat)"));
  const std::string subject = jwt->string_claim("sub").value_or("");

  // Session tags and source identity the token asserts.
  AssertedSessionFacts asserted;
  auto tags = jwt->aws_session_tags();
  if (!tags) return unexpected(invalid_token("Invalid session tags in the web identity token: " + tags.error()));
  if (*tags) {
    for (auto& [k, v] : (*tags)->principal_tags) asserted.tags.push_back({k, v});
    asserted.transitive_tag_keys = (*tags)->transitive_tag_keys;
  }
  asserted.source_identity = jwt->string_claim(kSourceIdentityClaim);

  auto federated = federated_session(
      {.action = "sts:AssumeRoleWithWebIdentity",
       .role_arn = *arn,
       .region = ctx.region,
       .partition = ctx.partition(),
       .global_endpoint = ctx.global_endpoint,
       .provider_arn = in_partition(provider->arn, ctx.partition()),
       .provider_account = provider->account,
       .session_name = session_name,
       .asserted = asserted,
       .requested = session_parameters(in),
       .minimum_token_size = in.MinimumSessionTokenSize,
       .now = now,
       .add_condition_keys = [&](domain::ConditionContext& c) { put_claim_keys(*jwt, provider->key, c); },
       .duration = [&](const domain::Role& role) { return role_session_duration(in.DurationSeconds, role, false); },
       .not_after = std::nullopt},
      Authorizer(ctx.store, ctx.messages, ctx.trace), ctx.store, ctx.tokens);
  if (!federated) return unexpected(federated.error());
  const domain::Session& s = federated->session;
  const IssuedSession& issued = federated->issued;

  return AssumeRoleWithWebIdentityResponse{.SubjectFromWebIdentityToken = subject,
                                           .Audience = std::move(audience),
                                           .AssumedRoleUser = assumed_role_user_of(s),
                                           .Credentials = issued.credentials,
                                           .PackedPolicySize = federated->packed_policy_size,
                                           .SourceIdentity = s.source_identity,
                                           .Provider = in_partition(provider->arn, ctx.partition()),
                                           .SessionTokenUtilization = issued.token_utilization,
                                           .SessionTokenSize = issued.token_size};
}

}  // namespace stsd::service::sts
