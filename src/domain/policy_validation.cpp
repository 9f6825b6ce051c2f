// AWS's MalformedPolicyDocument checks for trust, identity and session
// policies, in the order AWS applies them (the first failing layer decides
// the message).
//
// AWS does not document these texts. Each constant below cites where it was
// seen; [V] = quoted from a real AWS response (GitHub issue / AWS-run test),
// [M] = from moto/LocalStack validators whose tables are recorded against AWS
// (getmoto/moto tests/test_iam/test_iam_policies.py), [U] = unverified guess.
#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <set>

#include "stsd/domain/arn.h"
#include "stsd/common/ascii.h"
#include "stsd/domain/policy.h"

namespace stsd::domain {

namespace {

using nlohmann::json;

// Invalid JSON, per API: IAM CreatePolicy/Put*Policy [V: boto/boto3#180,
// 99designs/iamy#74; M]; IAM CreateRole [V: AWSCookbook/Security#2,
// aws-samples/aws-microservices-deploy-options#118 (2018-2022); older
// CreateRole answered "Syntax errors in policy"]; STS session policy [V:
// ansible-collections/amazon.aws sts_assume_role integration test, run
// against AWS; since 2025 AWS may answer with a raw Jackson parser message].
constexpr std::string_view kIdentityInvalidJson = "Syntax errors in policy.";
constexpr std::string_view kTrustInvalidJson = "This policy contains invalid Json";
constexpr std::string_view kSessionInvalidJson = "The policy is not in the valid JSON format.";
// Grammar errors (wrong types, unknown fields, unknown operators) [M for
// identity policies; U for trust and session policies].
constexpr std::string_view kSyntax = "Syntax errors in policy.";
// [V: Meteor-Community-Packages/Meteor-CollectionFS#630; M] CreatePolicy.
constexpr std::string_view kVersion = "Policy document must be version 2012-10-17 or greater.";
// Effect in the wrong case, bad Date values, ARNs with too few colons [V:
// hashicorp/terraform#10057 ("allow"); M].
constexpr std::string_view kLegacy = "The policy failed legacy parsing";
// [V: kubernetes/kops#4951; M].
constexpr std::string_view kSidUnique = "Statement IDs (SID) in a single policy must be unique.";
// [V: aws/aws-cdk#7615; M].
constexpr std::string_view kNoActions = "Policy statement must contain actions.";
// [V: trussworks/terraform-aws-s3-anti-virus#28; M]; session policies [U].
constexpr std::string_view kNoResources = "Policy statement must contain resources.";
// Identity policy with a Principal [V: hashicorp/terraform#13449 (PutRolePolicy)];
// NotPrincipal and session policies [U].
constexpr std::string_view kNoPrincipalAllowed = "Policy document should not specify a principal.";
// Trust policy with a Resource [V: kubernetes-sigs/external-dns#3085,
// hashicorp/terraform#34231; AWS gives no trailing period]; NotResource [U].
constexpr std::string_view kTrustResource = "Has prohibited field Resource";
// Trust statement without principals [V: terraform-aws-modules/terraform-aws-iam#47];
// a statement with only NotPrincipal [U].
constexpr std::string_view kTrustNoPrincipal =
    "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: "
    "The passed in policy has a statement with no principals!";
// Prefix of `Invalid principal in policy: "AWS":"<value>"` [V: databrickslabs/ucx#2269,
// opstrace/opstrace#88] and `"SERVICE":"<value>"` [V: aws-cdk CloudFormation
// output]; "FEDERATED" and "CANONICAL_USER" [U].
constexpr std::string_view kInvalidPrincipal = "Invalid principal in policy: ";
// Trust policy action outside sts:AssumeRole* and session-setting actions
// [V: hashicorp/terraform-provider-aws#32872].
constexpr std::string_view kTrustActions = "AssumeRole policy may only specify STS AssumeRole actions.";
// Action shape [M; "only one colon" also V: garnaat/kappa#111].
constexpr std::string_view kActionVendor =
    "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.";
constexpr std::string_view kActionColons = "Actions/Condition can contain only one colon.";

constexpr std::array<std::string_view, 9> kStatementFields{
    "Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition"};
constexpr std::array<std::string_view, 4> kRequesterTypes{"AWS", "CanonicalUser", "Federated", "Service"};
constexpr std::array<std::string_view, 9> kPartitions{"aws",       "aws-cn",    "aws-us-gov", "aws-iso", "aws-iso-b",
                                                      "aws-iso-e", "aws-iso-f", "aws-eusc",   "*"};
// IAM resource paths [M, LocalStack's newer text that mentions root].
constexpr std::array<std::string_view, 13> kIamResourceTypes{
    "user/",   "federated-user/", "role/",         "group/", "instance-profile/", "mfa/",         "server-certificate/",
    "policy/", "sms-mfa/",        "saml-provider/", "oidc-provider/", "report/",     "access-report/"};
// What a trust policy may grant: the AssumeRole family and the actions that
// accompany it (sts:TagSession, sts:SetSourceIdentity, sts:SetContext).
constexpr std::array<std::string_view, 6> kTrustActionNames{
    "sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity",
    "sts:TagSession", "sts:SetSourceIdentity",  "sts:SetContext"};
// Federated principals that are not provider ARNs ("Principal" docs).
constexpr std::array<std::string_view, 4> kWellKnownIdps{"cognito-identity.amazonaws.com", "accounts.google.com",
                                                         "www.amazon.com", "graph.facebook.com"};

template <std::size_t N>
bool one_of(std::string_view s, const std::array<std::string_view, N>& list) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Python's str.partition: (head, found, tail).
struct Split {
  std::string_view head;
  bool found = false;
  std::string_view tail;
};
Split partition(std::string_view s, char sep) {
  const auto pos = s.find(sep);
  if (pos == std::string_view::npos) return {s, false, {}};
  return {s.substr(0, pos), true, s.substr(pos + 1)};
}

std::vector<std::string_view> split_all(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    const auto pos = s.find(sep);
    out.push_back(s.substr(0, pos));
    if (pos == std::string_view::npos) return out;
    s.remove_prefix(pos + 1);
  }
}

// A string list in a statement: a string or an array (shape already checked).
std::vector<std::string> strings_of(const json& v) {
  std::vector<std::string> out;
  if (v.is_string()) {
    out.push_back(v.get<std::string>());
  } else if (v.is_array()) {
    for (const auto& e : v)
      if (e.is_string()) out.push_back(e.get<std::string>());
  }
  return out;
}

bool is_string_or_string_list(const json& v) {
  if (v.is_string()) return true;
  return v.is_array() && std::all_of(v.begin(), v.end(), [](const json& e) { return e.is_string(); });
}

bool is_condition_scalar(const json& v) { return v.is_string() || v.is_number() || v.is_boolean(); }

// --- grammar -----------------------------------------------------------------

bool condition_syntax_ok(const json& v) {
  if (!v.is_object()) return false;
  for (const auto& [op, block] : v.items()) {
    if (!block.is_object()) return false;
    for (const auto& [key, values] : block.items()) {
      if (values.is_array()) {
        if (!std::all_of(values.begin(), values.end(), is_condition_scalar)) return false;
      } else if (!is_condition_scalar(values)) {
        return false;
      }
    }
    if (!parse_condition_operator(op) && !block.empty()) return false;
  }
  return true;
}

bool principal_syntax_ok(const json& v) {
  if (v.is_string()) return v.get_ref<const std::string&>() == "*";
  if (!v.is_object()) return false;
  for (const auto& [type, ids] : v.items())
    if (!one_of(type, kRequesterTypes) || !is_string_or_string_list(ids)) return false;
  return true;
}

bool statement_syntax_ok(const json& st) {
  if (!st.is_object()) return false;
  for (const auto& [name, value] : st.items())
    if (!one_of(name, kStatementFields)) return false;
  if ((st.contains("Action") && st.contains("NotAction")) || (st.contains("Resource") && st.contains("NotResource")) ||
      (st.contains("Principal") && st.contains("NotPrincipal")))
    return false;
  auto effect = st.find("Effect");
  if (effect == st.end() || !effect->is_string()) return false;
  const auto& e = effect->get_ref<const std::string&>();
  if (!iequals(e, "Allow") && !iequals(e, "Deny")) return false;
  for (const char* field : {"Action", "NotAction", "Resource", "NotResource"})
    if (auto it = st.find(field); it != st.end() && !is_string_or_string_list(*it)) return false;
  if (auto it = st.find("Sid"); it != st.end() && !it->is_string()) return false;
  if (auto it = st.find("Condition"); it != st.end() && !condition_syntax_ok(*it)) return false;
  for (const char* field : {"Principal", "NotPrincipal"})
    if (auto it = st.find(field); it != st.end() && !principal_syntax_ok(*it)) return false;
  return true;
}

// --- legacy parsing ----------------------------------------------------------

bool legacy_statement_ok(const json& st) {
  const auto& effect = st.find("Effect")->get_ref<const std::string&>();
  if (effect != "Allow" && effect != "Deny") return false;
  auto cond = st.find("Condition");
  if (cond == st.end()) return true;
  for (const auto& [op, block] : cond->items()) {
    const auto parsed = parse_condition_operator(op);
    if (!parsed) continue;
    const auto o = parsed->op;
    const bool date = o == ConditionOperator::DateEquals || o == ConditionOperator::DateNotEquals ||
                      o == ConditionOperator::DateLessThan || o == ConditionOperator::DateLessThanEquals ||
                      o == ConditionOperator::DateGreaterThan || o == ConditionOperator::DateGreaterThanEquals;
    if (!date) continue;
    for (const auto& [key, values] : block.items()) {
      const json one = values.is_array() ? values : json::array({values});
      for (const auto& v : one) {
        std::string text = v.is_string() ? v.get<std::string>() : v.dump();
        if (!parse_policy_date(text)) return false;
      }
    }
  }
  return true;
}

// A resource ARN too short for IAM's old parser.
bool legacy_resource_ok(std::string_view r) {
  if (r == "*") return true;
  const auto colons = static_cast<std::size_t>(std::count(r.begin(), r.end(), ':'));
  if (colons < 5 && r.find("::") != std::string_view::npos) return false;
  const auto parts = split_all(r, ':');
  return parts.size() > 2 && !parts[2].empty();
}

// The resource-format message AWS gives for r, or empty [M]. A partition
// other than the request's (when known) is refused with the same text
// [V: aws/chalice#777 in cn-north-1, aws/copilot-cli#3844].
std::string resource_format_error(std::string_view r, std::string_view request_partition) {
  if (r == "*") return {};
  auto first = partition(r, ':');
  if (!first.found) return "Resource " + std::string(r) + " must be in ARN format or \"*\".";
  auto part = partition(first.tail, ':');
  const bool other_partition = !request_partition.empty() && part.head != "*" && part.head != request_partition;
  if (!one_of(part.head, kPartitions) || other_partition) {
    const auto rest = split_all(part.tail, ':');
    auto at = [&](std::size_t i) { return i < rest.size() ? std::string(rest[i]) : std::string("*"); };
    std::string a1 = !rest[0].empty() || rest.size() > 1 ? std::string(rest[0]) : "*";
    std::string a4 = "*";
    if (rest.size() > 3) {
      a4.clear();
      for (std::size_t i = 3; i < rest.size(); ++i) {
        if (i > 3) a4 += ':';
        a4 += rest[i];
      }
    }
    const std::string p(part.head);
    return "Partition \"" + p + "\" is not valid for resource \"arn:" + p + ":" + a1 + ":" + at(1) + ":" + at(2) +
           ":" + a4 + "\".";
  }
  if (!part.found) return "Resource vendor must be fully qualified and cannot contain regexes.";
  auto service = partition(part.tail, ':');
  const std::string_view region_and_rest = service.tail;
  const std::string_view resource_id = partition(partition(region_and_rest, ':').tail, ':').tail;
  if (!region_and_rest.empty() && region_and_rest.front() != ':') {
    if (service.head == "iam") return "IAM resource " + std::string(r) + " cannot contain region information.";
    if (service.head == "s3" && !starts_with(resource_id, "accesspoint/"))
      return "Resource " + std::string(r) + " can not contain region information.";
  }
  if (service.head == "iam") {
    const bool ok = resource_id == "root" || starts_with(resource_id, "*") ||
                    std::any_of(kIamResourceTypes.begin(), kIamResourceTypes.end(),
                                [&](std::string_view t) { return starts_with(resource_id, t); });
    if (!ok) {
      std::string list;
      for (auto t : kIamResourceTypes) list += (list.empty() ? "" : ", ") + std::string(t);
      return "IAM resource path must either be \"*\", root, or start with " + list + ".";
    }
  }
  return {};
}

// --- actions -----------------------------------------------------------------

std::optional<std::string> action_error(std::string_view action) {
  const auto parts = split_all(action, ':');
  if (parts.size() == 1 && parts[0] != "*") return std::string(kActionVendor);
  if (parts.size() > 2) return std::string(kActionColons);
  const std::string_view vendor = parts[0];
  const bool vendor_ok = vendor == "*" || std::all_of(vendor.begin(), vendor.end(), [](char c) {
                           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                                  c == '-' || c == '.';
                         });
  if (!vendor_ok) return "Vendor " + std::string(vendor) + " is not valid";
  return std::nullopt;
}

bool trust_action_ok(std::string_view action) {
  return std::any_of(kTrustActionNames.begin(), kTrustActionNames.end(),
                     [&](std::string_view a) { return wildcard_match(action, a, true); });
}

// --- trust principals --------------------------------------------------------

bool has_wildcard(std::string_view s) { return s.find_first_of("*?") != std::string_view::npos; }

bool aws_principal_ok(const std::string& p, const PolicyValidationOptions& options) {
  if (p == "*" || is_account_id(p)) return true;
  if (has_wildcard(p)) return false;  // no partial wildcards in principals
  auto arn = Arn::parse(p);
  if (!arn || !starts_with(arn->partition, "aws") || !arn->region.empty() || !is_account_id(arn->account))
    return false;
  const std::string_view res = arn->resource;
  bool shape = false;
  if (arn->service == "iam") {
    if (res == "root") return true;
    shape = (starts_with(res, "user/") || starts_with(res, "role/")) && !ends_with(res, "/");
  } else if (arn->service == "sts") {
    const auto parts = split_all(res, '/');
    shape = (parts.size() == 3 && parts[0] == "assumed-role" && !parts[1].empty() && !parts[2].empty()) ||
            (parts.size() == 2 && parts[0] == "federated-user" && !parts[1].empty());
  }
  if (!shape) return false;
  return !options.aws_principal_exists || options.aws_principal_exists(p);
}

bool service_principal_ok(std::string_view p) {
  constexpr std::string_view kSuffix = ".amazonaws.com";
  if (!ends_with(p, kSuffix) || p.size() == kSuffix.size()) return false;
  const std::string_view name = p.substr(0, p.size() - kSuffix.size());
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  });
}

