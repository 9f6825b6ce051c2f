// AssumeRoleWithSAML: a SAML 2.0 Response, its XML signature verified with
// xmlsec against the SAML provider's metadata certificates (stsd's own for
// the built-in IdP), exchanged for a role session. Unsigned, as on AWS. Only
// data inside the signed element is read (domain/federation/saml_response.cpp).
//
// Checks, in order: provider exists (PrincipalArn), signature, issuer = the
// provider's entityID, status Success, audience and recipient are AWS's
// sign-in endpoint (global or regional), NotBefore / NotOnOrAfter (the
// SubjectConfirmationData one required, as AWS requires it) with a small
// skew, the Role attribute pairs RoleArn with PrincipalArn, RoleSessionName
// attribute, then the role's trust policy with the SAML:* condition keys.
//
// Observed AWS texts: "Response signature invalid", "Issuer not present in
// specified provider", "RoleSessionName in AuthnResponse must match
// [a-zA-Z_0-9+=,.@-]{2,64}" (InvalidIdentityToken) and AccessDenied "Not
// authorized to perform sts:AssumeRoleWithSAML". The other texts are stsd's.
#include <algorithm>
#include <regex>

#include "stsd/common/session_limits.h"
#include "stsd/crypto/crypto.h"
#include "stsd/domain/arn.h"
#include "stsd/domain/federation/builtin_idps.h"
#include "stsd/domain/federation/saml_response.h"
#include "stsd/service/access_denied.h"
#include "stsd/service/authorization.h"
#include "stsd/service/federated_session.h"
#include "stsd/service/role_session.h"
#include "stsd/service/session_options.h"
#include "stsd/service/region_guard.h"
#include "stsd/service/sts/actions.h"

