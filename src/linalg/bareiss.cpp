// SPDX-License-Identifier: MIT
#include "mhla/linalg/bareiss.hpp"

#include <utility>

#include "mhla/linalg/rows_scale_to_integer.hpp"
#include "mhla/support/error.hpp"

namespace mhla {

EchelonBareiss echelon_bareiss(const Matrix<Integer>& A) {
  EchelonBareiss E;
  E.echelon = A;
  Matrix<Integer>& M = E.echelon;
  const std::size_t m = A.rows(), n = A.cols();
  E.row_order.resize(m);
  for (std::size_t i = 0; i < m; ++i) E.row_order[i] = i;
  Integer prev = 1;
  std::size_t r = 0;
  for (std::size_t j = 0; j < n && r < m; ++j) {
    std::size_t piv = r;
    while (piv < m && M(piv, j) == 0) ++piv;
    if (piv == m) continue;  // column j depends on the earlier pivot columns
    if (piv != r) {
      for (std::size_t l = 0; l < n; ++l) std::swap(M(piv, l), M(r, l));
      std::swap(E.row_order[piv], E.row_order[r]);
      E.permutation_sign = -E.permutation_sign;
    }
    const Integer pivot = M(r, j);
    for (std::size_t i = r + 1; i < m; ++i) {
      const Integer f = M(i, j);
      for (std::size_t l = j + 1; l < n; ++l) {
        // Exact by Sylvester's identity: the result is a minor of A (up to sign).
        M(i, l) = (pivot * M(i, l) - f * M(r, l)) / prev;
      }
      M(i, j) = 0;
    }
    prev = pivot;
    E.pivot_cols.push_back(j);
    ++r;
  }
  E.rank = r;
  return E;
}

std::size_t rank_bareiss(const Matrix<Integer>& A) { return echelon_bareiss(A).rank; }

RankProfile rank_profile_bareiss(const Matrix<Integer>& A) {
  RankProfile out;
  EchelonBareiss E = echelon_bareiss(A);
  out.rank = E.rank;
  out.pivot_cols = E.pivot_cols;
  out.pivot_rows = echelon_bareiss(transpose(A)).pivot_cols;
  if (out.pivot_rows.size() != out.rank) fail(ErrorKind::internal, "rank_profile_bareiss: rank(A) != rank(A^T)");
  return out;
}

Integer det_bareiss(const Matrix<Integer>& A) {
  if (A.rows() != A.cols()) fail(ErrorKind::internal, "det_bareiss: matrix is not square");
  if (A.rows() == 0) return Integer(1);
  EchelonBareiss E = echelon_bareiss(A);
  if (E.rank < A.rows()) return Integer(0);
  const Integer& last = E.echelon(A.rows() - 1, A.cols() - 1);
  return E.permutation_sign > 0 ? last : Integer(-last);
}

namespace {

// Back substitution in the echelon form: the x with x[f] = free_value[f] on the non-pivot
// columns and E x = rhs on the pivot rows (rhs indexed like the echelon rows).
std::vector<Rational> back_substitute(const EchelonBareiss& E, std::size_t n, const std::vector<Rational>& free_values,
                                      const std::vector<Rational>& rhs) {
  std::vector<Rational> x = free_values;
  for (std::size_t k = E.rank; k-- > 0;) {
    const std::size_t c = E.pivot_cols[k];
    Rational s = rhs[k];
    for (std::size_t l = c + 1; l < n; ++l)
      if (E.echelon(k, l) != 0 && x[l] != 0) s -= Rational(E.echelon(k, l)) * x[l];
    x[c] = s / Rational(E.echelon(k, c));
  }
  return x;
}

bool annihilates(const Matrix<Integer>& A, const std::vector<Rational>& v, const std::vector<Integer>* b) {
  for (std::size_t i = 0; i < A.rows(); ++i) {
    Rational s = 0;
    for (std::size_t j = 0; j < A.cols(); ++j)
      if (A(i, j) != 0 && v[j] != 0) s += Rational(A(i, j)) * v[j];
    if (s != (b ? Rational((*b)[i]) : Rational(0))) return false;
  }
  return true;
}

}  // namespace

std::vector<std::vector<Rational>> nullspace_bareiss(const Matrix<Integer>& A) {
  const std::size_t n = A.cols();
  EchelonBareiss E = echelon_bareiss(A);
  std::vector<char> pivot(n, 0);
  for (std::size_t c : E.pivot_cols) pivot[c] = 1;
  std::vector<std::vector<Rational>> basis;
  const std::vector<Rational> zero_rhs(E.rank, Rational(0));
  for (std::size_t f = 0; f < n; ++f) {
    if (pivot[f]) continue;
    std::vector<Rational> free_values(n, Rational(0));
    free_values[f] = 1;
    std::vector<Rational> v = back_substitute(E, n, free_values, zero_rhs);
    if (!annihilates(A, v, nullptr)) fail(ErrorKind::internal, "nullspace_bareiss: A v != 0 for a computed vector");
    basis.push_back(std::move(v));
  }
  return basis;
}

SolveResult solve_bareiss(const Matrix<Integer>& A, const std::vector<Integer>& b) {
  const std::size_t m = A.rows(), n = A.cols();
  if (b.size() != m) fail(ErrorKind::internal, "solve_bareiss: right-hand side length differs from rows");
  Matrix<Integer> Ab(m, n + 1);
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = 0; j < n; ++j) Ab(i, j) = A(i, j);
    Ab(i, n) = b[i];
  }
  EchelonBareiss E = echelon_bareiss(Ab);
  SolveResult out;
  // b outside the column space of A <=> the last column of [A | b] is a pivot column.
  if (!E.pivot_cols.empty() && E.pivot_cols.back() == n) {
    out.status = SolveStatus::inconsistent;
    return out;
  }
  std::vector<Rational> rhs(E.rank);
  for (std::size_t k = 0; k < E.rank; ++k) rhs[k] = Rational(E.echelon(k, n));
  out.x = back_substitute(E, n, std::vector<Rational>(n, Rational(0)), rhs);
  if (!annihilates(A, out.x, &b)) fail(ErrorKind::internal, "solve_bareiss: A x != b for the computed solution");
  out.status = E.rank == n ? SolveStatus::unique : SolveStatus::underdetermined;
  return out;
}

SolveResult solve_bareiss(const Matrix<Rational>& A, const std::vector<Rational>& b) {
  const std::size_t m = A.rows(), n = A.cols();
  if (b.size() != m) fail(ErrorKind::internal, "solve_bareiss: right-hand side length differs from rows");
  Matrix<Rational> Ab(m, n + 1);
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = 0; j < n; ++j) Ab(i, j) = A(i, j);
    Ab(i, n) = b[i];
  }
  // Scaling row i of [A | b] by L_i > 0 keeps the solution set of A x = b.
  Matrix<Integer> Z = rows_scale_to_integer(Ab);
  Matrix<Integer> Az(m, n);
  std::vector<Integer> bz(m);
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = 0; j < n; ++j) Az(i, j) = Z(i, j);
    bz[i] = Z(i, n);
  }
  return solve_bareiss(Az, bz);
}

}  // namespace mhla