bool federated_principal_ok(std::string_view p) {
  if (one_of(p, kWellKnownIdps)) return true;
  auto arn = Arn::parse(p);
  if (!arn || arn->service != "iam" || !arn->region.empty() || !is_account_id(arn->account)) return false;
  const std::string_view res = arn->resource;
  return (starts_with(res, "saml-provider/") && res.size() > 14) ||
         (starts_with(res, "oidc-provider/") && res.size() > 14);
}

std::string invalid_principal(std::string_view type, std::string_view value) {
  return std::string(kInvalidPrincipal) + "\"" + std::string(type) + "\":\"" + std::string(value) + "\"";
}

std::optional<std::string> trust_principal_error(const json& st, const PolicyValidationOptions& options) {
  auto principal = st.find("Principal");
  if (principal == st.end()) return std::string(kTrustNoPrincipal);
  if (principal->is_string()) return std::nullopt;  // "*"
  bool any = false;
  for (const auto& [type, ids] : principal->items()) {
    for (const auto& id : strings_of(ids)) {
      any = true;
      if (type == "AWS" && !aws_principal_ok(id, options)) return invalid_principal("AWS", id);
      if (type == "CanonicalUser") return invalid_principal("CANONICAL_USER", id);
      if (type == "Federated" && !federated_principal_ok(id)) return invalid_principal("FEDERATED", id);
      if (type == "Service" && !service_principal_ok(id)) return invalid_principal("SERVICE", id);
    }
  }
  if (!any) return std::string(kTrustNoPrincipal);
  return std::nullopt;
}

