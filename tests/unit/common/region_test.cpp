// Partitions by botocore's partitions.json regionRegex, opt-in regions, and
// moving ARNs between partitions.
#include <gtest/gtest.h>

#include "stsd/common/region.h"

namespace {

TEST(Region, PartitionOfEveryRegionFamily) {
  EXPECT_EQ(stsd::partition_of("us-east-1"), "aws");
  EXPECT_EQ(stsd::partition_of("il-central-1"), "aws");
  EXPECT_EQ(stsd::partition_of("mx-central-1"), "aws");
  EXPECT_EQ(stsd::partition_of("cn-north-1"), "aws-cn");
  EXPECT_EQ(stsd::partition_of("cn-northwest-1"), "aws-cn");
  EXPECT_EQ(stsd::partition_of("us-gov-west-1"), "aws-us-gov");
  EXPECT_EQ(stsd::partition_of("us-iso-east-1"), "aws-iso");
  EXPECT_EQ(stsd::partition_of("us-isob-east-1"), "aws-iso-b");
  EXPECT_EQ(stsd::partition_of("eu-isoe-west-1"), "aws-iso-e");
  EXPECT_EQ(stsd::partition_of("us-isof-south-1"), "aws-iso-f");
  EXPECT_EQ(stsd::partition_of("eusc-de-east-1"), "aws-eusc");
}

TEST(Region, RegionsNoPartitionClaimsAreAws) {
  // botocore resolves an unknown region to the aws partition.
  for (const char* region : {"", "local", "us-east", "cn-north-x", "xx-east-1", "us-gov-west", "eusc-fr-east-1"})
    EXPECT_EQ(stsd::partition_of(region), "aws") << region;
}

TEST(Region, OptInRegionsAreThoseLaunchedAfterMarch2019) {
  for (const char* region : {"ap-east-1", "me-south-1", "af-south-1", "eu-south-1", "il-central-1", "mx-central-1"})
    EXPECT_TRUE(stsd::is_opt_in_region(region)) << region;
  for (const char* region : {"us-east-1", "eu-west-3", "ap-northeast-3", "eu-north-1", "cn-north-1", "us-gov-west-1"})
    EXPECT_FALSE(stsd::is_opt_in_region(region)) << region;
}

TEST(Region, ArnPartitionAndInPartition) {
  EXPECT_EQ(stsd::arn_partition("arn:aws-cn:iam::123456789012:role/x"), "aws-cn");
  EXPECT_EQ(stsd::arn_partition("not-an-arn"), "");
  EXPECT_EQ(stsd::arn_partition("arn:aws"), "");
  EXPECT_EQ(stsd::in_partition("arn:aws:iam::123456789012:role/x", "aws-us-gov"),
            "arn:aws-us-gov:iam::123456789012:role/x");
  EXPECT_EQ(stsd::in_partition("arn:aws-cn:sts::123456789012:assumed-role/r/s", "aws"),
            "arn:aws:sts::123456789012:assumed-role/r/s");
  EXPECT_EQ(stsd::in_partition("arn:aws:iam::1:root", "aws"), "arn:aws:iam::1:root");
  EXPECT_EQ(stsd::in_partition("*", "aws-cn"), "*");
  EXPECT_TRUE(stsd::is_partition("aws-iso-f"));
  EXPECT_FALSE(stsd::is_partition("aws-mars"));
}

}  // namespace
