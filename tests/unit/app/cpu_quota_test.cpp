// Guards the default I/O thread count in containers (issue 16 item 9): the
// cgroup CPU quota (v2 cpu.max, v1 cfs quota/period) found for this
// process's cgroup, or at the cgroup namespace's root.
#include "stsd/app/cpu_quota.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace stsd::app {
namespace {

namespace fs = std::filesystem;

TEST(CpuQuota, ParsesCgroupV2CpuMax) {
  EXPECT_EQ(parse_cpu_max("150000 100000\n"), 1.5);
  EXPECT_EQ(parse_cpu_max("50000 100000"), 0.5);
  EXPECT_EQ(parse_cpu_max("max 100000\n"), std::nullopt);
  EXPECT_EQ(parse_cpu_max(""), std::nullopt);
  EXPECT_EQ(parse_cpu_max("abc 100000"), std::nullopt);
  EXPECT_EQ(parse_cpu_max("100000 0"), std::nullopt);
}

TEST(CpuQuota, ParsesCgroupV1CfsQuota) {
  EXPECT_EQ(parse_cfs_quota("200000\n", "100000\n"), 2.0);
  EXPECT_EQ(parse_cfs_quota("-1\n", "100000\n"), std::nullopt);
  EXPECT_EQ(parse_cfs_quota("100000", ""), std::nullopt);
}

class CgroupTree : public testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("stsd-cgroup-" + std::to_string(std::random_device{}()));
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  void write(const fs::path& relative, const std::string& text) {
    fs::create_directories((root_ / relative).parent_path());
    std::ofstream(root_ / relative) << text;
  }
  fs::path root_;
};

TEST_F(CgroupTree, V2OwnCgroupFirst) {
  write("system.slice/app.scope/cpu.max", "250000 100000\n");
  write("cpu.max", "max 100000\n");
  EXPECT_EQ(cgroup_cpu_quota(root_, "0::/system.slice/app.scope\n"), 2.5);
}

TEST_F(CgroupTree, V2NamespaceRoot) {
  write("cpu.max", "100000 100000\n");
  EXPECT_EQ(cgroup_cpu_quota(root_, "0::/\n"), 1.0);
}

TEST_F(CgroupTree, V1CpuHierarchy) {
  write("cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "150000\n");
  write("cpu,cpuacct/docker/abc/cpu.cfs_period_us", "100000\n");
  EXPECT_EQ(cgroup_cpu_quota(root_, "12:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n"), 1.5);
}

TEST_F(CgroupTree, NoQuota) {
  write("cpu.max", "max 100000\n");
  EXPECT_EQ(cgroup_cpu_quota(root_, "0::/\n"), std::nullopt);
  EXPECT_EQ(cgroup_cpu_quota(root_ / "absent", ""), std::nullopt);
}

TEST(CpuQuota, DefaultIsAtLeastOneThread) { EXPECT_GE(default_io_threads().threads, 1u); }

}  // namespace
}  // namespace stsd::app
