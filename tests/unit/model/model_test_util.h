#pragma once
// Shared helpers for the model tests: build Parameters and run one operation.
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <utility>

#include "stsd/service/model.h"

namespace stsd::service::test {

inline Parameters params(std::initializer_list<std::pair<std::string, std::string>> items) {
  Parameters p;
  for (const auto& [name, value] : items) p.add(name, value);
  return p;
}

inline const OperationModel& op(std::string_view name) {
  const OperationModel* found = find_operation(Service::Sts, name);
  EXPECT_NE(found, nullptr) << name;
  return *found;
}

inline constexpr const char* kRoleArn = "arn:aws:iam::123456789012:role/demo";
inline constexpr const char* kArnPattern =
    R"([\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+)";
inline constexpr const char* kNamePattern = R"([\w+=,.@-]*)";
inline constexpr const char* kTagKeyPattern = R"([\p{L}\p{Z}\p{N}_.:/=+\-@]+)";
inline constexpr const char* kTagValuePattern = R"([\p{L}\p{Z}\p{N}_.:/=+\-@]*)";

// AssumeRole with a valid RoleArn and RoleSessionName plus `extra`.
inline Parameters assume_role(std::initializer_list<std::pair<std::string, std::string>> extra) {
  Parameters p;
  for (const auto& [name, value] : extra) p.add(name, value);
  p.add("RoleArn", kRoleArn);
  p.add("RoleSessionName", "s1");
  return p;
}

// The ValidationError message, or a failure naming what came back instead.
inline std::string validation_message(const Result<ActionInput>& r) {
  if (r) return "<accepted>";
  if (r.error().code != ErrorCode::ValidationError) return "<code " + std::string(error_info(r.error().code).wire_code) + ">";
  return r.error().message;
}

}  // namespace stsd::service::test
