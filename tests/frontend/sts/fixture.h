#pragma once
// In-process STS: store, codecs, service and frontend on a fixed clock, plus
// a signer, so frontend tests send signed HttpRequests and read the XML.
#include <pugixml.hpp>

#include <map>
#include <optional>
#include <string>

#include "stsd/common/percent_encoding.h"
#include "stsd/common/time_format.h"
#include "stsd/domain/authorization_message.h"
#include "stsd/domain/clock.h"
#include "stsd/domain/jwks_fetcher.h"
#include "stsd/domain/session_token.h"
#include "stsd/domain/store.h"
#include "stsd/protocol/frontend.h"
#include "stsd/protocol/query.h"
#include "stsd/service/sts_service.h"
#include "stsd/sigv4/sigv4.h"

namespace stsd::testing {

struct Credentials {
  std::string access_key_id;
  std::string secret;
  std::optional<std::string> token;
};

inline domain::StoreData default_data() {
  domain::StoreData d;
  d.accounts = {{"000000000000", "", {}, {}}, {"111122223333", "dev", {}, {}}};
  domain::User test;
  test.account = "000000000000";
  test.name = "test";
  test.mfa_devices = {{"arn:aws:iam::000000000000:mfa/test", "12345678901234567890"}};
  d.users = {test};
  d.access_keys = {{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "000000000000", "test"},
                   {"AKIAROOTEXAMPLE00000", "root-secret", "111122223333", ""}};
  return d;
}

class StsFixture {
 public:
  explicit StsFixture(domain::StoreData data = default_data(),
                      service::AuthMode mode = service::AuthMode::Strict,
                      domain::JwksFetcher* jwks_fetcher = nullptr)
      : store_(std::make_shared<const domain::Store>(std::move(data))),
        tokens_(std::string(32, 'k')),
        messages_(std::string(32, 'k')),
        sts_(store_, tokens_, messages_, clock_, idps_, mode, jwks_fetcher),
        frontend_(sts_, "test") {}

  Credentials user() const { return {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", {}}; }
  Credentials root() const { return {"AKIAROOTEXAMPLE00000", "root-secret", {}}; }

  // Signs a POST with the parameters as a form body.
  http::HttpResponse call(const std::map<std::string, std::string>& params, const Credentials& c,
                          std::optional<domain::Seconds> at = std::nullopt, std::string region = "us-east-1",
                          std::string service = "sts") const {
    return frontend_.handle(signed_request(params, c, at, region, service));
  }

  http::HttpRequest signed_request(const std::map<std::string, std::string>& params, const Credentials& c,
                                   std::optional<domain::Seconds> at = std::nullopt, std::string region = "us-east-1",
                                   std::string service = "sts") const {
    sigv4::Request r;
    r.method = "POST";
    r.path = "/";
    r.body = body(params);
    r.headers = {{"Host", "sts.amazonaws.com"},
                 {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
    std::optional<std::string_view> token;
    if (c.token) token = *c.token;
    sigv4::sign(r, c.access_key_id, c.secret, region, service, format_amz_date(at.value_or(clock_.now())), token);
    return to_http(r);
  }

  static std::string body(const std::map<std::string, std::string>& params) {
    std::string b = "Version=2011-06-15";
    for (const auto& [k, v] : params) b.append(1, '&').append(uri_encode(k)).append(1, '=').append(uri_encode(v));
    return b;
  }

  static http::HttpRequest to_http(const sigv4::Request& r) {
    http::HttpRequest h;
    h.method = r.method;
    h.target = r.path + (r.query.empty() ? "" : "?" + r.query);
    for (const auto& hd : r.headers) h.headers.emplace_back(hd.name, hd.value);
    h.body = r.body;
    h.remote_address = "127.0.0.1";
    return h;
  }

  const protocol::Frontend& frontend() const { return frontend_; }
  domain::FixedClock& clock() { return clock_; }
  const domain::federation::BuiltinIdentityProviders& idps() const { return idps_; }
  const domain::SessionTokenCodec& tokens() const { return tokens_; }
  const domain::AuthorizationMessageCodec& messages() const { return messages_; }

 private:
  domain::FixedClock clock_{1700000000};
  domain::StoreHolder store_;
  domain::SessionTokenCodec tokens_;
  domain::AuthorizationMessageCodec messages_;
  domain::federation::BuiltinIdentityProviders idps_;
  service::StsService sts_;
  protocol::Frontend frontend_;
};

// Text of the first element with this name anywhere in the document.
inline std::string xml_text(const std::string& body, const std::string& name) {
  pugi::xml_document doc;
  if (!doc.load_string(body.c_str())) return "<unparsable>";
  auto node = doc.select_node(("//" + name).c_str());
  return node ? node.node().text().get() : "<absent>";
}

inline Credentials credentials_from(const std::string& body) {
  return {xml_text(body, "AccessKeyId"), xml_text(body, "SecretAccessKey"), xml_text(body, "SessionToken")};
}

}  // namespace stsd::testing
