#include "stsd/domain/session_token.h"

#include <nlohmann/json.hpp>

#include "stsd/crypto/crypto.h"

namespace stsd::domain {

namespace {
using nlohmann::json;

// A version byte lets the format change without misreading older tokens;
// it is also bound into the AEAD as additional data.
constexpr char kFormatVersion = 1;
constexpr std::string_view kAad = "stsd-session-token-v1";

json to_json(const Session& s) {
  json j = {
      {"t", static_cast<int>(s.type)},     {"k", s.access_key_id}, {"s", s.secret_access_key},
      {"i", s.issued_at},                  {"e", s.expiration},    {"p", static_cast<int>(s.principal_type)},
      {"a", s.account},                    {"r", s.arn},           {"u", s.user_id},
      {"sa", s.source_arn},                {"rs", s.role_session_name},
      {"m", s.mfa_authenticated},          {"mt", s.mfa_auth_time}, {"c", s.chain_depth},
  };
  if (s.source_identity) j["si"] = *s.source_identity;
  if (!s.tags.empty()) {
    json tags = json::array();
    for (const auto& t : s.tags) tags.push_back({t.key, t.value});
    j["tg"] = std::move(tags);
  }
  if (!s.transitive_tag_keys.empty()) j["tt"] = s.transitive_tag_keys;
  if (s.session_policy) j["sp"] = *s.session_policy;
  if (!s.policy_arns.empty()) j["pa"] = s.policy_arns;
  return j;
}

Session from_json(const json& j) {
  Session s;
  s.type = static_cast<CredentialType>(j.at("t").get<int>());
  s.access_key_id = j.at("k").get<std::string>();
  s.secret_access_key = j.at("s").get<std::string>();
  s.issued_at = j.at("i").get<Seconds>();
  s.expiration = j.at("e").get<Seconds>();
  s.principal_type = static_cast<PrincipalType>(j.at("p").get<int>());
  s.account = j.at("a").get<std::string>();
  s.arn = j.at("r").get<std::string>();
  s.user_id = j.at("u").get<std::string>();
  s.source_arn = j.at("sa").get<std::string>();
  s.role_session_name = j.at("rs").get<std::string>();
  s.mfa_authenticated = j.at("m").get<bool>();
  s.mfa_auth_time = j.at("mt").get<Seconds>();
  s.chain_depth = j.at("c").get<int>();
  if (j.contains("si")) s.source_identity = j["si"].get<std::string>();
  if (j.contains("tg"))
    for (const auto& t : j["tg"]) s.tags.push_back({t.at(0).get<std::string>(), t.at(1).get<std::string>()});
  if (j.contains("tt")) s.transitive_tag_keys = j["tt"].get<std::vector<std::string>>();
  if (j.contains("sp")) s.session_policy = j["sp"].get<std::string>();
  if (j.contains("pa")) s.policy_arns = j["pa"].get<std::vector<std::string>>();
  return s;
}
}  // namespace

SessionTokenCodec::SessionTokenCodec(std::string key) : key_(std::move(key)) {}

std::string SessionTokenCodec::seal(const Session& session) const {
  auto cbor = json::to_cbor(to_json(session));
  std::string blob(1, kFormatVersion);
  blob += crypto::aead_seal(key_, std::string(cbor.begin(), cbor.end()), kAad);
  return crypto::base64_encode(blob);
}

std::optional<Session> SessionTokenCodec::open(std::string_view token) const {
  auto blob = crypto::base64_decode(token);
  if (!blob || blob->size() < 2 || (*blob)[0] != kFormatVersion) return std::nullopt;
  auto plain = crypto::aead_open(key_, std::string_view(*blob).substr(1), kAad);
  if (!plain) return std::nullopt;
  // The AEAD tag proves we wrote it; parse failures would mean a format bug.
  json j = json::from_cbor(*plain, true, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  try {
    return from_json(j);
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

}  // namespace stsd::domain
