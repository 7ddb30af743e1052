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
#include "mhla/features/dataset.hpp"
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

// A distinguishing input of the user's own length, built from the user's own samples: for the
// first samples observing coordinate a (at most 16), the sample's Z (d x n) with one token
// column t replaced by z_t + u, u running over `directions` (e.g. the missing directions of
// advice.hpp), then the unit vectors e_l, then small random integer vectors (fixed seed), at
// the sample's last observed position b for a (every t, b first). <v, phi(Z', b)> is computed
// exactly over Q, so a returned input is verified. nullopt when none of the candidates is
// distinguishing (e.g. single-token inputs and v orthogonal to every one-token row, Lemma C3):
// callers then keep distinguishing_input_search's two-token input.
// Preconditions: v.size() == feature_dim(ds.d), v != 0 (checked, Error(internal)).
// Cost: O(n d^2 + D) exact operations per candidate, at most max_candidates. @proof C1
std::optional<DistinguishingInput> distinguishing_input_from_data(const Dataset& ds, std::size_t a,
                                                                  const std::vector<Rational>& v,
                                                                  const std::vector<std::vector<Rational>>& directions,
                                                                  std::size_t max_candidates = 400);

}  // namespace mhla
