// GetDelegatedAccessToken: the partner exchanges the trade-in token of a
// FINALIZED delegation request (IAM SendDelegationToken) for temporary
// credentials of the principal that accepted the request. The token is
// single use and exchangeable until the delegation period ends
// (SendDelegationToken + SessionDuration), when the credentials expire too.
// Any token that cannot be exchanged (unknown, another account's, spent,
// expired) is ExpiredTradeInTokenException, the operation's one modelled
// token error; the texts are stsd's own (docs/DELEGATION.md).
#include <variant>

#include "stsd/service/session_options.h"
#include "stsd/service/sts/actions.h"

namespace stsd::service::sts {

namespace {

Unexpected<StsError> unusable(std::string message) {
  return fail(ErrorCode::ExpiredTradeInToken, std::move(message));
}

// The IAM entity whose permissions the credentials carry: the role of a role
// session, else the user (or root) itself.
std::string assumed_principal(const domain::Session& approver) {
  return approver.principal_type == domain::PrincipalType::AssumedRole ? approver.source_arn : approver.arn;
}

}  // namespace

Result<GetDelegatedAccessTokenResponse> get_delegated_access_token(const GetDelegatedAccessTokenRequest& in,
                                                                   const Context& ctx) {
  if (ctx.writes == nullptr) return fail(ErrorCode::InternalFailure, "The trade-in token cannot be spent here.");
  const Caller& caller = *ctx.caller;
  const std::int64_t now = ctx.clock.now();
  // Spending the token and reading what it grants are one store update, so
  // two exchanges of one token never both succeed.
  auto approver = ctx.writes->update<domain::DelegationRequest>(
      [&](domain::StoreEditor& editor) -> Result<domain::DelegationRequest> {
        const domain::DelegationRequest* found = editor.view().find_delegation_by_token(in.TradeInToken);
        // Only the partner that made the request may exchange its token.
        if (found == nullptr || found->requestor_account != caller.account || !found->approver)
          return unusable("The trade-in token is not valid.");
        if (found->token_used) return unusable("The trade-in token has already been exchanged for credentials.");
        if (now >= found->token_expiration) return unusable("The trade-in token has expired.");
        if (!editor.view().session_principal_exists(*found->approver))
          return unusable("The principal that accepted the delegation request no longer exists.");
        domain::DelegationRequest spent = *found;
        spent.token_used = true;
        return editor.put_delegation_request(std::move(spent));
      });
  if (!approver) return unexpected(approver.error());

  domain::Session s = *approver->approver;
  s.type = domain::CredentialType::Delegated;
  s.issued_at = now;
  s.expiration = approver->token_expiration;
  // The partner's policy template, when stsd holds it as a managed policy,
  // bounds every decision made with the credentials (as a scope-down policy).
  if (!approver->policy_template_arn.empty())
    if (const domain::ManagedPolicy* p = ctx.store.find_managed_policy_entry(approver->policy_template_arn))
      s.scope_policies.push_back(p->document().text);
  auto issued = issue_session(s, ctx.tokens, std::nullopt);
  // PackedPolicySize "is not populated for GetDelegatedAccessToken" (STS API reference).
  return GetDelegatedAccessTokenResponse{.Credentials = issued.credentials,
                                         .PackedPolicySize = std::nullopt,
                                         .AssumedPrincipal = assumed_principal(s)};
}

}  // namespace stsd::service::sts
