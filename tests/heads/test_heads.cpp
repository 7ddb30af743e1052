// SPDX-License-Identifier: MIT
// Head recovery (heads/heads.hpp): the even split keeps the pairwise sums, the exact rank
// factorisation reproduces M with rank(M) columns, and the recovered heads have exactly the
// given weights and compute the same function.
#include <catch2/catch.hpp>

#include <random>

#include "mhla/features/exact_fast.hpp"
#include "mhla/heads/heads.hpp"
#include "mhla/linalg/bareiss.hpp"
#include "mhla/linalg/rows_scale_to_integer.hpp"
#include "support/random_exact.hpp"

using namespace mhla;

TEST_CASE("even split: entries of math.md, and folding it back gives w") {
  std::mt19937_64 rng(1);
  for (std::size_t d = 1; d <= 4; ++d) {
    const Matrix<Rational> W = test::random_matrix(rng, d, feature_dim(d), 3, 2);
    const Matrix<Rational> M = even_split(W);
    REQUIRE(M.rows() == d * d);
    CHECK(fold_split(M, d) == W);
    for (std::size_t a = 0; a < d; ++a)
      for (std::size_t j = 0; j < d; ++j)
        for (std::size_t k = 0; k < d; ++k)
          for (std::size_t l = 0; l < d; ++l) {
            const Rational w = W(a, feature_index(d, std::min(j, k), std::max(j, k), l));
            CHECK(M(a * d + j, k * d + l) == (j == k ? w : w / 2));
          }
  }
  // d = 2 by hand: w_0[(0,1,0)] = 6 splits into M[(0,0),(1,0)] = M[(0,1),(0,0)] = 3.
  Matrix<Rational> W(2, 6);
  W(0, feature_index(2, 0, 1, 0)) = 6;
  const Matrix<Rational> M = even_split(W);
  CHECK(M(0, 2) == 3);
  CHECK(M(1, 0) == 3);
  Rational total = 0;
  for (const Rational& x : M.data()) total += x;
  CHECK(total == 6);
}

TEST_CASE("rank factorisation: U V^T = M exactly with rank(M) columns, on matrices of planted rank") {
  std::mt19937_64 rng(2);
  for (std::size_t m : {1, 4, 9})
    for (std::size_t r = 0; r <= m; r += (m > 4 ? 3 : 1)) {
      const Matrix<Rational> M = multiply(test::random_matrix(rng, m, r, 2, 1), test::random_matrix(rng, r, m, 2, 1));
      const RankFactorisation f = rank_factorisation(M);
      CHECK(f.rank == rank_bareiss(rows_scale_to_integer(M)));
      CHECK(f.rank <= r);
      CHECK(f.U.cols() == f.rank);
      CHECK(multiply(f.U, transpose(f.V)) == M);
    }
}

TEST_CASE("heads from weights: weights(heads) == w, rank(M) <= d^2 heads, and the same function as the generator") {
  std::mt19937_64 rng(3);
  for (std::size_t d = 1; d <= 4; ++d)
    for (std::size_t H = 1; H <= 3; ++H)
      for (bool causal : {false, true}) {
        INFO("d = " << d << ", H = " << H << ", causal = " << causal);
        const Model<Rational> model = test::random_model(rng, d, H, causal, 2, 1);
        const Matrix<Rational> W = weights(model);
        const Model<Rational> rec = heads_from_weights(W, causal);
        CHECK(rec.causal == causal);
        CHECK(weights(rec) == W);
        CHECK(rec.heads.size() == rank_bareiss(rows_scale_to_integer(even_split(W))));
        CHECK(rec.heads.size() <= d * d);
        for (int t = 0; t < 2; ++t) {
          const Matrix<Rational> Z = test::random_matrix(rng, d, 3, 2, 1);
          CHECK(evaluate_exact(rec, Z) == evaluate_exact(model, Z));
        }
      }
  // A generic one-head model at d = 3: the even split has full rank d^2 = 9 (the paper's
  // Algorithm 1 returns 9 heads, the paper's Algorithm 1).
  const Model<Rational> one = test::random_model(rng, 3, 1, false, 2, 0);
  CHECK(heads_from_weights(weights(one), false).heads.size() == 9);
  // The zero weights: the zero model.
  CHECK(heads_from_weights(Matrix<Rational>(2, 6), false).heads.empty());
}

TEST_CASE("heads from weights: a wrong factorisation is caught by the weight check") {
  std::mt19937_64 rng(4);
  const Model<Rational> model = test::random_model(rng, 2, 2, false, 2, 0);
  const Matrix<Rational> W = weights(model);
  RankFactorisation f = rank_factorisation(even_split(W));
  REQUIRE(f.rank > 0);
  f.U(0, 0) += 1;  // corrupt one entry of one head
  CHECK_FALSE(weights(model_from_factorisation(f, 2, false)) == W);
}
