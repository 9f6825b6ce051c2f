#include "stsd/common/region.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace stsd {

namespace {

// `<prefix>-<word>-<digits>`, the shape of every partitions.json regionRegex
// after its prefix (`\w+\-\d+$`).
bool matches(std::string_view region, std::string_view prefix) {
  if (!region.starts_with(prefix)) return false;
  std::string_view rest = region.substr(prefix.size());
  const auto dash = rest.rfind('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == rest.size()) return false;
  const std::string_view word = rest.substr(0, dash), digits = rest.substr(dash + 1);
  const auto is_word = [](unsigned char c) { return std::isalnum(c) || c == '_'; };
  return std::all_of(word.begin(), word.end(), is_word) &&
         std::all_of(digits.begin(), digits.end(), [](unsigned char c) { return std::isdigit(c); });
}

struct PartitionRule {
  std::string_view partition;
  std::array<std::string_view, 9> prefixes;  // region prefixes, "-" included
};

// Most specific first: us-gov-/us-iso- are also "us-..." regions.
constexpr PartitionRule kRules[] = {
    {"aws-us-gov", {"us-gov-"}},
    {"aws-iso-b", {"us-isob-"}},
    {"aws-iso-f", {"us-isof-"}},
    {"aws-iso", {"us-iso-"}},
    {"aws-iso-e", {"eu-isoe-"}},
    {"aws-eusc", {"eusc-de-"}},
    {"aws-cn", {"cn-"}},
    {"aws", {"us-", "eu-", "ap-", "sa-", "ca-", "me-", "af-", "il-", "mx-"}},
};

constexpr std::string_view kOptInRegions[] = {
    "af-south-1",     "ap-east-1",      "ap-east-2",      "ap-south-2",     "ap-southeast-3", "ap-southeast-4",
    "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-west-1",      "eu-central-2",   "eu-south-1",
    "eu-south-2",     "il-central-1",   "me-central-1",   "me-south-1",     "mx-central-1",
};

}  // namespace

std::string_view partition_of(std::string_view region) {
  for (const auto& rule : kRules)
    for (std::string_view prefix : rule.prefixes)
      if (!prefix.empty() && matches(region, prefix)) return rule.partition;
  return "aws";
}

bool is_partition(std::string_view partition) {
  return std::any_of(std::begin(kRules), std::end(kRules), [&](const auto& r) { return r.partition == partition; });
}

bool is_opt_in_region(std::string_view region) {
  return std::find(std::begin(kOptInRegions), std::end(kOptInRegions), region) != std::end(kOptInRegions);
}

std::string_view arn_partition(std::string_view arn) {
  if (!arn.starts_with("arn:")) return {};
  const std::string_view rest = arn.substr(4);
  const auto colon = rest.find(':');
  return colon == std::string_view::npos ? std::string_view{} : rest.substr(0, colon);
}

std::string in_partition(std::string_view arn, std::string_view partition) {
  const std::string_view current = arn_partition(arn);
  if (current.empty() || current == partition) return std::string(arn);
  std::string out;
  out.reserve(arn.size() - current.size() + partition.size());
  out.append("arn:").append(partition).append(arn.substr(4 + current.size()));
  return out;
}

}  // namespace stsd
