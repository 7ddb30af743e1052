// SPDX-License-Identifier: MIT
// rows_scale_to_integer: each rational row multiplied by the LCM of its entries' denominators.
//
// Mathematics: for a row a with entries n_j / d_j in lowest terms, L = lcm(d_j) > 0 and
// L a is an integer row. Scaling a row by a nonzero scalar is an invertible row operation
// (multiplication by an invertible diagonal matrix on the left), so rank, row rank profile,
// column rank profile and the right kernel {v : A v = 0} are all unchanged; a minor on rows
// R is multiplied by prod_{i in R} L_i != 0, so it is nonzero iff the original minor is.
// Preconditions: none. Cost: O(m n) gcd/lcm operations on the denominators.
#pragma once
#include <vector>

#include "mhla/arith/scalar.hpp"
#include "mhla/linalg/matrix.hpp"

namespace mhla {

std::vector<Integer> row_scale_to_integer(const std::vector<Rational>& row);
Matrix<Integer> rows_scale_to_integer(const Matrix<Rational>& A);

// The smallest integer multiple of a rational vector: v times the LCM of its denominators,
// divided by the GCD of the resulting numerators (the zero vector stays zero). Same span.
std::vector<Integer> vector_primitive_integer(const std::vector<Rational>& v);

}  // namespace mhla
