// SPDX-License-Identifier: MIT
// Test matrices whose rank is known by construction, and FLINT as an outside oracle.
#pragma once
#include <flint/fmpz_mat.h>

#include <algorithm>
#include <random>
#include <utility>

#include "mhla/arith/scalar.hpp"
#include "mhla/linalg/matrix.hpp"

namespace mhla::test {

// A = L R with L = [I_r; G] (m x r) and R = [I_r | H] (r x n), so A has the r x r identity as
// a minor and rank exactly r; then scrambled by random unimodular row and column operations
// (transvections and swaps), which keep the rank. Entries of G, H in [-k, k].
inline Matrix<std::int64_t> planted_rank(std::size_t m, std::size_t n, std::size_t r, std::mt19937_64& rng,
                                         int k = 3, int scramble = 3) {
  std::uniform_int_distribution<int> d(-k, k);
  Matrix<std::int64_t> L(m, r), R(r, n);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < r; ++j) L(i, j) = i < r ? (i == j) : d(rng);
  for (std::size_t i = 0; i < r; ++i)
    for (std::size_t j = 0; j < n; ++j) R(i, j) = j < r ? (i == j) : d(rng);
  Matrix<std::int64_t> A = multiply(L, R);
  std::uniform_int_distribution<std::size_t> ri(0, m - 1), ci(0, n - 1);
  std::uniform_int_distribution<int> c(-1, 1);
  for (int s = 0; s < scramble * static_cast<int>(m + n); ++s) {
    if (m > 1) {
      std::size_t a = ri(rng), b = ri(rng);
      if (a != b) {
        const int f = c(rng);
        if (f == 0)
          for (std::size_t j = 0; j < n; ++j) std::swap(A(a, j), A(b, j));
        else
          for (std::size_t j = 0; j < n; ++j) A(a, j) += f * A(b, j);
      }
    }
    if (n > 1) {
      std::size_t a = ci(rng), b = ci(rng);
      if (a != b) {
        const int f = c(rng);
        if (f == 0)
          for (std::size_t i = 0; i < m; ++i) std::swap(A(i, a), A(i, b));
        else
          for (std::size_t i = 0; i < m; ++i) A(i, a) += f * A(i, b);
      }
    }
  }
  return A;
}

inline Matrix<Integer> to_integer(const Matrix<std::int64_t>& A) {
  return convert<Integer>(A, [](std::int64_t x) { return Integer(static_cast<long long>(x)); });
}

// FLINT wrappers (test-only oracle).
struct FlintMat {
  fmpz_mat_t m;
  explicit FlintMat(const Matrix<Integer>& A) {
    fmpz_mat_init(m, static_cast<slong>(A.rows()), static_cast<slong>(A.cols()));
    for (std::size_t i = 0; i < A.rows(); ++i)
      for (std::size_t j = 0; j < A.cols(); ++j)
        fmpz_set_mpz(fmpz_mat_entry(m, i, j), A(i, j).backend().data());
  }
  ~FlintMat() { fmpz_mat_clear(m); }
  FlintMat(const FlintMat&) = delete;
  FlintMat& operator=(const FlintMat&) = delete;
};

inline std::size_t flint_rank(const Matrix<Integer>& A) {
  FlintMat F(A);
  return static_cast<std::size_t>(fmpz_mat_rank(F.m));
}

inline Integer flint_det(const Matrix<Integer>& A) {
  FlintMat F(A);
  fmpz_t d;
  fmpz_init(d);
  fmpz_mat_det(d, F.m);
  Integer out;
  fmpz_get_mpz(out.backend().data(), d);
  fmpz_clear(d);
  return out;
}

inline std::size_t flint_nullity(const Matrix<Integer>& A) {
  FlintMat F(A);
  fmpz_mat_t X;
  fmpz_mat_init(X, static_cast<slong>(A.cols()), static_cast<slong>(A.cols()));
  const slong k = fmpz_mat_nullspace(X, F.m);
  fmpz_mat_clear(X);
  return static_cast<std::size_t>(k);
}

}  // namespace mhla::test
