#pragma once
// The session-shaping members shared by AssumeRole*, GetFederationToken:
// session policies, session tags, source identity. Checked once here, with
// AWS's messages, so no action repeats the rules.
#include <optional>
#include <string>
#include <vector>

#include "stsd/common/sts_error.h"
#include "stsd/domain/credentials.h"
#include "stsd/domain/mfa_guard.h"
#include "stsd/domain/session.h"
#include "stsd/service/action_input.h"
#include "stsd/service/caller.h"
#include "stsd/service/result_node.h"

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

// Session tags and source identity that an identity provider asserts (the
// web identity token's claims, the SAML attributes) rather than parameters.
struct AssertedSessionFacts {
  std::vector<domain::Tag> tags;
  std::vector<std::string> transitive_tag_keys;
  std::optional<std::string> source_identity;
};

// Reads Policy, PolicyArns, Tags, TransitiveTagKeys and SourceIdentity (those
// the operation's model has, or those `asserted` gives), applies inheritance
// from the calling session (transitive tags, source identity) and AWS's rules.
Result<SessionOptions> read_session_options(const ActionInput& input, const Caller* caller,
                                            const AssertedSessionFacts* asserted = nullptr);

// Copies the options into a session being minted.
void apply_session_options(const SessionOptions& options, domain::Session& session);

// <Credentials> as AWS orders it.
ResultNode credentials_node(const domain::IssuedCredentials& credentials);

// DurationSeconds or the action's default.
std::int64_t duration_or(const ActionInput& input, std::int64_t fallback);

// GetSessionToken / GetFederationToken: 12 hours by default; root sessions
// are silently clamped to one hour, as on AWS.
std::int64_t long_term_caller_duration(const ActionInput& input, const Caller& caller);

// `User: <arn> is not authorized to perform: <action>[ on resource: <arn>]`.
StsError not_authorized(const Caller& caller, std::string_view action, std::string_view resource = {});

// MFA check for SerialNumber/TokenCode against the caller's IAM user, through
// `guard` (a code is accepted once; a device is locked after repeated wrong
// codes: domain/mfa_guard.h). Returns true when MFA was presented and
// verified, false when not presented.
Result<bool> verify_mfa(const ActionInput& input, const Caller& caller, domain::MfaGuard& guard, std::int64_t now);

}  // namespace stsd::service
