// SPDX-License-Identifier: MIT
// rational_reconstruct: the rational n/d with small numerator and denominator congruent to a
// residue modulo m (Wang's algorithm, the half-extended Euclidean algorithm).
//
// Mathematics: given 0 <= a < m and bounds N, D >= 1 with 2 N D < m, there is at most one
// fraction n/d in lowest terms with |n| <= N, 0 < d <= D, gcd(d, m) = 1 and n = a d mod m.
// It is found among the remainders r_i = s_i m + t_i a of the Euclidean algorithm on (m, a):
// the first r_i <= N gives n = r_i, d = t_i (up to sign), accepted when |t_i| <= D and
// gcd(r_i, t_i) = 1 (and gcd(d, m) = 1). The default bounds N = D = floor(sqrt((m-1)/2))
// satisfy 2 N D < m.
// What it certifies (@proof A3): uniqueness only; a reconstructed value is a CANDIDATE. If the true
// rational's numerator and denominator are within the bounds, the candidate equals it; the
// caller must verify the candidate exactly (e.g. A v = 0 over Z) before using it.
// Preconditions: m >= 2; a is reduced into [0, m) by the function itself.
// Cost: O(log m) Euclidean steps on integers of log m bits: O(M(log m) log m) worst case.
#pragma once
#include <optional>
#include <vector>

#include "mhla/arith/scalar.hpp"

namespace mhla {

std::optional<Rational> rational_reconstruct(const Integer& a, const Integer& m, const Integer& N, const Integer& D);
// With the default (symmetric) bounds N = D = floor(sqrt((m - 1) / 2)).
std::optional<Rational> rational_reconstruct(const Integer& a, const Integer& m);

// Entrywise with the default bounds, using the common-denominator trick: the running least
// common denominator L of the entries found so far is multiplied into the next residue first,
// so that once L is the full denominator every later entry reconstructs as an integer at once.
// nullopt when any entry fails. A successful result is a candidate, to be verified exactly.
std::optional<std::vector<Rational>> rational_reconstruct(const std::vector<Integer>& residues, const Integer& m);

}  // namespace mhla
