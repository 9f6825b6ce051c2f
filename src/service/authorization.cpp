#include "stsd/service/authorization.h"

#include <nlohmann/json.hpp>

#include "stsd/common/ascii.h"
#include "stsd/common/recent_entries.h"
#include "stsd/common/time_format.h"
#include "stsd/service/access_denied.h"
#include "stsd/service/federation_common.h"
#include "stsd/service/session_options.h"

namespace stsd::service {

namespace {

using domain::Decision;
using nlohmann::ordered_json;

ordered_json value_items(const std::vector<std::string>& values) {
  ordered_json items = ordered_json::array();
  for (const auto& v : values) items.push_back({{"value", v}});
  return {{"items", items}};
}

// One matched statement as AWS's decoded message shows it.
ordered_json statement_json(const domain::Policy& policy, const domain::MatchedStatement& m) {
  const domain::Statement& s = policy.statements().at(m.index);
  ordered_json out;
  out["statementId"] = m.sid;
  out["effect"] = m.effect == domain::Effect::Allow ? "ALLOW" : "DENY";
  std::vector<std::string> principals = s.principals.aws;
  principals.insert(principals.end(), s.principals.federated.begin(), s.principals.federated.end());
  principals.insert(principals.end(), s.principals.service.begin(), s.principals.service.end());
  if (s.principals.everyone) principals.push_back("*");
  out["principals"] = value_items(principals);
  out["principalGroups"] = {{"items", ordered_json::array()}};
  out["actions"] = value_items(s.actions);
  out["resources"] = value_items(s.has_resource ? s.resources : std::vector<std::string>{"*"});
  ordered_json conditions = ordered_json::array();
  for (const auto& c : s.conditions)
    conditions.push_back({{"key", c.key}, {"operator", c.operator_name}, {"values", value_items(c.values)}});
  out["conditions"] = {{"items", conditions}};
  return out;
}

struct Verdict {
  Decision decision = Decision::ImplicitDeny;
  ordered_json matched = ordered_json::array();
};

Verdict evaluate_parsed(const domain::Policy& policy, const domain::PolicyRequest& request) {
  Verdict v;
  auto evaluation = policy.evaluate(request);
  v.decision = evaluation.decision;
  for (const auto& m : evaluation.matched) v.matched.push_back(statement_json(policy, m));
  return v;
}

// A stored policy that did not parse (an empty Statement list) allows nothing.
Verdict evaluate_stored(const std::optional<domain::Policy>& policy, const domain::PolicyRequest& request) {
  return policy ? evaluate_parsed(*policy, request) : Verdict{};
}

// Session policies travel in the token as text. A session's calls repeat
// the same text, so each thread keeps the last few it parsed (texts of a
// sane size only: memory stays bounded).
const std::optional<domain::Policy>& memo_parse(const std::string& text, std::optional<domain::Policy>& scratch) {
  constexpr std::size_t kMemoMaxText = 16 * 1024;
  if (text.size() > kMemoMaxText) return scratch = domain::Policy::parse(text);
  using Entry = std::pair<std::string, std::optional<domain::Policy>>;
  thread_local RecentEntries<Entry, 8> parsed;
  const Entry* hit = parsed.find([&](const Entry& e) { return e.first == text; });
  if (hit == nullptr) hit = &parsed.add(Entry{text, domain::Policy::parse(text)});
  return hit->second;
}

// One identity policy of a decision, with what names it in a trace.
struct NamedPolicy {
  const domain::StoredPolicy* policy;
  std::string_view owner_kind;  // "user", "group", "role"
  std::string_view owner;
  std::string_view name;  // the inline policy's name; empty: `arn` names a managed policy
  std::string_view arn;
};

void add_named(const domain::Store& store, std::string_view kind, std::string_view owner,
               const std::vector<domain::InlinePolicy>& inline_policies, const std::vector<std::string>& attached,
               std::vector<NamedPolicy>& out) {
  for (const auto& p : inline_policies) out.push_back({&p.policy, kind, owner, p.name, {}});
  for (const auto& arn : attached)
    if (const domain::ManagedPolicy* m = store.find_managed_policy_entry(arn))
      out.push_back({&m->document(), kind, owner, {}, arn});
}

// The caller's identity policies, parsed when their entities were stored:
// the user's (its groups' included), or its declared role's for a role
// session. The same set and order as Store::identity_policies.
std::vector<NamedPolicy> identity_policies(const Caller& caller, const domain::Store& store) {
  std::vector<NamedPolicy> out;
  if (caller.user) {
    const domain::User& user = *caller.user;
    add_named(store, "user", user.name, user.inline_policies, user.attached_policies, out);
    for (const auto& name : user.groups)
      if (const domain::Group* g = store.find_group(user.account, name))
        add_named(store, "group", g->name, g->inline_policies, g->attached_policies, out);
  } else if (caller.session && caller.session->principal_type == domain::PrincipalType::AssumedRole) {
    if (const domain::Role* role = store.find_declared_role(caller.session->source_arn))
      add_named(store, "role", role->name, role->inline_policies, role->attached_policies, out);
  }
  return out;
}

std::string label_of(const NamedPolicy& p) {
  if (!p.arn.empty()) return std::string(p.arn) + " (attached to " + std::string(p.owner_kind) + " " + std::string(p.owner) + ")";
  return "inline policy " + std::string(p.name) + " of " + std::string(p.owner_kind) + " " + std::string(p.owner);
}

// The permissions boundary a decision about this caller would meet.
const std::optional<std::string>* boundary_of(const Caller& caller, const domain::Store& store) {
  if (caller.user) return &caller.user->permissions_boundary;
  if (caller.session && caller.session->principal_type == domain::PrincipalType::AssumedRole)
    if (const domain::Role* role = store.find_declared_role(caller.session->source_arn))
      return &role->permissions_boundary;
  return nullptr;
}

// A message's JSON text. Invalid UTF-8 in a request value is replaced, never
// thrown: a policy decision must not end in a 500.
std::string message_text(const ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Drops items from the end of `items` until `message` dumps to at most
// `budget` bytes (or `items` is empty). Item sizes are measured once.
void trim_to_budget(ordered_json& message, ordered_json& items, std::size_t budget) {
  std::size_t size = message_text(message).size();
  if (size <= budget) return;
  std::vector<std::size_t> sizes;
  sizes.reserve(items.size());
  for (const auto& item : items) sizes.push_back(message_text(item).size() + 1);  // + its comma
  std::size_t keep = items.size();
  while (keep > 0 && size > budget) size -= sizes[--keep];
  items.erase(items.begin() + static_cast<std::ptrdiff_t>(keep), items.end());
}

}  // namespace

domain::PolicyRequest caller_request(const Caller& caller, std::string_view action, std::string_view resource,
                                     std::int64_t now) {
  domain::PolicyRequest r;
  r.action = std::string(action);
  r.principal_type = domain::RequesterType::Aws;
  r.principal_arn = caller.arn;
  r.principal_account = caller.account;
  r.resource = std::string(resource);
  const domain::Session* session = caller.session ? &*caller.session : nullptr;
  // A role session is also named by its role's ARN in policies.
  if (session && session->principal_type == domain::PrincipalType::AssumedRole)
    r.principal_aliases.push_back(session->source_arn);
  auto& c = r.context;
  const bool role_session = session && session->principal_type == domain::PrincipalType::AssumedRole;
  c["aws:principalarn"] = {role_session ? session->source_arn : caller.arn};
  c["aws:principalaccount"] = {caller.account};
  c["aws:userid"] = {caller.user_id};
  c["aws:principaltype"] = {caller.is_root()                                                        ? "Account"
                            : role_session                                                          ? "AssumedRole"
                            : caller.principal_type == domain::PrincipalType::FederatedUser ? "FederatedUser"
                                                                                              : "User"};
  if (caller.user) c["aws:username"] = {caller.user->name};
  // Principal tags: the user's, or the role's, overridden by session tags.
  std::map<std::string, std::string> tags;
  if (caller.user)
    for (const auto& t : caller.user->tags) tags[ascii_lower(t.key)] = t.value;
  if (session)
    for (const auto& t : session->tags) tags[ascii_lower(t.key)] = t.value;
  for (const auto& [k, v] : tags) c["aws:principaltag/" + k] = {v};
  const bool mfa = session && session->mfa_authenticated;
  c["aws:multifactorauthpresent"] = {mfa ? "true" : "false"};
  if (mfa) c["aws:multifactorauthage"] = {std::to_string(now - session->mfa_auth_time)};
  if (session && session->source_identity) c["aws:sourceidentity"] = {*session->source_identity};
  c["aws:currenttime"] = {format_iso8601(now)};
  c["aws:epochtime"] = {std::to_string(now)};
  return r;
}

bool Authorizer::allows_without_policies(const Caller& caller, const domain::Role* role) const {
  if (role != nullptr && role->declared) return false;  // its trust policy decides
  if (!identity_policies(caller, store_).empty()) return false;
  if (const auto* boundary = boundary_of(caller, store_); boundary && store_.boundary(*boundary) != nullptr) return false;
  return !(caller.session && (caller.session->session_policy || !caller.session->policy_arns.empty() ||
                              !caller.session->scope_policies.empty()));
}

bool Authorizer::trust_decided_without_policies(const Caller* caller, const domain::Role& role) const {
  return caller != nullptr ? allows_without_policies(*caller, &role) : !role.declared;
}

Result<void> Authorizer::authorize_trust(const Caller* caller, const domain::Role& role, domain::PolicyRequest request,
                                         TrustFollowUps follow_ups) const {
  if (caller == nullptr && !role.declared) return {};  // auto mode: no trust policy to ask
  // The action, then sts:TagSession when the session gets tags and
  // sts:SetSourceIdentity when it gets a source identity: each must be allowed.
  const std::string first = request.action;
  std::string_view actions[3] = {first};
  std::size_t count = 1;
  if (follow_ups.tags) actions[count++] = "sts:TagSession";
  if (follow_ups.source_identity) actions[count++] = "sts:SetSourceIdentity";
  std::shared_ptr<const domain::PolicyRequest> shared;
  if (trace_ != nullptr) shared = std::make_shared<const domain::PolicyRequest>(request);
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) request.action = std::string(actions[i]);
    if (caller != nullptr) {
      if (auto ok = decide(*caller, &role, request, shared); !ok) return ok;
    } else if (!trusts_federated(role, request, shared)) {
      return fail(ErrorCode::AccessDenied, "Not authorized to perform " + first);
    }
  }
  return {};
}

