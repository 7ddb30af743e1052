// SPDX-License-Identifier: MIT
// Exactly orthogonal and exactly unit-length rational matrices for the associative-memory task.
//   - random_orthogonal(m): Q = C(A) D, C(A) = (I - A)(I + A)^{-1} the Cayley transform of a
//     random rational skew-symmetric A (entries p/q, |p| <= 8, 1 <= q <= 4), D a diagonal of
//     independent random signs. C(A) is a rotation (det +1) and D has det +-1, so both
//     components of O(m) occur, each with probability 1/2. Q^T Q = I exactly (@proof T4).
//   - random_unit_columns(m): each column a binary64 Gaussian vector g, mapped to the point of
//     the unit sphere whose stereographic coordinates are those of g/|g| rounded to multiples
//     of 2^-16 (normalized_resolution_bits); the inverse stereographic map of a rational point
//     is a rational point of the sphere, so every column has norm exactly 1 (@proof T4).
#pragma once
#include <cstddef>

#include "mhla/arith/scalar.hpp"
#include "mhla/linalg/matrix.hpp"
#include "mhla/tasks/rng.hpp"

namespace mhla::tasks {

inline constexpr unsigned normalized_resolution_bits = 16;

// (I - A)(I + A)^{-1}. Precondition (checked): A is skew-symmetric (then I + A is invertible).
Matrix<Rational> cayley(const Matrix<Rational>& A);

// The inverse of a square rational matrix by Gauss-Jordan; Error(internal) if singular.
Matrix<Rational> inverse(const Matrix<Rational>& M);

// A random exactly orthogonal m x m rational matrix (see above). m >= 1.
Matrix<Rational> random_orthogonal(Rng& rng, std::size_t m);

// The point of the unit sphere in R^m with rational stereographic coordinates s (m - 1 of
// them), projected from the pole -e_{m-1} (south = true) or +e_{m-1}:
//   x = (2 s, +-(1 - |s|^2)) / (1 + |s|^2),  |x| = 1 exactly.
std::vector<Rational> inverse_stereographic(const std::vector<Rational>& s, bool south);

// A unit vector near g/|g| (g nonzero binary64 values): the stereographic coordinates of
// g/|g| computed in binary64 from the pole farther from g, rounded to multiples of
// 2^-normalized_resolution_bits, mapped back exactly. For m = 1: +-1.
std::vector<Rational> unit_vector_near(const std::vector<double>& g);

// An m x m matrix whose columns are unit_vector_near of binary64 Gaussian vectors.
Matrix<Rational> random_unit_columns(Rng& rng, std::size_t m);

}  // namespace mhla::tasks
