#include "stsd/admin/admin_operations.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "stsd/common/json.h"
#include "stsd/common/time_format.h"
#include "stsd/crypto/crypto.h"
#include "stsd/domain/arn.h"

namespace stsd::admin {

namespace {

using nlohmann::ordered_json;

std::string_view type_name(domain::CredentialType t) {
  switch (t) {
    case domain::CredentialType::LongTerm: return "LongTerm";
    case domain::CredentialType::SessionToken: return "SessionToken";
    case domain::CredentialType::AssumedRole: return "AssumedRole";
    case domain::CredentialType::FederatedUser: return "FederatedUser";
    case domain::CredentialType::Delegated: return "Delegated";
  }
  return "Unknown";
}

std::string_view principal_name(domain::PrincipalType t) {
  switch (t) {
    case domain::PrincipalType::Root: return "Root";
    case domain::PrincipalType::User: return "User";
    case domain::PrincipalType::AssumedRole: return "AssumedRole";
    case domain::PrincipalType::FederatedUser: return "FederatedUser";
  }
  return "Unknown";
}

ordered_json session_json(const domain::Session& s, std::int64_t now) {
  ordered_json out;
  out["access_key_id"] = s.access_key_id;
  out["credential_type"] = type_name(s.type);
  out["principal_type"] = principal_name(s.principal_type);
  out["account"] = s.account;
  out["arn"] = s.arn;
  out["user_id"] = s.user_id;
  if (!s.source_arn.empty()) out["source_arn"] = s.source_arn;
  if (!s.role_session_name.empty()) out["role_session_name"] = s.role_session_name;
  out["issued_at"] = format_iso8601(s.issued_at);
  out["expiration"] = format_iso8601(s.expiration);
  out["expired"] = s.expiration <= now;
  out["mfa_authenticated"] = s.mfa_authenticated;
  if (s.mfa_authenticated) out["mfa_auth_time"] = format_iso8601(s.mfa_auth_time);
  out["chain_depth"] = s.chain_depth;
  out["source_identity"] = s.source_identity ? ordered_json(*s.source_identity) : ordered_json(nullptr);
  ordered_json tags = ordered_json::object();
  for (const auto& t : s.tags) tags[t.key] = t.value;
  out["tags"] = std::move(tags);
  out["transitive_tag_keys"] = s.transitive_tag_keys;
  // A policy as JSON when it is JSON, so tests can assert on its parts.
  const auto policy_json = [](const std::string& text) {
    auto parsed = read_json<ordered_json>(text);
    return parsed ? std::move(*parsed) : ordered_json(text);
  };
  out["session_policy"] = s.session_policy ? policy_json(*s.session_policy) : ordered_json(nullptr);
  out["policy_arns"] = s.policy_arns;
  ordered_json scopes = ordered_json::array();
  for (const auto& scope : s.scope_policies) scopes.push_back(policy_json(scope));
  out["scope_policies"] = std::move(scopes);
  return out;
}

// Every admin body goes through the one JSON reader: its depth limit keeps
// the dump() and copies below from recursing through hostile nesting.
Result<ordered_json, AdminError> parse_object(std::string_view body) {
  auto doc = read_json<ordered_json>(body);
  if (!doc) return unexpected(AdminError{400, "the body must be a JSON object: " + doc.error().to_string()});
  if (!doc->is_object()) return unexpected(AdminError{400, "the body must be a JSON object"});
  return std::move(*doc);
}

}  // namespace

Result<AdminAnswer, AdminError> AdminOperations::inspect_credentials(std::string_view body) const {
  auto doc = parse_object(body);
  if (!doc) return unexpected(doc.error());
  const auto key = doc->find("access_key_id");
  const auto token = doc->find("session_token");
  if (key == doc->end() || !key->is_string() || token == doc->end() || !token->is_string())
    return unexpected(AdminError{400, "give access_key_id and session_token (strings)"});
  auto session = tokens_.open(token->get<std::string>());
  // The token is bound to its key id: a token with another key is no session.
  if (!session || !crypto::constant_time_equal(session->access_key_id, key->get<std::string>()))
    return unexpected(AdminError{404, "no session: the token was not issued by this server with this key id"});
  return AdminAnswer{session_json(*session, clock_.now()).dump()};
}

Result<AdminAnswer, AdminError> AdminOperations::delegation_token(std::string_view body) const {
  auto doc = parse_object(body);
  if (!doc) return unexpected(doc.error());
  const auto id = doc->find("delegation_request_id");
  if (id == doc->end() || !id->is_string()) return unexpected(AdminError{400, "give delegation_request_id (a string)"});
  const auto store = store_.get();
  const domain::DelegationRequest* r = store->find_delegation_request(id->get<std::string>());
  if (r == nullptr) return unexpected(AdminError{404, "no delegation request with that id"});
  if (r->trade_in_token.empty())
    return unexpected(AdminError{404, "no trade-in token: SendDelegationToken has not been called for this request"});
  // What the partner's SNS topic would receive.
  ordered_json out;
  out["delegation_request_id"] = r->id;
  out["notification_channel"] = r->notification_channel;
  out["trade_in_token"] = r->trade_in_token;
  out["expiration"] = format_iso8601(r->token_expiration);
  out["used"] = r->token_used;
  return AdminAnswer{out.dump()};
}

Result<AdminAnswer, AdminError> AdminOperations::encode_authorization_message(std::string_view body) const {
  auto doc = parse_object(body);
  if (!doc) return unexpected(doc.error());
  ordered_json out;
  out["EncodedMessage"] = messages_.encode(doc->dump());
  return AdminAnswer{out.dump()};
}

namespace {

namespace fed = domain::federation;

AdminError bad_field(std::string_view name, std::string_view what) {
  return AdminError{400, std::string("\"").append(name).append("\" must be ").append(what)};
}

// Reads the optional typed fields of an admin request body; the first
// field of the wrong type is the request's error.
class BodyReader {
 public:
  explicit BodyReader(const ordered_json& doc) : doc_(doc) {}