bool Authorizer::trusts_federated(const domain::Role& role, const domain::PolicyRequest& request,
                                  const std::shared_ptr<const domain::PolicyRequest>& shared) const {
  domain::AuthorizationTrace* t = nullptr;
  if (trace_ != nullptr) {
    t = &trace_->checks.emplace_back();
    t->action = request.action;
    t->request = shared;
    t->role_arn = role.arn;
    t->federated = true;
  }
  // A role without a trust policy of its own trusts no identity provider
  // (the "this account" default names no federated principal).
  if (!role.trust_policy || !role.trust) {
    if (t != nullptr) t->rule = domain::DecidingRule::NoTrustPolicy;
    return false;
  }
  const Decision decision = role.trust->evaluate(request).decision;
  if (t != nullptr) {
    t->policies.push_back({domain::PolicySource::Trust, "trust policy of " + role.arn, role.trust, decision});
    t->rule = decision == Decision::Allow          ? domain::DecidingRule::Allowed
              : decision == Decision::ExplicitDeny ? domain::DecidingRule::ExplicitDeny
                                                   : domain::DecidingRule::TrustNotSatisfied;
  }
  return decision == Decision::Allow;
}

Result<void> Authorizer::authorize(const Caller& caller, const domain::Role* role,
                                   const domain::PolicyRequest& request) const {
  std::shared_ptr<const domain::PolicyRequest> shared;
  if (trace_ != nullptr) shared = std::make_shared<const domain::PolicyRequest>(request);
  return decide(caller, role, request, shared);
}