namespace stsd::service::sts {

namespace {

namespace fed = domain::federation;

constexpr std::string_view kAction = "sts:AssumeRoleWithSAML";
constexpr std::int64_t kSkewSeconds = 300;
constexpr std::string_view kAttributePrefix = "https://aws.amazon.com/SAML/Attributes/";

StsError invalid_token(std::string message) { return StsError::make(ErrorCode::InvalidIdentityToken, std::move(message)); }

// https://signin.aws.amazon.com/saml, its regional forms
// (https://us-west-2.signin.aws.amazon.com/saml) and, for audiences, AWS's
// classic urn:amazon:webservices.
bool is_aws_signin(std::string_view url, bool allow_urn) {
  static const std::regex kSignin(R"(https://([a-z0-9-]+\.)?signin\.aws\.amazon\.com/saml/?)");
  if (allow_urn && url == "urn:amazon:webservices") return true;
  return std::regex_match(url.begin(), url.end(), kSignin);
}

const fed::SamlAttribute* attribute(const fed::SamlAssertionData& data, std::string_view short_name) {
  const std::string name = std::string(kAttributePrefix) + std::string(short_name);
  for (const auto& a : data.attributes)
    if (a.name == name) return &a;
  return nullptr;
}

// A Role attribute value is "role-arn,provider-arn" in either order.
bool role_pair_listed(const fed::SamlAssertionData& data, const std::string& role_arn, const std::string& provider_arn) {
  const auto* roles = attribute(data, "Role");
  if (roles == nullptr) return false;
  for (const auto& v : roles->values) {
    auto comma = v.find(',');
    if (comma == std::string::npos) continue;
    std::string a = v.substr(0, comma), b = v.substr(comma + 1);
    auto trim = [](std::string& s) {
      s.erase(0, s.find_first_not_of(" \t\r\n"));
      s.erase(s.find_last_not_of(" \t\r\n") + 1);
    };
    trim(a);
    trim(b);
    if ((a == role_arn && b == provider_arn) || (a == provider_arn && b == role_arn)) return true;
  }
  return false;
}

std::string subject_type(const std::string& format) {
  const std::string_view prefix = fed::kSamlNameIdFormatPrefix;
  if (format.compare(0, prefix.size(), prefix) == 0) return format.substr(prefix.size());
  return format;
}

}  // namespace

Result<AssumeRoleWithSAMLResponse> assume_role_with_saml(const AssumeRoleWithSAMLRequest& in, const Context& ctx) {
  const std::int64_t now = ctx.clock.now();
  const std::string& requested_arn = in.RoleArn;
  const std::string& principal_arn = in.PrincipalArn;
  auto arn = domain::parse_role_arn(requested_arn);
  if (!arn) return fail(ErrorCode::ValidationError, requested_arn + " is invalid");

  // Providers of another partition do not exist here.
  const domain::SamlProvider* provider =
      arn_partition(principal_arn) == ctx.partition() ? ctx.store.find_saml_provider(principal_arn) : nullptr;
  if (provider == nullptr) return unexpected(invalid_token("Specified provider doesn't exist."));

  std::vector<std::string> builtin_certs;
  const std::vector<std::string>* anchors = &provider->certificates_der;
  std::string entity_id = provider->entity_id;
  if (provider->builtin) {
    builtin_certs.push_back(ctx.idps.saml().certificate_der());
    anchors = &builtin_certs;
    entity_id = ctx.idps.saml().entity_id();
  }
  if (anchors->empty())
    return unexpected(invalid_token("The SAML provider's metadata has no signing certificate"));

  auto data = fed::verify_saml_response(in.SAMLAssertion, *anchors);
  if (!data) {
    switch (data.error().problem) {
      case fed::SamlProblem::NotSigned:
      case fed::SamlProblem::BadSignature:
      case fed::SamlProblem::UntrustedKey: return unexpected(invalid_token("Response signature invalid"));
      case fed::SamlProblem::Encrypted:
        return unexpected(invalid_token("stsd cannot decrypt an EncryptedAssertion; send the assertion signed, unencrypted"));
      case fed::SamlProblem::Malformed: break;
    }
    return unexpected(invalid_token("Invalid SAML response: " + data.error().detail));
  }
  if (data->issuer != entity_id) return unexpected(invalid_token("Issuer not present in specified provider"));
  // The IdP itself says authentication failed.
  if (!data->status_code.empty() && data->status_code != fed::kSamlStatusSuccess)
    return fail(ErrorCode::IDPRejectedClaim, "The identity provider rejected the authentication (status " +
                                                 data->status_code + ")");
  if (std::none_of(data->audiences.begin(), data->audiences.end(),
                   [](const std::string& a) { return is_aws_signin(a, true); }))
    return unexpected(invalid_token("The SAML assertion's audience is not AWS sign-in"));
  if (!is_aws_signin(data->recipient, false))
    return unexpected(invalid_token("The SAML assertion's recipient is not AWS sign-in"));

  if (data->not_before && *data->not_before > now + kSkewSeconds)
    return unexpected(invalid_token("The SAML assertion is not valid yet (NotBefore)"));
  // AWS requires SubjectConfirmationData/@NotOnOrAfter: without it an
  // assertion would never expire. Replays inside the window are accepted, as
  // AWS accepts them (SAML CLIs cache one response for several roles).
  const std::optional<std::int64_t> not_after = fed::saml_assertion_expiry(*data);
  if (!not_after)
    return unexpected(invalid_token("SubjectConfirmationData in AuthnResponse must have a NotOnOrAfter attribute"));
  if (now - kSkewSeconds >= *not_after)
    return fail(ErrorCode::ExpiredTokenException, "Token expired: current date/time " + std::to_string(now) +
                                                      " must be before the expiration date/time " +
                                                      std::to_string(*not_after));

  if (provider->account != arn->account || !role_pair_listed(*data, requested_arn, principal_arn))
    return unexpected(federated_not_authorized(kAction));

  const auto* session_name_attr = attribute(*data, "RoleSessionName");
  if (session_name_attr == nullptr || session_name_attr->values.empty())
    return unexpected(invalid_token("RoleSessionName is required in AuthnResponse"));
  const std::string session_name = session_name_attr->values.front();
  static const std::regex kSessionName(R"([a-zA-Z_0-9+=,.@-]{2,64})");
  if (!std::regex_match(session_name, kSessionName))
    return unexpected(invalid_token("RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}"));

  AssertedSessionFacts asserted;
  for (const auto& a : data->attributes) {
    const std::string tag_prefix = std::string(kAttributePrefix) + "PrincipalTag:";
    if (a.name.compare(0, tag_prefix.size(), tag_prefix) == 0 && !a.values.empty())
      asserted.tags.push_back({a.name.substr(tag_prefix.size()), a.values.front()});
  }
  if (const auto* t = attribute(*data, "TransitiveTagKeys")) asserted.transitive_tag_keys = t->values;
  if (const auto* si = attribute(*data, "SourceIdentity"); si && !si->values.empty())
    asserted.source_identity = si->values.front();

  const std::string name_qualifier =
      crypto::base64_encode(crypto::sha1(data->issuer + provider->account + "/" + provider->name));
  const std::string sub_type = subject_type(data->name_id_format);

  // DurationSeconds, else the SessionDuration attribute, else one hour; never
  // past the IdP's SessionNotOnOrAfter. Read after the trust decision, as before.
  auto federated = federated_session(
      {.action = kAction,
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
       .add_condition_keys =
           [&](domain::ConditionContext& c) {
             c["saml:aud"] = {data->recipient};
             c["saml:iss"] = {data->issuer};
             c["saml:sub"] = {data->name_id};
             c["saml:sub_type"] = {sub_type};
             c["saml:namequalifier"] = {name_qualifier};
             c["saml:doc"] = {provider->account + "/" + provider->name};
           },
       .duration = [&](const domain::Role& role) -> Result<std::int64_t> {
         std::int64_t duration = kDefaultRoleSessionDuration;
         if (const auto* d = attribute(*data, "SessionDuration"); d && !d->values.empty()) {
           auto parsed = fed::parse_saml_session_duration(d->values.front());
           if (!parsed) return unexpected(invalid_token("SessionDuration in AuthnResponse must be an integer"));
           duration = *parsed;
           if (duration < kMinSessionDuration || duration > kMaxRoleMaxSessionDuration)
             return unexpected(invalid_token("SessionDuration in AuthnResponse must be between " +
                                             std::to_string(kMinSessionDuration) + " and " +
                                             std::to_string(kMaxRoleMaxSessionDuration)));
         }
         if (in.DurationSeconds) duration = *in.DurationSeconds;
         return check_role_session_duration(duration, role, false);
       },
       .not_after = data->session_not_on_or_after},
      Authorizer(ctx.store, ctx.messages, ctx.trace), ctx.store, ctx.tokens);
  if (!federated) return unexpected(federated.error());
  const domain::Session& s = federated->session;
  const IssuedSession& issued = federated->issued;

  return AssumeRoleWithSAMLResponse{.Issuer = data->issuer,
                                    .AssumedRoleUser = assumed_role_user_of(s),
                                    .Credentials = issued.credentials,
                                    .Audience = data->recipient,
                                    .SubjectType = sub_type,
                                    .PackedPolicySize = federated->packed_policy_size,
                                    .NameQualifier = name_qualifier,
                                    .SourceIdentity = s.source_identity,
                                    .Subject = data->name_id,
                                    .SessionTokenUtilization = issued.token_utilization,
                                    .SessionTokenSize = issued.token_size};
}

}  // namespace stsd::service::sts
