#pragma once
// AccessDenied as AWS words it: the one place each wording is built, so
// every action that refuses a caller says it the same way.
#include <string>
#include <string_view>

#include "stsd/common/sts_error.h"
#include "stsd/service/caller.h"

namespace stsd::service {

// STS's and IAM's policy denial (and the encoded-message form's plain
// text): `User: <arn> is not authorized to perform: <action>[ on resource: <arn>]`.
StsError not_authorized(const Caller& caller, std::string_view action, std::string_view resource = {});

// IAM's wording for a resource the caller may not see, without the colon
// after "perform": `User: <arn> is not authorized to perform <action> on
// resource: <resource>` (GetAccessKeyLastUsed on an unknown key).
StsError iam_not_authorized(std::string_view caller_arn, std::string_view action, std::string_view resource);

// The federated actions' refusal, which names no principal:
// `Not authorized to perform <action>` (sts:AssumeRoleWithSAML,
// sts:AssumeRoleWithWebIdentity).
StsError federated_not_authorized(std::string_view action);

}  // namespace stsd::service
