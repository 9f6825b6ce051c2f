#pragma once
// The IAM policy language: trust, identity (user/role permission) and session
// policies, parsed once and evaluated many times.
//
// Implements the IAM User Guide's "IAM JSON policy elements reference":
// Version, Statement (object or list), Sid, Effect, Action/NotAction,
// Resource/NotResource, Principal/NotPrincipal, Condition with every operator
// of "Condition operators" (String*, Numeric*, Date*, Bool, BinaryEquals,
// IpAddress/NotIpAddress, Arn*, Null, the ...IfExists forms and the
// ForAllValues:/ForAnyValue: set operators) and "Policy variables"
// (${key}, ${key, 'default'}, ${*}, ${?}, ${$}; only with Version 2012-10-17).
// Within one policy an explicit Deny wins over any Allow.
//
// Nothing here throws or recurses on input: any byte string is either a
// policy or refused, and evaluation of a parsed Policy is a const, lock-free
// read that any number of threads may share.
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stsd/common/json_limits.h"

namespace stsd::domain {

// Who is asking, for Principal / NotPrincipal matching. (Not the
// session's domain::PrincipalType: this is the policy language's view.)
enum class RequesterType {
  Aws,        // IAM user, role session, federated user, account root
  Federated,  // web identity / SAML: principal_arn is the provider ARN or
              // a well-known IdP ("accounts.google.com", "cognito-identity.amazonaws.com", ...)
  Service,    // principal_arn is the service principal ("ec2.amazonaws.com")
  Anonymous,  // matched only by "*"
};

// Condition keys → values. Keys are case-insensitive (lowercase preferred,
// any case is found); values keep their case. Multi-valued keys
// (aws:TagKeys, sts:TransitiveTagKeys, amr, ...) hold several values; an
// empty list counts as an absent key.
using ConditionContext = std::map<std::string, std::vector<std::string>>;

// The request as policies see it.
struct PolicyRequest {
  std::string action;                 // "sts:AssumeRole"
  RequesterType principal_type = RequesterType::Aws;
  std::string principal_arn;          // caller ARN (assumed-role session ARN for roles)
  std::string principal_account;      // 12 digits; for Aws requesters "AWS": "<account>" / ":root" match it
  std::vector<std::string> principal_aliases;  // other ARNs that name the caller (role ARN of a session)
  std::string resource;               // ARN the action is on (role ARN for trust policies)
  ConditionContext context;           // also the source of ${...} policy variables
};

enum class Decision { Allow, ImplicitDeny, ExplicitDeny };
enum class Effect { Allow, Deny };

// Which document a text is meant to be; decides AWS's validation rules.
enum class PolicyKind {
  Trust,     // role trust policy (CreateRole / UpdateAssumeRolePolicy rules)
  Identity,  // user or role permission policy (CreatePolicy / Put*Policy rules)
  Session,   // Policy parameter of AssumeRole*/GetFederationToken
};

// ---------------------------------------------------------------------------
// The parsed model. Read-only; exposed so callers can describe matched
// statements (DecodeAuthorizationMessage) without re-reading the JSON.

enum class ConditionOperator : std::uint8_t {
  StringEquals, StringNotEquals, StringEqualsIgnoreCase, StringNotEqualsIgnoreCase,
  StringLike, StringNotLike,
  NumericEquals, NumericNotEquals, NumericLessThan, NumericLessThanEquals,
  NumericGreaterThan, NumericGreaterThanEquals,
  DateEquals, DateNotEquals, DateLessThan, DateLessThanEquals,
  DateGreaterThan, DateGreaterThanEquals,
  Bool, BinaryEquals, IpAddress, NotIpAddress,
  ArnEquals, ArnLike, ArnNotEquals, ArnNotLike,
  Null,
};

enum class SetOperator : std::uint8_t { None, ForAnyValue, ForAllValues };

// A condition operator name split into its parts:
// "ForAnyValue:StringLikeIfExists" → {StringLike, ForAnyValue, if_exists}.
struct ParsedConditionOperator {
  ConditionOperator op = ConditionOperator::StringEquals;
  SetOperator set = SetOperator::None;
  bool if_exists = false;
};
// nullopt for a name IAM does not know (case-sensitive, as IAM; "NullIfExists"
// is not a name).
std::optional<ParsedConditionOperator> parse_condition_operator(std::string_view name);

struct Condition {
  std::string operator_name;  // as written
  ParsedConditionOperator parsed;
  std::string key;            // as written
  std::vector<std::string> values;  // JSON booleans / numbers as their JSON text
};

struct PrincipalSet {
  bool everyone = false;  // the string form "*"
  std::vector<std::string> aws, federated, service, canonical_user;
};

struct Statement {
  std::string sid;  // empty when absent
  Effect effect = Effect::Deny;
  bool not_action = false;           // the list came from NotAction
  std::vector<std::string> actions;
  bool has_resource = false;         // Resource or NotResource present
  bool not_resource = false;
  std::vector<std::string> resources;
  bool has_principal = false;        // Principal or NotPrincipal present
  bool not_principal = false;
  PrincipalSet principals;
  std::vector<Condition> conditions;
};

struct MatchedStatement {
  std::size_t index = 0;  // zero-based position in the policy's Statement list
  std::string sid;        // empty when the statement has none
  Effect effect = Effect::Deny;
};

struct Evaluation {
  Decision decision = Decision::ImplicitDeny;
  // Every statement that applied to the request, Allow and Deny, in policy order.
  std::vector<MatchedStatement> matched;
};

// Policy::explain: why each statement did or did not apply to a request.
struct ConditionExplanation {
  std::string operator_name;          // as written
  std::string key;                    // as written
  std::vector<std::string> expected;  // the policy's values, as written
  std::vector<std::string> actual;    // the request's values; empty when the key is absent
  bool present = false;
  bool holds = false;
};

struct StatementExplanation {
  std::size_t index = 0;
  std::string sid;
  Effect effect = Effect::Deny;
  bool action_matches = false;
  bool principal_matches = true;  // true when the statement names no principal
  bool resource_matches = true;   // true when the statement names no resource
  std::vector<ConditionExplanation> conditions;
  bool applies = false;  // what evaluate() decides for this statement
};

class Policy {
 public:
  // The policy in json_text, or nullopt when it is not one: invalid JSON,
  // nesting deeper than kMaxJsonDepth, a field of the wrong type or unknown
  // name, an Effect other than "Allow"/"Deny", an unknown condition operator
  // with keys, an empty Action/Resource list, a Principal naming nobody, or
  // a statement with no Action/NotAction or with neither a Principal nor a
  // Resource element.
  // Refusing such text (rather than skipping the odd statement) keeps a
  // malformed Deny from silently turning into an Allow. Kind-specific AWS
  // rules and messages are policy_document_error's job.
  static std::optional<Policy> parse(std::string_view json_text);