// --- the layers, in AWS's order ----------------------------------------------

std::string invalid_json(PolicyKind kind) {
  switch (kind) {
    case PolicyKind::Trust: return std::string(kTrustInvalidJson);
    case PolicyKind::Session: return std::string(kSessionInvalidJson);
    case PolicyKind::Identity: break;
  }
  return std::string(kIdentityInvalidJson);
}

bool list_empty(const json& st, const char* a, const char* b) {
  auto it = st.find(a);
  if (it == st.end()) it = st.find(b);
  return it == st.end() || (it->is_array() && it->empty());
}

std::optional<std::string> validate(std::string_view text, PolicyKind kind, const PolicyValidationOptions& options) {
  if (json_nesting_depth(text) > kMaxJsonDepth) return invalid_json(kind);
  const json doc = json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded()) return invalid_json(kind);

  // 1. Grammar.
  if (!doc.is_object()) return std::string(kSyntax);
  for (const auto& [name, value] : doc.items())
    if (name != "Version" && name != "Id" && name != "Statement") return std::string(kSyntax);
  std::string version;
  if (auto it = doc.find("Version"); it != doc.end()) {
    if (!it->is_string()) return std::string(kSyntax);
    version = it->get<std::string>();
    if (version != "2012-10-17" && version != "2008-10-17") return std::string(kSyntax);
  }
  if (auto it = doc.find("Id"); it != doc.end() && !it->is_string()) return std::string(kSyntax);
  auto statement = doc.find("Statement");
  if (statement == doc.end()) return std::string(kSyntax);
  std::vector<const json*> statements;
  if (statement->is_object()) {
    statements.push_back(&*statement);
  } else if (statement->is_array() && !statement->empty()) {
    for (const auto& s : *statement) statements.push_back(&s);
  } else {
    return std::string(kSyntax);
  }
  for (const json* st : statements)
    if (!statement_syntax_ok(*st)) return std::string(kSyntax);

  // 2. Language version (managed and inline identity policies).
  if (kind == PolicyKind::Identity && version != "2012-10-17") return std::string(kVersion);

  // 3. Trust policies name no resources; AWS reports this before anything else.
  if (kind == PolicyKind::Trust)
    for (const json* st : statements)
      if (st->contains("Resource") || st->contains("NotResource")) return std::string(kTrustResource);

  // 4. Legacy parsing; resource formats are checked alongside, their message
  // is held back until after the action checks (LocalStack/moto order).
  for (const json* st : statements)
    if (!legacy_statement_ok(*st)) return std::string(kLegacy);
  std::string resource_error;
  if (kind != PolicyKind::Trust) {
    for (const char* field : {"Resource", "NotResource"}) {
      for (const json* st : statements) {
        auto it = st->find(field);
        if (it == st->end()) continue;
        auto resources = strings_of(*it);
        // AWS reports the last bad entry of a list in descending order.
        if (it->is_array()) std::sort(resources.begin(), resources.end(), std::greater<>());
        for (const auto& r : resources)
          if (auto e = resource_format_error(r, options.partition); !e.empty()) resource_error = std::move(e);
        if (resource_error.empty())
          for (const auto& r : resources)
            if (!legacy_resource_ok(r)) return std::string(kLegacy);
      }
    }
  }

  // 5. Statement ids.
  std::set<std::string> sids;
  for (const json* st : statements) {
    auto it = st->find("Sid");
    if (it == st->end() || it->get_ref<const std::string&>().empty()) continue;
    if (!sids.insert(it->get<std::string>()).second) return std::string(kSidUnique);
  }

  // 6. Actions present.
  for (const json* st : statements)
    if (list_empty(*st, "Action", "NotAction")) return std::string(kNoActions);

  if (!resource_error.empty()) return resource_error;

  // 7. Action names.
  for (const json* st : statements)
    for (const char* field : {"Action", "NotAction"})
      if (auto it = st->find(field); it != st->end())
        for (const auto& a : strings_of(*it))
          if (auto e = action_error(a)) return e;

  if (kind != PolicyKind::Trust) {
    // 8. Identity and session policies: the caller is the principal.
    for (const json* st : statements)
      if (st->contains("Principal") || st->contains("NotPrincipal")) return std::string(kNoPrincipalAllowed);
    for (const json* st : statements)
      if (list_empty(*st, "Resource", "NotResource")) return std::string(kNoResources);
    return std::nullopt;
  }

  // 8. Trust policies: principals, then the actions a trust policy may grant.
  for (const json* st : statements)
    if (auto e = trust_principal_error(*st, options)) return e;
  for (const json* st : statements)
    if (auto it = st->find("Action"); it != st->end())
      for (const auto& a : strings_of(*it))
        if (!trust_action_ok(a)) return std::string(kTrustActions);
  return std::nullopt;
}

}  // namespace

std::optional<std::string> policy_document_error(std::string_view json_text, PolicyKind kind,
                                                 const PolicyValidationOptions& options) {
  try {
    return validate(json_text, kind, options);
  } catch (...) {
    // Every typed access is preceded by a shape check; should anything still
    // throw (allocation), the document is refused, never crashed on.
    return invalid_json(kind);
  }
}

}  // namespace stsd::domain

namespace stsd::domain {

std::size_t policy_size(std::string_view json_text) {
  std::size_t n = 0;
  for (unsigned char c : json_text) {
    if ((c & 0xC0) == 0x80) continue;  // a UTF-8 continuation byte
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    ++n;
  }
  return n;
}

}  // namespace stsd::domain
