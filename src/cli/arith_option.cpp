// SPDX-License-Identifier: MIT
#include "arith_option.hpp"

#include <algorithm>

#include "mhla/support/error.hpp"

namespace mhla::cli {

std::string Arithmetic::name() const {
  switch (kind) {
    case Kind::exact: return "exact";
    case Kind::binary64: return "binary64";
    case Kind::mpfr: return "mpfr:" + std::to_string(bits);
  }
  return "exact";
}

Arithmetic parse_arithmetic(const std::string& text) {
  if (text == "exact") return {Arithmetic::Kind::exact, 0};
  if (text == "binary64") return {Arithmetic::Kind::binary64, 53};
  const std::string prefix = "mpfr:";
  if (text.rfind(prefix, 0) == 0) {
    const std::string digits = text.substr(prefix.size());
    const bool all_digits = !digits.empty() && digits.size() <= 7 &&
                            std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
    const unsigned long bits = all_digits ? std::stoul(digits) : 0;
    if (bits >= 2 && bits <= (1ul << 20)) return {Arithmetic::Kind::mpfr, static_cast<unsigned>(bits)};
  }
  fail(ErrorKind::usage, "--arith: expected exact, binary64 or mpfr:BITS with 2 <= BITS <= 1048576, got \"" +
                             text.substr(0, 40) + "\"");
}

}  // namespace mhla::cli
