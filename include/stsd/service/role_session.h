#pragma once
// What AssumeRole, AssumeRoleWithWebIdentity and AssumeRoleWithSAML share:
// the duration rules of a role session, the session they mint and the
// AssumedRoleUser they answer with.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "stsd/common/sts_error.h"
#include "stsd/domain/session.h"
#include "stsd/domain/store.h"
#include "stsd/service/sts/shapes.h"

namespace stsd::service {

inline constexpr std::int64_t kRoleSessionDefaultDuration = 3600;

// A role session's duration checked, in AWS's order, against the role's
// MaxSessionDuration and, for role chaining, the one-hour cap.
Result<std::int64_t> check_role_session_duration(std::int64_t duration, const domain::Role& role, bool chained);

// DurationSeconds (default one hour), checked as above.
Result<std::int64_t> role_session_duration(std::optional<std::int64_t> requested, const domain::Role& role,
                                           bool chained);

// A fresh assumed-role session of `role` (keys are filled when issued).
// Its ARNs are in `partition`, the request's.
domain::Session new_role_session(const domain::Role& role, std::string_view session_name, std::int64_t now,
                                 std::int64_t duration, std::string_view partition);

// <AssumedRoleUser> (AssumedRoleId, Arn).
sts::AssumedRoleUser assumed_role_user_of(const domain::Session& session);

}  // namespace stsd::service
