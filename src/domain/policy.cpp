#include "stsd/domain/policy.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

namespace stsd::domain {

namespace {
using nlohmann::json;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::vector<std::string> as_strings(const json& v) {
  std::vector<std::string> out;
  if (v.is_string()) {
    out.push_back(v.get<std::string>());
  } else if (v.is_array()) {
    for (const auto& e : v)
      if (e.is_string()) out.push_back(e.get<std::string>());
      else if (e.is_boolean()) out.push_back(e.get<bool>() ? "true" : "false");
      else if (e.is_number()) out.push_back(e.dump());
  } else if (v.is_boolean()) {
    out.push_back(v.get<bool>() ? "true" : "false");
  } else if (v.is_number()) {
    out.push_back(v.dump());
  }
  return out;
}

// Actions are case-insensitive.
bool action_matches(const json& stmt, const std::string& action) {
  auto any = [&](const json& v) {
    for (const auto& p : as_strings(v))
      if (wildcard_match(p, action, true)) return true;
    return false;
  };
  if (stmt.contains("Action")) return any(stmt["Action"]);
  if (stmt.contains("NotAction")) return !any(stmt["NotAction"]);
  return false;
}

bool aws_principal_matches(const std::string& p, const PolicyRequest& r) {
  if (p == "*") return true;
  if (p == r.principal_account || p == "arn:aws:iam::" + r.principal_account + ":root") return true;
  if (p == r.principal_arn) return true;
  return std::find(r.principal_aliases.begin(), r.principal_aliases.end(), p) != r.principal_aliases.end();
}

bool principal_matches(const json& stmt, const PolicyRequest& r) {
  if (!stmt.contains("Principal")) return true;  // identity policies have none
  const json& principal = stmt["Principal"];
  if (principal.is_string()) return principal.get<std::string>() == "*";
  if (!principal.is_object()) return false;
  for (const auto& [kind, value] : principal.items()) {
    for (const auto& p : as_strings(value)) {
      if (kind == "AWS" && aws_principal_matches(p, r)) return true;
      if ((kind == "Federated" || kind == "Service") && p == r.principal_arn) return true;
    }
  }
  return false;
}

bool string_op(std::string_view op, const std::string& want, const std::string& have) {
  if (op == "StringEquals") return want == have;
  if (op == "StringEqualsIgnoreCase") return lower(want) == lower(have);
  if (op == "StringLike") return wildcard_match(want, have);
  if (op == "Bool") return lower(want) == lower(have);
  return false;
}

bool condition_matches(std::string op, const std::string& key, const json& values, const PolicyRequest& r) {
  bool if_exists = false;
  if (op.size() > 8 && op.compare(op.size() - 8, 8, "IfExists") == 0) {
    if_exists = true;
    op.resize(op.size() - 8);
  }
  auto it = r.context.find(lower(key));
  const bool present = it != r.context.end() && !it->second.empty();
  auto wanted = as_strings(values);
  if (op == "Null") {
    // "Null": "true" means the key must be absent.
    for (const auto& w : wanted)
      if ((lower(w) == "true") == !present) return true;
    return false;
  }
  if (!present) {
    // Negated operators match a missing key; IfExists makes any operator match.
    return if_exists || op == "StringNotEquals" || op == "StringNotEqualsIgnoreCase" || op == "StringNotLike";
  }
  bool negated = false;
  if (op == "StringNotEquals" || op == "StringNotEqualsIgnoreCase" || op == "StringNotLike") {
    negated = true;
    op.erase(6, 3);  // "StringNot..." -> "String..."
  }
  bool any = false;
  for (const auto& have : it->second)
    for (const auto& want : wanted) any |= string_op(op, want, have);
  return negated ? !any : any;
}

bool conditions_match(const json& stmt, const PolicyRequest& r) {
  if (!stmt.contains("Condition")) return true;
  const json& cond = stmt["Condition"];
  if (!cond.is_object()) return false;
  for (const auto& [op, block] : cond.items()) {
    if (!block.is_object()) return false;
    for (const auto& [key, values] : block.items())
      if (!condition_matches(op, key, values, r)) return false;
  }
  return true;
}

bool resource_matches(const json& stmt, const PolicyRequest& r) {
  if (stmt.contains("Principal")) return true;  // resource policies name no Resource
  auto any = [&](const json& v) {
    for (const auto& p : as_strings(v))
      if (wildcard_match(p, r.resource)) return true;
    return false;
  };
  if (stmt.contains("Resource")) return any(stmt["Resource"]);
  if (stmt.contains("NotResource")) return !any(stmt["NotResource"]);
  return false;
}

}  // namespace

bool wildcard_match(std::string_view pattern, std::string_view text, bool ignore_case) {
  // Iterative glob with single backtrack point: linear in practice, no recursion.
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  auto eq = [&](char a, char b) {
    return ignore_case ? std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b))
                       : a == b;
  };
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || eq(pattern[p], text[t]))) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

Decision evaluate_policy(std::string_view policy_json, const PolicyRequest& request) {
  auto doc = json::parse(policy_json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("Statement")) return Decision::ImplicitDeny;
  json statements = doc["Statement"];
  if (statements.is_object()) statements = json::array({statements});
  bool allowed = false;
  for (const auto& stmt : statements) {
    if (!stmt.is_object()) continue;
    if (!action_matches(stmt, request.action) || !principal_matches(stmt, request) ||
        !resource_matches(stmt, request) || !conditions_match(stmt, request))
      continue;
    const std::string effect = stmt.value("Effect", "");
    if (effect == "Deny") return Decision::ExplicitDeny;
    if (effect == "Allow") allowed = true;
  }
  return allowed ? Decision::Allow : Decision::ImplicitDeny;
}

}  // namespace stsd::domain
