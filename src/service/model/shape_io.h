#pragma once
// Generic halves of the generated from_input / to_result functions: one
// overload per member type, so the generated code is one line per member.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "stsd/crypto/crypto.h"
#include "stsd/service/action_input.h"
#include "stsd/service/result_node.h"
#include "stsd/service/shape_types.h"

namespace stsd::service::model_detail {

// --- validated input -> struct members ----------------------------------------
// Values have passed the model's constraints, so the kinds always agree.

inline void read(const InputValue& v, std::string& out) { out = std::string(v.as_string().value_or("")); }
inline void read(const InputValue& v, std::int64_t& out) { out = v.as_integer().value_or(0); }
inline void read(const InputValue& v, bool& out) { out = v.as_boolean().value_or(false); }
inline void read(const InputValue& v, Blob& out) { out.bytes = std::string(v.as_string().value_or("")); }
// ISO 8601 parsing of input timestamps is not needed by any input stsd reads.
inline void read(const InputValue&, Timestamp& out) { out.seconds = 0; }

template <class T>
auto read(const InputValue& v, T& out) -> decltype(from_input(v, out)) {
  from_input(v, out);
}

template <class T>
void read(const InputValue& v, std::vector<T>& out) {
  out.clear();
  out.reserve(v.items().size());
  for (const InputValue& item : v.items()) read(item, out.emplace_back());
}

template <class T>
void read(const InputValue& v, std::optional<T>& out) {
  read(v, out.emplace());
}

// --- struct members -> result tree ---------------------------------------------

inline void write(ResultNode& parent, std::string_view name, const std::string& v) {
  parent.children.push_back(ResultNode::string(std::string(name), v));
}
inline void write(ResultNode& parent, std::string_view name, std::int64_t v) {
  parent.children.push_back(ResultNode::integer(std::string(name), v));
}
inline void write(ResultNode& parent, std::string_view name, bool v) {
  parent.children.push_back(ResultNode::string(std::string(name), v ? "true" : "false"));
}
inline void write(ResultNode& parent, std::string_view name, const Timestamp& v) {
  parent.children.push_back(ResultNode::timestamp(std::string(name), v.seconds));
}
inline void write(ResultNode& parent, std::string_view name, const Blob& v) {
  parent.children.push_back(ResultNode::string(std::string(name), crypto::base64_encode(v.bytes)));
}

template <class T>
auto write(ResultNode& parent, std::string_view name, const T& v) -> decltype(to_result(parent, v)) {
  ResultNode node = ResultNode::structure(std::string(name));
  to_result(node, v);
  parent.children.push_back(std::move(node));
}

// Query-protocol lists: <Name><member>...</member>...</Name>.
template <class T>
void write(ResultNode& parent, std::string_view name, const std::vector<T>& items) {
  ResultNode list = ResultNode::structure(std::string(name));
  list.children.reserve(items.size());
  for (const T& item : items) write(list, "member", item);
  parent.children.push_back(std::move(list));
}

// Query-protocol maps: <Name><entry><key/><value/></entry>...</Name>.
template <class K, class V>
void write(ResultNode& parent, std::string_view name, const std::vector<std::pair<K, V>>& entries) {
  ResultNode map = ResultNode::structure(std::string(name));
  for (const auto& [key, value] : entries) {
    ResultNode entry = ResultNode::structure("entry");
    write(entry, "key", key);
    write(entry, "value", value);
    map.children.push_back(std::move(entry));
  }
  parent.children.push_back(std::move(map));
}

template <class T>
void write(ResultNode& parent, std::string_view name, const std::optional<T>& v) {
  if (v) write(parent, name, *v);
}

}  // namespace stsd::service::model_detail
