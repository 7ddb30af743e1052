// SPDX-License-Identifier: MIT
#include "mhla/io/memory_limit.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>

#include "mhla/support/error.hpp"

namespace mhla {
namespace {

std::optional<std::uint64_t> configured_limit;

}  // namespace

std::uint64_t default_memory_limit_bytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string line;
  while (std::getline(meminfo, line)) {
    std::istringstream fields(line);
    std::string name;
    std::uint64_t kib = 0;
    if (fields >> name >> kib && name == "MemTotal:" && kib > 0) return kib * 1024 / 4 * 3;
  }
  return std::uint64_t{4} << 30;
}

std::uint64_t memory_limit_bytes() {
  if (!configured_limit) configured_limit = default_memory_limit_bytes();
  return *configured_limit;
}

void set_memory_limit_bytes(std::uint64_t bytes) { configured_limit = bytes; }

std::string human_bytes(double bytes) {
  static const char* const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};
  std::size_t u = 0;
  while (bytes >= 1024 && u + 1 < std::size(units)) {
    bytes /= 1024;
    ++u;
  }
  char buf[64];
  if (u > 0 && bytes < 9.95) std::snprintf(buf, sizeof buf, "%.1f %s", bytes, units[u]);
  else std::snprintf(buf, sizeof buf, "%.0f %s", bytes, units[u]);
  return buf;
}

void check_memory_estimate(std::string_view what, double estimated_bytes, std::string_view detail) {
  const std::uint64_t limit = memory_limit_bytes();
  if (!(estimated_bytes > static_cast<double>(limit))) return;
  std::string message(what);
  message += " would need about " + human_bytes(estimated_bytes) + " (" + std::string(detail) +
             "); the memory limit is " + human_bytes(static_cast<double>(limit)) + " (--memory-limit)";
  fail(ErrorKind::resource_limit, message);
}

}  // namespace mhla
