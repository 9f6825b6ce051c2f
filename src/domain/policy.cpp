// IAM policy evaluation (IAM User Guide: "IAM JSON policy elements
// reference", "Policy evaluation logic" — single-policy part).
//
// JSON is read once into plain structs (Statement) plus a compiled form
// (policy variables pre-split into parts; policy_parse.cpp); evaluation,
// here, never touches nlohmann::json, allocates little, and has no mutable
// state.
#include "stsd/domain/policy.h"

#include <algorithm>
#include <array>

#include "policy_internal.h"
#include "stsd/common/ascii.h"
#include "stsd/common/region.h"
#include "stsd/domain/arn.h"

namespace stsd::domain {

namespace {

using namespace policy_detail;

// ---------------------------------------------------------------------------
// Wildcards. Patterns produced from policy variables are "escaped": `\x` is a
// literal x, so a resolved ${aws:username} of "a*" or a ${*} never acts as a
// wildcard. Substituted text gets a backslash before `*`, `?` and `\`;
// policy text only before `\`, so its own wildcards stay wildcards.

// Iterative glob with one backtrack point: O(pattern × text) worst case,
// no recursion.
bool glob(std::string_view pattern, std::string_view text, bool ignore_case, bool escapes) {
  auto token = [&](std::size_t i, char& c, bool& literal) -> std::size_t {
    if (escapes && pattern[i] == '\\' && i + 1 < pattern.size()) {
      c = pattern[i + 1];
      literal = true;
      return 2;
    }
    c = pattern[i];
    literal = false;
    return 1;
  };
  auto eq = [&](char a, char b) { return ignore_case ? ascii_lower(a) == ascii_lower(b) : a == b; };
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size()) {
      char c;
      bool literal;
      const std::size_t width = token(p, c, literal);
      if (!literal && c == '*') {
        star = p += width;
        mark = t;
        continue;
      }
      if ((!literal && c == '?') || eq(c, text[t])) {
        p += width;
        ++t;
        continue;
      }
    }
    if (star == std::string_view::npos) return false;
    p = star;
    t = ++mark;
  }
  while (p < pattern.size()) {
    char c;
    bool literal;
    const std::size_t width = token(p, c, literal);
    if (literal || c != '*') break;
    p += width;
  }
  return p == pattern.size();
}

// The six ARN components; the resource (last) keeps any further colons.
bool split_arn(std::string_view s, std::array<std::string_view, 6>& parts) {
  for (std::size_t i = 0; i < 5; ++i) {
    const std::size_t colon = s.find(':');
    if (colon == std::string_view::npos) return false;
    parts[i] = s.substr(0, colon);
    s.remove_prefix(colon + 1);
  }
  parts[5] = s;
  return true;
}

bool arn_match(std::string_view pattern, std::string_view arn) {
  std::array<std::string_view, 6> want{}, have{};
  if (!split_arn(arn, have)) return false;
  if (pattern == "*") return true;
  if (!split_arn(pattern, want)) return false;
  for (std::size_t i = 0; i < 6; ++i)
    if (!glob(want[i], have[i], false, true)) return false;
  return true;
}

// ---------------------------------------------------------------------------
// Policy variables (IAM User Guide, "Policy variables"): ${key},
// ${key, 'default'} ('' inside a default is one quote), ${*} ${?} ${$}.
// Keys are case-insensitive; substitution is a single pass.

const std::vector<std::string>* find_context(const ConditionContext& context, const std::string& key_lower) {
  if (auto it = context.find(key_lower); it != context.end()) return &it->second;
  for (const auto& [key, values] : context)
    if (iequals(key, key_lower)) return &values;
  return nullptr;
}

struct Resolved {
  std::string pattern;
  std::string plain;
};

// False when a variable has no single value and no default: AWS then treats
// the element as not matching.
bool resolve(const ValueTemplate& t, const PolicyRequest& request, Resolved& out) {
  out.pattern.clear();
  out.plain.clear();
  for (const auto& part : t.parts) {
    switch (part.kind) {
      case TemplatePart::Kind::Text:
        out.pattern += part.pattern;
        out.plain += part.plain;
        break;
      case TemplatePart::Kind::Invalid:
        return false;
      case TemplatePart::Kind::Variable: {
        const auto* values = find_context(request.context, part.key);
        // Multi-valued keys cannot be variables.
        if (values && values->size() == 1) {
          out.pattern += escape_literal(values->front());
          out.plain += values->front();
        } else if (part.has_default) {
          out.pattern += part.pattern;
          out.plain += part.plain;
        } else {
          return false;
        }
        break;
      }
    }
  }
  return true;
}

struct ValueView {
  std::string_view pattern;  // escaped, for wildcard operators
  std::string_view plain;    // as resolved, for the others
};

