#pragma once
// A string-keyed map of immutable entities with cheap snapshots: copying an
// index shares everything, and changing a copy clones only the top array and
// the one shard the key falls in. So the cost of one IAM write does not grow
// with the number of entities stored, and readers of an older snapshot are
// never disturbed (they hold their own shared pointers).
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

  PersistentIndex() : shards_(std::make_shared<Shards>()) {}

  const T* find(std::string_view key) const {
    const Shard* shard = (*shards_)[shard_of(key)].get();
    if (shard == nullptr) return nullptr;
    auto it = shard->find(key);
    return it == shard->end() ? nullptr : it->second.get();
  }
  Value find_shared(std::string_view key) const {
    const Shard* shard = (*shards_)[shard_of(key)].get();
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
    const Shard* current = (*shards_)[i].get();
    if (current == nullptr || current->find(key) == current->end()) return false;
    Shard& shard = writable(i);
    shard.erase(shard.find(key));
    --size_;
    return true;
  }

  // Unordered; f(const std::string& key, const T& value).
  template <class F>
  void for_each(F&& f) const {
    for (const auto& shard : *shards_)
      if (shard)
        for (const auto& [key, value] : *shard) f(key, *value);
  }

 private:
  static constexpr std::size_t kShards = 128;
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Shard = std::unordered_map<std::string, Value, Hash, std::equal_to<>>;
  using Shards = std::array<std::shared_ptr<Shard>, kShards>;

  static std::size_t shard_of(std::string_view key) {
    // The low bits feed the shard's own buckets: take high ones here.
    return (std::hash<std::string_view>{}(key) >> 24) % kShards;
  }
  // A shard this copy alone holds, cloning what it shares with snapshots.
  // use_count() == 1 is exact here: only the editing copy reaches an
  // unpublished array, and published ones are never written.
  Shard& writable(std::size_t i) {
    if (shards_.use_count() != 1) shards_ = std::make_shared<Shards>(*shards_);
    auto& slot = (*shards_)[i];
    if (!slot)
      slot = std::make_shared<Shard>();
    else if (slot.use_count() != 1)
      slot = std::make_shared<Shard>(*slot);
    return *slot;
  }

  std::shared_ptr<Shards> shards_;
  std::size_t size_ = 0;
};

}  // namespace stsd::domain
