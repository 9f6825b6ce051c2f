#include "stsd/domain/arn.h"

#include <algorithm>
#include <cctype>

#include "stsd/common/region.h"

namespace stsd::domain {

std::optional<Arn> Arn::parse(std::string_view text) {
  // Five colons split six fields; the resource may itself contain colons.
  Arn arn;
  std::string_view rest = text;
  std::string* fields[] = {nullptr, &arn.partition, &arn.service, &arn.region, &arn.account};
  for (int i = 0; i < 5; ++i) {
    auto pos = rest.find(':');
    if (pos == std::string_view::npos) return std::nullopt;
    if (i == 0) {
      if (rest.substr(0, pos) != "arn") return std::nullopt;
    } else {
      *fields[i] = std::string(rest.substr(0, pos));
    }
    rest.remove_prefix(pos + 1);
  }
  arn.resource = std::string(rest);
  if (arn.partition.empty() || arn.service.empty() || arn.resource.empty()) return std::nullopt;
  return arn;
}

std::string Arn::str() const {
  return "arn:" + partition + ":" + service + ":" + region + ":" + account + ":" + resource;
}

bool is_account_id(std::string_view s) {
  return s.size() == 12 && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

namespace {
bool is_name_char(unsigned char c) {
  return std::isalnum(c) || c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '_' ||
         c == '-';
}
}  // namespace

std::string RoleArn::str() const { return "arn:" + partition + ":iam::" + account + ":role" + path + name; }

std::optional<RoleArn> parse_role_arn(std::string_view text) {
  auto arn = Arn::parse(text);
  if (!arn || arn->service != "iam" || !arn->region.empty() || !is_account_id(arn->account))
    return std::nullopt;
  if (!is_partition(arn->partition)) return std::nullopt;
  std::string_view res = arn->resource;
  if (res.substr(0, 5) != "role/") return std::nullopt;
  res.remove_prefix(4);  // keep the leading '/'
  auto last = res.rfind('/');
  RoleArn out{arn->partition, arn->account, std::string(res.substr(0, last + 1)),
              std::string(res.substr(last + 1))};
  if (out.name.empty() || out.name.size() > 64) return std::nullopt;
  if (!std::all_of(out.name.begin(), out.name.end(), [](unsigned char c) { return is_name_char(c); }))
    return std::nullopt;
  if (out.path.size() > 512) return std::nullopt;
  for (unsigned char c : out.path)
    if (c < 0x21 || c > 0x7E) return std::nullopt;
  if (out.path.find("//") != std::string::npos) return std::nullopt;
  return out;
}

std::string root_arn(std::string_view account, std::string_view partition) {
  return "arn:" + std::string(partition) + ":iam::" + std::string(account) + ":root";
}

std::string user_arn(std::string_view account, std::string_view path, std::string_view name) {
  return "arn:aws:iam::" + std::string(account) + ":user" + std::string(path.empty() ? "/" : path) +
         std::string(name);
}

std::string role_arn(std::string_view account, std::string_view path, std::string_view name) {
  return "arn:aws:iam::" + std::string(account) + ":role" + std::string(path.empty() ? "/" : path) +
         std::string(name);
}

std::string assumed_role_arn(std::string_view account, std::string_view role_name, std::string_view session_name,
                             std::string_view partition) {
  return "arn:" + std::string(partition) + ":sts::" + std::string(account) + ":assumed-role/" + std::string(role_name) + "/" +
         std::string(session_name);
}

std::string federated_user_arn(std::string_view account, std::string_view name, std::string_view partition) {
  return "arn:" + std::string(partition) + ":sts::" + std::string(account) + ":federated-user/" + std::string(name);
}

std::string oidc_provider_arn(std::string_view account, std::string_view url_key) {
  return "arn:aws:iam::" + std::string(account) + ":oidc-provider/" + std::string(url_key);
}

std::string saml_provider_arn(std::string_view account, std::string_view name) {
  return "arn:aws:iam::" + std::string(account) + ":saml-provider/" + std::string(name);
}

std::string oidc_url_key(std::string_view url) {
  for (std::string_view scheme : {"https://", "http://"})
    if (url.substr(0, scheme.size()) == scheme) {
      url.remove_prefix(scheme.size());
      break;
    }
  return std::string(url);
}

}  // namespace stsd::domain
