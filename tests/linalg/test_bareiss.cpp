// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include "mhla/linalg/bareiss.hpp"
#include "mhla/linalg/rows_scale_to_integer.hpp"
#include "planted.hpp"

using namespace mhla;
using namespace mhla::test;

namespace {
Matrix<Integer> mat(std::size_t m, std::size_t n, std::vector<long long> v) {
  std::vector<Integer> d;
  for (long long x : v) d.emplace_back(x);
  return Matrix<Integer>(m, n, std::move(d));
}
}  // namespace

TEST_CASE("det_bareiss on matrices with known determinants", "[linalg][bareiss]") {
  CHECK(det_bareiss(mat(2, 2, {2, 0, 0, 3})) == 6);
  CHECK(det_bareiss(mat(2, 2, {0, 1, 1, 0})) == -1);
  CHECK(det_bareiss(mat(3, 3, {0, 0, 1, 0, 1, 0, 1, 0, 0})) == -1);
  CHECK(det_bareiss(mat(3, 3, {1, 2, 3, 4, 5, 6, 7, 8, 9})) == 0);
  CHECK(det_bareiss(Matrix<Integer>(0, 0)) == 1);
  // Vandermonde: det = prod_{i<j} (x_j - x_i).
  const std::vector<long long> x = {-3, -1, 0, 2, 5, 7, 11};
  const std::size_t n = x.size();
  Matrix<Integer> V(n, n);
  Integer want = 1;
  for (std::size_t i = 0; i < n; ++i) {
    Integer p = 1;
    for (std::size_t j = 0; j < n; ++j) {
      V(i, j) = p;
      p *= x[i];
    }
    for (std::size_t j = i + 1; j < n; ++j) want *= Integer(x[j] - x[i]);
  }
  CHECK(det_bareiss(V) == want);
  CHECK(det_bareiss(transpose(V)) == want);
  CHECK_THROWS_AS(det_bareiss(Matrix<Integer>(2, 3)), Error);
}

TEST_CASE("det_bareiss agrees with FLINT fmpz_mat_det", "[linalg][bareiss][flint]") {
  std::mt19937_64 rng(11);
  for (std::size_t n : {1, 2, 3, 5, 8, 13}) {
    for (int it = 0; it < 5; ++it) {
      Matrix<Integer> A = to_integer(planted_rank(n, n, n - (it == 4 ? 1 : 0), rng, 5));
      // Make the determinant non-trivial: scale one row.
      for (std::size_t j = 0; j < n; ++j) A(0, j) *= 3;
      CHECK(det_bareiss(A) == flint_det(A));
    }
  }
}

TEST_CASE("rank and rank profiles of planted-rank matrices", "[linalg][bareiss][flint]") {
  std::mt19937_64 rng(12);
  for (auto [m, n] : std::vector<std::pair<std::size_t, std::size_t>>{{1, 1}, {4, 7}, {7, 4}, {12, 12}, {25, 18}}) {
    for (std::size_t r = 0; r <= std::min(m, n); r += 1 + std::min(m, n) / 4) {
      const Matrix<Integer> A = to_integer(planted_rank(m, n, r, rng));
      const RankProfile P = rank_profile_bareiss(A);
      CHECK(P.rank == r);
      CHECK(flint_rank(A) == r);
      REQUIRE(P.pivot_rows.size() == r);
      REQUIRE(P.pivot_cols.size() == r);
      CHECK(std::is_sorted(P.pivot_rows.begin(), P.pivot_rows.end()));
      CHECK(std::is_sorted(P.pivot_cols.begin(), P.pivot_cols.end()));
      // The pivot minor is nonsingular.
      Matrix<Integer> M(r, r);
      for (std::size_t i = 0; i < r; ++i)
        for (std::size_t j = 0; j < r; ++j) M(i, j) = A(P.pivot_rows[i], P.pivot_cols[j]);
      CHECK(det_bareiss(M) != 0);
      // Row rank profile = greedy: row i is a pivot row iff it raises the rank of rows 0..i.
      std::size_t k = 0, prev_rank = 0;
      for (std::size_t i = 0; i < m; ++i) {
        Matrix<Integer> top(i + 1, n);
        for (std::size_t a = 0; a <= i; ++a)
          for (std::size_t j = 0; j < n; ++j) top(a, j) = A(a, j);
        const std::size_t ri = rank_bareiss(top);
        const bool pivot = ri > prev_rank;
        CHECK(pivot == (k < r && P.pivot_rows[k] == i));
        if (pivot) ++k;
        prev_rank = ri;
      }
      CHECK(nullspace_bareiss(A).size() == n - r);
      CHECK(flint_nullity(A) == n - r);
    }
  }
}

