// AssumeRoot: short-lived root credentials for a member account, scoped by
// one of AWS's five root-task policies. As on AWS: regional endpoints only
// (the global sts.amazonaws.com answers InvalidAction "Unknown Operation"),
// never with root credentials, 0-900 s (default 900), and only for callers in
// the organization's management account. stsd has no Organizations: the
// management account is the first account of the config, and its member
// accounts are the others.
#include <algorithm>

#include "stsd/common/session_limits.h"
#include "stsd/domain/arn.h"
#include "stsd/service/access_denied.h"
#include "stsd/service/authorization.h"
#include "stsd/service/session_options.h"
#include "stsd/service/region_guard.h"
#include "stsd/service/sts/actions.h"

namespace stsd::service::sts {

namespace {

constexpr std::string_view kTaskPolicies[] = {
    "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials",
    "arn:aws:iam::aws:policy/root-task/IAMCreateRootUserPassword",
    "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials",
    "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy",
    "arn:aws:iam::aws:policy/root-task/SQSUnlockQueuePolicy",
};

}  // namespace

Result<AssumeRootResponse> assume_root(const AssumeRootRequest& in, const Context& ctx) {
  if (ctx.global_endpoint) return fail(ErrorCode::InvalidAction, "Unknown Operation");
  const Caller& caller = *ctx.caller;
  const std::string& target = in.TargetPrincipal;
  const domain::Account* member = ctx.store.find_account(target);
  const std::string target_root = domain::root_arn(target, ctx.partition());

  // The root-task policies are AWS managed policies of the request's partition.
  const std::string task_arn = in.TaskPolicyArn.arn.value_or("");
  if (arn_partition(task_arn) != ctx.partition() ||
      std::find(std::begin(kTaskPolicies), std::end(kTaskPolicies), in_partition(task_arn, "aws")) ==
          std::end(kTaskPolicies))
    return fail(ErrorCode::ValidationError,
                "TaskPolicyArn must be one of the root-task policies (arn:aws:iam::aws:policy/root-task/...): "
                "IAMAuditRootUserCredentials, IAMCreateRootUserPassword, IAMDeleteRootUserCredentials, "
                "S3UnlockBucketPolicy, SQSUnlockQueuePolicy");
  if (caller.is_root() || caller.account != ctx.store.default_account() || member == nullptr ||
      target == ctx.store.default_account())
    return unexpected(not_authorized(caller, "sts:AssumeRoot", target_root));
  if (auto active = require_sts_active(ctx.store, target, ctx.region, ctx.global_endpoint); !active)
    return unexpected(active.error());

  const std::int64_t now = ctx.clock.now();
  domain::PolicyRequest request = caller_request(caller, "sts:AssumeRoot", target_root, now);
  request.context["sts:taskpolicyarn"] = {task_arn};
  if (auto ok = Authorizer(ctx.store, ctx.messages, ctx.trace).authorize(caller, nullptr, request); !ok)
    return unexpected(ok.error());

  domain::Session s;
  s.type = domain::CredentialType::AssumedRole;
  s.principal_type = domain::PrincipalType::Root;
  s.account = target;
  s.arn = target_root;
  s.user_id = target;
  s.source_arn = caller.arn;
  s.issued_at = now;
  s.expiration = now + in.DurationSeconds.value_or(kAssumeRootDuration);
  s.chain_depth = caller.session ? caller.session->chain_depth + 1 : 1;
  s.policy_arns = {task_arn};
  if (caller.session) s.source_identity = caller.session->source_identity;
  auto issued = issue_session(s, ctx.tokens, in.MinimumSessionTokenSize);

  return AssumeRootResponse{.Credentials = issued.credentials, .SourceIdentity = s.source_identity,
                            .SessionTokenUtilization = issued.token_utilization,
                            .SessionTokenSize = issued.token_size};
}

}  // namespace stsd::service::sts
