// SPDX-License-Identifier: MIT
// The --arith option: "exact", "binary64" or "mpfr:BITS" (2 <= BITS <= 1048576).
#pragma once
#include <string>

namespace mhla::cli {

struct Arithmetic {
  enum class Kind { exact, binary64, mpfr };
  Kind kind = Kind::exact;
  unsigned bits = 0;  // significand precision: 53 for binary64, BITS for mpfr, 0 for exact

  std::string name() const;  // "exact", "binary64", "mpfr:256"
};

// The arithmetic named by text; Error(usage) naming --arith when text is none of the forms.
Arithmetic parse_arithmetic(const std::string& text);

}  // namespace mhla::cli
