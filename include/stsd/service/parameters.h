#pragma once
// Decoded Query-protocol parameters of one request, in arrival order. As on
// AWS, the first value of a duplicated name wins (Action and Version too).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stsd::service {

class Parameters {
 public:
  // Keeps only the first value for a name already present.
  void add(std::string name, std::string value) {
    if (find(name) != nullptr) return;
    items_.emplace_back(std::move(name), std::move(value));
  }
  const std::string* find(std::string_view name) const {
    for (const auto& [k, v] : items_)
      if (k == name) return &v;
    return nullptr;
  }
  bool contains(std::string_view name) const { return find(name) != nullptr; }
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }
  std::size_t size() const { return items_.size(); }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

}  // namespace stsd::service
