#pragma once
// The constant tables scripts/gen_model.py emits from a botocore model
// (<service>_model_generated.cpp). Private to stsd_model: the rest of the
// server sees only OperationModel and ActionInput.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace stsd::service::model_detail {

// An inclusive code-point range; a pattern's ranges are sorted and disjoint.
struct CodePointRange {
  char32_t first;
  char32_t last;
};

// A model pattern: `[class]*` or `[class]+` precompiled to its class ranges,
// or any other form as an ECMAScript regular expression.
struct PatternSpec {
  std::string_view source;  // verbatim from the model, quoted in messages
  std::span<const CodePointRange> ranges;
  bool allow_empty;  // `*` rather than `+`
  std::string_view regex;  // non-empty: match this instead of the ranges
};

// Regular-expression patterns are matched only on values up to this many
// bytes; longer ones do not match (the generator refuses a shape with such a
// pattern whose max length is larger).
inline constexpr std::size_t kMaxRegexInput = 4096;

enum class ShapeKind : std::uint8_t { String, Integer, Long, Boolean, Timestamp, List, Structure };

struct MemberSpec {
  std::string_view name;  // wire name, e.g. "RoleArn", "arn"
  std::uint16_t shape;    // index into shapes()
  bool required;
};

struct ShapeSpec {
  std::string_view name;
  ShapeKind kind;
  std::optional<std::int64_t> min;  // length (string, list) or value (integer, long)
  std::optional<std::int64_t> max;
  const PatternSpec* pattern;  // strings only; nullptr when none
  std::span<const std::string_view> enum_values;
  bool sensitive;  // AWS leaves the value out of validation messages
  std::uint16_t member_shape;  // lists: index of the item shape
  std::span<const MemberSpec> members;  // structures, in model order
};

// OperationSpec::input_shape of an operation without input.
inline constexpr std::uint16_t kNoInput = 0xFFFF;

struct OperationSpec {
  std::string_view name;
  std::uint16_t input_shape;  // or kNoInput
  bool no_auth;  // authtype none / smithy.api#noAuth
};

struct ServiceSpec {
  std::string_view signing_name;  // "sts", "iam"
  std::string_view api_version;
  std::string_view xml_namespace;
  std::span<const ShapeSpec> shapes;
  std::span<const OperationSpec> operations;
  // ValidationError texts echo values and list enum values (STS), or not (IAM).
  bool echo_values;
};

const ServiceSpec& sts_service();
const ServiceSpec& iam_service();

}  // namespace stsd::service::model_detail
