#include "stsd/common/recent_entries.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace stsd {
namespace {

TEST(RecentEntries, KeepsTheLastEntriesAndReplacesTheOldestFirst) {
  RecentEntries<int, 3> recent;
  auto has = [&](int n) { return recent.find([n](int e) { return e == n; }) != nullptr; };
  EXPECT_FALSE(has(1));
  for (int i = 1; i <= 3; ++i) EXPECT_EQ(recent.add(i), i);
  EXPECT_EQ(recent.size(), 3u);
  EXPECT_TRUE(has(1) && has(2) && has(3));
  recent.add(4);  // replaces 1
  EXPECT_FALSE(has(1));
  EXPECT_TRUE(has(2) && has(3) && has(4));
  recent.add(5);  // replaces 2
  recent.add(6);  // replaces 3
  recent.add(7);  // replaces 4: the ring wrapped
  EXPECT_EQ(recent.size(), 3u);
  for (int gone : {1, 2, 3, 4}) EXPECT_FALSE(has(gone)) << gone;
  for (int kept : {5, 6, 7}) EXPECT_TRUE(has(kept)) << kept;
}

TEST(RecentEntries, FindReturnsTheFirstMatchAndReplacedEntriesAreReleased) {
  RecentEntries<std::pair<std::string, std::shared_ptr<int>>, 2> recent;
  auto owned = std::make_shared<int>(1);
  recent.add({"a", owned});
  recent.add({"b", std::make_shared<int>(2)});
  const auto* hit = recent.find([](const auto& e) { return e.first == "a"; });
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(*hit->second, 1);
  EXPECT_EQ(owned.use_count(), 2);
  recent.add({"c", nullptr});  // replaces "a" and drops its reference
  EXPECT_EQ(owned.use_count(), 1);
  EXPECT_EQ(recent.find([](const auto& e) { return e.first == "a"; }), nullptr);
}

}  // namespace
}  // namespace stsd