  Evaluation evaluate(const PolicyRequest& request) const;
  // The same decision, statement by statement and condition by condition,
  // for a reader (the console's trace). Slower than evaluate(); never on the
  // request path.
  std::vector<StatementExplanation> explain(const PolicyRequest& request) const;

  const std::string& version() const;  // empty when absent
  const std::vector<Statement>& statements() const;

  struct Impl;

 private:
  explicit Policy(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

// Several policies of the same request (e.g. all identity policies of a
// user): any ExplicitDeny wins, else any Allow, else ImplicitDeny.
Decision combine_decisions(const std::vector<Decision>& decisions);

// ---------------------------------------------------------------------------
// Validation with AWS's MalformedPolicyDocument messages.

struct PolicyValidationOptions {
  // Trust policies: IAM refuses AWS principals (user, role, session ARNs)
  // that do not exist. Unset → only their form is checked.
  std::function<bool(std::string_view arn)> aws_principal_exists;
  // The request's partition: Resource ARNs of another one are refused.
  // Empty → any partition.
  std::string_view partition;
};

// nullopt when IAM/STS would accept json_text as a policy of this kind,
// else the MalformedPolicyDocument message AWS gives (first problem found,
// in AWS's order). Texts and the evidence for each are in policy_validation.cpp.
std::optional<std::string> policy_document_error(std::string_view json_text, PolicyKind kind,
                                                 const PolicyValidationOptions& options = {});

// ---------------------------------------------------------------------------
// IAM's size quotas ("IAM and AWS STS quotas", IAM and STS character
// limits): characters, white space not counted.

inline constexpr std::size_t kMaxTrustPolicySize = 2048;        // role trust policy
inline constexpr std::size_t kMaxRoleInlinePolicySize = 10240;  // all inline policies of a role
inline constexpr std::size_t kMaxUserInlinePolicySize = 2048;   // all inline policies of a user
inline constexpr std::size_t kMaxGroupInlinePolicySize = 5120;  // all inline policies of a group
inline constexpr std::size_t kMaxManagedPolicySize = 6144;      // one managed policy

// A policy's size as IAM counts it against those quotas: characters
// (UTF-8 code points) that are not white space.
std::size_t policy_size(std::string_view json_text);

// ---------------------------------------------------------------------------
// Value helpers the condition operators use (exposed for callers and tests).

// Deepest bracket nesting of a JSON text, counting only brackets outside
// strings. Policies nest at most 6 deep; stsd refuses past kMaxJsonDepth
// (stsd/common/json_limits.h).
std::size_t json_nesting_depth(std::string_view json_text);

// `*` (any run) and `?` (one character) wildcards, case-sensitive unless
// ignore_case (ASCII). Linear in practice; no recursion.
bool wildcard_match(std::string_view pattern, std::string_view text, bool ignore_case = false);

// A point in time for the Date operators: ISO 8601 ("2024-01-02",
// "2024-01-02T03:04:05Z", "...05.123+01:00") or epoch seconds ("1704164645").
struct PolicyTime {
  std::int64_t seconds = 0;      // since 1970-01-01T00:00:00Z
  std::int32_t nanoseconds = 0;  // 0..999'999'999
  auto operator<=>(const PolicyTime&) const = default;
};
std::optional<PolicyTime> parse_policy_date(std::string_view text);

// Numeric operators: integers and decimals ("-12", "3.25"), compared exactly;
// -1 / 0 / 1 for a < b / a == b / a > b, nullopt when either is not a number.
std::optional<int> compare_policy_numbers(std::string_view a, std::string_view b);

// IpAddress: whether address (IPv4 or IPv6) lies in block ("203.0.113.0/24",
// "2001:db8::/32"; a bare address is a /32 or /128). IPv4-mapped IPv6
// addresses match IPv4 blocks. Malformed input never matches.
bool ip_in_cidr(std::string_view address, std::string_view block);

// BinaryEquals: standard base64 with padding; nullopt when not base64.
std::optional<std::string> decode_policy_base64(std::string_view text);

}  // namespace stsd::domain
