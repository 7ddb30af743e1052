// SPDX-License-Identifier: MIT
#include "mhla/tasks/orthogonal.hpp"

#include <cmath>

namespace mhla::tasks {

Matrix<Rational> inverse(const Matrix<Rational>& M) {
  const std::size_t n = M.rows();
  if (M.cols() != n) fail(ErrorKind::internal, "inverse: matrix is not square");
  Matrix<Rational> A = M, R = Matrix<Rational>::identity(n);
  for (std::size_t c = 0; c < n; ++c) {
    std::size_t p = c;
    while (p < n && A(p, c) == 0) ++p;
    if (p == n) fail(ErrorKind::internal, "inverse: matrix is singular");
    if (p != c)
      for (std::size_t j = 0; j < n; ++j) {
        std::swap(A(p, j), A(c, j));
        std::swap(R(p, j), R(c, j));
      }
    const Rational pivot = A(c, c);
    for (std::size_t j = 0; j < n; ++j) {
      A(c, j) /= pivot;
      R(c, j) /= pivot;
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (i == c || A(i, c) == 0) continue;
      const Rational f = A(i, c);
      for (std::size_t j = 0; j < n; ++j) {
        A(i, j) -= f * A(c, j);
        R(i, j) -= f * R(c, j);
      }
    }
  }
  return R;
}

Matrix<Rational> cayley(const Matrix<Rational>& A) {
  const std::size_t m = A.rows();
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < m; ++j)
      if (A(i, j) != -A(j, i)) fail(ErrorKind::internal, "cayley: matrix is not skew-symmetric");
  Matrix<Rational> minus = Matrix<Rational>::identity(m), plus = Matrix<Rational>::identity(m);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < m; ++j) {
      minus(i, j) -= A(i, j);
      plus(i, j) += A(i, j);
    }
  return multiply(minus, inverse(plus));
}

Matrix<Rational> random_orthogonal(Rng& rng, std::size_t m) {  // @proof T4
  Matrix<Rational> A(m, m);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = i + 1; j < m; ++j) {
      const std::int64_t p = rng.between(-8, 8), q = rng.between(1, 4);
      A(i, j) = Rational(Integer(p), Integer(q));
      A(j, i) = -A(i, j);
    }
  Matrix<Rational> Q = cayley(A);
  for (std::size_t j = 0; j < m; ++j)
    if (rng.below(2) == 1)
      for (std::size_t i = 0; i < m; ++i) Q(i, j) = -Q(i, j);
  return Q;
}

std::vector<Rational> inverse_stereographic(const std::vector<Rational>& s, bool south) {
  Rational norm2 = 0;
  for (const Rational& x : s) norm2 += x * x;
  const Rational den = 1 + norm2;
  std::vector<Rational> x;
  for (const Rational& si : s) x.push_back(2 * si / den);
  const Rational last = (1 - norm2) / den;
  x.push_back(south ? last : Rational(-last));
  return x;
}

std::vector<Rational> unit_vector_near(const std::vector<double>& g) {  // @proof T4
  const std::size_t m = g.size();
  double norm2 = 0;
  for (double v : g) norm2 += v * v;
  const double norm = std::sqrt(norm2);
  if (!(norm > 0) || !std::isfinite(norm)) fail(ErrorKind::internal, "unit_vector_near: zero or non-finite vector");
  if (m == 1) return {Rational(g[0] > 0 ? 1 : -1)};
  // Project from the pole opposite the last coordinate's sign so that 1 + |x_last| >= 1.
  const bool south = g[m - 1] >= 0;  // pole -e: s = x' / (1 + x_last)
  const double last = g[m - 1] / norm;
  const double den = south ? 1 + last : 1 - last;
  std::vector<Rational> s;
  const double scale = std::ldexp(1.0, normalized_resolution_bits);
  for (std::size_t i = 0; i + 1 < m; ++i) {
    const double si = (g[i] / norm) / den;
    s.push_back(Rational(Integer(static_cast<long long>(std::nearbyint(si * scale))),
                         Integer(1) << normalized_resolution_bits));
  }
  return inverse_stereographic(s, south);
}

Matrix<Rational> random_unit_columns(Rng& rng, std::size_t m) {
  Matrix<Rational> M(m, m);
  for (std::size_t j = 0; j < m; ++j) {
    std::vector<double> g(m);
    do {
      for (double& v : g) v = rng.gaussian();
    } while ([&] {
      for (double v : g)
        if (v != 0) return false;
      return true;
    }());
    const std::vector<Rational> x = unit_vector_near(g);
    for (std::size_t i = 0; i < m; ++i) M(i, j) = x[i];
  }
  return M;
}

}  // namespace mhla::tasks
