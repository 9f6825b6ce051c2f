#pragma once
// The syntax of the names and values a config carries (IAM's name, path,
// key id, serial, alias and thumbprint types; region names), and reading a
// file safely. Internal to stsd_config.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "stsd/common/result.h"

namespace stsd::config::detail {

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || is_digit(c); }
// \w: [A-Za-z0-9_].
inline bool is_word(char c) { return (c >= 'A' && c <= 'Z') || is_lower_alnum(c) || c == '_'; }

template <class Pred>
bool all_chars(std::string_view s, Pred pred) {
  for (char c : s)
    if (!pred(c)) return false;
  return true;
}

bool is_account_id(std::string_view s);
// IAM userNameType / roleNameType: [\w+=,.@-]{1,64}.
bool is_iam_name(std::string_view s);
// IAM pathType: "/" or "/" printable-ASCII "/", at most 512 characters.
bool is_iam_path(std::string_view s);
// IAM accessKeyIdType is [\w]{16,128}. The minimum is relaxed to 1 on
// purpose: the embedded default's `test` key (what local setups export) is
// 4 characters long.
bool is_access_key_id(std::string_view s);
// IAM serialNumberType: [\w+=/:,.@-]{9,256} (an MFA ARN or a hardware serial).
bool is_mfa_serial(std::string_view s);
// IAM accountAliasType: ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$.
bool is_account_alias(std::string_view s);
// Region names are lower-case words joined by hyphens: us-east-1, us-gov-west-1.
bool is_region(std::string_view s);
// IAM SAMLProviderNameType: [\w._-]{1,128}.
bool is_saml_provider_name(std::string_view s);
// IAM thumbprintType: 40 characters (a SHA-1 in hex).
bool is_thumbprint(std::string_view s);
// What an OIDC provider URL is keyed by in its ARN: the URL without scheme.
std::string_view strip_scheme(std::string_view url);
// A regular file of at most `limit` bytes. Opened without blocking and
// checked on the open descriptor, so a FIFO, a device (/dev/zero) or a file
// swapped in after a check is refused, never read or waited on.
Result<std::string, std::string> read_whole_file(const std::filesystem::path& path, std::size_t limit);

}  // namespace stsd::config::detail
