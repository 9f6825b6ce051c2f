#pragma once
// Decoded Query-protocol parameters of one request, in arrival order. As on
// AWS, the first value of a duplicated name wins (Action and Version too).
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace stsd::service {

class Parameters {
 public:
  // Keeps only the first value for a name already present.
  void add(std::string name, std::string value) {
    if (!index_.try_emplace(name, items_.size()).second) return;
    items_.emplace_back(std::move(name), std::move(value));
  }
  const std::string* find(std::string_view name) const {
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : &items_[it->second].second;
  }
  bool contains(std::string_view name) const { return find(name) != nullptr; }
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }
  std::size_t size() const { return items_.size(); }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
  // Looked up by string_view without building a std::string (C++20
  // heterogeneous lookup).
  struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view name) const { return std::hash<std::string_view>{}(name); }
  };
  std::unordered_map<std::string, std::size_t, NameHash, std::equal_to<>> index_;  // name -> position in items_
};

}  // namespace stsd::service
