// Delegation requests (IAM temporary delegation): a partner creates a
// request, the customer associates, accepts (or rejects) it and sends the
// trade-in token that STS GetDelegatedAccessToken exchanges, once, for
// credentials of the approver. States, lifetimes and who may do what:
// docs/DELEGATION.md (facts with their sources, and stsd's choices where AWS
// documents none, error texts among them).
#include "common.h"

#include <cstdio>
#include <variant>

#include "stsd/crypto/crypto.h"
#include "stsd/domain/arn.h"
#include "stsd/service/access_denied.h"
#include "stsd/service/authorization.h"
#include "stsd/service/session_options.h"

namespace stsd::service::iam {

namespace {

using domain::DelegationState;

// Root may approve delegations of at most 4 hours (IAM User Guide, "IAM
// temporary delegation").
constexpr std::int64_t kRootMaxSessionDuration = 4 * 3600;
constexpr std::size_t kMaxRequestorName = 30;

Unexpected<StsError> no_such_request(std::string_view id) {
  return no_such_entity("The delegation request with id " + std::string(id) + " cannot be found.");
}

Unexpected<StsError> wrong_state(const domain::DelegationRequest& r, std::int64_t now, std::string_view verb) {
  return invalid_input("Delegation request " + r.id + " is " + std::string(domain::delegation_state_name(r, now)) +
                       " and cannot be " + std::string(verb) + ".");
}

// What a policy names a request by (stsd's choice: the Service Authorization
// Reference's form is not recorded here).
std::string request_arn(const domain::DelegationRequest& r, const Context& ctx) {
  return "arn:" + std::string(ctx.partition) + ":iam::" +
         (r.owner_account.empty() ? r.requestor_account : r.owner_account) + ":delegation-request/" + r.id;
}

// Who may see a request: its requestor's account, its target account, or
// anyone while no target account is set (GetDelegationRequest's documentation).
bool visible(const domain::DelegationRequest& r, const Context& ctx) {
  return r.owner_account.empty() || r.owner_account == ctx.account || r.requestor_account == ctx.account;
}

Result<domain::DelegationRequest> visible_request(const domain::Store& store, const Context& ctx, std::string_view id) {
  const domain::DelegationRequest* r = store.find_delegation_request(id);
  if (r == nullptr || !visible(*r, ctx)) return no_such_request(id);
  return *r;
}

// Accept, Reject, Update, Send: identities of the account that associated
// the request. Others who can see an associated request (the partner) are
// refused; an unassociated one fails on its state.
Result<domain::DelegationRequest> owned_request(const domain::Store& store, const Context& ctx, std::string_view id,
                                                std::string_view action) {
  auto r = visible_request(store, ctx, id);
  if (!r) return r;
  if (r->state != DelegationState::Unassigned && r->owner_account != ctx.account)
    return unexpected(not_authorized(ctx.caller, "iam:" + std::string(action), request_arn(*r, ctx)));
  return r;
}

// One transition as one store update: read, check and change the newest
// snapshot's request, then put it.
template <class Edit>
Result<void> change_request(const Context& ctx, std::string_view id, std::string_view action, Edit edit) {
  return change_entity(
      ctx, [&](const domain::Store& store) { return owned_request(store, ctx, id, action); },
      [&](const domain::Store& store, domain::DelegationRequest& r) -> Result<void> {
        if (auto ok = edit(store, r); !ok) return ok;
        r.updated_time = ctx.clock.now();
        return {};
      },
      &domain::StoreEditor::put_delegation_request);
}

bool in_state(const domain::DelegationRequest& r, std::int64_t now, std::initializer_list<DelegationState> states) {
  if (domain::delegation_expired(r, now)) return false;
  return std::find(states.begin(), states.end(), r.state) != states.end();
}

// The partner's policy template, when it names a managed policy stsd holds
// (stsd has no catalogue of registered templates).
const domain::ManagedPolicy* template_policy(const domain::Store& store, const domain::DelegationRequest& r) {
  return r.policy_template_arn.empty() ? nullptr : store.find_managed_policy_entry(r.policy_template_arn);
}

DelegationRequest request_shape(const domain::Store& store, const domain::DelegationRequest& r, std::int64_t now) {
  DelegationRequest out;
  out.DelegationRequestId = r.id;
  if (!r.owner_account.empty()) out.OwnerAccountId = r.owner_account;
  out.Description = r.description;
  if (!r.request_message.empty()) out.RequestMessage = r.request_message;
  DelegationPermission permissions;
  if (!r.policy_template_arn.empty()) permissions.PolicyTemplateArn = r.policy_template_arn;
  if (!r.parameters.empty()) {
    permissions.Parameters.emplace();
    for (const auto& p : r.parameters) permissions.Parameters->push_back(PolicyParameter{p.name, p.values, p.type});
  }
  out.Permissions = std::move(permissions);
  if (const domain::ManagedPolicy* p = template_policy(store, r)) out.PermissionPolicy = p->document().text;
  if (!r.owner_id.empty()) out.OwnerId = r.owner_id;
  if (!r.approver_id.empty()) out.ApproverId = r.approver_id;
  out.State = std::string(domain::delegation_state_name(r, now));
  out.ExpirationTime = Timestamp{domain::delegation_expiration_time(r)};
  out.RequestorId = r.requestor_account;
  if (const domain::Account* a = store.find_account(r.requestor_account); a != nullptr && !a->alias.empty())
    out.RequestorName = a->alias.substr(0, kMaxRequestorName);
  out.CreateDate = Timestamp{r.create_date};
  out.SessionDuration = r.session_duration;
  if (!r.redirect_url.empty()) out.RedirectUrl = r.redirect_url;
  if (!r.notes.empty()) out.Notes = r.notes;
  if (!r.rejection_reason.empty()) out.RejectionReason = r.rejection_reason;
  out.OnlySendByOwner = r.only_send_by_owner;
  out.UpdatedTime = Timestamp{r.updated_time};
  return out;
}

// The identity the delegated credentials will carry: the accepting caller's
// (its session's bounds included), without keys or times.
domain::Session approver_of(const Caller& caller) {
  domain::Session a;
  if (caller.session) {
    a = *caller.session;
    a.access_key_id.clear();
    a.secret_access_key.clear();
    a.issued_at = 0;
    a.expiration = 0;
  } else {
    a.principal_type = caller.principal_type;
    a.account = caller.account;
    a.arn = caller.arn;
    a.user_id = caller.user_id;
    a.source_arn = caller.arn;
  }
  a.type = domain::CredentialType::Delegated;
  return a;
}

// "<12-digit create time>-<id>": lists in creation order, stable across pages.
std::string list_key(const domain::DelegationRequest& r) {
  char when[24];
  std::snprintf(when, sizeof when, "%012lld-", static_cast<long long>(r.create_date));
  return when + r.id;
}

// A random UUID (version 4), the form of AWS's sample ids.
std::string new_request_id() {
  std::string b = crypto::random_bytes(16);
  b[6] = static_cast<char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<char>((b[8] & 0x3f) | 0x80);
  const std::string hex = crypto::hex_encode(b);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20);
}

}  // namespace

