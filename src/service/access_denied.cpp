#include "stsd/service/access_denied.h"

namespace stsd::service {

StsError not_authorized(const Caller& caller, std::string_view action, std::string_view resource) {
  std::string message = "User: " + caller.arn + " is not authorized to perform: " + std::string(action);
  if (!resource.empty()) message += " on resource: " + std::string(resource);
  return StsError::make(ErrorCode::AccessDenied, std::move(message));
}

StsError iam_not_authorized(std::string_view caller_arn, std::string_view action, std::string_view resource) {
  return StsError::make(ErrorCode::AccessDenied, "User: " + std::string(caller_arn) +
                                                     " is not authorized to perform " + std::string(action) +
                                                     " on resource: " + std::string(resource));
}

StsError federated_not_authorized(std::string_view action) {
  return StsError::make(ErrorCode::AccessDenied, "Not authorized to perform " + std::string(action));
}

}  // namespace stsd::service
