// SPDX-License-Identifier: MIT
// The memory limit (the global --memory-limit option) and the up-front check that refuses work
// whose estimated memory exceeds it, before anything large is allocated.
// The limit is process-wide: by default 3/4 of MemTotal in /proc/meminfo (4 GiB when that
// cannot be read); the CLI sets it from --memory-limit.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace mhla {

// Memory taken by one small Rational (the mpq_t and its two limb blocks), for estimates only.
inline constexpr double estimated_bytes_per_rational = 64;

std::uint64_t memory_limit_bytes();
void set_memory_limit_bytes(std::uint64_t bytes);
// 3/4 of MemTotal, or 4 GiB when /proc/meminfo cannot be read.
std::uint64_t default_memory_limit_bytes();

// "3.2 TiB", "18 GiB", "512 B": binary units, two significant digits below 10.
std::string human_bytes(double bytes);

// Throws Error(resource_limit) when estimated_bytes > memory_limit_bytes(), with the message
//   "<what> would need about <estimate> (<detail>); the memory limit is <limit> (--memory-limit)"
// e.g. what = "features: the design matrix", detail = "4 rows x 500050000000000 features".
void check_memory_estimate(std::string_view what, double estimated_bytes, std::string_view detail);

}  // namespace mhla