  template <class T>
  std::optional<T> get(std::string_view name, std::string_view what) {
    const ordered_json* v = find(name);
    if (v == nullptr) return std::nullopt;
    bool ok = false;
    if constexpr (std::is_same_v<T, std::string>) ok = v->is_string();
    else if constexpr (std::is_same_v<T, std::int64_t>) ok = v->is_number_integer();
    else if constexpr (std::is_same_v<T, bool>) ok = v->is_boolean();
    if (!ok) return fail(name, what), std::nullopt;
    return v->get<T>();
  }

  // A string or a list of strings (empty when absent).
  std::vector<std::string> strings(std::string_view name) { return strings_of(find(name), name); }

  // {"key": value, ...} with values of the kind strings() reads.
  std::vector<std::pair<std::string, std::vector<std::string>>> string_map(std::string_view name) {
    std::vector<std::pair<std::string, std::vector<std::string>>> out;
    const ordered_json* v = find(name);
    if (v == nullptr) return out;
    if (!v->is_object()) return fail(name, "an object of strings or string lists"), out;
    for (const auto& [k, value] : v->items()) out.emplace_back(k, strings_of(&value, name));
    return out;
  }

  const std::optional<AdminError>& error() const { return error_; }

 private:
  const ordered_json* find(std::string_view name) const {
    auto it = doc_.find(std::string(name));
    return it == doc_.end() || it->is_null() ? nullptr : &*it;
  }
  std::vector<std::string> strings_of(const ordered_json* v, std::string_view name) {
    std::vector<std::string> out;
    if (v == nullptr) return out;
    if (v->is_string()) return {v->get<std::string>()};
    if (!v->is_array()) return fail(name, "a string or a list of strings"), out;
    for (const auto& e : *v) {
      if (!e.is_string()) return fail(name, "a string or a list of strings"), std::vector<std::string>{};
      out.push_back(e.get<std::string>());
    }
    return out;
  }
  void fail(std::string_view name, std::string_view what) {
    if (!error_) error_ = bad_field(name, what);
  }

