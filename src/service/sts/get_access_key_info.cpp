// GetAccessKeyInfo: the account that owns an access key id. Keys the store
// knows answer from the store (old-generation keys such as the AWS docs'
// example carry no account); any other well-formed key is decoded.
#include "stsd/domain/access_key.h"
#include "stsd/service/sts/actions.h"

namespace stsd::service::sts {

Result<GetAccessKeyInfoResponse> get_access_key_info(const GetAccessKeyInfoRequest& in, const Context& ctx) {
  const std::string& key_id = in.AccessKeyId;
  std::optional<std::string> account;
  if (const auto* record = ctx.store.find_access_key(key_id)) account = record->account;
  if (!account) account = domain::decode_account(key_id);
  if (!account)
    return fail(ErrorCode::InvalidParameterValue, "The access key ID " + key_id + " is not valid.");
  return GetAccessKeyInfoResponse{.Account = account};
}

}  // namespace stsd::service::sts
