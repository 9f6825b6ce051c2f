#include "stsd/service/federation_common.h"

#include <algorithm>
#include <cctype>

#include "stsd/common/ascii.h"
#include "stsd/common/region.h"
#include "stsd/common/time_format.h"

namespace stsd::service {

domain::PolicyRequest federated_trust_request(std::string_view action, const std::string& provider_arn,
                                              const std::string& provider_account, const domain::Role& role,
                                              std::string_view session_name, const AssertedSessionFacts& asserted,
                                              std::int64_t now) {
  domain::PolicyRequest r;
  r.action = std::string(action);
  r.principal_type = domain::RequesterType::Federated;
  r.principal_arn = provider_arn;
  r.principal_account = provider_account;
  r.resource = in_partition(role.arn, arn_partition(provider_arn));  // the request's partition
  auto& c = r.context;
  c["sts:rolesessionname"] = {std::string(session_name)};
  if (asserted.source_identity) c["sts:sourceidentity"] = {*asserted.source_identity};
  std::vector<std::string> keys;
  for (const auto& t : asserted.tags) {
    c["aws:requesttag/" + ascii_lower(t.key)] = {t.value};
    keys.push_back(t.key);
  }
  if (!keys.empty()) c["aws:tagkeys"] = keys;
  if (!asserted.transitive_tag_keys.empty()) c["sts:transitivetagkeys"] = asserted.transitive_tag_keys;
  c["aws:federatedprovider"] = {provider_arn};
  c["aws:currenttime"] = {format_iso8601(now)};
  c["aws:epochtime"] = {std::to_string(now)};
  return r;
}

}  // namespace stsd::service
