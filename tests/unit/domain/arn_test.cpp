// Guards ARN parsing and the principal ARN shapes AWS returns.
#include <gtest/gtest.h>

#include "stsd/domain/arn.h"

using namespace stsd::domain;

TEST(Arn, ParsesSixFieldsAndKeepsColonsInResource) {
  auto arn = Arn::parse("arn:aws:iam::123456789012:role/a:b");
  ASSERT_TRUE(arn);
  EXPECT_EQ(arn->partition, "aws");
  EXPECT_EQ(arn->service, "iam");
  EXPECT_EQ(arn->region, "");
  EXPECT_EQ(arn->account, "123456789012");
  EXPECT_EQ(arn->resource, "role/a:b");
  EXPECT_EQ(arn->str(), "arn:aws:iam::123456789012:role/a:b");
}

TEST(Arn, RejectsMalformed) {
  for (const char* s : {"", "arn", "arn:aws", "nothing-valid-in-here", "arn::b:::something/test-role",
                        "xrn:aws:iam::123456789012:role/x", "arn:aws:iam::123456789012:"})
    EXPECT_FALSE(Arn::parse(s)) << s;
}

struct RoleArnCase {
  const char* text;
  bool ok;
  const char* path;
  const char* name;
};

class RoleArnTable : public ::testing::TestWithParam<RoleArnCase> {};

TEST_P(RoleArnTable, Parses) {
  const auto& c = GetParam();
  auto arn = parse_role_arn(c.text);
  ASSERT_EQ(arn.has_value(), c.ok) << c.text;
  if (!c.ok) return;
  EXPECT_EQ(arn->path, c.path);
  EXPECT_EQ(arn->name, c.name);
  EXPECT_EQ(arn->str(), c.text);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RoleArnTable,
    ::testing::Values(RoleArnCase{"arn:aws:iam::123456789012:role/deploy", true, "/", "deploy"},
                      RoleArnCase{"arn:aws:iam::123456789012:role/team/a/deploy", true, "/team/a/", "deploy"},
                      RoleArnCase{"arn:aws-cn:iam::123456789012:role/x.y@z", true, "/", "x.y@z"},
                      RoleArnCase{"arn:aws:iam::12345678901:role/short-account", false, "", ""},
                      RoleArnCase{"arn:aws:iam::123456789012:user/alice", false, "", ""},
                      RoleArnCase{"arn:aws:sts::123456789012:role/x", false, "", ""},
                      RoleArnCase{"arn:aws:iam:us-east-1:123456789012:role/x", false, "", ""},
                      RoleArnCase{"arn:aws:iam::123456789012:role/", false, "", ""},
                      RoleArnCase{"arn:aws:iam::123456789012:role/bad name", false, "", ""},
                      RoleArnCase{"arn:a:a::aaaaaaaaaa:", false, "", ""}));

TEST(Arn, PrincipalShapes) {
  EXPECT_EQ(root_arn("123456789012"), "arn:aws:iam::123456789012:root");
  EXPECT_EQ(user_arn("123456789012", "/", "alice"), "arn:aws:iam::123456789012:user/alice");
  EXPECT_EQ(user_arn("123456789012", "/eng/", "alice"), "arn:aws:iam::123456789012:user/eng/alice");
  // The role path is dropped in assumed-role ARNs.
  EXPECT_EQ(assumed_role_arn("123456789012", "deploy", "s1"), "arn:aws:sts::123456789012:assumed-role/deploy/s1");
  EXPECT_EQ(federated_user_arn("123456789012", "bob"), "arn:aws:sts::123456789012:federated-user/bob");
}
