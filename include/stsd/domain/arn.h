#pragma once
// ARNs: arn:partition:service:region:account:resource.
#include <optional>
#include <string>
#include <string_view>

namespace stsd::domain {

struct Arn {
  std::string partition;
  std::string service;
  std::string region;
  std::string account;
  std::string resource;

  static std::optional<Arn> parse(std::string_view text);
  std::string str() const;
};

// A role ARN as IAM accepts it: arn:<partition>:iam::<12 digits>:role/<path/>name.
struct RoleArn {
  std::string partition;
  std::string account;
  std::string path;  // "/" or "/a/b/"
  std::string name;
  std::string str() const;
};
std::optional<RoleArn> parse_role_arn(std::string_view text);

bool is_account_id(std::string_view s);  // exactly 12 ASCII digits

// Principal ARNs, in the shapes AWS returns
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns;
// an assumed-role ARN drops the role's path). The store keeps ARNs in the
// "aws" partition (common/region.h in_partition puts them in a request's);
// the session ARNs STS mints take the request's.
std::string root_arn(std::string_view account, std::string_view partition = "aws");
std::string user_arn(std::string_view account, std::string_view path, std::string_view name);
std::string role_arn(std::string_view account, std::string_view path, std::string_view name);
// The IAM path is dropped in assumed-role ARNs.
std::string assumed_role_arn(std::string_view account, std::string_view role_name, std::string_view session_name,
                             std::string_view partition = "aws");
std::string federated_user_arn(std::string_view account, std::string_view name, std::string_view partition = "aws");
// IAM identity providers. `url_key` is the provider URL without its scheme.
std::string oidc_provider_arn(std::string_view account, std::string_view url_key);
std::string saml_provider_arn(std::string_view account, std::string_view name);
// An OIDC provider URL as IAM keys it (ARN, condition keys): without its
// scheme, a trailing slash kept (arn:...:oidc-provider/auth.example.com/).
std::string oidc_url_key(std::string_view url);

}  // namespace stsd::domain
