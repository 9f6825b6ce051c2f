#pragma once
// What every IAM action gets. An action is one function
// `Result<XResponse> x(const XRequest&, const Context&)` (request and
// response structs generated from botocore's IAM model into shapes.h),
// defined in the file of its resource family under src/service/iam/;
// scripts/gen_model.py finds it there and writes the dispatch table
// (dispatch_generated.cpp).
#include <span>
#include <string>
#include <string_view>

#include "stsd/common/sts_error.h"
#include "stsd/domain/clock.h"
#include "stsd/domain/store.h"
#include "stsd/service/caller.h"
#include "stsd/service/iam/shapes.h"
#include "stsd/service/query_service.h"

namespace stsd::service {
class Authorizer;
}

namespace stsd::service::iam {

struct Context {
  const Caller& caller;
  // The snapshot the request was authenticated against: reads.
  const domain::Store& snapshot;
  // Writes: StoreHolder::update checks and edits the newest snapshot as one
  // step, so two writers never both create the same name.
  domain::StoreHolder& store;
  const domain::Clock& clock;
  // Every entity an IAM call names is in the caller's account.
  const std::string& account;
  // The partition of the request's signing region.
  std::string_view partition = "aws";
  // The caller's decisions, for answers that ask about them (a delegation
  // request's permission check); nullptr: none.
  const Authorizer* authorizer = nullptr;
};

// The implemented operations (generated), sorted by name.
std::span<const ActionEntry<Context>> actions();

}  // namespace stsd::service::iam
