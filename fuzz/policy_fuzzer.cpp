// Fuzz target: the IAM policy language (stsd/domain/policy.h).
// Input: any bytes, taken as a policy document's JSON text.
//   Policy::parse, then Policy::evaluate for four fixed requests (an IAM user, a
//   web-identity caller, a service, anonymous) whose context carries keys of
//   every condition-operator family and the policy variables' sources;
//   policy_document_error for each PolicyKind (trust with and without an
//   existence check of AWS principals).
// Checks beyond "no crash":
//   - evaluating the same request twice gives the same answer;
//   - a decision is backed by its matched statements (Allow: an Allow matched
//     and no Deny; ExplicitDeny: a Deny matched), indexes in range;
//   - every parsed condition names an operator IAM knows;
//   - a text policy_document_error accepts for a kind is one parse() accepts
//     (else an accepted policy would silently deny everything).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "stsd/domain/policy.h"

namespace {

using namespace stsd::domain;

void require(bool ok) {
  if (!ok) std::abort();
}

ConditionContext context() {
  return {
      {"aws:username", {"alice"}},
      {"aws:userid", {"AIDAEXAMPLEALICE0001"}},
      {"aws:principalarn", {"arn:aws:iam::111122223333:user/engineering/alice"}},
      {"aws:principalaccount", {"111122223333"}},
      {"aws:principaltag/team", {"blue"}},
      {"aws:requesttag/project", {"apollo"}},
      {"aws:tagkeys", {"project", "cost-center"}},
      {"sts:transitivetagkeys", {"project"}},
      {"sts:externalid", {"s3cret"}},
      {"sts:rolesessionname", {"alice-session"}},
      {"sts:sourceidentity", {"alice@example.com"}},
      {"aws:sourceip", {"203.0.113.7"}},
      {"aws:currenttime", {"2024-01-02T03:04:05Z"}},
      {"aws:epochtime", {"1704164645"}},
      {"aws:tokenissuetime", {"2024-01-02T03:00:00Z"}},
      {"aws:multifactorauthpresent", {"true"}},
      {"aws:multifactorauthage", {"120"}},
      {"aws:securetransport", {"false"}},
      {"aws:requestedregion", {"us-east-1"}},
      {"aws:sourcearn", {"arn:aws:s3:::bucket/key"}},
      {"accounts.google.com:aud", {"client-1.apps.googleusercontent.com"}},
      {"accounts.google.com:sub", {"1234567890"}},
      {"oidc.example.com:amr", {"authenticated", "mfa"}},
      {"saml:aud", {"https://signin.aws.amazon.com/saml"}},
      {"saml:sub", {"alice"}},
      {"saml:edupersonaffiliation", {"staff", "member"}},
      {"test:binary", {"AQID"}},
      {"test:ipv6", {"2001:db8::1"}},
      {"test:number", {"-12.50"}},
      {"test:empty", {}},
  };
}

std::vector<PolicyRequest> requests() {
  std::vector<PolicyRequest> out;
  PolicyRequest user;
  user.action = "sts:AssumeRole";
  user.principal_type = RequesterType::Aws;
  user.principal_arn = "arn:aws:sts::111122223333:assumed-role/ci/session-1";
  user.principal_account = "111122223333";
  user.principal_aliases = {"arn:aws:iam::111122223333:role/ci"};
  user.resource = "arn:aws:iam::111122223333:role/deploy";
  user.context = context();
  out.push_back(user);

  PolicyRequest web = user;
  web.action = "sts:AssumeRoleWithWebIdentity";
  web.principal_type = RequesterType::Federated;
  web.principal_arn = "accounts.google.com";
  web.principal_account.clear();
  web.principal_aliases = {"arn:aws:iam::111122223333:oidc-provider/accounts.google.com"};
  out.push_back(web);

  PolicyRequest service = user;
  service.action = "sts:AssumeRole";
  service.principal_type = RequesterType::Service;
  service.principal_arn = "ec2.amazonaws.com";
  service.principal_account.clear();
  service.principal_aliases.clear();
  out.push_back(service);

  PolicyRequest anonymous = user;
  anonymous.action = "s3:GetObject";
  anonymous.principal_type = RequesterType::Anonymous;
  anonymous.principal_arn.clear();
  anonymous.principal_account.clear();
  anonymous.principal_aliases.clear();
  anonymous.resource = "arn:aws:s3:::bucket/key";
  anonymous.context = {};
  out.push_back(anonymous);
  return out;
}

void check_evaluation(const Evaluation& e, std::size_t statement_count) {
  bool allow = false, deny = false;
  for (const auto& m : e.matched) {
    require(m.index < statement_count);
    (m.effect == Effect::Allow ? allow : deny) = true;
  }
  switch (e.decision) {
    case Decision::Allow: require(allow && !deny); break;
    case Decision::ExplicitDeny: require(deny); break;
    case Decision::ImplicitDeny: require(!deny); break;
  }
}

bool same(const Evaluation& a, const Evaluation& b) {
  if (a.decision != b.decision || a.matched.size() != b.matched.size()) return false;
  for (std::size_t i = 0; i < a.matched.size(); ++i)
    if (a.matched[i].index != b.matched[i].index || a.matched[i].sid != b.matched[i].sid ||
        a.matched[i].effect != b.matched[i].effect)
      return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 32 * 1024) return -1;  // IAM caps policies far below this
  static const std::vector<PolicyRequest> kRequests = requests();
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  const auto policy = Policy::parse(text);
  std::vector<Decision> decisions;
  if (policy)
    for (const auto& request : kRequests) {
      const Evaluation e = policy->evaluate(request);
      check_evaluation(e, policy->statements().size());
      require(same(e, policy->evaluate(request)));  // evaluation is a pure function
      decisions.push_back(e.decision);
    }
  (void)combine_decisions(decisions);
  if (policy) {
    (void)policy->version();
    for (const auto& st : policy->statements())
      for (const auto& c : st.conditions) require(parse_condition_operator(c.operator_name).has_value());
  }

  PolicyValidationOptions exists;
  exists.aws_principal_exists = [](std::string_view arn) { return arn.find("alice") != std::string_view::npos; };
  for (PolicyKind kind : {PolicyKind::Trust, PolicyKind::Identity, PolicyKind::Session}) {
    const auto error = policy_document_error(text, kind);
    if (error) require(!error->empty());
    if (!error) require(policy.has_value());
    if (kind == PolicyKind::Trust) (void)policy_document_error(text, kind, exists);
  }
  return 0;
}