  const ordered_json& doc_;
  std::optional<AdminError> error_;
};

}  // namespace

Result<AdminAnswer, AdminError> AdminOperations::oidc_discovery(std::string_view host, bool secure) const {
  auto store = store_.get();
  const auto* issuer = store->builtin_oidc_provider();
  if (issuer == nullptr) return unexpected(AdminError{404, "the config has no builtin OIDC provider"});
  // jwks_uri points back at this server, as the client reached it.
  auto base = fed::self_base_url(host, secure);
  if (!base) return unexpected(AdminError{400, "the Host header is missing or not a valid host[:port]"});
  return AdminAnswer{fed::oidc_discovery_json(
      issuer->url, *base + "/_stsd/oidc/jwks.json",
      std::vector<fed::JwtAlgorithm>(fed::kBuiltinJwtAlgorithms.begin(), fed::kBuiltinJwtAlgorithms.end()),
      {"sub", "aud", "iss", "iat", "exp", "nbf", "jti", "amr", "azp"})};
}

Result<AdminAnswer, AdminError> AdminOperations::outbound_document(std::string_view rest, std::string_view host,
                                                                   bool secure) const {
  const auto slash = rest.find('/');
  const std::string_view account = rest.substr(0, slash);
  const std::string_view document = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  const bool is_account = account.size() == 12 &&
                          std::all_of(account.begin(), account.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!is_account) return unexpected(AdminError{404, "not found"});
  if (document == "/.well-known/jwks.json") return AdminAnswer{idps_.outbound_jwks_json()};
  if (document != "/.well-known/openid-configuration") return unexpected(AdminError{404, "not found"});
  auto base = fed::self_base_url(host, secure);
  if (!base) return unexpected(AdminError{400, "the Host header is missing or not a valid host[:port]"});
  return AdminAnswer{fed::oidc_discovery_json(
      fed::outbound_issuer_url(account), *base + "/_stsd/outbound/" + std::string(account) + "/.well-known/jwks.json",
      std::vector<fed::JwtAlgorithm>(fed::kOutboundJwtAlgorithms.begin(), fed::kOutboundJwtAlgorithms.end()),
      {"iss", "aud", "sub", "iat", "exp", "jti", "https://sts.amazonaws.com/"})};
}

Result<AdminAnswer, AdminError> AdminOperations::oidc_jwks() const { return AdminAnswer{idps_.oidc_jwks_json()}; }

Result<AdminAnswer, AdminError> AdminOperations::mint_oidc_token(std::string_view body) const {
  auto store = store_.get();
  const auto* issuer = store->builtin_oidc_provider();
  if (issuer == nullptr) return unexpected(AdminError{404, "the config has no builtin OIDC provider"});
  auto doc = parse_object(body.empty() ? std::string_view("{}") : body);
  if (!doc) return unexpected(doc.error());
  BodyReader read(*doc);
  const auto sub = read.get<std::string>("sub", "a string");
  const auto lifetime = read.get<std::int64_t>("lifetime", "an integer (seconds)");
  const auto algorithm = read.get<std::string>("algorithm", "a string");
  const auto aud = read.strings("aud");
  if (read.error()) return unexpected(*read.error());
  const auto alg = fed::parse_jwt_algorithm(algorithm.value_or("RS256"));
  const fed::JwtSigningKey* key = alg ? idps_.oidc_key(*alg) : nullptr;
  if (key == nullptr) {
    std::string names;
    for (auto a : fed::kBuiltinJwtAlgorithms) names += (names.empty() ? "" : ", ") + std::string(fed::to_string(a));
    return unexpected(bad_field("algorithm", "one of " + names));
  }
  std::vector<std::string> audiences = aud;
  if (audiences.empty() && !issuer->client_ids.empty()) audiences.push_back(issuer->client_ids.front());

  const std::int64_t now = clock_.now();
  const std::int64_t exp = now + lifetime.value_or(3600);
  ordered_json claims;
  claims["iss"] = issuer->url;
  claims["sub"] = sub.value_or("stsd-test-subject");
  claims["aud"] = audiences.size() == 1 ? ordered_json(audiences.front()) : ordered_json(audiences);
  claims["iat"] = std::min(now, exp);
  claims["exp"] = exp;
  if (auto extra = doc->find("claims"); extra != doc->end() && !extra->is_null()) {
    if (!extra->is_object()) return unexpected(bad_field("claims", "an object"));
    for (const auto& [k, v] : extra->items()) claims[k] = v;  // may override the defaults, on purpose
  }
  auto token = key->sign("", claims.dump());
  if (!token) return unexpected(AdminError{500, token.error()});
  ordered_json out;
  out["token"] = *token;
  out["issuer"] = claims["iss"];
  out["expiration"] = claims["exp"].is_number_integer() ? ordered_json(format_iso8601(claims["exp"].get<std::int64_t>()))
                                                        : ordered_json(nullptr);
  return AdminAnswer{out.dump()};
}

Result<AdminAnswer, AdminError> AdminOperations::saml_metadata() const {
  return AdminAnswer{idps_.saml().metadata_xml(), 200, "application/samlmetadata+xml"};
}

Result<AdminAnswer, AdminError> AdminOperations::mint_saml_response(std::string_view body) const {
  auto doc = parse_object(body);
  if (!doc) return unexpected(doc.error());
  BodyReader read(*doc);
  const auto role_arn = read.get<std::string>("role_arn", "a role ARN");
  const auto principal = read.get<std::string>("principal_arn", "a SAML provider ARN");
  const auto subject = read.get<std::string>("subject", "a string");
  const auto subject_format = read.get<std::string>("subject_format", "a string");
  const auto session_name = read.get<std::string>("session_name", "a string");
  const auto session_duration = read.get<std::int64_t>("session_duration", "an integer (seconds)");
  const auto source_identity = read.get<std::string>("source_identity", "a string");
  const auto lifetime = read.get<std::int64_t>("lifetime", "an integer (seconds)");
  const auto audience = read.get<std::string>("audience", "a string");
  const auto recipient = read.get<std::string>("recipient", "a string");
  const auto session_not_after = read.get<std::int64_t>("session_not_on_or_after", "an integer (epoch seconds)");
  const auto sign_assertion = read.get<bool>("sign_assertion", "true or false");
  const auto sign_response = read.get<bool>("sign_response", "true or false");
  const auto digest = read.get<std::string>("digest", "\"sha256\" or \"sha1\"");
  const auto transitive = read.strings("transitive_tag_keys");
  const auto principal_tags = read.string_map("principal_tags");
  const auto extra_attributes = read.string_map("attributes");
  if (read.error()) return unexpected(*read.error());
  if (!role_arn) return unexpected(AdminError{400, "\"role_arn\" is required"});
  auto role = domain::parse_role_arn(*role_arn);
  if (!role) return unexpected(bad_field("role_arn", "a role ARN"));
  if (digest && *digest != "sha256" && *digest != "sha1") return unexpected(bad_field("digest", "\"sha256\" or \"sha1\""));

  std::string principal_arn = principal.value_or("");
  if (principal_arn.empty()) {
    // The built-in provider of the role's account, else any built-in one.
    auto store = store_.get();
    store->for_each_saml_provider([&](const domain::SamlProvider& p) {
      if (p.builtin && (principal_arn.empty() || p.account == role->account)) principal_arn = p.arn;
    });
    if (principal_arn.empty()) return unexpected(AdminError{404, "the config has no builtin SAML provider"});
  }

  const std::string prefix = "https://aws.amazon.com/SAML/Attributes/";
  fed::SamlIdentityProvider::ResponseSpec spec;
  spec.name_id = subject.value_or("stsd-test-user");
  if (subject_format) spec.name_id_format = *subject_format;
  if (recipient) spec.recipient = *recipient;
  if (audience) spec.audience = *audience;
  spec.issue_instant = clock_.now();
  spec.lifetime_seconds = lifetime.value_or(300);
  spec.session_not_on_or_after = session_not_after;
  spec.sign_assertion = sign_assertion.value_or(true);
  spec.sign_response = sign_response.value_or(false);
  spec.digest = digest.value_or("sha256");
  spec.attributes.push_back({prefix + "Role", {*role_arn + "," + principal_arn}});
  spec.attributes.push_back({prefix + "RoleSessionName", {session_name.value_or(spec.name_id)}});
  if (session_duration) spec.attributes.push_back({prefix + "SessionDuration", {std::to_string(*session_duration)}});
  if (source_identity) spec.attributes.push_back({prefix + "SourceIdentity", {*source_identity}});
  for (const auto& [key, values] : principal_tags)
    if (!values.empty()) spec.attributes.push_back({prefix + "PrincipalTag:" + key, {values.front()}});
  if (!transitive.empty()) spec.attributes.push_back({prefix + "TransitiveTagKeys", transitive});
  for (const auto& [name, values] : extra_attributes) spec.attributes.push_back({name, values});
  ordered_json out;
  auto response = idps_.saml().mint_response_base64(spec);
  if (!response) return unexpected(AdminError{500, response.error()});
  out["saml_response"] = *response;
  out["role_arn"] = *role_arn;
  out["principal_arn"] = principal_arn;
  out["issuer"] = idps_.saml().entity_id();
  return AdminAnswer{out.dump()};
}

}  // namespace stsd::admin
