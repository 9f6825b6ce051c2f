// AssumeRole: credentials for a role session. The role must exist (strict
// role mode) and trust the caller; duration is bounded by the role's
// MaxSessionDuration and, for role chaining, by one hour.
#include "stsd/domain/arn.h"
#include "stsd/domain/policy.h"
#include "stsd/service/action.h"
#include "stsd/service/session_options.h"

namespace stsd::service {

namespace {

constexpr std::int64_t kDefaultDuration = 3600;
constexpr std::int64_t kChainedMaxDuration = 3600;

domain::PolicyRequest trust_request(const Caller& caller, const domain::Role& role, const ActionInput& input,
                                    bool mfa) {
  domain::PolicyRequest r;
  r.action = "sts:AssumeRole";
  r.principal_arn = caller.arn;
  r.principal_account = caller.account;
  r.resource = role.arn;
  // A role session is also named by its role's ARN in trust policies.
  if (caller.session && caller.session->type == domain::CredentialType::AssumedRole)
    r.principal_aliases.push_back(caller.session->source_arn);
  auto put = [&](const char* key, std::string value) { r.context[key].push_back(std::move(value)); };
  if (auto v = input.string("ExternalId")) put("sts:externalid", std::string(*v));
  if (auto v = input.string("RoleSessionName")) put("sts:rolesessionname", std::string(*v));
  if (auto v = input.string("SourceIdentity")) put("sts:sourceidentity", std::string(*v));
  const bool mfa_present = mfa || (caller.session && caller.session->mfa_authenticated);
  put("aws:multifactorauthpresent", mfa_present ? "true" : "false");
  put("aws:principalarn", caller.session && caller.session->type == domain::CredentialType::AssumedRole
                              ? caller.session->source_arn
                              : caller.arn);
  put("aws:principalaccount", caller.account);
  put("aws:userid", caller.user_id);
  return r;
}

// Without a configured trust policy a declared role trusts its own account,
// which is what IAM's console default ("this account") amounts to.
std::string default_trust_policy(const domain::Role& role) {
  return R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::)" +
         role.account + R"(:root"},"Action":"sts:AssumeRole"}]})";
}

}  // namespace

Result<ResultNode> assume_role(const ActionContext& ctx) {
  const Caller& caller = *ctx.caller;
  const std::int64_t now = ctx.clock.now();
  const std::string requested_arn(*ctx.input.string("RoleArn"));
  const std::string session_name(*ctx.input.string("RoleSessionName"));

  auto arn = domain::parse_role_arn(requested_arn);
  if (!arn) return fail(ErrorCode::ValidationError, requested_arn + " is invalid");
  if (caller.is_root()) return fail(ErrorCode::AccessDenied, "Roles may not be assumed by root accounts.");

  auto mfa = verify_mfa(ctx.input, caller, now);
  if (!mfa) return unexpected(mfa.error());

  auto role = ctx.store.find_role(*arn);
  if (!role) return unexpected(not_authorized(caller, "sts:AssumeRole", requested_arn));
  if (role->declared) {
    const std::string policy = role->trust_policy ? *role->trust_policy : default_trust_policy(*role);
    if (domain::evaluate_policy(policy, trust_request(caller, *role, ctx.input, *mfa)) != domain::Decision::Allow)
      return unexpected(not_authorized(caller, "sts:AssumeRole", requested_arn));
  }

  const std::int64_t duration = duration_or(ctx.input, kDefaultDuration);
  if (duration > role->max_session_duration)
    return fail(ErrorCode::ValidationError,
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  const bool chained = caller.session && caller.session->type == domain::CredentialType::AssumedRole;
  if (chained && duration > kChainedMaxDuration)
    return fail(ErrorCode::ValidationError,
                "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role "
                "chaining.");

  auto options = read_session_options(ctx.input, &caller);
  if (!options) return unexpected(options.error());

  domain::Session s;
  s.type = domain::CredentialType::AssumedRole;
  s.principal_type = domain::PrincipalType::AssumedRole;
  s.account = role->account;
  s.arn = domain::assumed_role_arn(role->account, role->name, session_name);
  s.user_id = role->role_id + ":" + session_name;
  s.source_arn = role->arn;
  s.role_session_name = session_name;
  s.issued_at = now;
  s.expiration = now + duration;
  s.mfa_authenticated = *mfa || (caller.session && caller.session->mfa_authenticated);
  s.mfa_auth_time = *mfa ? now : (caller.session ? caller.session->mfa_auth_time : 0);
  s.chain_depth = caller.session ? caller.session->chain_depth + 1 : 1;
  apply_session_options(*options, s);
  auto creds = domain::issue_credentials(s, ctx.tokens);

  ResultNode result = ResultNode::structure(
      "AssumeRoleResult",
      {ResultNode::structure("AssumedRoleUser", {ResultNode::string("AssumedRoleId", s.user_id),
                                                 ResultNode::string("Arn", s.arn)}),
       credentials_node(creds)});
  if (options->packed_policy_size)
    result.children.push_back(ResultNode::integer("PackedPolicySize", *options->packed_policy_size));
  if (s.source_identity) result.children.push_back(ResultNode::string("SourceIdentity", *s.source_identity));
  return result;
}

}  // namespace stsd::service
