// x-amzn-RequestId / <RequestId>: version-4 UUIDs as AWS sends them.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "stsd/protocol/frontend.h"

TEST(RequestId, IsALowercaseVersion4Uuid) {
  const std::regex shape("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    const std::string id = stsd::protocol::make_request_id();
    ASSERT_TRUE(std::regex_match(id, shape)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 10000u);
}
