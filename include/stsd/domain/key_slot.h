#pragma once
// A secret key that can be replaced while other threads use it (the token
// key, rotated by POST /_stsd/token-key/rotate). Readers pay one atomic load:
// each thread keeps a copy of the key with the generation it was read at, and
// re-reads under the lock only after a replacement. Generations are unique
// across all slots of the process, so one thread-local copy per use site
// serves any number of slots correctly.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

namespace stsd::domain {

class KeySlot {
 public:
  explicit KeySlot(std::string key) : key_(std::move(key)), generation_(next_generation()) {}
  KeySlot(const KeySlot&) = delete;
  KeySlot& operator=(const KeySlot&) = delete;

  void set(std::string key) {
    std::lock_guard lock(mutex_);
    key_ = std::move(key);
    generation_.store(next_generation(), std::memory_order_release);
  }

  // The current key. `cache` is the caller's thread_local copy; the reference
  // stays valid until the next get() with the same cache on this thread.
  struct Cache {
    std::uint64_t generation = 0;
    std::string key;
  };
  const std::string& get(Cache& cache) const {
    if (cache.generation != generation_.load(std::memory_order_acquire)) {
      std::lock_guard lock(mutex_);
      cache.key = key_;
      cache.generation = generation_.load(std::memory_order_relaxed);
    }
    return cache.key;
  }

 private:
  static std::uint64_t next_generation() {
    static std::atomic<std::uint64_t> counter{0};
    return ++counter;  // never 0, the empty cache's generation
  }

  mutable std::mutex mutex_;
  std::string key_;
  std::atomic<std::uint64_t> generation_;
};

}  // namespace stsd::domain
