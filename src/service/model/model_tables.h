#pragma once
// The constant tables scripts/gen_sts_model.py emits from the botocore STS
// model (sts_model_generated.cpp). Private to stsd_model: the rest of the
// server sees only OperationModel and ActionInput.
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

// A model pattern `[class]*` or `[class]+`, precompiled to its class ranges.
struct PatternSpec {
  std::string_view source;  // verbatim from the model, quoted in messages
  std::span<const CodePointRange> ranges;
  bool allow_empty;  // `*` rather than `+`
};

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

struct OperationSpec {
  std::string_view name;
  std::uint16_t input_shape;
  std::string_view result_wrapper;  // e.g. "AssumeRoleResult"
  bool no_auth;  // authtype none / smithy.api#noAuth
};

std::span<const ShapeSpec> shapes();
std::span<const OperationSpec> operations();

}  // namespace stsd::service::model_detail
