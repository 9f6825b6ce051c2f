#include "stsd/app/cpu_quota.h"

#include <sched.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace stsd::app {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

std::optional<long long> to_number(std::string_view s) {
  long long v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<double> ratio(std::optional<long long> quota, std::optional<long long> period) {
  if (!quota || !period || *quota <= 0 || *period <= 0) return std::nullopt;
  return static_cast<double>(*quota) / static_cast<double>(*period);
}

// A small cgroup file's text; empty when it is absent.
std::string read_small(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return {};
  std::string text(4096, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

}  // namespace

std::optional<double> parse_cpu_max(std::string_view text) {
  text = trim(text);
  const auto space = text.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  const std::string_view quota = text.substr(0, space);
  if (quota == "max") return std::nullopt;
  return ratio(to_number(quota), to_number(trim(text.substr(space + 1))));
}

std::optional<double> parse_cfs_quota(std::string_view quota, std::string_view period) {
  return ratio(to_number(trim(quota)), to_number(trim(period)));
}

std::optional<double> cgroup_cpu_quota(const std::filesystem::path& root, std::string_view self_cgroup) {
  // v2: "0::/path"; the file under the process's own cgroup, then the
  // namespace root (what a container with its own cgroup namespace sees).
  std::istringstream lines{std::string(self_cgroup)};
  std::string v2_path;
  std::string v1_cpu_path;
  for (std::string line; std::getline(lines, line);) {
    const auto first = line.find(':');
    const auto second = first == std::string::npos ? std::string::npos : line.find(':', first + 1);
    if (second == std::string::npos) continue;
    const std::string controllers = line.substr(first + 1, second - first - 1);
    const std::string path = line.substr(second + 1);
    if (line.compare(0, first, "0") == 0 && controllers.empty()) v2_path = path;
    std::istringstream names(controllers);
    for (std::string name; std::getline(names, name, ',');)
      if (name == "cpu") v1_cpu_path = path;
  }
  auto relative = [](const std::string& p) { return std::filesystem::path(p).relative_path(); };
  for (const auto& dir : {root / relative(v2_path), root}) {
    const std::string text = read_small(dir / "cpu.max");
    if (!text.empty()) return parse_cpu_max(text);
  }
  for (const char* hierarchy : {"cpu", "cpu,cpuacct", "cpuacct,cpu"}) {
    for (const auto& dir : {root / hierarchy / relative(v1_cpu_path), root / hierarchy}) {
      const std::string quota = read_small(dir / "cpu.cfs_quota_us");
      if (!quota.empty()) return parse_cfs_quota(quota, read_small(dir / "cpu.cfs_period_us"));
    }
  }
  return std::nullopt;
}

ThreadChoice default_io_threads() {
  unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) cpus = std::max(1, CPU_COUNT(&set));
  ThreadChoice choice{cpus, std::nullopt};
  const auto quota = cgroup_cpu_quota("/sys/fs/cgroup", read_small("/proc/self/cgroup"));
  if (quota) {
    const auto granted = static_cast<unsigned>(std::max(1.0, std::ceil(*quota)));
    if (granted < cpus) choice = {granted, quota};
  }
  return choice;
}

}  // namespace stsd::app
