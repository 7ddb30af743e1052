// SPDX-License-Identifier: MIT
// distinguishing_input_search: an input (Z, b) on which two minimisers w_a and w_a + v of a
// deficient coordinate differ, i.e. <v, phi(Z, b)> != 0 (math.md, Witnesses; @proof C1).
//
// Mathematics: for n >= 2 tokens and the last position b (or any b >= 1 when causal), the
// entries of phi(Z, b) are the polynomials sum_t z_t[j] z_t[k] z_b[l] in the entries of Z;
// the terms with t != b are distinct monomials for distinct (j <= k, l), so the entries are
// linearly independent polynomials and <v, phi(Z, b)> is a nonzero cubic polynomial in Z for
// every v != 0. A nonzero polynomial of degree 3 vanishes on at most a 3/5 fraction of
// {-2..2}^(d n) (Schwartz-Zippel), so random small integer inputs find a nonzero value fast.
// (With one token, phi is symmetric in (j,k,l) and v may be orthogonal to every phi: Lemma C3;
// hence the search starts at n = 2.)
// The search: a fixed seed, n = 2 then 3, entries uniform in {-2..2}, every position b; the
// value <v, phi(Z, b)> is computed exactly (integers), so a returned input is verified.
// Preconditions: v.size() == feature_dim(d), v != 0 (checked, Error(internal)).
// Cost: O(d^2 n + D) per candidate; a handful of candidates in practice.
#pragma once
#include <cstddef>
#include <optional>
#include <vector>

#include "mhla/arith/scalar.hpp"
#include "mhla/linalg/matrix.hpp"

namespace mhla {

struct DistinguishingInput {
  Matrix<Rational> Z;      // d x n, small integers
  std::size_t position = 0;
  Rational value;          // <v, phi(Z, position)>, nonzero
};

// nullopt only if max_candidates inputs were all orthogonal to v (never seen; a bug signal).
std::optional<DistinguishingInput> distinguishing_input_search(const std::vector<Rational>& v, std::size_t d,
                                                               bool causal, std::size_t max_candidates = 100000);

}  // namespace mhla
