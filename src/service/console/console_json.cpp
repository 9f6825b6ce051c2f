#include "stsd/service/console/console_json.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <map>

#include "stsd/common/ascii.h"
#include "stsd/common/time_format.h"

namespace stsd::service::console {

namespace {

using nlohmann::ordered_json;
using domain::DecidingRule;
using domain::PolicySource;

// Request values may hold any bytes: invalid UTF-8 is replaced, never thrown.
std::string dump(const ordered_json& j, int indent = -1) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string time_text(std::int64_t ms) {
  std::string s = format_iso8601(ms / 1000);
  // 2026-01-02T03:04:05Z -> 2026-01-02T03:04:05.678Z
  if (!s.empty() && s.back() == 'Z') {
    char frac[8];
    std::snprintf(frac, sizeof frac, ".%03lldZ", static_cast<long long>(ms % 1000));
    s.pop_back();
    s += frac;
  }
  return s;
}

std::string_view decision_name(domain::Decision d) {
  switch (d) {
    case domain::Decision::Allow: return "Allow";
    case domain::Decision::ExplicitDeny: return "ExplicitDeny";
    case domain::Decision::ImplicitDeny: return "ImplicitDeny";
  }
  return "ImplicitDeny";
}

// A federated principal's subject, for the live list: the `<provider>:sub`
// (web identity) or saml:sub key of its trust request.
std::string federated_subject(const domain::DecisionTrace* trace) {
  if (trace == nullptr) return {};
  for (const auto& check : trace->checks) {
    if (!check.federated || !check.request) continue;
    for (const auto& [key, values] : check.request->context) {
      if (values.empty()) continue;
      const bool sub = key.size() > 4 && key.compare(key.size() - 4, 4, ":sub") == 0;
      if (sub) return values.front();
    }
  }
  return {};
}

std::string federated_provider(const domain::DecisionTrace* trace) {
  if (trace == nullptr) return {};
  for (const auto& check : trace->checks)
    if (check.federated && check.request) return check.request->principal_arn;
  return {};
}

ordered_json summary(const RequestRecord& r) {
  ordered_json j;
  j["seq"] = r.seq;
  j["time"] = time_text(r.time_ms);
  j["request_id"] = r.request_id;
  j["service"] = r.service;
  j["action"] = r.action;
  std::string principal = r.principal;
  if (principal.empty()) principal = federated_provider(r.trace.get());
  j["principal"] = principal;
  j["subject"] = federated_subject(r.trace.get());
  j["status"] = r.status;
  j["error_code"] = r.error_code;
  j["latency_us"] = r.latency_us;
  j["user_agent"] = r.user_agent;
  j["outcome"] = r.error_code.empty() ? "allowed" : r.error_code == "AccessDenied" ? "denied" : "error";
  j["traced"] = r.trace != nullptr && !r.trace->empty();
  return j;
}

ordered_json explain_policy(const domain::TracedPolicy& p, const domain::PolicyRequest* request,
                            const std::string& action) {
  ordered_json j;
  j["source"] = std::string(to_string(p.source));
  j["label"] = p.label;
  j["evaluated"] = p.evaluated;
  j["decision"] = p.evaluated ? std::string(decision_name(p.decision)) : std::string("NotEvaluated");
  j["parsed"] = p.policy.has_value();
  ordered_json statements = ordered_json::array();
  if (p.policy && request != nullptr) {
    domain::PolicyRequest r = *request;
    r.action = action;
    for (const auto& e : p.policy->explain(r)) {
      ordered_json s;
      s["index"] = e.index;
      s["sid"] = e.sid;
      s["effect"] = e.effect == domain::Effect::Allow ? "Allow" : "Deny";
      s["applies"] = p.evaluated && e.applies;
      s["action_matches"] = e.action_matches;
      s["principal_matches"] = e.principal_matches;
      s["resource_matches"] = e.resource_matches;
      ordered_json conditions = ordered_json::array();
      for (const auto& c : e.conditions)
        conditions.push_back({{"operator", c.operator_name},
                              {"key", c.key},
                              {"expected", c.expected},
                              {"actual", c.actual},
                              {"present", c.present},
                              {"holds", c.holds}});
      s["conditions"] = conditions;
      statements.push_back(std::move(s));
    }
  }
  j["statements"] = statements;
  return j;
}

// The statement a denial's policy would have needed, in IAM's JSON.
ordered_json allow_statement(const domain::AuthorizationTrace& check) {
  ordered_json s;
  s["Effect"] = "Allow";
  const domain::PolicyRequest* r = check.request.get();
  const bool trust = check.rule == DecidingRule::TrustNotSatisfied || check.rule == DecidingRule::NoTrustPolicy;
  if (trust && r != nullptr) {
    if (check.federated) {
      s["Principal"] = {{"Federated", r->principal_arn}};
    } else {
      // A role session is named by its role in trust policies.
      s["Principal"] = {{"AWS", r->principal_aliases.empty() ? r->principal_arn : r->principal_aliases.front()}};
    }
    s["Action"] = check.action;
  } else {
    s["Action"] = check.action;
    s["Resource"] = r != nullptr && !r->resource.empty() ? r->resource : "*";
  }
  return s;
}

// For a trust denial: which part of the trust policy failed (the first
// Allow statement naming the principal and the action whose condition did
// not hold), and that condition in words.
std::string refine_trust(const domain::AuthorizationTrace& check, std::string& detail) {
  const domain::TracedPolicy* trust = nullptr;
  for (const auto& p : check.policies)
    if (p.source == PolicySource::Trust) trust = &p;
  if (trust == nullptr || !trust->policy || !check.request) return {};
  domain::PolicyRequest r = *check.request;
  r.action = check.action;
  const auto statements = trust->policy->explain(r);
  bool principal_named = false;
  for (const auto& s : statements) {
    if (s.effect != domain::Effect::Allow || !s.action_matches) continue;
    if (!s.principal_matches) continue;
    principal_named = true;
    for (const auto& c : s.conditions) {
      if (c.holds) continue;
      const std::string key = ascii_lower(c.key);
      std::string expected;
      for (const auto& v : c.expected) expected += (expected.empty() ? "" : ", ") + v;
      std::string actual;
      for (const auto& v : c.actual) actual += (actual.empty() ? "" : ", ") + v;
      if (key == "sts:externalid") {
        detail = c.present ? "the trust policy expects sts:ExternalId " + expected + ", the request gave " + actual
                           : "the trust policy expects sts:ExternalId " + expected + " and the request carried none";
        return c.present ? "ExternalIdMismatch" : "ExternalIdMissing";
      }
      if (key == "aws:multifactorauthpresent" || key == "aws:multifactorauthage") {
        detail = "the trust policy requires MFA (" + c.key + " " + c.operator_name + " " + expected +
                 "), the caller's value is " + (c.present ? actual : std::string("absent"));
        return "MfaAbsent";
      }
      detail = "condition " + c.operator_name + " " + c.key + " expects " + expected + ", the request's value is " +
               (c.present ? actual : std::string("absent"));
      return "ConditionNotMet";
    }
  }
  if (!principal_named) {
    detail = "no Allow statement of the trust policy names this principal for " + check.action;
    return "PrincipalNotTrusted";
  }
  return {};
}

std::string rule_sentence(const domain::AuthorizationTrace& check, const std::string& refinement,
                          const std::string& detail) {
  const std::string who = check.request ? check.request->principal_arn : std::string("the caller");
  switch (check.rule) {
    case DecidingRule::Allowed: return "Allowed: every policy that takes part allows " + check.action + ".";
    case DecidingRule::AllowedWithoutPolicies:
      return "Allowed: no policy takes part (a principal without policies may call every sts:* action).";
    case DecidingRule::AllowedAutoRole:
      return "Allowed: the role exists in role_mode auto and has no trust policy; only an explicit Deny refuses.";
    case DecidingRule::ExplicitDeny: {
      std::string where;
      for (const auto& p : check.policies)
        if (p.evaluated && p.decision == domain::Decision::ExplicitDeny) {
          where = p.label;
          break;
        }
      return "Explicit deny: a Deny statement of " + (where.empty() ? std::string("a policy") : where) +
             " matches " + check.action + ". No Allow can override an explicit Deny; remove or narrow that statement.";
    }
    case DecidingRule::NoIdentityAllow:
      return "No allow: no identity policy of " + who + " allows " + check.action +
             (check.role_arn.empty() ? std::string() : " on " + check.role_arn) +
             (check.role_arn.empty() ? std::string(".")
                                     : ". The trust policy trusts the account rather than naming the caller (or the "
                                       "role is in another account), so the caller's identity policies must allow it too.");
    case DecidingRule::BoundaryNoAllow: {
      std::string boundary;
      for (const auto& p : check.policies)
        if (p.source == PolicySource::Boundary) boundary = p.label;
      return "No allow in the permissions boundary: " + (boundary.empty() ? std::string("the boundary") : boundary) +
             " of " + who + " does not allow " + check.action +
             "; a principal may do only what both its identity policies and its boundary allow" +
             (check.role_arn.empty() ? std::string(".")
                                     : " (a role session named by its role's ARN in a trust policy stays within "
                                       "the role's boundary).");
    }
    case DecidingRule::SessionPolicyNoAllow:
      return "No allow in the session's policies: the session's Policy / PolicyArns allow nothing for " + check.action +
             "; a session may do only what its identity and session policies both allow.";
    case DecidingRule::ScopeDownNoAllow:
      return "No allow in a scope-down layer (GetScopedCredentials): every layer must allow " + check.action + ".";
    case DecidingRule::TrustNotSatisfied: {
      std::string s = "Trust not satisfied: the trust policy of " + check.role_arn + " does not allow " + who +
                      " to " + check.action;
      if (refinement == "ExternalIdMissing") s += " (ExternalId missing)";
      else if (refinement == "ExternalIdMismatch") s += " (wrong ExternalId)";
      else if (refinement == "MfaAbsent") s += " (MFA absent)";
      if (!detail.empty()) s += ": " + detail;
      return s + ".";
    }
    case DecidingRule::NoTrustPolicy:
      return "Trust not satisfied: " + check.role_arn +
             " has no trust policy of its own; the default trusts only its own account, never an identity provider.";
  }
  return {};
}

}  // namespace

std::string decision_json(const domain::DecisionTrace* trace, bool failed) {
  ordered_json d;
  ordered_json checks = ordered_json::array();
  const domain::AuthorizationTrace* deciding = nullptr;
  if (trace != nullptr) {
    for (const auto& check : trace->checks) {
      ordered_json c;
      c["action"] = check.action;
      c["role"] = check.role_arn;
      c["federated"] = check.federated;
      c["rule"] = std::string(to_string(check.rule));
      c["allowed"] = domain::is_allow(check.rule);
      if (!check.role_arn.empty() && !check.federated) c["trust_names_caller"] = check.trust_names_caller;
      if (check.request) {
        c["principal"] = check.request->principal_arn;
        c["resource"] = check.request->resource;
        ordered_json context = ordered_json::object();
        for (const auto& [key, values] : check.request->context) context[key] = values;
        c["context"] = context;
      }
      ordered_json policies = ordered_json::array();
      for (const auto& p : check.policies) policies.push_back(explain_policy(p, check.request.get(), check.action));
      c["policies"] = policies;
      checks.push_back(std::move(c));
      if (!domain::is_allow(check.rule) && deciding == nullptr) deciding = &check;
    }
    if (deciding == nullptr && !trace->checks.empty()) deciding = &trace->checks.back();
  }
  d["checks"] = checks;
  ordered_json notes = ordered_json::array();
  if (trace != nullptr)
    for (const auto& n : trace->notes) notes.push_back({{"rule", n.rule}, {"detail", n.detail}});
  d["notes"] = notes;

  if (deciding != nullptr) {
    std::string detail;
    const std::string refinement = deciding->rule == DecidingRule::TrustNotSatisfied ? refine_trust(*deciding, detail)
                                                                                     : std::string();
    d["deciding_rule"] = std::string(to_string(deciding->rule));
    if (!refinement.empty()) d["refinement"] = refinement;
    d["summary"] = rule_sentence(*deciding, refinement, detail);
    if (!domain::is_allow(deciding->rule) && deciding->rule != DecidingRule::ExplicitDeny) {
      ordered_json statement = allow_statement(*deciding);
      std::string where;
      switch (deciding->rule) {
        case DecidingRule::TrustNotSatisfied:
        case DecidingRule::NoTrustPolicy: where = "the trust policy of " + deciding->role_arn; break;
        case DecidingRule::NoIdentityAllow:
          where = "an identity policy of " + (deciding->request ? deciding->request->principal_arn : std::string());
          break;
        case DecidingRule::BoundaryNoAllow:
          for (const auto& p : deciding->policies)
            if (p.source == PolicySource::Boundary) where = "the permissions boundary " + p.label;
          break;
        case DecidingRule::SessionPolicyNoAllow: where = "the session policy (the Policy parameter that made the session)"; break;
        case DecidingRule::ScopeDownNoAllow: where = "the scope-down policy (GetScopedCredentials Policy)"; break;
        default: break;
      }
      d["suggestion"] = {{"where", where}, {"statement", statement}, {"text", dump(statement, 2)}};
    } else {
      d["suggestion"] = nullptr;
    }
  } else if (trace != nullptr && !trace->notes.empty()) {
    d["deciding_rule"] = "Rule";
    d["summary"] = trace->notes.front().rule + ": " + trace->notes.front().detail;
    d["suggestion"] = nullptr;
  } else {
    d["deciding_rule"] = failed ? "NotAuthorization" : "AllowedWithoutPolicies";
    d["summary"] = failed ? "No policy decided this answer: it failed before any authorization (see the error)."
                          : "No policy took part: a principal without policies (or a role of role_mode auto, or an "
                            "action no policy governs) is allowed.";
    d["suggestion"] = nullptr;
  }
  return dump(d);
}

std::string summary_json(const RequestRecord& record) { return dump(summary(record)); }

std::string trace_json(const RequestRecord& record) {
  ordered_json j = summary(record);
  j["error_message"] = record.error_message;
  j["remote_address"] = record.remote_address;
  j["decision"] = ordered_json::parse(decision_json(record.trace.get(), !record.error_code.empty()));
  return dump(j);
}

namespace {

ordered_json tags_json(const std::vector<domain::Tag>& tags) {
  ordered_json out = ordered_json::object();
  for (const auto& t : tags) out[t.key] = t.value;
  return out;
}

ordered_json inline_json(const std::vector<domain::InlinePolicy>& policies) {
  ordered_json out = ordered_json::array();
  for (const auto& p : policies) out.push_back({{"name", p.name}, {"document", p.policy.text}});
  return out;
}

// Edges of the trust graph from one role's trust policy.
void trust_edges(const domain::Role& role, ordered_json& edges) {
  if (!role.declared) return;
  if (!role.trust_policy) {
    edges.push_back({{"from", "arn:aws:iam::" + role.account + ":root"},
                     {"to", role.arn},
                     {"actions", {"sts:AssumeRole"}},
                     {"conditional", false},
                     {"kind", "AWS"},
                     {"default", true}});
    return;
  }
  if (!role.trust) return;
  for (const auto& s : role.trust->statements()) {
    if (s.effect != domain::Effect::Allow || s.not_principal) continue;
    auto add = [&](const std::string& from, const char* kind) {
      edges.push_back({{"from", from},
                       {"to", role.arn},
                       {"actions", s.actions},
                       {"conditional", !s.conditions.empty()},
                       {"kind", kind},
                       {"default", false}});
    };
    if (s.principals.everyone) add("*", "AWS");
    for (const auto& p : s.principals.aws) add(p, "AWS");
    for (const auto& p : s.principals.federated) add(p, "Federated");
    for (const auto& p : s.principals.service) add(p, "Service");
  }
}

}  // namespace

std::string identities_json(const domain::Store& store) {
  ordered_json j;
  j["region"] = store.region();
  j["role_mode"] = store.role_mode() == domain::RoleMode::Strict ? "strict" : "auto";
  ordered_json accounts = ordered_json::array();
  for (const auto& a : store.accounts()) accounts.push_back({{"id", a.id}, {"alias", a.alias}});
  j["accounts"] = accounts;

  std::map<std::string, std::vector<std::string>> keys_by_user;  // "account/name" -> key ids
  store.for_each_access_key([&](const domain::AccessKeyRecord& k) {
    keys_by_user[k.account + "/" + k.user].push_back(k.id + (k.status == domain::AccessKeyStatus::Active ? "" : " (inactive)"));
  });

  ordered_json users = ordered_json::array();
  store.for_each_user([&](const domain::User& u) {
    ordered_json mfa = ordered_json::array();
    for (const auto& d : u.mfa_devices) mfa.push_back(d.serial);
    auto keys = keys_by_user[u.account + "/" + u.name];
    std::sort(keys.begin(), keys.end());
    users.push_back({{"arn", u.arn},
                     {"account", u.account},
                     {"name", u.name},
                     {"user_id", u.user_id},
                     {"groups", u.groups},
                     {"access_keys", keys},
                     {"mfa_devices", mfa},
                     {"tags", tags_json(u.tags)},
                     {"inline_policies", inline_json(u.inline_policies)},
                     {"attached_policies", u.attached_policies},
                     {"permissions_boundary", u.permissions_boundary ? ordered_json(*u.permissions_boundary) : ordered_json()}});
  });
  std::sort(users.begin(), users.end(), [](const auto& a, const auto& b) { return a["arn"] < b["arn"]; });
  j["users"] = users;

  ordered_json groups = ordered_json::array();
  store.for_each_group([&](const domain::Group& g) {
    groups.push_back({{"arn", g.arn},
                      {"account", g.account},
                      {"name", g.name},
                      {"inline_policies", inline_json(g.inline_policies)},
                      {"attached_policies", g.attached_policies}});
  });
  std::sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) { return a["arn"] < b["arn"]; });
  j["groups"] = groups;

  ordered_json roles = ordered_json::array();
  ordered_json edges = ordered_json::array();
  store.for_each_role([&](const domain::Role& r) {
    roles.push_back({{"arn", r.arn},
                     {"account", r.account},
                     {"name", r.name},
                     {"role_id", r.role_id},
                     {"max_session_duration", r.max_session_duration},
                     {"trust_policy", r.trust_policy ? ordered_json(*r.trust_policy) : ordered_json()},
                     {"tags", tags_json(r.tags)},
                     {"inline_policies", inline_json(r.inline_policies)},
                     {"attached_policies", r.attached_policies},
                     {"permissions_boundary", r.permissions_boundary ? ordered_json(*r.permissions_boundary) : ordered_json()}});
    trust_edges(r, edges);
  });
  std::sort(roles.begin(), roles.end(), [](const auto& a, const auto& b) { return a["arn"] < b["arn"]; });
  j["roles"] = roles;
  j["trust_edges"] = edges;

  ordered_json policies = ordered_json::array();
  store.for_each_managed_policy([&](const domain::ManagedPolicy& p) {
    policies.push_back({{"arn", p.arn}, {"default_version", p.default_version}, {"document", p.document().text}});
  });
  std::sort(policies.begin(), policies.end(), [](const auto& a, const auto& b) { return a["arn"] < b["arn"]; });
  j["managed_policies"] = policies;

  ordered_json providers = ordered_json::array();
  store.for_each_oidc_provider([&](const domain::OidcProvider& p) {
    providers.push_back({{"arn", p.arn}, {"type", "OIDC"}, {"url", p.url}, {"client_ids", p.client_ids}, {"builtin", p.builtin}});
  });
  store.for_each_saml_provider([&](const domain::SamlProvider& p) {
    providers.push_back({{"arn", p.arn}, {"type", "SAML"}, {"entity_id", p.entity_id}, {"builtin", p.builtin}});
  });
  std::sort(providers.begin(), providers.end(), [](const auto& a, const auto& b) { return a["arn"] < b["arn"]; });
  j["providers"] = providers;
  return dump(j);
}

}  // namespace stsd::service::console
