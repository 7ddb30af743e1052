// SPDX-License-Identifier: MIT
// Fraction-free (Bareiss) elimination over Z (@proof A1): the readable exact reference of the linear
// algebra (proofs-notes/04).
//
// Mathematics: one-step Bareiss elimination on an m x n integer matrix, column by column;
// the pivot of a column is the first remaining row with a nonzero entry there, and after
// the step with pivot rows R (|R| = k) and pivot columns C every entry (i, l) of the
// remaining rows is, up to the sign of the row permutation, the (k+1) x (k+1) minor
// det A[R + i, C + l] (Sylvester's identity), so every division by the previous pivot is
// exact and entries stay bounded by Hadamard's bound. Hence:
//   * the pivot columns are the column rank profile (lexicographically first independent
//     columns) and their number is rank(A) over Q;
//   * for square A, det(A) = sign(permutation) * last pivot (0 when rank < n);
//   * the pivot rows come from the same elimination on A^T (the row rank profile of A is the
//     column rank profile of A^T).
// Every function checks its own result where that is cheap in the exact arithmetic:
// nullspace vectors satisfy A v = 0 and solutions A x = b before they are returned
// (a failure is a bug: Error(internal)).
// Preconditions: none on the values; shapes are checked.
// Cost: O(m n min(m, n)) operations on integers of O(min(m,n) (log ||A|| + log min(m,n)))
// bits. A reference, not the fast path: use EchelonModP and the certified routines of
// rank_certified.hpp for large matrices.
#pragma once
#include <cstddef>
#include <vector>

#include "mhla/arith/scalar.hpp"
#include "mhla/linalg/matrix.hpp"

namespace mhla {

struct EchelonBareiss {
  Matrix<Integer> echelon;             // the fraction-free row echelon form (rows permuted)
  std::vector<std::size_t> row_order;  // echelon row i came from row row_order[i] of A
  std::vector<std::size_t> pivot_cols; // increasing
  std::size_t rank = 0;
  int permutation_sign = 1;
};

// The column-by-column elimination described above (pivot rows NOT the row rank profile).
EchelonBareiss echelon_bareiss(const Matrix<Integer>& A);

struct RankProfile {
  std::size_t rank = 0;
  std::vector<std::size_t> pivot_rows;  // row rank profile, increasing
  std::vector<std::size_t> pivot_cols;  // column rank profile, increasing
};
// Rank and both rank profiles (two eliminations: A and A^T).
RankProfile rank_profile_bareiss(const Matrix<Integer>& A);
std::size_t rank_bareiss(const Matrix<Integer>& A);

// det(A) for square A (checked: Error(internal) otherwise).
Integer det_bareiss(const Matrix<Integer>& A);

// A basis of {v in Q^n : A v = 0}: one vector per non-pivot column f with v[f] = 1 and
// v = 0 on the other non-pivot columns (the reduced basis). Each vector is checked.
std::vector<std::vector<Rational>> nullspace_bareiss(const Matrix<Integer>& A);

enum class SolveStatus { unique, underdetermined, inconsistent };
struct SolveResult {
  SolveStatus status = SolveStatus::inconsistent;
  std::vector<Rational> x;  // a solution (non-pivot unknowns set to 0); empty if inconsistent
};
// A x = b over Q; b has A.rows() entries (checked). The solution is checked by substitution.
SolveResult solve_bareiss(const Matrix<Integer>& A, const std::vector<Integer>& b);
// The same for rational data: each row of [A | b] is scaled to integers first.
SolveResult solve_bareiss(const Matrix<Rational>& A, const std::vector<Rational>& b);

}  // namespace mhla