// Views of a list of templates, resolving variables into `owned`.
bool resolve_all(const std::vector<ValueTemplate>& templates, bool dynamic, const PolicyRequest& request,
                 std::vector<Resolved>& owned, std::vector<ValueView>& views) {
  views.clear();
  views.reserve(templates.size());
  if (!dynamic) {
    for (const auto& t : templates) views.push_back({t.pattern, t.plain});
    return true;
  }
  owned.assign(templates.size(), Resolved{});
  for (std::size_t i = 0; i < templates.size(); ++i) {
    if (!templates[i].dynamic()) {
      views.push_back({templates[i].pattern, templates[i].plain});
      continue;
    }
    if (!resolve(templates[i], request, owned[i])) return false;
    views.push_back({owned[i].pattern, owned[i].plain});
  }
  return true;
}

// ---------------------------------------------------------------------------
// Condition operators (IAM User Guide, "Condition operators").

// The negated operators; with the key absent they hold ("Condition
// operators": "...the condition is true if the key is not present").
bool is_negated(ConditionOperator op) {
  switch (op) {
    case ConditionOperator::StringNotEquals:
    case ConditionOperator::StringNotEqualsIgnoreCase:
    case ConditionOperator::StringNotLike:
    case ConditionOperator::NumericNotEquals:
    case ConditionOperator::DateNotEquals:
    case ConditionOperator::NotIpAddress:
    case ConditionOperator::ArnNotEquals:
    case ConditionOperator::ArnNotLike:
      return true;
    default:
      return false;
  }
}

ConditionOperator positive_form(ConditionOperator op) {
  switch (op) {
    case ConditionOperator::StringNotEquals: return ConditionOperator::StringEquals;
    case ConditionOperator::StringNotEqualsIgnoreCase: return ConditionOperator::StringEqualsIgnoreCase;
    case ConditionOperator::StringNotLike: return ConditionOperator::StringLike;
    case ConditionOperator::NumericNotEquals: return ConditionOperator::NumericEquals;
    case ConditionOperator::DateNotEquals: return ConditionOperator::DateEquals;
    case ConditionOperator::NotIpAddress: return ConditionOperator::IpAddress;
    case ConditionOperator::ArnNotEquals: return ConditionOperator::ArnEquals;
    case ConditionOperator::ArnNotLike: return ConditionOperator::ArnLike;
    default: return op;
  }
}

