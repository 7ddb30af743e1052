// SPDX-License-Identifier: MIT
#include "mhla/tasks/size_options.hpp"

#include "mhla/support/error.hpp"

namespace mhla::tasks {

std::uint64_t parse_count(const std::string& name, const std::string& text, std::uint64_t min, std::uint64_t max) {
  const std::string range = " (expected an integer from " + std::to_string(min) + " to " + std::to_string(max) + ")";
  if (text.empty() || text.size() > 20) fail(ErrorKind::usage, name + " " + text + ": not a valid size" + range);
  std::uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') fail(ErrorKind::usage, name + " " + text + ": not a valid size" + range);
    const std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) fail(ErrorKind::usage, name + " " + text + ": too large" + range);
    v = v * 10 + digit;
  }
  if (v < min || v > max) fail(ErrorKind::usage, name + " " + text + ": out of range" + range);
  return v;
}

}  // namespace mhla::tasks
