// SPDX-License-Identifier: MIT
// The floating-point formats a cross-check understands and the rounding bound gamma_K of
// Lemma X1 (proofs-notes/09-crosscheck.md), plus the exact tally of comparisons against it.
#pragma once
#include <cstddef>
#include <optional>
#include <string>

#include "mhla/arith/scalar.hpp"
#include "mhla/io/json_output.hpp"

namespace mhla::crosscheck {

// Significand bits p of a format (unit roundoff u = 2^-p): float64 53, float32 24, tf32 11,
// float16 11, bfloat16 8. Precondition (checked): one of those names, else Error(usage).
// Cost O(1). @proof X1
unsigned precision_bits(const std::string& dtype);

// gamma_K = K u / (1 - K u) with u = 2^-bits (Higham's gamma; Lemma X1), exact; std::nullopt
// when K u >= 1 (no bound exists). Cost O(bits) bit operations. @proof X1
std::optional<Rational> gamma(std::size_t K, unsigned bits);

// The format an .npy descr names ("<f8" float64, "<f4" float32, "<f2" float16), "" otherwise.
std::string dtype_of_descr(const std::string& descr);

// The format to assume: option unless "auto", else detected; Error(usage) naming file when
// neither says (detected empty) or the name is unknown.
std::string resolve_dtype(const std::string& option, const std::string& detected, const std::string& file);

// |q|.
inline Rational absolute(const Rational& q) { return q < 0 ? Rational(-q) : q; }

// Exact tally of |theirs - exact| <= bound comparisons.
struct CheckCounts {
  std::size_t checked = 0, beyond = 0;
  std::optional<Rational> worst_ratio;  // max error / bound over entries with bound > 0
  bool zero_bound_miss = false;         // an entry with bound 0 differs

  // Records one comparison (exact); returns whether it is within the bound.
  bool add(const Rational& error, const Rational& bound);
  // entries, entries_beyond_bound, max_error_over_bound (decimal rounded up).
  void write(OrderedJson& doc) const;
};

}  // namespace mhla::crosscheck