Result<void> Authorizer::decide(const Caller& caller, const domain::Role* role, const domain::PolicyRequest& request,
                                const std::shared_ptr<const domain::PolicyRequest>& shared) const {
  // The same rule callers use to skip building `request`: one place decides it.
  if (allows_without_policies(caller, role)) return {};
  domain::AuthorizationTrace* t = nullptr;
  if (trace_ != nullptr) {
    t = &trace_->checks.emplace_back();
    t->action = request.action;
    t->request = shared;
    if (role != nullptr) t->role_arn = role->arn;
  }
  auto record = [&](domain::PolicySource source, auto&& label, const std::optional<domain::Policy>& policy,
                    Decision decision) {
    if (t != nullptr) t->policies.push_back({source, label(), policy, decision});
  };
  ordered_json matched = ordered_json::array();
  bool explicit_deny = false;
  auto take = [&](Verdict& v) {
    if (v.decision == Decision::ExplicitDeny) explicit_deny = true;
    for (auto& m : v.matched) matched.push_back(std::move(m));
  };

  // All identity policies of the caller: any Deny wins, else any Allow.
  const std::vector<NamedPolicy> identity = identity_policies(caller, store_);
  bool identity_allows = true;
  if (!identity.empty()) {
    std::vector<Decision> decisions;
    for (const auto& p : identity) {
      Verdict v = evaluate_stored(p.policy->parsed, request);
      decisions.push_back(v.decision);
      record(domain::PolicySource::Identity, [&] { return label_of(p); }, p.policy->parsed, v.decision);
      take(v);
    }
    identity_allows = domain::combine_decisions(decisions) == Decision::Allow;
  }
  // The permissions boundary bounds what identity policies grant. One that
  // is not in stsd (an AWS managed policy) is listed, not evaluated.
  bool boundary_allows = true;
  if (const auto* boundary = boundary_of(caller, store_); boundary && *boundary) {
    if (const domain::StoredPolicy* doc = store_.boundary(*boundary)) {
      Verdict v = evaluate_stored(doc->parsed, request);
      boundary_allows = v.decision == Decision::Allow;
      record(domain::PolicySource::Boundary, [&] { return **boundary; }, doc->parsed, v.decision);
      take(v);
    } else if (t != nullptr) {
      t->policies.push_back({domain::PolicySource::Boundary, **boundary, std::nullopt, Decision::ImplicitDeny, false});
    }
  }

  // Session policies (inline Policy and configured customer managed
  // PolicyArns) bound the session: one must allow, none may deny. AWS managed
  // policies are not in stsd, so they bound nothing.
  bool session_allows = true, scope_allows = true;
  if (caller.session) {
    bool any = false;
    session_allows = false;
    auto bound = [&](Verdict v) {
      any = true;
      session_allows = session_allows || v.decision == Decision::Allow;
      take(v);
    };
    if (caller.session->session_policy) {
      std::optional<domain::Policy> scratch;
      const auto& parsed = memo_parse(*caller.session->session_policy, scratch);
      Verdict v = evaluate_stored(parsed, request);
      record(domain::PolicySource::SessionPolicy, [] { return std::string("session policy (Policy parameter)"); },
             parsed, v.decision);
      bound(std::move(v));
    }
    for (const auto& arn : caller.session->policy_arns)
      if (const domain::ManagedPolicy* managed = store_.find_managed_policy_entry(arn)) {
        Verdict v = evaluate_stored(managed->document().parsed, request);
        record(domain::PolicySource::SessionManaged, [&] { return arn; }, managed->document().parsed, v.decision);
        bound(std::move(v));
      }
    if (!any) session_allows = true;
    // Each GetScopedCredentials layer bounds on its own: every one must allow.
    std::size_t layer = 0;
    for (const auto& scope : caller.session->scope_policies) {
      std::optional<domain::Policy> scratch;
      const auto& parsed = memo_parse(scope, scratch);
      Verdict v = evaluate_stored(parsed, request);
      ++layer;
      record(domain::PolicySource::ScopeDown, [&] { return "scope-down layer " + std::to_string(layer); }, parsed,
             v.decision);
      scope_allows = scope_allows && v.decision == Decision::Allow;
      take(v);
    }
  }

  // Does the trust policy name the caller itself in the role's account (not
  // just its account)? Then identity policies need not allow. Named by its
  // own ARN (a user, a role session's session ARN), not even the boundary
  // limits it; a role session named through its role's ARN stays within the
  // role's boundary (IAM User Guide, "Permissions boundaries for IAM
  // entities", resource-based policies).
  bool trust_allows = true, named = false, named_unbounded = false;
  if (role != nullptr && role->declared) {
    const std::optional<domain::Policy>& trust = role->trust;
    Verdict v = evaluate_stored(trust, request);
    trust_allows = v.decision == Decision::Allow;
    record(domain::PolicySource::Trust, [&] { return "trust policy of " + role->arn; }, trust, v.decision);
    take(v);
    if (trust_allows && role->account == caller.account) {
      domain::PolicyRequest specific = request;
      specific.principal_account.clear();
      named = evaluate_parsed(*trust, specific).decision == Decision::Allow;
      if (named && !specific.principal_aliases.empty()) {
        specific.principal_aliases.clear();
        named_unbounded = evaluate_parsed(*trust, specific).decision == Decision::Allow;
      } else {
        named_unbounded = named;
      }
    }
  }
  using Rule = domain::DecidingRule;
  // Identity policies within the boundary.
  const Rule identity_rule = !identity_allows ? Rule::NoIdentityAllow
                             : !boundary_allows ? Rule::BoundaryNoAllow
                                                : Rule::Allowed;
  Rule rule;
  if (explicit_deny) rule = Rule::ExplicitDeny;
  else if (!session_allows) rule = Rule::SessionPolicyNoAllow;
  else if (!scope_allows) rule = Rule::ScopeDownNoAllow;
  else if (role != nullptr && role->declared)
    rule = !trust_allows     ? Rule::TrustNotSatisfied
           : named_unbounded ? Rule::Allowed
           : named           ? (boundary_allows ? Rule::Allowed : Rule::BoundaryNoAllow)
                             : identity_rule;
  else if (role != nullptr) rule = Rule::AllowedAutoRole;  // auto mode: only explicit Denies refuse
  else rule = identity_rule;
  if (t != nullptr) {
    t->rule = rule;
    t->trust_names_caller = role != nullptr && role->declared && trust_allows && named;
  }
  if (domain::is_allow(rule)) return {};

  // Actions without a resource type (resource "*") are named without one, as
  // AWS words it: "... is not authorized to perform: sts:DecodeAuthorizationMessage".
  StsError error = not_authorized(caller, request.action, request.resource == "*" ? std::string_view() : request.resource);
  ordered_json decoded;
  decoded["allowed"] = false;
  decoded["explicitDeny"] = explicit_deny;
  decoded["matchedStatements"] = {{"items", matched}};
  decoded["failures"] = {{"items", ordered_json::array()}};
  ordered_json conditions = ordered_json::array();
  for (const auto& [key, values] : request.context) conditions.push_back({{"key", key}, {"values", value_items(values)}});
  std::string name = caller.user ? caller.user->name
                     : caller.session && !caller.session->role_session_name.empty() ? caller.session->role_session_name
                                                                                      : caller.account;
  decoded["context"] = {{"principal", {{"id", caller.user_id}, {"name", name}, {"arn", caller.arn}}},
                        {"action", request.action},
                        {"resource", request.resource},
                        {"conditions", {{"items", conditions}}}};
  // A message longer than DecodeAuthorizationMessage accepts is useless and
  // too long for a header: matched statements, then condition keys, are
  // dropped from the end until it fits.
  const std::size_t budget = domain::AuthorizationMessageCodec::max_decoded_size();
  trim_to_budget(decoded, decoded["matchedStatements"]["items"], budget);
  trim_to_budget(decoded, decoded["context"]["conditions"]["items"], budget);
  error.encoded_authorization_message = messages_.encode_for(caller.account, message_text(decoded));
  return unexpected(error);
}

}  // namespace stsd::service
