// SPDX-License-Identifier: MIT
#include "mhla/linalg/rows_scale_to_integer.hpp"

namespace mhla {

std::vector<Integer> row_scale_to_integer(const std::vector<Rational>& row) {
  Integer L = 1;
  for (const Rational& q : row) L = lcm(L, denominator(q));
  std::vector<Integer> out;
  out.reserve(row.size());
  for (const Rational& q : row) out.push_back(numerator(q) * (L / denominator(q)));
  return out;
}

Matrix<Integer> rows_scale_to_integer(const Matrix<Rational>& A) {
  Matrix<Integer> Z(A.rows(), A.cols());
  std::vector<Rational> row(A.cols());
  for (std::size_t i = 0; i < A.rows(); ++i) {
    for (std::size_t j = 0; j < A.cols(); ++j) row[j] = A(i, j);
    const std::vector<Integer> z = row_scale_to_integer(row);
    for (std::size_t j = 0; j < A.cols(); ++j) Z(i, j) = z[j];
  }
  return Z;
}

std::vector<Integer> vector_primitive_integer(const std::vector<Rational>& v) {
  std::vector<Integer> z = row_scale_to_integer(v);
  Integer g = 0;
  for (const Integer& x : z) g = gcd(g, x);
  if (g > 1)
    for (Integer& x : z) x /= g;
  return z;
}

}  // namespace mhla
