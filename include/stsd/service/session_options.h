#pragma once
// The session-shaping members shared by AssumeRole*, GetFederationToken:
// session policies, session tags, source identity. Checked once here, with
// AWS's messages, so no action repeats the rules.
#include <optional>
#include <string>
#include <vector>

#include "stsd/common/sts_error.h"
#include "stsd/domain/credentials.h"
#include "stsd/domain/session.h"
#include "stsd/service/caller.h"
#include "stsd/service/sts/shapes.h"

namespace stsd::service {

struct SessionOptions {
  std::optional<std::string> policy;
  std::vector<std::string> policy_arns;
  std::vector<domain::Tag> tags;
  std::vector<std::string> transitive_tag_keys;
  std::optional<std::string> source_identity;
  // PackedPolicySize: present when a policy, a policy ARN or a tag was passed.
  std::optional<int> packed_policy_size;
};

// The session-shaping members of a request, whichever operation it is
// (session_parameters reads those its request struct has).
struct SessionParameters {
  std::optional<std::string> policy;
  std::vector<std::string> policy_arns;
  // Present when the request sent Tags, even as an empty list.
  std::optional<std::vector<domain::Tag>> tags;
  std::vector<std::string> transitive_tag_keys;
  std::optional<std::string> source_identity;
};

template <class Request>
SessionParameters session_parameters(const Request& r) {
  SessionParameters p;
  if constexpr (requires { r.Policy; }) p.policy = r.Policy;
  if constexpr (requires { r.PolicyArns; })
    if (r.PolicyArns)
      for (const auto& a : *r.PolicyArns)
        if (a.arn) p.policy_arns.push_back(*a.arn);
  if constexpr (requires { r.Tags; })
    if (r.Tags) {
      p.tags.emplace();
      for (const auto& t : *r.Tags) p.tags->push_back({t.Key, t.Value});
    }
  if constexpr (requires { r.TransitiveTagKeys; })
    if (r.TransitiveTagKeys) p.transitive_tag_keys = *r.TransitiveTagKeys;
  if constexpr (requires { r.SourceIdentity; }) p.source_identity = r.SourceIdentity;
  return p;
}

// Session tags and source identity that an identity provider asserts (the
// web identity token's claims, the SAML attributes) rather than parameters.
struct AssertedSessionFacts {
  std::vector<domain::Tag> tags;
  std::vector<std::string> transitive_tag_keys;
  std::optional<std::string> source_identity;
};

// Checks the requested session policy, policy ARNs, tags, transitive tag
// keys and source identity (or the tags and source identity `asserted`
// gives), applies inheritance from the calling session (transitive tags,
// source identity) and AWS's rules.
Result<SessionOptions> read_session_options(const SessionParameters& requested, const Caller* caller,
                                            const AssertedSessionFacts* asserted = nullptr);

// Copies the options into a session being minted.
void apply_session_options(const SessionOptions& options, domain::Session& session);

// <Credentials> of a response.
sts::Credentials credentials_of(const domain::IssuedCredentials& credentials);

// Temporary credentials as a response carries them, with the token's size.
struct IssuedSession {
  sts::Credentials credentials;
  std::int64_t token_size = 0;  // SessionTokenSize: characters of the session token
  // SessionTokenUtilization: its share of kMaxSessionTokenSize, in percent
  // rounded up (stsd's tokens are more compact than AWS's; at most 100).
  std::int64_t token_utilization = 0;
};

// Mints `session`'s keys and token, padded to MinimumSessionTokenSize when given.
IssuedSession issue_session(domain::Session& session, const domain::SessionTokenCodec& tokens,
                            std::optional<std::int64_t> minimum_token_size);

// GetSessionToken / GetFederationToken: DurationSeconds, 12 hours by
// default; root sessions are silently clamped to one hour, as on AWS.
std::int64_t long_term_caller_duration(std::optional<std::int64_t> requested, const Caller& caller);

}  // namespace stsd::service
