// SPDX-License-Identifier: MIT
// det_mod_p: the determinant of a square matrix over F_p by Gaussian elimination.
//
// Mathematics: elimination with row swaps, A = P L U, det(A) = sign(P) prod U[k][k] over F_p.
// Used to state the value of a nonzero-minor witness (math.md, Witnesses): for an integer
// matrix A_Z, det(A_Z) mod p = det(A_Z mod p), since reduction mod p is a ring homomorphism
// and the determinant is a polynomial in the entries (@proof C2).
// Arithmetic: centred residues in binary64, |a| <= (p-1)/2 < 2^22; an update adds a product
// below 2^44, and the trailing block is reduced every 128 steps, so every intermediate stays
// below 2^52 and is exact. The pivot row and column are reduced at their own step.
// Preconditions (checked, Error(internal)): p < 2^23; a.size() == n * n; entries in [0, p).
// Cost: n^3/3 multiply-adds, n^2 doubles of memory.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "mhla/modp/field.hpp"

namespace mhla {

// det(A) mod p for A given row-major (n x n) as residues. The 0 x 0 determinant is 1.
std::uint64_t det_mod_p(const PrimeField& F, const std::vector<std::uint64_t>& a, std::size_t n);

}  // namespace mhla
