#pragma once
// What policy reading (policy_parse.cpp) and evaluation (policy.cpp) share:
// the compiled form of a policy. Internal to stsd_domain.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stsd/domain/policy.h"

namespace stsd::domain {

namespace policy_detail {

// Text substituted into a pattern (a policy variable's value) with `*`, `?`
// and `\` escaped, so it never acts as a wildcard.
inline std::string escape_literal(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '*' || c == '?' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Policy variables (IAM User Guide, "Policy variables"): ${key},
// ${key, 'default'} ('' inside a default is one quote), ${*} ${?} ${$}.
// Keys are case-insensitive; substitution is a single pass.

struct TemplatePart {
  enum class Kind { Text, Variable, Invalid } kind = Kind::Text;
  std::string pattern;  // Text: escaped; Variable: escaped default
  std::string plain;    // Text: as written; Variable: default as written
  std::string key;      // Variable: lowercase key
  bool has_default = false;
};

struct ValueTemplate {
  std::string pattern;  // escaped; used when parts is empty
  std::string plain;    // as written
  std::vector<TemplatePart> parts;
  bool dynamic() const { return !parts.empty(); }
};

// A policy value as written, its wildcard pattern and, with `variables`
// (policy language 2012-10-17), its ${...} parts.
ValueTemplate compile_template(const std::string& raw, bool variables);

// ---------------------------------------------------------------------------
// Condition operators (IAM User Guide, "Condition operators").

struct OperatorName {
  std::string_view name;
  ConditionOperator op;
};

inline constexpr std::array<OperatorName, 27> kOperators{{
    {"StringEquals", ConditionOperator::StringEquals},
    {"StringNotEquals", ConditionOperator::StringNotEquals},
    {"StringEqualsIgnoreCase", ConditionOperator::StringEqualsIgnoreCase},
    {"StringNotEqualsIgnoreCase", ConditionOperator::StringNotEqualsIgnoreCase},
    {"StringLike", ConditionOperator::StringLike},
    {"StringNotLike", ConditionOperator::StringNotLike},
    {"NumericEquals", ConditionOperator::NumericEquals},
    {"NumericNotEquals", ConditionOperator::NumericNotEquals},
    {"NumericLessThan", ConditionOperator::NumericLessThan},
    {"NumericLessThanEquals", ConditionOperator::NumericLessThanEquals},
    {"NumericGreaterThan", ConditionOperator::NumericGreaterThan},
    {"NumericGreaterThanEquals", ConditionOperator::NumericGreaterThanEquals},
    {"DateEquals", ConditionOperator::DateEquals},
    {"DateNotEquals", ConditionOperator::DateNotEquals},
    {"DateLessThan", ConditionOperator::DateLessThan},
    {"DateLessThanEquals", ConditionOperator::DateLessThanEquals},
    {"DateGreaterThan", ConditionOperator::DateGreaterThan},
    {"DateGreaterThanEquals", ConditionOperator::DateGreaterThanEquals},
    {"Bool", ConditionOperator::Bool},
    {"BinaryEquals", ConditionOperator::BinaryEquals},
    {"IpAddress", ConditionOperator::IpAddress},
    {"NotIpAddress", ConditionOperator::NotIpAddress},
    {"ArnEquals", ConditionOperator::ArnEquals},
    {"ArnLike", ConditionOperator::ArnLike},
    {"ArnNotEquals", ConditionOperator::ArnNotEquals},
    {"ArnNotLike", ConditionOperator::ArnNotLike},
    {"Null", ConditionOperator::Null},
}};

struct CompiledCondition {
  ParsedConditionOperator parsed;
  std::string key_lower;
  std::vector<ValueTemplate> values;
  bool dynamic = false;
};

struct CompiledStatement {
  std::vector<ValueTemplate> resources;
  bool dynamic_resources = false;
  std::vector<CompiledCondition> conditions;
};

}  // namespace policy_detail

struct Policy::Impl {
  std::string version;
  std::vector<Statement> statements;
  std::vector<policy_detail::CompiledStatement> compiled;  // parallel to statements
};

namespace policy_detail {

// The policy text read and compiled, or nullopt when IAM would refuse it.
std::optional<Policy::Impl> read_policy(std::string_view text);

}  // namespace policy_detail

}  // namespace stsd::domain
