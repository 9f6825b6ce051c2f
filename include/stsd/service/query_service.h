#pragma once
// The Query protocol's steps, the same for STS and IAM (one runner): the
// operation named by Action and Version, the caller from the signature (when
// the operation needs one), the input validated against the service model,
// the service's rules on who may call it, then the typed action from the
// service's generated dispatch table (src/service/<svc>/dispatch_generated.cpp).
#include <algorithm>
#include <span>
#include <string>
#include <string_view>

#include "stsd/common/sts_error.h"
#include "stsd/domain/clock.h"
#include "stsd/domain/decision_trace.h"
#include "stsd/domain/session_token.h"
#include "stsd/domain/store.h"
#include "stsd/service/action_input.h"
#include "stsd/service/authenticator.h"
#include "stsd/service/model.h"
#include "stsd/service/parameters.h"
#include "stsd/service/result_node.h"
#include "stsd/sigv4/sigv4.h"

namespace stsd::service {

// "Could not find operation X for version Y" (STS and IAM alike).
StsError invalid_action(std::string_view action, std::string_view version);

struct Outcome {
  Result<ResultNode> result;
  std::string action;         // the operation's name when dispatch succeeded
  std::string principal_arn;  // for the request log
  domain::DecisionTrace trace = {};  // the decisions behind the answer (empty: no policy took part)
};

// One row of a generated dispatch table, sorted by operation.
template <class Context>
struct ActionEntry {
  std::string_view operation;
  Result<ResultNode> (*run)(const ActionInput&, const Context&);
};

template <class Context>
const ActionEntry<Context>* find_action(std::span<const ActionEntry<Context>> table, std::string_view operation) {
  auto it = std::lower_bound(table.begin(), table.end(), operation,
                             [](const ActionEntry<Context>& e, std::string_view name) { return e.operation < name; });
  return it != table.end() && it->operation == operation ? &*it : nullptr;
}

// A typed action on validated input: the request struct read from it, the
// response struct written under the operation's result wrapper (none when
// empty: the envelope then has no Result element).
template <class Request, class Response, class Context>
Result<ResultNode> run_typed(Result<Response> (*action)(const Request&, const Context&), const ActionInput& input,
                             const Context& context, std::string_view result_wrapper) {
  Request request;
  from_input(input.root(), request);
  auto response = action(request, context);
  if (!response) return unexpected(std::move(response).error());
  ResultNode node = ResultNode::structure(std::string(result_wrapper));
  to_result(node, *response);
  return node;
}

class QueryService {
 public:
  virtual ~QueryService() = default;

  // params must contain Action (the protocol layer answers its absence).
  Outcome handle(const Parameters& params, const sigv4::Request& request) const;

 protected:
  QueryService(Service service, domain::StoreHolder& store, AuthMode mode, const domain::SessionTokenCodec& tokens,
               const domain::Clock& clock)
      : store_(store), clock_(clock), service_(service), authenticator_(mode, tokens, clock) {}

  // One request after authentication and validation.
  struct Call {
    const OperationModel& operation;
    const Parameters& params;
    const ActionInput& input;
    const sigv4::Request& request;
    const Authenticated* auth;  // nullptr for the unsigned operations
    const domain::Store& store;  // the snapshot the request was authenticated against
    domain::DecisionTrace* trace;  // where the decisions are recorded
  };

  // The service's rules on who may call the operation.
  virtual Result<void> authorize(const Call& call) const = 0;
  // The action; InvalidAction when the service does not implement it.
  virtual Result<ResultNode> run(const Call& call) const = 0;

  domain::StoreHolder& store_;
  const domain::Clock& clock_;

 private:
  Service service_;
  Authenticator authenticator_;
};

// The answer for an operation the model has and stsd does not implement.
StsError not_implemented(std::string_view operation);

}  // namespace stsd::service