// One policy value against one request value, for a non-negated operator.
bool value_matches(ConditionOperator op, const ValueView& want, std::string_view have) {
  switch (op) {
    case ConditionOperator::StringEquals:
      return want.plain == have;
    case ConditionOperator::StringEqualsIgnoreCase:
      return iequals(want.plain, have);
    case ConditionOperator::StringLike:
      return glob(want.pattern, have, false, true);
    case ConditionOperator::NumericEquals:
    case ConditionOperator::NumericLessThan:
    case ConditionOperator::NumericLessThanEquals:
    case ConditionOperator::NumericGreaterThan:
    case ConditionOperator::NumericGreaterThanEquals: {
      const auto c = compare_policy_numbers(have, want.plain);
      if (!c) return false;
      if (op == ConditionOperator::NumericEquals) return *c == 0;
      if (op == ConditionOperator::NumericLessThan) return *c < 0;
      if (op == ConditionOperator::NumericLessThanEquals) return *c <= 0;
      if (op == ConditionOperator::NumericGreaterThan) return *c > 0;
      return *c >= 0;
    }
    case ConditionOperator::DateEquals:
    case ConditionOperator::DateLessThan:
    case ConditionOperator::DateLessThanEquals:
    case ConditionOperator::DateGreaterThan:
    case ConditionOperator::DateGreaterThanEquals: {
      const auto h = parse_policy_date(have);
      const auto w = parse_policy_date(want.plain);
      if (!h || !w) return false;
      if (op == ConditionOperator::DateEquals) return *h == *w;
      if (op == ConditionOperator::DateLessThan) return *h < *w;
      if (op == ConditionOperator::DateLessThanEquals) return *h <= *w;
      if (op == ConditionOperator::DateGreaterThan) return *h > *w;
      return *h >= *w;
    }
    case ConditionOperator::Bool:
      return (iequals(want.plain, "true") || iequals(want.plain, "false")) && iequals(want.plain, have);
    case ConditionOperator::BinaryEquals: {
      const auto bytes = decode_policy_base64(want.plain);
      return bytes && *bytes == have;
    }
    case ConditionOperator::IpAddress:
      return ip_in_cidr(have, want.plain);
    case ConditionOperator::ArnEquals:
    case ConditionOperator::ArnLike:
      return arn_match(want.pattern, have);
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------
// Principals (IAM User Guide, "AWS JSON policy elements: Principal").

// "arn:<partition>:iam::<account>:root" → account.
std::string_view root_arn_account(std::string_view arn) {
  std::array<std::string_view, 6> parts{};
  if (!split_arn(arn, parts)) return {};
  if (parts[0] != "arn" || parts[2] != "iam" || !parts[3].empty() || parts[5] != "root") return {};
  return is_account_id(parts[4]) ? parts[4] : std::string_view{};
}

// A root ARN names the account in its own partition only.
bool names_account(std::string_view p, const PolicyRequest& r) {
  if (r.principal_account.empty()) return false;
  return p == r.principal_account ||
         (root_arn_account(p) == r.principal_account && arn_partition(p) == arn_partition(r.principal_arn));
}

bool names_identity(std::string_view p, const PolicyRequest& r, bool ignore_case) {
  if (p.empty()) return false;
  auto same = [&](std::string_view a) { return ignore_case ? iequals(a, p) : a == p; };
  if (same(r.principal_arn)) return true;
  return std::any_of(r.principal_aliases.begin(), r.principal_aliases.end(), same);
}

bool aws_wildcard(const PrincipalSet& s) {
  return s.everyone || std::find(s.aws.begin(), s.aws.end(), "*") != s.aws.end();
}

// Hostnames and provider ARNs of federated and service principals compare
// case-insensitively; "*" in a type's list names every principal of it.
bool names_in(const std::vector<std::string>& list, const PolicyRequest& r) {
  return std::any_of(list.begin(), list.end(),
                     [&](const std::string& p) { return p == "*" || names_identity(p, r, true); });
}

// Principal: an account (id or root ARN) names every principal of that
// account; a role ARN names its sessions through principal_aliases.
bool principal_matches(const PrincipalSet& s, const PolicyRequest& r) {
  if (aws_wildcard(s)) return true;
  switch (r.principal_type) {
    case RequesterType::Aws:
      return std::any_of(s.aws.begin(), s.aws.end(), [&](const std::string& p) {
        return names_account(p, r) || names_identity(p, r, false);
      });
    case RequesterType::Federated:
      return names_in(s.federated, r);
    case RequesterType::Service:
      return names_in(s.service, r);
    case RequesterType::Anonymous:
      return false;
  }
  return false;
}

// NotPrincipal ("AWS JSON policy elements: NotPrincipal"): AWS checks the
// account, then the identity, so a caller escapes the statement only when
// both its account and its own ARN (or a role ARN alias) are listed — or
// when it is the account root and the account is listed.
bool not_principal_excludes(const PrincipalSet& s, const PolicyRequest& r) {
  if (aws_wildcard(s)) return true;
  switch (r.principal_type) {
    case RequesterType::Aws: {
      const bool account = std::any_of(s.aws.begin(), s.aws.end(),
                                       [&](const std::string& p) { return names_account(p, r); });
      const bool identity = std::any_of(s.aws.begin(), s.aws.end(),
                                        [&](const std::string& p) { return names_identity(p, r, false); });
      const bool is_root = !r.principal_account.empty() && root_arn_account(r.principal_arn) == r.principal_account;
      return account && (identity || is_root);
    }
    case RequesterType::Federated:
      return names_in(s.federated, r);
    case RequesterType::Service:
      return names_in(s.service, r);
    case RequesterType::Anonymous:
      return false;
  }
  return false;
}

bool resource_matches(const Statement& st, const CompiledStatement& cs, const PolicyRequest& r) {
  if (!st.has_resource) return true;
  std::vector<Resolved> owned;
  if (!st.not_resource) {
    // An entry whose variable cannot be resolved matches nothing.
    Resolved one;
    for (const auto& t : cs.resources) {
      if (!t.dynamic()) {
        if (glob(t.pattern, r.resource, false, true)) return true;
      } else if (resolve(t, r, one) && glob(one.pattern, r.resource, false, true)) {
        return true;
      }
    }
    return false;
  }
  // NotResource: an unresolvable entry makes the element (and statement) not apply.
  std::vector<ValueView> views;
  if (!resolve_all(cs.resources, cs.dynamic_resources, r, owned, views)) return false;
  return std::none_of(views.begin(), views.end(),
                      [&](const ValueView& v) { return glob(v.pattern, r.resource, false, true); });
}

// "Condition operators", "Single-valued vs. multivalued context keys":
// missing key → false, except negated operators (true), ...IfExists (true),
// ForAllValues (true) and ForAnyValue (false); several request values are
// matched per value and combined by the set operator (any by default).
bool condition_holds(const CompiledCondition& c, const PolicyRequest& r) {
  const auto* have = find_context(r.context, c.key_lower);
  const bool present = have && !have->empty();
  const auto& p = c.parsed;
  if (p.op == ConditionOperator::Null) {
    // "true": the key must be absent; "false": present. Either listed value may hold.
    return std::any_of(c.values.begin(), c.values.end(), [&](const ValueTemplate& v) {
      return (iequals(v.plain, "true") && !present) || (iequals(v.plain, "false") && present);
    });
  }
  if (!present && p.if_exists) return true;
  std::vector<Resolved> owned;
  std::vector<ValueView> wanted;
  if (!resolve_all(c.values, c.dynamic, r, owned, wanted)) return false;
  const bool negated = is_negated(p.op);
  if (!present) {
    if (p.set == SetOperator::ForAllValues) return true;
    if (p.set == SetOperator::ForAnyValue) return false;
    return negated;
  }
  const ConditionOperator base = positive_form(p.op);
  auto per_value = [&](const std::string& value) {
    const bool any = std::any_of(wanted.begin(), wanted.end(),
                                 [&](const ValueView& w) { return value_matches(base, w, value); });
    return negated ? !any : any;
  };
  switch (p.set) {
    case SetOperator::ForAllValues:
      return std::all_of(have->begin(), have->end(), per_value);
    case SetOperator::ForAnyValue:
      return std::any_of(have->begin(), have->end(), per_value);
    case SetOperator::None:
      // A negated operator holds only if no request value matches any policy value.
      return negated ? std::all_of(have->begin(), have->end(), per_value)
                     : std::any_of(have->begin(), have->end(), per_value);
  }
  return false;
}

bool statement_applies(const Statement& st, const CompiledStatement& cs, const PolicyRequest& r) {
  const bool action = std::any_of(st.actions.begin(), st.actions.end(),
                                  [&](const std::string& a) { return wildcard_match(a, r.action, true); });
  if (action == st.not_action) return false;
  if (st.has_principal) {
    const bool named = st.not_principal ? !not_principal_excludes(st.principals, r)
                                        : principal_matches(st.principals, r);
    if (!named) return false;
  }
  if (!resource_matches(st, cs, r)) return false;
  return std::all_of(cs.conditions.begin(), cs.conditions.end(),
                     [&](const CompiledCondition& c) { return condition_holds(c, r); });
}

}  // namespace

Evaluation Policy::evaluate(const PolicyRequest& request) const {
  Evaluation result;
  bool allow = false, deny = false;
  for (std::size_t i = 0; i < impl_->statements.size(); ++i) {
    const Statement& st = impl_->statements[i];
    if (!statement_applies(st, impl_->compiled[i], request)) continue;
    result.matched.push_back({i, st.sid, st.effect});
    (st.effect == Effect::Deny ? deny : allow) = true;
  }
  result.decision = deny ? Decision::ExplicitDeny : allow ? Decision::Allow : Decision::ImplicitDeny;
  return result;
}

std::vector<StatementExplanation> Policy::explain(const PolicyRequest& request) const {
  std::vector<StatementExplanation> out;
  for (std::size_t i = 0; i < impl_->statements.size(); ++i) {
    const Statement& st = impl_->statements[i];
    const CompiledStatement& cs = impl_->compiled[i];
    StatementExplanation e;
    e.index = i;
    e.sid = st.sid;
    e.effect = st.effect;
    const bool action = std::any_of(st.actions.begin(), st.actions.end(),
                                    [&](const std::string& a) { return wildcard_match(a, request.action, true); });
    e.action_matches = action != st.not_action;
    if (st.has_principal)
      e.principal_matches = st.not_principal ? !not_principal_excludes(st.principals, request)
                                             : principal_matches(st.principals, request);
    e.resource_matches = resource_matches(st, cs, request);
    bool all = true;
    for (std::size_t c = 0; c < st.conditions.size(); ++c) {
      const Condition& written = st.conditions[c];
      ConditionExplanation ce;
      ce.operator_name = written.operator_name;
      ce.key = written.key;
      ce.expected = written.values;
      if (const auto* have = find_context(request.context, cs.conditions[c].key_lower)) ce.actual = *have;
      ce.present = !ce.actual.empty();
      ce.holds = condition_holds(cs.conditions[c], request);
      all = all && ce.holds;
      e.conditions.push_back(std::move(ce));
    }
    e.applies = e.action_matches && e.principal_matches && e.resource_matches && all;
    out.push_back(std::move(e));
  }
  return out;
}

const std::string& Policy::version() const { return impl_->version; }

const std::vector<Statement>& Policy::statements() const { return impl_->statements; }

Decision combine_decisions(const std::vector<Decision>& decisions) {
  if (std::find(decisions.begin(), decisions.end(), Decision::ExplicitDeny) != decisions.end())
    return Decision::ExplicitDeny;
  if (std::find(decisions.begin(), decisions.end(), Decision::Allow) != decisions.end()) return Decision::Allow;
  return Decision::ImplicitDeny;
}

bool wildcard_match(std::string_view pattern, std::string_view text, bool ignore_case) {
  return glob(pattern, text, ignore_case, false);
}

}  // namespace stsd::domain
