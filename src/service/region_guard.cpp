#include "stsd/service/region_guard.h"

#include <string>

namespace stsd::service {

Result<void> require_sts_active(const domain::Store& store, std::string_view account, std::string_view region,
                                bool global_endpoint) {
  if (global_endpoint || store.region_status(account, region) == domain::RegionStatus::Active) return {};
  // AWS's text (HTTP 403), as reported in aws/aws-cdk#11474 and
  // org-formation/org-formation-cli#465.
  return fail(ErrorCode::RegionDisabled, "STS is not activated in this region for account:" + std::string(account) +
                                             ". Your account administrator can activate STS in this region using "
                                             "the IAM Console.");
}

}  // namespace stsd::service
