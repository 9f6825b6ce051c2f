#include "stsd/config/config.h"

namespace stsd::config {

// The embedded default (README, "Using it"): one account, user `test` with the `test`/`test` pair
// many local setups export and the AWS documentation's example pair, and
// auto role mode so tests that never created roles still work; every opt-in
// region enabled, so a client configured for any region works; stsd's own
// test OIDC issuer and SAML IdP registered, so federation works out of the box. Written in
// dump_config's layout (a test keeps the two in step).
std::string_view embedded_default_config() {
  static constexpr std::string_view kDefault = R"({
  "region": "us-east-1",
  "role_mode": "auto",
  "accounts": [
    {
      "id": "000000000000",
      "enabled_regions": [
        "*"
      ]
    }
  ],
  "users": [
    {
      "account": "000000000000",
      "name": "test",
      "path": "/",
      "access_keys": [
        {
          "id": "test",
          "secret": "test"
        },
        {
          "id": "AKIAIOSFODNN7EXAMPLE",
          "secret": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        }
      ]
    }
  ],
  "oidc_providers": [
    {
      "account": "000000000000",
      "url": "https://oidc.stsd.local",
      "client_ids": [
        "sts.amazonaws.com",
        "stsd"
      ],
      "builtin": true
    }
  ],
  "saml_providers": [
    {
      "account": "000000000000",
      "name": "stsd",
      "builtin": true
    }
  ]
}
)";
  return kDefault;
}

}  // namespace stsd::config
