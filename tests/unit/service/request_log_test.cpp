// Guards the console's ring of recent requests: bounded, newest kept,
// lookups by request id, readers that fall behind told what they missed,
// and a cap on live subscribers.
#include <gtest/gtest.h>

#include "stsd/service/console/request_log.h"

using stsd::service::console::RequestLog;
using stsd::service::console::RequestRecord;

namespace {
RequestRecord record(std::string id) {
  RequestRecord r;
  r.request_id = std::move(id);
  return r;
}
}  // namespace

TEST(RequestLog, KeepsTheNewestAndFindsById) {
  RequestLog log(3, 1);
  for (int i = 1; i <= 5; ++i) log.add(record("id-" + std::to_string(i)));
  EXPECT_EQ(log.last_seq(), 5u);
  EXPECT_EQ(log.find("id-1"), nullptr);  // overwritten
  ASSERT_NE(log.find("id-5"), nullptr);
  EXPECT_EQ(log.find("id-5")->seq, 5u);
  EXPECT_EQ(log.find("id-3")->seq, 3u);
}

TEST(RequestLog, ReadersThatFallBehindSkip) {
  RequestLog log(4, 1);
  for (int i = 1; i <= 10; ++i) log.add(record("id-" + std::to_string(i)));
  auto batch = log.since(0, 100);
  EXPECT_EQ(batch.skipped, 6u);
  ASSERT_EQ(batch.records.size(), 4u);
  EXPECT_EQ(batch.records.front()->seq, 7u);
  EXPECT_EQ(batch.last, 10u);
  EXPECT_TRUE(log.since(10, 100).records.empty());
  // A batch is bounded; the rest comes next time.
  auto first = log.since(6, 2);
  EXPECT_EQ(first.records.size(), 2u);
  EXPECT_EQ(first.last, 8u);
  EXPECT_EQ(log.since(first.last, 2).last, 10u);
  EXPECT_EQ(log.latest(2).records.front()->seq, 9u);
}

TEST(RequestLog, ZeroCapacityKeepsNothing) {
  RequestLog log(0, 1);
  log.add(record("a"));
  EXPECT_FALSE(log.enabled());
  EXPECT_EQ(log.find("a"), nullptr);
  EXPECT_TRUE(log.since(0, 10).records.empty());
}

TEST(RequestLog, SubscribersAreCapped) {
  RequestLog log(10, 2);
  EXPECT_TRUE(log.try_subscribe());
  EXPECT_TRUE(log.try_subscribe());
  EXPECT_FALSE(log.try_subscribe());
  log.unsubscribe();
  EXPECT_TRUE(log.try_subscribe());
}
