#pragma once
// How many I/O threads by default: one per CPU the process may really use,
// which in a container is the cgroup CPU quota (`docker run --cpus 1.5`),
// not the host's core count. cgroup v2: `cpu.max` ("max 100000" or
// "150000 100000"); v1: `cpu.cfs_quota_us` / `cpu.cfs_period_us` (-1: none).
#include <filesystem>
#include <optional>
#include <string_view>

namespace stsd::app {

// CPUs granted by a cgroup v2 `cpu.max` text; nullopt: no quota or unreadable.
std::optional<double> parse_cpu_max(std::string_view text);
// CPUs granted by cgroup v1 quota and period texts; nullopt: no quota.
std::optional<double> parse_cfs_quota(std::string_view quota, std::string_view period);

// The quota of this process's cgroup under `root` (v2, then v1); `self_cgroup`
// is /proc/self/cgroup's text. nullopt: none found.
std::optional<double> cgroup_cpu_quota(const std::filesystem::path& root, std::string_view self_cgroup);

struct ThreadChoice {
  unsigned threads = 1;
  std::optional<double> quota;  // the cgroup quota that lowered it, if any
};

// min(CPUs in the affinity mask, quota rounded up), at least 1.
ThreadChoice default_io_threads();

}  // namespace stsd::app
