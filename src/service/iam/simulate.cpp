// The policy simulator: SimulatePrincipalPolicy and SimulateCustomPolicy
// (docs/IAM-BEHAVIOUR.md section 5.11), answered by stsd's own policy engine,
// the one that authorizes real requests.
//
// Each action is simulated against each resource (default "*"): identity
// policies (the principal's stored ones and PolicyInputList) decide as one
// set, any Deny winning; a permissions boundary (the principal's, or
// PermissionsBoundaryPolicyInputList) must also allow. ResourcePolicy,
// ResourceOwner and ResourceHandlingOption are accepted and not evaluated.
#include "common.h"

#include <set>

#include "stsd/common/ascii.h"
#include "stsd/domain/arn.h"

namespace stsd::service::iam {

namespace {

using domain::Decision;

// A policy the simulation evaluates, with its name in the answer.
struct NamedPolicy {
  std::string id;                            // SourcePolicyId
  const std::string* text = nullptr;         // for statement positions
  const std::optional<domain::Policy>* parsed = nullptr;
};

// Policies parsed from the request; they outlive the NamedPolicy pointers.
struct InputPolicy {
  std::string text;
  std::optional<domain::Policy> parsed;
};

// --- Statement positions --------------------------------------------------------------
//
// AWS reports where each matched statement is in its document: 1-based lines,
// and columns one past the 1-based column of the statement's opening and
// closing brace (section 5.11: a statement whose "{" is at offset 39 of a
// one-line document starts at column 41 and, its "}" at offset 111, ends at
// column 113).

struct Span {
  std::size_t begin = 0, end = 0;  // offsets of the statement's "{" and "}"
};

class JsonScanner {
 public:
  explicit JsonScanner(std::string_view text) : s_(text) {}

  // The spans of the Statement element's objects, in document order; empty
  // when the text is not shaped as a policy.
  std::vector<Span> statements() {
    std::vector<Span> out;
    skip_ws();
    if (!eat('{')) return {};
    while (true) {
      skip_ws();
      if (peek() == '}' || at_end()) return out;
      std::string key;
      if (!read_string(&key)) return {};
      skip_ws();
      if (!eat(':')) return {};
      skip_ws();
      if (key == "Statement") {
        if (peek() == '{') {
          Span span;
          if (!object_span(span)) return {};
          out.push_back(span);
        } else if (eat('[')) {
          while (true) {
            skip_ws();
            if (eat(']')) break;
            if (peek() == '{') {
              Span span;
              if (!object_span(span)) return {};
              out.push_back(span);
            } else if (!skip_value()) {
              return {};
            }
            skip_ws();
            eat(',');
          }
        } else if (!skip_value()) {
          return {};
        }
      } else if (!skip_value()) {
        return {};
      }
      skip_ws();
      if (!eat(',')) return out;
    }
  }

