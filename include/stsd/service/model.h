#pragma once
// The service models of STS and IAM (generated from botocore by
// scripts/gen_model.py) and the Query-protocol input layer built on them: decoding flattened
// parameters into an ActionInput and enforcing every member constraint with
// AWS's exact ValidationError / MalformedInput texts, as live AWS answers
// them: the argmin STS oracle (github.com/justincormack/argmin,
// crates/s3-tests/src/bin/sts_oracle.rs) and LocalStack's snapshots recorded
// against AWS (github.com/localstack/localstack,
// tests/aws/services/sts/test_sts.snapshot.json).
//
// Decoding (AWS Query protocol):
//   scalar member            RoleArn=...
//   list of scalars          TransitiveTagKeys.member.1=...  (N from 1; items in numeric order)
//   list of structures       Tags.member.1.Key=...  PolicyArns.member.1.arn=...
//   structure member         TaskPolicyArn.arn=...
//   empty list               Tags=   (what botocore sends for [])
// Unknown parameters are ignored; for a repeated name the first value wins
// (Parameters already keeps only that one).
#include <string_view>

#include "stsd/common/sts_error.h"
#include "stsd/service/action_input.h"
#include "stsd/service/parameters.h"

namespace stsd::service {

namespace model_detail {
struct OperationSpec;
struct ServiceSpec;
}  // namespace model_detail

enum class Service { Sts, Iam };

// What the wire says about a service.
struct ServiceInfo {
  std::string_view signing_name;   // the SigV4 scope's service: "sts", "iam"
  std::string_view api_version;    // the Version parameter
  std::string_view xml_namespace;  // of its response envelopes
};

const ServiceInfo& service_info(Service service);

class OperationModel {
 public:
  OperationModel(const model_detail::ServiceSpec& service, const model_detail::OperationSpec& spec)
      : service_(&service), spec_(&spec) {}

  std::string_view name() const;
  // False for the noAuth operations (AssumeRoleWithSAML, AssumeRoleWithWebIdentity).
  bool requires_signature() const;

  // Decodes and validates the operation's input members.
  // Errors: MalformedInput for an unparsable number (no message, or
  // "missing value for decimal type" when empty); otherwise one
  // ValidationError listing every violated constraint and missing required
  // member in model member order ("N validation errors detected: ...").
  Result<ActionInput> validate(const Parameters& params) const;

 private:
  const model_detail::ServiceSpec* service_;
  const model_detail::OperationSpec* spec_;
};

// nullptr for a name the model does not know (case-sensitive, as on AWS).
const OperationModel* find_operation(Service service, std::string_view name);

}  // namespace stsd::service
