#pragma once
// Regions as AWS groups them: the partition each belongs to (its ARNs say
// arn:<partition>:...) and whether an account must opt in to use it.
#include <string>
#include <string_view>

namespace stsd {

// The partition of a region, by botocore's data/partitions.json regionRegex
// (aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f,
// aws-eusc); "aws" for a region no partition claims, as botocore resolves it.
std::string_view partition_of(std::string_view region);

// A partition name stsd knows (the list above).
bool is_partition(std::string_view partition);

// Regions launched after 2019-03-20 are disabled until an account enables
// them (AWS Account Management Reference Guide, "Enable or disable AWS
// Regions in your account"); the list is the commercial partition's regions
// launched since, by their launch announcements (docs/NEWEST-STS.md).
bool is_opt_in_region(std::string_view region);

// The partition field of an ARN ("" when `arn` is not an ARN).
std::string_view arn_partition(std::string_view arn);

// `arn` with its partition field replaced by `partition` (unchanged when it
// is not an ARN or already in that partition). The store keys ARNs in the
// "aws" partition; requests see them in their own.
std::string in_partition(std::string_view arn, std::string_view partition);

}  // namespace stsd