 private:
  bool at_end() const { return i_ >= s_.size(); }
  char peek() const { return at_end() ? '\0' : s_[i_]; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++i_;
    return true;
  }
  void skip_ws() {
    while (!at_end() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  // A JSON string; `out` gets its raw (unescaped only for plain text) content.
  bool read_string(std::string* out) {
    if (!eat('"')) return false;
    while (!at_end()) {
      char c = s_[i_++];
      if (c == '"') return true;
      if (c == '\\') {
        if (at_end()) return false;
        c = s_[i_++];
      }
      if (out) out->push_back(c);
    }
    return false;
  }
  // Any value, iteratively: brackets outside strings are counted.
  bool skip_value() {
    if (peek() == '"') return read_string(nullptr);
    if (peek() != '{' && peek() != '[') {
      while (!at_end() && std::string_view(",}] \t\r\n").find(s_[i_]) == std::string_view::npos) ++i_;
      return true;
    }
    std::size_t depth = 0;
    while (!at_end()) {
      const char c = s_[i_];
      if (c == '"') {
        if (!read_string(nullptr)) return false;
        continue;
      }
      ++i_;
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') {
        if (--depth == 0) return true;
      }
    }
    return false;
  }
  bool object_span(Span& span) {
    span.begin = i_;
    if (!skip_value()) return false;
    span.end = i_ - 1;
    return true;
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

Position position_at(std::string_view text, std::size_t offset) {
  std::int64_t line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i)
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  return Position{line, static_cast<std::int64_t>(offset - line_start) + 2};
}

// --- Evaluation -------------------------------------------------------------------------

bool action_matches(const domain::Statement& s, std::string_view action) {
  bool any = false;
  for (const auto& pattern : s.actions)
    if (domain::wildcard_match(pattern, action, true)) any = true;
  return s.not_action ? !any : any;
}

bool resource_matches(const domain::Statement& s, std::string_view resource) {
  if (!s.has_resource) return true;
  bool any = false;
  for (const auto& pattern : s.resources)
    // Policy variables are resolved from the context: count them as matching.
    if (pattern.find("${") != std::string::npos || domain::wildcard_match(pattern, resource)) any = true;
  return s.not_resource ? !any : any;
}

// The keys of the policy variables in `text` (${aws:username},
// ${aws:username, 'default'}); not the ${*} ${?} ${$} escapes.
void add_variable_keys(std::string_view text, std::vector<std::string>& keys) {
  for (std::size_t at = text.find("${"); at != std::string_view::npos; at = text.find("${", at + 2)) {
    const std::size_t end = text.find_first_of(",}", at + 2);
    if (end == std::string_view::npos) return;
    std::string_view key = text.substr(at + 2, end - at - 2);
    while (!key.empty() && key.front() == ' ') key.remove_prefix(1);
    while (!key.empty() && key.back() == ' ') key.remove_suffix(1);
    if (!key.empty() && key != "*" && key != "?" && key != "$") keys.emplace_back(key);
  }
}

// The condition keys (and policy variables) a statement needs.
std::vector<std::string> keys_used(const domain::Statement& s) {
  std::vector<std::string> keys;
  for (const auto& r : s.resources) add_variable_keys(r, keys);
  for (const auto& c : s.conditions) {
    keys.push_back(c.key);
    for (const auto& v : c.values) add_variable_keys(v, keys);
  }
  return keys;
}

struct SetVerdict {
  Decision decision = Decision::ImplicitDeny;
  std::vector<Statement> matched;  // the statements that decided
  std::set<std::string> missing;   // condition keys the context lacks
  bool any = false;                // at least one policy in the set
};

// One set of policies (identity, or boundary) on one request.
SetVerdict evaluate_set(const std::vector<NamedPolicy>& policies, const domain::PolicyRequest& request) {
  SetVerdict out;
  std::vector<Decision> decisions;
  std::vector<Statement> allows, denies;
  for (const NamedPolicy& p : policies) {
    out.any = true;
    if (!*p.parsed) {
      decisions.push_back(Decision::ImplicitDeny);
      continue;
    }
    const domain::Policy& policy = **p.parsed;
    const domain::Evaluation evaluation = policy.evaluate(request);
    decisions.push_back(evaluation.decision);
    std::vector<Span> spans = JsonScanner(*p.text).statements();
    if (spans.size() != policy.statements().size()) spans.clear();  // positions unknown: omitted
    for (const auto& m : evaluation.matched) {
      Statement shown;
      shown.SourcePolicyId = p.id;
      shown.SourcePolicyType = "IAM Policy";
      if (m.index < spans.size()) {
        shown.StartPosition = position_at(*p.text, spans[m.index].begin);
        shown.EndPosition = position_at(*p.text, spans[m.index].end);
      }
      (m.effect == domain::Effect::Allow ? allows : denies).push_back(std::move(shown));
    }
    for (const auto& s : policy.statements()) {
      if (!action_matches(s, request.action) || !resource_matches(s, request.resource)) continue;
      for (const auto& key : keys_used(s)) {
        auto found = request.context.find(ascii_lower(key));
        if (found == request.context.end() || found->second.empty()) out.missing.insert(key);
      }
    }
  }
  out.decision = domain::combine_decisions(decisions);
  if (out.decision == Decision::Allow) out.matched = std::move(allows);
  if (out.decision == Decision::ExplicitDeny) out.matched = std::move(denies);
  return out;
}

std::string decision_name(Decision d) {
  switch (d) {
    case Decision::Allow: return "allowed";
    case Decision::ExplicitDeny: return "explicitDeny";
    case Decision::ImplicitDeny: break;
  }
  return "implicitDeny";
}

struct Simulation {
  std::vector<NamedPolicy> identity;
  std::vector<NamedPolicy> boundary;
  std::string principal_arn;
};

// Policies of the request, checked and parsed; `prefix` names them
// (PolicyInputList.1, ...), as AWS does.
Result<void> add_inputs(const domain::Store& store, const std::vector<std::string>& texts, std::string_view prefix,
                        std::vector<InputPolicy>& storage, std::vector<NamedPolicy>& out) {
  std::size_t first = storage.size();
  for (const auto& text : texts) {
    if (auto ok = check_policy(store, text, domain::PolicyKind::Identity, {}); !ok) return ok;
    storage.push_back(InputPolicy{text, domain::Policy::parse(text)});
  }
  for (std::size_t i = first; i < storage.size(); ++i)
    out.push_back(NamedPolicy{std::string(prefix) + "." + std::to_string(i - first + 1), &storage[i].text,
                              &storage[i].parsed});
  return {};
}
Result<void> add_inputs(const domain::Store& store, const std::optional<std::vector<std::string>>& texts,
                        std::string_view prefix, std::vector<InputPolicy>& storage, std::vector<NamedPolicy>& out) {
  return texts ? add_inputs(store, *texts, prefix, storage, out) : Result<void>{};
}

void add_stored(const domain::Store& store, const std::vector<domain::InlinePolicy>& inline_policies,
                const std::vector<std::string>& attached, std::vector<NamedPolicy>& out) {
  for (const auto& p : inline_policies) out.push_back(NamedPolicy{p.name, &p.policy.text, &p.policy.parsed});
  for (const auto& arn : attached)
    if (const domain::ManagedPolicy* m = store.find_managed_policy_entry(arn))
      out.push_back(NamedPolicy{m->name, &m->document().text, &m->document().parsed});
}

void add_boundary(const domain::Store& store, const std::optional<std::string>& arn, std::vector<NamedPolicy>& out) {
  if (!arn) return;
  if (const domain::ManagedPolicy* m = store.find_managed_policy_entry(*arn))
    out.push_back(NamedPolicy{m->name, &m->document().text, &m->document().parsed});
}

// The principal's identity policies and boundary, from the snapshot.
Result<void> add_principal(const Context& ctx, std::string_view arn, Simulation& sim) {
  const domain::Store& store = ctx.snapshot;
  auto parsed = domain::Arn::parse(arn);
  if (!parsed || parsed->service != "iam") return invalid_input("Invalid ARN: " + std::string(arn));
  const std::string& resource = parsed->resource;
  const std::string name = resource.substr(resource.rfind('/') + 1);
  if (resource.starts_with("user/")) {
    const domain::User* user = store.find_user_by_arn(arn);
    if (user == nullptr) return no_such_user(name);
    add_stored(store, user->inline_policies, user->attached_policies, sim.identity);
    for (const auto& group_name : user->groups)
      if (const domain::Group* g = store.find_group(user->account, group_name))
        add_stored(store, g->inline_policies, g->attached_policies, sim.identity);
    add_boundary(store, user->permissions_boundary, sim.boundary);
  } else if (resource.starts_with("role/")) {
    const domain::Role* role = store.find_declared_role(arn);
    if (role == nullptr) return no_such_role(name);
    add_stored(store, role->inline_policies, role->attached_policies, sim.identity);
    add_boundary(store, role->permissions_boundary, sim.boundary);
  } else if (resource.starts_with("group/")) {
    const domain::Group* group = store.find_group(parsed->account, name);
    if (group == nullptr || group->arn != arn) return no_such_group(name);
    add_stored(store, group->inline_policies, group->attached_policies, sim.identity);
  } else {
    return invalid_input("Invalid ARN: " + std::string(arn));
  }
  return {};
}

domain::ConditionContext context_of(const std::optional<std::vector<ContextEntry>>& entries) {
  domain::ConditionContext out;
  if (!entries) return out;
  for (const auto& e : *entries) {
    if (!e.ContextKeyName) continue;
    auto& values = out[ascii_lower(*e.ContextKeyName)];
    for (const auto& v : e.ContextKeyValues.value_or(std::vector<std::string>{})) values.push_back(v);
  }
  return out;
}

struct Common {
  const std::vector<std::string>& actions;
  const std::optional<std::vector<std::string>>& resources;
  const std::optional<std::vector<ContextEntry>>& context;
  const std::optional<std::string>& caller_arn;
  const std::optional<std::int64_t>& max_items;
  const std::optional<std::string>& marker;
};

Result<SimulatePolicyResponse> simulate(const Context& ctx, const Simulation& sim, const Common& in) {
  const std::vector<std::string> resources =
      in.resources && !in.resources->empty() ? *in.resources : std::vector<std::string>{"*"};
  std::vector<EvaluationResult> results;
  for (const auto& action : in.actions)
    for (const auto& resource : resources) {
      domain::PolicyRequest request;
      request.action = action;
      request.principal_type = domain::RequesterType::Aws;
      request.principal_arn = in.caller_arn.value_or(sim.principal_arn);
      request.principal_account = ctx.account;
      request.resource = resource;
      request.context = context_of(in.context);

      SetVerdict identity = evaluate_set(sim.identity, request);
      Decision decision = identity.decision;
      std::vector<Statement> matched = std::move(identity.matched);
      std::set<std::string> missing = std::move(identity.missing);
      std::optional<PermissionsBoundaryDecisionDetail> boundary_detail;
      if (!sim.boundary.empty()) {
        SetVerdict boundary = evaluate_set(sim.boundary, request);
        missing.insert(boundary.missing.begin(), boundary.missing.end());
        boundary_detail = PermissionsBoundaryDecisionDetail{boundary.decision == Decision::Allow};
        if (boundary.decision == Decision::ExplicitDeny) {
          if (decision != Decision::ExplicitDeny) matched.clear();
          decision = Decision::ExplicitDeny;
          for (auto& s : boundary.matched) matched.push_back(std::move(s));
        } else if (boundary.decision == Decision::ImplicitDeny && decision == Decision::Allow) {
          decision = Decision::ImplicitDeny;
          matched.clear();
        }
      }

      EvaluationResult r;
      r.EvalActionName = action;
      r.EvalResourceName = resource;
      r.EvalDecision = decision_name(decision);
      r.MatchedStatements = matched;
      r.MissingContextValues = std::vector<std::string>(missing.begin(), missing.end());
      r.OrganizationsDecisionDetail = OrganizationsDecisionDetail{true};
      r.PermissionsBoundaryDecisionDetail = boundary_detail;
      r.EvalDecisionDetails = std::vector<std::pair<std::string, std::string>>{};
      ResourceSpecificResult specific;
      specific.EvalResourceName = resource;
      specific.EvalResourceDecision = r.EvalDecision;
      specific.MatchedStatements = matched;
      specific.MissingContextValues = r.MissingContextValues;
      specific.PermissionsBoundaryDecisionDetail = boundary_detail;
      r.ResourceSpecificResults = std::vector<ResourceSpecificResult>{std::move(specific)};
      results.push_back(std::move(r));
    }

  // Paging over the results in their order.
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < results.size(); ++i) {
    std::string key = std::to_string(i);
    keys.push_back(std::string(20 - key.size(), '0') + key);
  }
  auto range = page_range(keys, in.marker, in.max_items);
  if (!range) return unexpected(range.error());
  SimulatePolicyResponse out;
  out.EvaluationResults.emplace(std::make_move_iterator(results.begin() + range->begin),
                                std::make_move_iterator(results.begin() + range->end));
  out.IsTruncated = range->next_marker.has_value();
  out.Marker = range->next_marker;
  return out;
}

}  // namespace

Result<SimulatePrincipalPolicyResponse> simulate_principal_policy(const SimulatePrincipalPolicyRequest& req,
                                                                  const Context& ctx) {
  Simulation sim;
  sim.principal_arn = req.PolicySourceArn;
  if (auto ok = add_principal(ctx, req.PolicySourceArn, sim); !ok) return unexpected(ok.error());
  std::vector<InputPolicy> storage;
  storage.reserve((req.PolicyInputList ? req.PolicyInputList->size() : 0) +
                  (req.PermissionsBoundaryPolicyInputList ? req.PermissionsBoundaryPolicyInputList->size() : 0));
  if (auto ok = add_inputs(ctx.snapshot, req.PolicyInputList, "PolicyInputList", storage, sim.identity); !ok)
    return unexpected(ok.error());
  if (req.PermissionsBoundaryPolicyInputList) {
    sim.boundary.clear();  // the request's boundary replaces the principal's
    if (auto ok = add_inputs(ctx.snapshot, req.PermissionsBoundaryPolicyInputList,
                             "PermissionsBoundaryPolicyInputList", storage, sim.boundary);
        !ok)
      return unexpected(ok.error());
  }
  return simulate(ctx, sim,
                  Common{req.ActionNames, req.ResourceArns, req.ContextEntries, req.CallerArn, req.MaxItems,
                         req.Marker});
}

Result<SimulateCustomPolicyResponse> simulate_custom_policy(const SimulateCustomPolicyRequest& req,
                                                            const Context& ctx) {
  Simulation sim;
  sim.principal_arn = ctx.caller.arn;
  std::vector<InputPolicy> storage;
  storage.reserve(req.PolicyInputList.size() +
                  (req.PermissionsBoundaryPolicyInputList ? req.PermissionsBoundaryPolicyInputList->size() : 0));
  if (auto ok = add_inputs(ctx.snapshot, req.PolicyInputList, "PolicyInputList", storage, sim.identity); !ok)
    return unexpected(ok.error());
  if (auto ok = add_inputs(ctx.snapshot, req.PermissionsBoundaryPolicyInputList, "PermissionsBoundaryPolicyInputList",
                           storage, sim.boundary);
      !ok)
    return unexpected(ok.error());
  return simulate(ctx, sim,
                  Common{req.ActionNames, req.ResourceArns, req.ContextEntries, req.CallerArn, req.MaxItems,
                         req.Marker});
}

}  // namespace stsd::service::iam