Result<CreateDelegationRequestResponse> create_delegation_request(const CreateDelegationRequestRequest& req,
                                                                  const Context& ctx) {
  // "At this time, only SNS topic ARNs are accepted" (the model's NotificationChannel).
  const auto channel = domain::Arn::parse(req.NotificationChannel);
  if (!channel || channel->service != "sns" || channel->account.empty() || channel->resource.empty())
    return invalid_input("NotificationChannel must be the ARN of an Amazon SNS topic.");
  if (req.Permissions.PolicyTemplateArn && !domain::Arn::parse(*req.Permissions.PolicyTemplateArn))
    return invalid_input("ARN " + *req.Permissions.PolicyTemplateArn + " is not valid.");
  return ctx.store.update<CreateDelegationRequestResponse>(
      [&](domain::StoreEditor& editor) -> Result<CreateDelegationRequestResponse> {
        // "IAM maintains a uniqueness check on this workflow id" (the model).
        bool taken = false;
        editor.view().for_each_delegation_request([&](const domain::DelegationRequest& r) {
          if (r.requestor_account == ctx.account && r.workflow_id == req.RequestorWorkflowId) taken = true;
        });
        if (taken)
          return already_exists("A delegation request with RequestorWorkflowId " + req.RequestorWorkflowId +
                                " already exists.");
        domain::DelegationRequest r;
        r.id = new_request_id();
        r.requestor_account = ctx.account;
        r.owner_account = req.OwnerAccountId.value_or("");
        r.description = req.Description;
        r.request_message = req.RequestMessage.value_or("");
        r.policy_template_arn = req.Permissions.PolicyTemplateArn.value_or("");
        if (req.Permissions.Parameters)
          for (const auto& p : *req.Permissions.Parameters)
            r.parameters.push_back({p.Name.value_or(""), p.Values.value_or(std::vector<std::string>{}),
                                    p.Type.value_or("string")});
        r.workflow_id = req.RequestorWorkflowId;
        r.redirect_url = req.RedirectUrl.value_or("");
        r.notification_channel = req.NotificationChannel;
        r.session_duration = req.SessionDuration;
        r.only_send_by_owner = req.OnlySendByOwner.value_or(false);
        r.create_date = r.updated_time = ctx.clock.now();
        const domain::DelegationRequest& put = editor.put_delegation_request(std::move(r));
        // stsd's own console link: there is no console to open.
        return CreateDelegationRequestResponse{
            "https://console.aws.amazon.com/iam/home#/temporary-delegation/requests/" + put.id, put.id};
      });
}

