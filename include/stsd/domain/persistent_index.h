#pragma once
// A string-keyed map of immutable entities with cheap snapshots: copying an
// index shares everything, and changing a copy clones only the path to the
// key's shard: the top array (64 pointers), one middle array (64 pointers)
// and the shard itself, one of 4,096, holding about n/4,096 entries. So one
// IAM write costs the same with 100 or 100,000 entities (bench/iam.sh
// measures it), and readers of an older snapshot are never disturbed (they
// hold their own shared pointers).
#include <array>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace stsd::domain {

template <class T>
class PersistentIndex {
 public:
  using Value = std::shared_ptr<const T>;

  PersistentIndex() : top_(std::make_shared<Top>()) {}

  const T* find(std::string_view key) const {
    const Shard* shard = shard_at(shard_of(key));
    if (shard == nullptr) return nullptr;
    auto it = shard->find(key);
    return it == shard->end() ? nullptr : it->second.get();
  }
  Value find_shared(std::string_view key) const {
    const Shard* shard = shard_at(shard_of(key));
    if (shard == nullptr) return nullptr;
    auto it = shard->find(key);
    return it == shard->end() ? nullptr : it->second;
  }
  bool contains(std::string_view key) const { return find(key) != nullptr; }
  std::size_t size() const { return size_; }

  // Inserts or replaces.
  void put(std::string_view key, Value value) {
    Shard& shard = writable(shard_of(key));
    auto it = shard.find(key);
    if (it == shard.end()) {
      shard.emplace(std::string(key), std::move(value));
      ++size_;
    } else {
      it->second = std::move(value);
    }
  }
  bool erase(std::string_view key) {
    const std::size_t i = shard_of(key);
    const Shard* current = shard_at(i);
    if (current == nullptr || current->find(key) == current->end()) return false;
    Shard& shard = writable(i);
    shard.erase(shard.find(key));
    --size_;
    return true;
  }

  // Unordered; f(const std::string& key, const T& value).
  template <class F>
  void for_each(F&& f) const {
    for (const auto& mid : *top_)
      if (mid)
        for (const auto& shard : *mid)
          if (shard)
            for (const auto& [key, value] : *shard) f(key, *value);
  }

 private:
  static constexpr std::size_t kFanout = 64;  // top and middle arrays
  static constexpr std::size_t kShards = kFanout * kFanout;
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Shard = std::unordered_map<std::string, Value, Hash, std::equal_to<>>;
  using Mid = std::array<std::shared_ptr<Shard>, kFanout>;
  using Top = std::array<std::shared_ptr<Mid>, kFanout>;

  static std::size_t shard_of(std::string_view key) {
    // The low bits feed the shard's own buckets: take high ones here.
    return (std::hash<std::string_view>{}(key) >> 20) % kShards;
  }
  const Shard* shard_at(std::size_t i) const {
    const Mid* mid = (*top_)[i / kFanout].get();
    return mid == nullptr ? nullptr : (*mid)[i % kFanout].get();
  }
  // Makes `node` this copy's own, cloning what it shares with snapshots.
  // use_count() == 1 is exact here: only the editing copy reaches an
  // unpublished node, and published ones are never written.
  template <class Node>
  static Node& own(std::shared_ptr<Node>& node) {
    if (!node)
      node = std::make_shared<Node>();
    else if (node.use_count() != 1)
      node = std::make_shared<Node>(*node);
    return *node;
  }
  Shard& writable(std::size_t i) { return own(own(own(top_)[i / kFanout])[i % kFanout]); }

  std::shared_ptr<Top> top_;
  std::size_t size_ = 0;
};

}  // namespace stsd::domain
