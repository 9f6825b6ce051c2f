// AssumeRole: credentials for a role session. The role must exist (strict
// role mode), its trust policy and the caller's policies must allow it
// (service/authorization.h); duration is bounded by the role's
// MaxSessionDuration and, for role chaining, by one hour.
#include "stsd/common/ascii.h"
#include "stsd/domain/arn.h"
#include "stsd/domain/policy.h"
#include "stsd/service/authorization.h"
#include "stsd/service/federation_common.h"
#include "../input_access.h"
#include "stsd/service/action.h"
#include "stsd/service/role_session.h"
#include "stsd/service/session_options.h"

namespace stsd::service {

namespace {

// The trust and identity policies' view of an AssumeRole request.
domain::PolicyRequest assume_role_request(const Caller& caller, const domain::Role& role, const ActionInput& input,
                                          bool mfa, std::int64_t now) {
  domain::PolicyRequest r = caller_request(caller, "sts:AssumeRole", role.arn, now);
  auto& c = r.context;
  if (auto v = input.string("ExternalId")) c["sts:externalid"] = {std::string(*v)};
  if (auto v = input.string("RoleSessionName")) c["sts:rolesessionname"] = {std::string(*v)};
  if (auto v = input.string("SourceIdentity")) c["sts:sourceidentity"] = {std::string(*v)};
  std::vector<std::string> keys;
  for (const auto& t : tag_list(input)) {
    c["aws:requesttag/" + ascii_lower(t.key)] = {t.value};
    keys.push_back(t.key);
  }
  if (!keys.empty()) c["aws:tagkeys"] = keys;
  if (auto transitive = string_list(input, "TransitiveTagKeys"); !transitive.empty())
    c["sts:transitivetagkeys"] = transitive;
  if (mfa) {
    c["aws:multifactorauthpresent"] = {"true"};
    c["aws:multifactorauthage"] = {"0"};
  }
  return r;
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

  auto mfa = verify_mfa(ctx.input, caller, ctx.mfa, now);
  if (!mfa) return unexpected(mfa.error());

  auto role = ctx.store.find_role(*arn);
  if (!role) return unexpected(not_authorized(caller, "sts:AssumeRole", requested_arn));
  // sts:AssumeRole, then sts:TagSession to pass tags and sts:SetSourceIdentity
  // to set a source identity: each must be allowed.
  // With no policy involved the answer is Allow: the request (a dozen
  // condition keys) is only built when something will read it.
  const Authorizer authorizer(ctx.store, ctx.messages);
  if (!authorizer.allows_without_policies(caller, role.get())) {
    domain::PolicyRequest request = assume_role_request(caller, *role, ctx.input, *mfa, now);
    if (auto ok = authorizer.authorize(caller, role.get(), request); !ok) return unexpected(ok.error());
    if (ctx.input.has("Tags")) {
      request.action = "sts:TagSession";
      if (auto ok = authorizer.authorize(caller, role.get(), request); !ok) return unexpected(ok.error());
    }
    if (ctx.input.has("SourceIdentity")) {
      request.action = "sts:SetSourceIdentity";
      if (auto ok = authorizer.authorize(caller, role.get(), request); !ok) return unexpected(ok.error());
    }
  }

  const bool chained = caller.session && caller.session->type == domain::CredentialType::AssumedRole;
  auto duration = role_session_duration(ctx.input, *role, chained);
  if (!duration) return unexpected(duration.error());

  auto options = read_session_options(ctx.input, &caller);
  if (!options) return unexpected(options.error());

  domain::Session s = new_role_session(*role, session_name, now, *duration);
  s.mfa_authenticated = *mfa || (caller.session && caller.session->mfa_authenticated);
  s.mfa_auth_time = *mfa ? now : (caller.session ? caller.session->mfa_auth_time : 0);
  s.chain_depth = caller.session ? caller.session->chain_depth + 1 : 1;
  apply_session_options(*options, s);
  auto creds = domain::issue_credentials(s, ctx.tokens);

  ResultNode result = ResultNode::structure("AssumeRoleResult", assumed_role_user_node(s), credentials_node(creds));
  if (options->packed_policy_size)
    result.children.push_back(ResultNode::integer("PackedPolicySize", *options->packed_policy_size));
  if (s.source_identity) result.children.push_back(ResultNode::string("SourceIdentity", *s.source_identity));
  return result;
}

}  // namespace stsd::service
