#pragma once
// Session duration limits (seconds), as the STS API reference and the IAM
// User Guide give them: the one place stsd names them. In common because
// config (below domain) checks a role's MaxSessionDuration too. The model's
// DurationSeconds bounds (900..129600) are generated from botocore's model
// and checked there; these are the rules the model cannot state.
#include <cstdint>

namespace stsd {

// Shortest session any AssumeRole* or GetSessionToken grants (the model's
// DurationSeconds minimum; also the SAML SessionDuration attribute's).
inline constexpr std::int64_t kMinSessionDuration = 900;

// A role's MaxSessionDuration: one to twelve hours, one hour by default
// (IAM CreateRole). Twelve hours is also the SAML SessionDuration attribute's
// maximum.
inline constexpr std::int64_t kMinRoleMaxSessionDuration = 3600;
inline constexpr std::int64_t kMaxRoleMaxSessionDuration = 43200;
inline constexpr std::int64_t kDefaultRoleMaxSessionDuration = 3600;

// AssumeRole*: DurationSeconds defaults to one hour; a role chain (a role
// session assuming a role) is capped at one hour.
inline constexpr std::int64_t kDefaultRoleSessionDuration = 3600;
inline constexpr std::int64_t kMaxChainedRoleSessionDuration = 3600;

// GetSessionToken / GetFederationToken: twelve hours by default (up to the
// model's 36 hours); sessions of an account's root user at most one hour.
inline constexpr std::int64_t kDefaultLongTermCallerDuration = 43200;
inline constexpr std::int64_t kMaxRootSessionDuration = 3600;

// AssumeRoot: at most, and by default, 900 seconds.
inline constexpr std::int64_t kAssumeRootDuration = 900;

}  // namespace stsd
