#include "input_access.h"

namespace stsd::service {

std::vector<std::string> string_list(const ActionInput& input, std::string_view member) {
  std::vector<std::string> out;
  for (const auto& item : input.list(member))
    if (auto s = item.as_string()) out.emplace_back(*s);
  return out;
}

std::vector<std::string> policy_arn_list(const ActionInput& input) {
  std::vector<std::string> out;
  for (const auto& item : input.list("PolicyArns"))
    if (auto arn = item.string("arn")) out.emplace_back(*arn);
  return out;
}

std::vector<domain::Tag> tag_list(const ActionInput& input) {
  std::vector<domain::Tag> out;
  for (const auto& item : input.list("Tags"))
    out.push_back({std::string(item.string("Key").value_or("")), std::string(item.string("Value").value_or(""))});
  return out;
}

}  // namespace stsd::service
