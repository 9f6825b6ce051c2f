#pragma once
// Access key ids and unique ids in AWS's formats: the prefixes of
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-prefixes,
// the account encoded in new-generation key ids as
// https://awsteele.com/blog/2020/09/26/aws-access-key-format.html decodes it.
#include <optional>
#include <string>
#include <string_view>

namespace stsd::domain {

inline constexpr std::string_view kLongTermKeyPrefix = "AKIA";
inline constexpr std::string_view kTemporaryKeyPrefix = "ASIA";

// A new-generation 20-character key id with the account encoded the way AWS
// encodes it; the tail is random (CSPRNG).
std::string make_access_key_id(std::string_view prefix, std::string_view account);
// A 40-character secret access key from [A-Za-z0-9+/] (CSPRNG).
std::string make_secret_access_key();

// Decodes the account from a new-generation key id (prefix + 16 base32
// chars). nullopt when the key is not well formed.
std::optional<std::string> decode_account(std::string_view access_key_id);

// Stable 21-character unique ids (AIDA... for users, AROA... for roles),
// derived from the entity's ARN so they survive restarts without state.
std::string stable_unique_id(std::string_view prefix, std::string_view arn);
// A new 21-character unique id for an entity created through IAM: prefix
// and 17 characters from IAM's alphabet (A-Z, 2-7), from a CSPRNG.
std::string random_unique_id(std::string_view prefix);

}  // namespace stsd::domain
