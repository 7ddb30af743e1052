// SPDX-License-Identifier: MIT
// Checked size arguments of the generate and construct commands: a decimal integer in a range,
// else Error(usage) with one line naming the option.
#pragma once
#include <cstdint>
#include <string>

namespace mhla::tasks {

// text as a decimal integer in [min, max]; "--name" is used in the message.
std::uint64_t parse_count(const std::string& name, const std::string& text, std::uint64_t min, std::uint64_t max);

}  // namespace mhla::tasks
