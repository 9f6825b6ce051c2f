#pragma once
// An action's result as an ordered element tree, independent of the wire
// format: protocol/ renders it as AWS's XML or as AWS's JSON (where
// timestamps become epoch seconds).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace stsd::service {

struct ResultNode {
  enum class Kind { Structure, String, Integer, Timestamp };

  std::string name;
  Kind kind = Kind::Structure;
  std::string text;         // String
  std::int64_t number = 0;  // Integer, Timestamp (epoch seconds)
  std::vector<ResultNode> children;

  // Children are moved in: a braced list would copy every subtree.
  template <class... Children>
  static ResultNode structure(std::string name, Children&&... children) {
    ResultNode node{std::move(name), Kind::Structure, {}, 0, {}};
    node.children.reserve(sizeof...(children));
    (node.children.push_back(std::forward<Children>(children)), ...);
    return node;
  }
  static ResultNode string(std::string name, std::string value) {
    return {std::move(name), Kind::String, std::move(value), 0, {}};
  }
  static ResultNode integer(std::string name, std::int64_t value) {
    return {std::move(name), Kind::Integer, {}, value, {}};
  }
  static ResultNode timestamp(std::string name, std::int64_t epoch_seconds) {
    return {std::move(name), Kind::Timestamp, {}, epoch_seconds, {}};
  }
};

}  // namespace stsd::service