// DelegationPermissionCheck, "an approximate result": every action of every
// Allow statement of the request's permission policy, on each of its
// resources, asked of the caller's own policies (boundary and session
// policies included) as a request of its own, wildcards taken as written
// ("s3:Get*" on "*" needs a grant that covers it all). ALLOWED when every
// one is allowed; DENIED when one is refused, since the caller cannot cover
// all that is asked; UNSURE when the policy is not known, a statement
// cannot be enumerated (NotAction, NotResource) or a refused statement has
// conditions (the caller may hold what they narrow it to).
std::string permission_check(const Context& ctx, const domain::DelegationRequest& r) {
  const domain::ManagedPolicy* policy = template_policy(ctx.snapshot, r);
  if (policy == nullptr || !policy->document().parsed || ctx.authorizer == nullptr) return "UNSURE";
  bool unsure = false;
  const std::vector<std::string> everything{"*"};
  for (const domain::Statement& s : policy->document().parsed->statements()) {
    if (s.effect != domain::Effect::Allow) continue;  // a Deny only narrows what is delegated
    if (s.not_action || s.not_resource) {
      unsure = true;
      continue;
    }
    for (const auto& action : s.actions)
      for (const auto& resource : s.has_resource ? s.resources : everything) {
        const auto request = caller_request(ctx.caller, action, resource, ctx.clock.now());
        if (ctx.authorizer->authorize(ctx.caller, nullptr, request)) continue;
        if (s.conditions.empty()) return "DENIED";
        unsure = true;
      }
  }
  return unsure ? "UNSURE" : "ALLOWED";
}

Result<GetDelegationRequestResponse> get_delegation_request(const GetDelegationRequestRequest& req,
                                                            const Context& ctx) {
  auto r = visible_request(ctx.snapshot, ctx, req.DelegationRequestId);
  if (!r) return unexpected(r.error());
  GetDelegationRequestResponse out;
  out.DelegationRequest = request_shape(ctx.snapshot, *r, ctx.clock.now());
  if (req.DelegationPermissionCheck.value_or(false)) {
    out.PermissionCheckStatus = "COMPLETE";  // computed at once: never IN_PROGRESS
    out.PermissionCheckResult = permission_check(ctx, *r);
  }
  return out;
}

Result<ListDelegationRequestsResponse> list_delegation_requests(const ListDelegationRequestsRequest& req,
                                                                const Context& ctx) {
  // The caller's account's owned requests ("a delegation request [with] no
  // owner ... will not be part of the output"), and those it made as requestor.
  std::vector<const domain::DelegationRequest*> found;
  ctx.snapshot.for_each_delegation_request([&](const domain::DelegationRequest& r) {
    const bool owned = !r.owner_id.empty() && r.owner_account == ctx.account;
    if (!owned && r.requestor_account != ctx.account) return;
    if (req.OwnerId && r.owner_id != *req.OwnerId) return;
    found.push_back(&r);
  });
  auto page = paginate(std::move(found), [](const domain::DelegationRequest* r) { return list_key(*r); }, req.Marker,
                       req.MaxItems);
  if (!page) return unexpected(page.error());
  ListDelegationRequestsResponse out;
  const std::int64_t now = ctx.clock.now();
  out.DelegationRequests.emplace();
  for (const auto* r : page->items) out.DelegationRequests->push_back(request_shape(ctx.snapshot, *r, now));
  out.isTruncated = page->is_truncated;
  out.Marker = page->marker;
  return out;
}

