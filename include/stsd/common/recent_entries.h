#pragma once
// RecentEntries: the last Capacity entries added, the oldest replaced first.
// The per-thread memos of costly pure computations (a parsed web-identity
// token, a verified signature, a prepared verification context) keep their
// entries here; what a hit requires is each memo's own predicate. Not
// thread-safe: a memo is thread_local.
#include <cstddef>
#include <utility>
#include <vector>

namespace stsd {

template <class Entry, std::size_t Capacity>
class RecentEntries {
  static_assert(Capacity > 0);

 public:
  // The first entry that satisfies matches, or nullptr.
  template <class Predicate>
  const Entry* find(Predicate&& matches) const {
    for (const Entry& e : entries_)
      if (matches(e)) return &e;
    return nullptr;
  }

  const Entry& add(Entry e) {
    if (entries_.size() < Capacity) return entries_.emplace_back(std::move(e));
    Entry& slot = entries_[oldest_];
    oldest_ = (oldest_ + 1) % Capacity;
    slot = std::move(e);
    return slot;
  }

  std::size_t size() const { return entries_.size(); }

 private:
  std::vector<Entry> entries_;
  std::size_t oldest_ = 0;  // the next to be replaced, once full
};

}  // namespace stsd
