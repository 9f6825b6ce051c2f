#pragma once
// The console's documents, built only when someone asks (never on the
// request path): a request's summary for the live list, its full decision
// trace (GET /_stsd/requests/{id}), and the identities with their trust
// relationships. Values from requests are data in JSON strings; the page
// shows them as text.
#include <string>

#include "stsd/domain/decision_trace.h"
#include "stsd/domain/store.h"
#include "stsd/service/console/request_log.h"

namespace stsd::service::console {

// {"seq","time","request_id","service","action","principal","status",
//  "error_code","latency_us","user_agent","outcome"} as one line of JSON.
std::string summary_json(const RequestRecord& record);

// The summary plus "error_message", "remote_address" and "decision":
// every check (action, policies, statements, conditions with the request's
// actual and the expected values), the deciding rule in words, and for a
// denial the smallest statement that would have allowed it.
std::string trace_json(const RequestRecord& record);

// The decision part alone (what trace_json puts under "decision"), for tests.
std::string decision_json(const domain::DecisionTrace* trace, bool failed);

// Accounts, users, groups, roles (trust policies included), managed
// policies, identity providers, and the trust graph's edges
// {"from","to","actions","conditional"}. No secret (keys are listed by id).
std::string identities_json(const domain::Store& store);

}  // namespace stsd::service::console
