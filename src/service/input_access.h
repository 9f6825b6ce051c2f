#pragma once
// Reading the model's list members into domain values.
#include <string>
#include <string_view>
#include <vector>

#include "stsd/domain/session.h"
#include "stsd/service/action_input.h"

namespace stsd::service {

std::vector<std::string> string_list(const ActionInput& input, std::string_view member);
// PolicyArns.member.N.arn
std::vector<std::string> policy_arn_list(const ActionInput& input);
// Tags.member.N.Key / .Value
std::vector<domain::Tag> tag_list(const ActionInput& input);

}  // namespace stsd::service
