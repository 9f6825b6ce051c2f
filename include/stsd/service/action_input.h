#pragma once
// The validated, typed input of one STS action: a small value tree built by
// OperationModel::validate from the Query parameters. Every value in it has
// passed the service model's constraints, so actions read members without
// re-checking lengths, ranges or patterns.
//
// Member names are the model's wire names ("RoleArn", "DurationSeconds", and
// inside list items "Key"/"Value", lowercase "arn", "ProviderArn").
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stsd::service {

class InputValue {
 public:
  // Timestamps (none in STS inputs today) are kept as their raw string.
  enum class Kind { String, Integer, Boolean, List, Structure };

  static InputValue make_string(std::string text);
  static InputValue make_integer(std::int64_t number);
  static InputValue make_boolean(bool flag);
  static InputValue make_list(std::vector<InputValue> items);
  static InputValue make_structure();  // empty; fill with add_member

  // Structures only; keeps model order. A name added twice is a caller bug.
  // The name is not copied: it must outlive the value (the model's tables).
  void add_member(std::string_view name, InputValue value);

  Kind kind() const { return kind_; }

  // This value as a scalar; nullopt when it is of another kind.
  std::optional<std::string_view> as_string() const;
  std::optional<std::int64_t> as_integer() const;
  std::optional<bool> as_boolean() const;
  // List items; empty for a non-list.
  std::span<const InputValue> items() const;

  // Structure members (nullptr / nullopt / empty when absent or of another kind).
  const InputValue* find(std::string_view member) const;
  bool has(std::string_view member) const { return find(member) != nullptr; }
  std::optional<std::string_view> string(std::string_view member) const;
  std::optional<std::int64_t> integer(std::string_view member) const;
  std::optional<bool> boolean(std::string_view member) const;
  std::span<const InputValue> list(std::string_view member) const;
  const InputValue* structure(std::string_view member) const;

 private:
  explicit InputValue(Kind kind) : kind_(kind) {}

  Kind kind_;
  std::string text_;            // String
  std::int64_t number_ = 0;     // Integer, Boolean
  std::vector<InputValue> items_;  // List items, or Structure member values
  std::vector<std::string_view> names_;  // Structure member names, parallel to items_
};

// The root structure of an action's input. `has("Tags")` is true for an
// empty list sent as `Tags=`; list("Tags") is then empty.
class ActionInput {
 public:
  ActionInput() : root_(InputValue::make_structure()) {}
  explicit ActionInput(InputValue root) : root_(std::move(root)) {}

  bool has(std::string_view member) const { return root_.has(member); }
  std::optional<std::string_view> string(std::string_view member) const { return root_.string(member); }
  std::optional<std::int64_t> integer(std::string_view member) const { return root_.integer(member); }
  std::optional<bool> boolean(std::string_view member) const { return root_.boolean(member); }
  std::span<const InputValue> list(std::string_view member) const { return root_.list(member); }
  const InputValue* structure(std::string_view member) const { return root_.structure(member); }

  const InputValue& root() const { return root_; }

 private:
  InputValue root_;
};

}  // namespace stsd::service