TEST_CASE("nullspace_bareiss vectors annihilate A and have the reduced shape", "[linalg][bareiss]") {
  std::mt19937_64 rng(13);
  const Matrix<Integer> A = to_integer(planted_rank(9, 14, 6, rng));
  const auto N = nullspace_bareiss(A);
  REQUIRE(N.size() == 8);
  const RankProfile P = rank_profile_bareiss(A);
  std::vector<char> piv(14, 0);
  for (auto c : P.pivot_cols) piv[c] = 1;
  std::size_t k = 0;
  for (std::size_t f = 0; f < 14; ++f) {
    if (piv[f]) continue;
    for (std::size_t g = 0; g < 14; ++g)
      if (!piv[g]) CHECK(N[k][g] == (g == f ? 1 : 0));
    for (std::size_t i = 0; i < A.rows(); ++i) {
      Rational s = 0;
      for (std::size_t j = 0; j < 14; ++j) s += Rational(A(i, j)) * N[k][j];
      CHECK(s == 0);
    }
    ++k;
  }
}

TEST_CASE("solve_bareiss: unique, underdetermined and inconsistent systems", "[linalg][bareiss]") {
  std::mt19937_64 rng(14);
  std::uniform_int_distribution<int> d(-9, 9);
  for (auto [m, n, r] : std::vector<std::tuple<std::size_t, std::size_t, std::size_t>>{
           {6, 6, 6}, {8, 5, 5}, {5, 8, 5}, {9, 7, 4}}) {
    const Matrix<Integer> A = to_integer(planted_rank(m, n, r, rng));
    std::vector<Rational> x0(n);
    for (auto& v : x0) v = Rational(d(rng), 1 + (d(rng) + 9) % 4);
    // b = A x0 scaled to integers by a common factor.
    std::vector<Rational> bq(m, Rational(0));
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j) bq[i] += Rational(A(i, j)) * x0[j];
    const Matrix<Rational> Aq = convert<Rational>(A, [](const Integer& z) { return Rational(z); });
    SolveResult s = solve_bareiss(Aq, bq);
    REQUIRE(s.status != SolveStatus::inconsistent);
    CHECK((s.status == SolveStatus::unique) == (r == n));
    if (r == n) CHECK(s.x == x0);
    for (std::size_t i = 0; i < m; ++i) {
      Rational t = 0;
      for (std::size_t j = 0; j < n; ++j) t += Rational(A(i, j)) * s.x[j];
      CHECK(t == bq[i]);
    }
    if (r < m) {
      // A b outside the column space: [A | b] has rank r + 1 (checked by FLINT).
      std::vector<Integer> b(m);
      for (auto& v : b) v = d(rng);
      Matrix<Integer> Ab(m, n + 1);
      for (std::size_t i = 0; i < m; ++i) {
        for (std::size_t j = 0; j < n; ++j) Ab(i, j) = A(i, j);
        Ab(i, n) = b[i];
      }
      const bool consistent = flint_rank(Ab) == r;
      CHECK((solve_bareiss(A, b).status == SolveStatus::inconsistent) == !consistent);
    }
  }
}

TEST_CASE("rows_scale_to_integer keeps rank and kernel", "[linalg][scale]") {
  Matrix<Rational> A(2, 3, {Rational(1, 2), Rational(1, 3), Rational(0), Rational(2, 5), Rational(-4, 15), Rational(7)});
  const Matrix<Integer> Z = rows_scale_to_integer(A);
  CHECK(Z == mat(2, 3, {3, 2, 0, 6, -4, 105}));
  CHECK(rank_bareiss(Z) == 2);
  CHECK(vector_primitive_integer({Rational(2, 3), Rational(-4, 9), Rational(0)}) ==
        std::vector<Integer>{Integer(3), Integer(-2), Integer(0)});
}