Result<AssociateDelegationRequestResponse> associate_delegation_request(
    const AssociateDelegationRequestRequest& req, const Context& ctx) {
  auto ok = change_entity(
      ctx, [&](const domain::Store& store) { return visible_request(store, ctx, req.DelegationRequestId); },
      [&](const domain::Store&, domain::DelegationRequest& r) -> Result<void> {
        const std::int64_t now = ctx.clock.now();
        if (!in_state(r, now, {DelegationState::Unassigned})) return wrong_state(r, now, "associated");
        // A request made for another account: only that account may claim it.
        if (!r.owner_account.empty() && r.owner_account != ctx.account)
          return unexpected(not_authorized(ctx.caller, "iam:AssociateDelegationRequest", request_arn(r, ctx)));
        r.owner_account = ctx.account;
        r.owner_id = ctx.caller.arn;
        r.state = DelegationState::Assigned;
        r.updated_time = now;
        return {};
      },
      &domain::StoreEditor::put_delegation_request);
  if (!ok) return unexpected(ok.error());
  return AssociateDelegationRequestResponse{};
}

Result<UpdateDelegationRequestResponse> update_delegation_request(const UpdateDelegationRequestRequest& req,
                                                                  const Context& ctx) {
  auto ok = change_request(ctx, req.DelegationRequestId, "UpdateDelegationRequest",
                           [&](const domain::Store&, domain::DelegationRequest& r) -> Result<void> {
                             const std::int64_t now = ctx.clock.now();
                             if (!in_state(r, now, {DelegationState::Assigned, DelegationState::PendingApproval}))
                               return wrong_state(r, now, "updated");
                             if (req.Notes) r.notes = *req.Notes;
                             r.state = DelegationState::PendingApproval;
                             return {};
                           });
  if (!ok) return unexpected(ok.error());
  return UpdateDelegationRequestResponse{};
}

Result<AcceptDelegationRequestResponse> accept_delegation_request(const AcceptDelegationRequestRequest& req,
                                                                  const Context& ctx) {
  auto ok = change_request(ctx, req.DelegationRequestId, "AcceptDelegationRequest",
                           [&](const domain::Store&, domain::DelegationRequest& r) -> Result<void> {
                             const std::int64_t now = ctx.clock.now();
                             if (!in_state(r, now, {DelegationState::Assigned, DelegationState::PendingApproval}))
                               return wrong_state(r, now, "accepted");
                             if (ctx.caller.is_root() && r.session_duration > kRootMaxSessionDuration)
                               return invalid_input("The root user can accept delegation requests with a "
                                                    "SessionDuration of at most 14400 seconds.");
                             r.approver_id = ctx.caller.arn;
                             r.approver = approver_of(ctx.caller);
                             r.state = DelegationState::Accepted;
                             return {};
                           });
  if (!ok) return unexpected(ok.error());
  return AcceptDelegationRequestResponse{};
}

Result<RejectDelegationRequestResponse> reject_delegation_request(const RejectDelegationRequestRequest& req,
                                                                  const Context& ctx) {
  auto ok = change_request(ctx, req.DelegationRequestId, "RejectDelegationRequest",
                           [&](const domain::Store&, domain::DelegationRequest& r) -> Result<void> {
                             const std::int64_t now = ctx.clock.now();
                             if (!in_state(r, now,
                                           {DelegationState::Assigned, DelegationState::PendingApproval,
                                            DelegationState::Accepted}))
                               return wrong_state(r, now, "rejected");
                             r.rejection_reason = req.Notes.value_or("");
                             r.approver.reset();
                             r.state = DelegationState::Rejected;
                             return {};
                           });
  if (!ok) return unexpected(ok.error());
  return RejectDelegationRequestResponse{};
}

Result<SendDelegationTokenResponse> send_delegation_token(const SendDelegationTokenRequest& req, const Context& ctx) {
  auto ok = change_request(ctx, req.DelegationRequestId, "SendDelegationToken",
                           [&](const domain::Store&, domain::DelegationRequest& r) -> Result<void> {
                             const std::int64_t now = ctx.clock.now();
                             if (!in_state(r, now, {DelegationState::Accepted})) return wrong_state(r, now, "sent");
                             if (r.only_send_by_owner && ctx.caller.arn != r.owner_id)
                               return unexpected(
                                   not_authorized(ctx.caller, "iam:SendDelegationToken", request_arn(r, ctx)));
                             // 256 bits from the CSPRNG; the delegation period starts now.
                             r.trade_in_token = crypto::base64url_encode(crypto::random_bytes(32));
                             r.finalized_at = now;
                             r.token_expiration = now + r.session_duration;
                             r.token_used = false;
                             r.state = DelegationState::Finalized;
                             return {};
                           });
  if (!ok) return unexpected(ok.error());
  return SendDelegationTokenResponse{};
}

}  // namespace stsd::service::iam
