#pragma once
// Which regions an account may use STS in (RegionDisabledException).
#include <string_view>

#include "stsd/common/sts_error.h"
#include "stsd/domain/store.h"

namespace stsd::service {

// The credentials of `account` may be issued in `region`: refused with
// RegionDisabledException (403) where the account has not enabled the
// opt-in region or has deactivated STS there. The global endpoint is
// always active.
Result<void> require_sts_active(const domain::Store& store, std::string_view account, std::string_view region,
                                bool global_endpoint);

}  // namespace stsd::service
