#pragma once
// Decoded Query-protocol parameters of one request, in arrival order. As on
// AWS, the first value of a duplicated name wins (Action and Version too).
#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stsd::service {

class Parameters {
 public:
  // Keeps only the first value for a name already present.
  void add(std::string name, std::string value) {
    if (contains(name)) return;
    items_.emplace_back(std::move(name), std::move(value));
    if (items_.size() * 2 > slots_.size()) return rehash();
    insert(items_.size() - 1);
  }
  const std::string* find(std::string_view name) const {
    if (slots_.empty()) return nullptr;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = std::hash<std::string_view>{}(name) & mask;; i = (i + 1) & mask) {
      const std::uint32_t slot = slots_[i];
      if (slot == 0) return nullptr;
      if (items_[slot - 1].first == name) return &items_[slot - 1].second;
    }
  }
  bool contains(std::string_view name) const { return find(name) != nullptr; }
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }
  std::size_t size() const { return items_.size(); }

 private:
  // The index is a flat table of positions in items_ (linear probing, at most
  // half full): 8 bytes or so per name, where a node-based map took ~80 and
  // a copy of the name (a 10 MB form of a million names cost 80 MB in it).
  void rehash() {
    slots_.assign(std::max<std::size_t>(16, slots_.size() * 2), 0);
    for (std::size_t i = 0; i < items_.size(); ++i) insert(i);
  }
  void insert(std::size_t position) {
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = std::hash<std::string_view>{}(items_[position].first) & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = static_cast<std::uint32_t>(position + 1);
  }

  std::vector<std::pair<std::string, std::string>> items_;
  std::vector<std::uint32_t> slots_;  // 0: empty; else position in items_ + 1
};

}  // namespace stsd::service
