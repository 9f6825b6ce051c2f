#include "stsd/service/role_session.h"

#include "stsd/common/region.h"
#include "stsd/domain/arn.h"
#include "stsd/service/session_options.h"

namespace stsd::service {

namespace {
constexpr std::int64_t kChainedMaxDuration = 3600;
}  // namespace

Result<std::int64_t> role_session_duration(std::optional<std::int64_t> requested, const domain::Role& role,
                                           bool chained) {
  return check_role_session_duration(requested.value_or(kRoleSessionDefaultDuration), role, chained);
}

Result<std::int64_t> check_role_session_duration(std::int64_t duration, const domain::Role& role, bool chained) {
  if (duration > role.max_session_duration)
    return fail(ErrorCode::ValidationError,
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  if (chained && duration > kChainedMaxDuration)
    return fail(ErrorCode::ValidationError,
                "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role "
                "chaining.");
  return duration;
}

domain::Session new_role_session(const domain::Role& role, std::string_view session_name, std::int64_t now,
                                 std::int64_t duration, std::string_view partition) {
  domain::Session s;
  s.type = domain::CredentialType::AssumedRole;
  s.principal_type = domain::PrincipalType::AssumedRole;
  s.account = role.account;
  s.arn = domain::assumed_role_arn(role.account, role.name, session_name, partition);
  s.user_id = role.role_id + ":" + std::string(session_name);
  s.source_arn = in_partition(role.arn, partition);
  s.role_session_name = std::string(session_name);
  s.issued_at = now;
  s.expiration = now + duration;
  s.chain_depth = 1;
  return s;
}

sts::AssumedRoleUser assumed_role_user_of(const domain::Session& s) { return {s.user_id, s.arn}; }

}  // namespace stsd::service
