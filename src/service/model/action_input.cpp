#include "stsd/service/action_input.h"

#include <cassert>

namespace stsd::service {

InputValue InputValue::make_string(std::string text) {
  InputValue v(Kind::String);
  v.text_ = std::move(text);
  return v;
}

InputValue InputValue::make_integer(std::int64_t number) {
  InputValue v(Kind::Integer);
  v.number_ = number;
  return v;
}

InputValue InputValue::make_boolean(bool flag) {
  InputValue v(Kind::Boolean);
  v.number_ = flag ? 1 : 0;
  return v;
}

InputValue InputValue::make_list(std::vector<InputValue> items) {
  InputValue v(Kind::List);
  v.items_ = std::move(items);
  return v;
}

InputValue InputValue::make_structure() { return InputValue(Kind::Structure); }

void InputValue::add_member(std::string_view name, InputValue value) {
  assert(kind_ == Kind::Structure);
  assert(find(name) == nullptr);
  names_.push_back(name);
  items_.push_back(std::move(value));
}

std::optional<std::string_view> InputValue::as_string() const {
  if (kind_ != Kind::String) return std::nullopt;
  return std::string_view(text_);
}

std::optional<std::int64_t> InputValue::as_integer() const {
  if (kind_ != Kind::Integer) return std::nullopt;
  return number_;
}

std::optional<bool> InputValue::as_boolean() const {
  if (kind_ != Kind::Boolean) return std::nullopt;
  return number_ != 0;
}

std::span<const InputValue> InputValue::items() const {
  if (kind_ != Kind::List) return {};
  return items_;
}

const InputValue* InputValue::find(std::string_view member) const {
  if (kind_ != Kind::Structure) return nullptr;
  // A handful of members at most: a linear scan beats any index.
  for (std::size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == member) return &items_[i];
  return nullptr;
}

std::optional<std::string_view> InputValue::string(std::string_view member) const {
  const InputValue* v = find(member);
  return v ? v->as_string() : std::nullopt;
}

std::optional<std::int64_t> InputValue::integer(std::string_view member) const {
  const InputValue* v = find(member);
  return v ? v->as_integer() : std::nullopt;
}

std::optional<bool> InputValue::boolean(std::string_view member) const {
  const InputValue* v = find(member);
  return v ? v->as_boolean() : std::nullopt;
}

std::span<const InputValue> InputValue::list(std::string_view member) const {
  const InputValue* v = find(member);
  return v ? v->items() : std::span<const InputValue>{};
}

const InputValue* InputValue::structure(std::string_view member) const {
  const InputValue* v = find(member);
  return v && v->kind_ == Kind::Structure ? v : nullptr;
}

}  // namespace stsd::service
