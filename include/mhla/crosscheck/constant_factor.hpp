// SPDX-License-Identifier: MIT
// The exact constant-factor test (Lemma X2, proofs-notes/09-crosscheck.md): is there one
// constant c with theirs = c * exact on every entry, up to the rounding bound? c is decided
// from the data (the ratio at the largest exact entry, rounded to a nearby simple rational by
// continued fractions) or a named product, and verified on every entry; the irrational products of 1/sqrt(d),
// 1/H, 1/n, 1/sqrt(d_k) are verified through a rational enclosure of c. Every decomposition
// of the c found into those named factors is listed.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "mhla/arith/scalar.hpp"

namespace mhla::crosscheck {

// One compared entry: their value t, the exact value y, and B >= 0 such that c y is accepted
// for t when |t - c y| <= |c| B (B = gamma_{K+2} Yabs: the constant's own rounding and the
// product's, Lemma X2).
struct FactorEntry {
  Rational theirs, exact, bound;
};

// The sizes the named factors are made of; n only when every input has the same length, d_k
// only when the user gives it.
struct NamedSizes {
  std::size_t d = 0, H = 1;
  std::optional<std::size_t> n, dk;
};

struct FactorMatch {
  Rational c_squared;             // c^2, always rational here
  bool negative = false;          // c < 0
  std::optional<Rational> c;      // c exactly, when rational
  Rational lo, hi;                // 0 < lo <= |c| <= hi, the enclosure verified (lo = hi = |c| when rational)
  std::string value_text;         // "1/4", "1/sqrt(3)", ...
  std::vector<std::string> decompositions;  // every product of the named factors equal to c, e.g. "1/H (H = 2)"
};

// The factor c != 1 under which every entry satisfies |t - c y| <= |c| B (exact rational
// comparisons; for an irrational c, max(|t - lo y|, |t - hi y|) <= lo B, which implies it for
// every c in [lo, hi]), or std::nullopt. Tries every named product, then the continued-fraction
// convergents of t/y at the entry with the largest |y| (numerator, denominator <= 1000). Cost
// O(entries) exact comparisons per candidate, at most about 120 candidates. @proof X2
std::optional<FactorMatch> find_constant_factor(const std::vector<FactorEntry>& entries, const NamedSizes& sizes);

// Every product H^-a n^-b sqrt(d)^-e sqrt(d_k)^-f with (a, b, e, f) in {0, 1}^4 (a division
// by the named factors) or in {0, -1}^4 (a multiplication), not all 0, whose square is c_squared, as text ("1/H (H = 2)", "1/(H sqrt(d)) (H = 2, d = 4)", ...). Cost O(81).
// @proof X2
std::vector<std::string> named_decompositions(const Rational& c_squared, const NamedSizes& sizes);

}  // namespace mhla::crosscheck
