// SPDX-License-Identifier: MIT
// Fewer heads (heads/heads.hpp; proofs-notes/07-heads.md): every split with the right pairwise
// sums has weights W; the single-token map is what the model computes on one token and bounds the
// head count from below; the one-head solve recovers one head; fewest_heads is always exact and
// between the lower bound and the even split's rank.
#include <catch2/catch.hpp>

#include <random>

#include "mhla/features/equivalence.hpp"
#include "mhla/features/exact_fast.hpp"
#include "mhla/heads/heads.hpp"
#include "mhla/linalg/bareiss.hpp"
#include "mhla/linalg/rows_scale_to_integer.hpp"
#include "support/random_exact.hpp"

using namespace mhla;

namespace {

Model<Rational> random_integer_model(std::mt19937_64& rng, std::size_t d, std::size_t H, bool causal, long R) {
  std::uniform_int_distribution<long> entry(-R, R);
  Model<Rational> m{d, causal, {}};
  for (std::size_t h = 0; h < H; ++h) {
    Head<Rational> head{Matrix<Rational>(d, d), Matrix<Rational>(d, d)};
    for (Rational& x : head.V.data()) x = entry(rng);
    for (Rational& x : head.Q.data()) x = entry(rng);
    m.heads.push_back(std::move(head));
  }
  return m;
}

bool parallel(const std::vector<Rational>& x, const std::vector<Rational>& y) {
  for (std::size_t i = 0; i < x.size(); ++i)
    for (std::size_t j = i + 1; j < x.size(); ++j)
      if (x[i] * y[j] != x[j] * y[i]) return false;
  return true;
}

bool is_zero(const std::vector<Rational>& x) {
  for (const Rational& v : x)
    if (v != 0) return false;
  return true;
}

// The condition of Lemma H4 under which the one-head solve is guaranteed to succeed.
bool one_head_generic(const Head<Rational>& h) {
  const std::size_t d = h.V.rows();
  for (std::size_t j = 0; j < d; ++j)
    if (is_zero(h.V.column(j)) || is_zero(h.Q.row_vector(j))) return false;
  for (std::size_t j = 0; j < d; ++j)
    for (std::size_t k = j + 1; k < d; ++k)
      if (parallel(h.V.column(j), h.V.column(k)) && parallel(h.Q.row_vector(j), h.Q.row_vector(k))) return false;
  return true;
}

std::size_t exact_rank(const Matrix<Rational>& A) { return rank_bareiss(rows_scale_to_integer(A)); }

}  // namespace

TEST_CASE("split freedom: any pair offsets keep the weights, and the split's heads compute the same function") {
  std::mt19937_64 rng(11);
  for (std::size_t d = 1; d <= 4; ++d)
    for (bool causal : {false, true}) {
      const Model<Rational> model = test::random_model(rng, d, 2, causal, 2, 1);
      const Matrix<Rational> W = weights(model);
      const Matrix<Rational> X = test::random_matrix(rng, d * d, d * d, 3, 2);
      const Matrix<Rational> M = split_nearest(W, X);
      CHECK(fold_split(M, d) == W);
      // The offsets are the ones read off X: M - even_split(W) is antisymmetric in each pair.
      const Matrix<Rational> E = even_split(W);
      for (std::size_t a = 0; a < d; ++a)
        for (std::size_t j = 0; j < d; ++j)
          for (std::size_t k = 0; k < d; ++k)
            for (std::size_t l = 0; l < d; ++l) {
              const Rational t = M(a * d + j, k * d + l) - E(a * d + j, k * d + l);
              CHECK(t == (j == k ? Rational(0) : (X(a * d + j, k * d + l) - X(a * d + k, j * d + l)) / 2));
            }
      const Model<Rational> split_model = model_from_factorisation(rank_factorisation(M), d, causal);
      CHECK(weights(split_model) == W);
      CHECK(decide_equivalence(split_model, model).equivalent);
      const Matrix<Rational> Z = test::random_matrix(rng, d, 3, 2, 1);
      CHECK(evaluate_exact(split_model, Z) == evaluate_exact(model, Z));
    }
}

TEST_CASE("single-token map: the model's output on one token, of rank at most H (the lower bound)") {
  std::mt19937_64 rng(12);
  for (std::size_t d = 1; d <= 4; ++d)
    for (std::size_t H = 1; H <= 4; ++H) {
      INFO("d = " << d << ", H = " << H);
      const Model<Rational> model = test::random_model(rng, d, H, false, 2, 1);
      const Matrix<Rational> W = weights(model);
      const Matrix<Rational> C = test::random_matrix(rng, d, 1, 2, 1);
      const std::vector<Rational> c = C.column(0);
      const Matrix<Rational> S = single_token_map(W, c);
      // sum_h (V_h c)(Q_h^T c)^T, from the generator's heads.
      Matrix<Rational> expected(d, d);
      for (const Head<Rational>& h : model.heads) {
        const std::vector<Rational> v = multiply(h.V, c), q = multiply(transpose(h.Q), c);
        for (std::size_t a = 0; a < d; ++a)
          for (std::size_t l = 0; l < d; ++l) expected(a, l) += v[a] * q[l];
      }
      CHECK(S == expected);
      // On the one-token input Z = c the model outputs Sigma_c c.
      CHECK(evaluate_exact(model, C).column(0) == multiply(S, c));
      const std::size_t bound = head_count_lower_bound(W);
      CHECK(bound <= std::min(H, d));
      CHECK(bound >= exact_rank(S));
    }
  // A model with two heads that add up to one head's function: the bound is 1, not 2.
  Model<Rational> twice{2, false, {}};
  twice.heads.push_back({Matrix<Rational>(2, 2, {1, 2, 3, 4}), Matrix<Rational>(2, 2, {1, 0, 1, 1})});
  twice.heads.push_back({Matrix<Rational>(2, 2, {1, 2, 3, 4}), Matrix<Rational>(2, 2, {1, 0, 1, 1})});
  CHECK(head_count_lower_bound(weights(twice)) == 1);
  CHECK(head_count_lower_bound(Matrix<Rational>(3, feature_dim(3))) == 0);
}

TEST_CASE("one-head solve: generic one-head models give one head with weights exactly W") {
  std::mt19937_64 rng(13);
  int generic = 0;
  for (std::size_t d = 1; d <= 5; ++d)
    for (int t = 0; t < 6; ++t) {
      INFO("d = " << d << ", trial " << t);
      const Model<Rational> model = t % 2 ? test::random_model(rng, d, 1, t % 3 == 0, 2, 1)
                                          : random_integer_model(rng, d, 1, false, 2);
      const Matrix<Rational> W = weights(model);
      const std::optional<Model<Rational>> one = one_head_from_weights(W, model.causal);
      if (one) {
        CHECK(one->heads.size() == 1);
        CHECK(weights(*one) == W);
        CHECK(one->causal == model.causal);
      }
      if (one_head_generic(model.heads[0])) {
        ++generic;
        CHECK(one.has_value());
        const FewestHeads f = fewest_heads(W, model.causal);
        CHECK(f.model.heads.size() == 1);
        CHECK(f.lower_bound == 1);
        CHECK(f.minimal());
        CHECK(weights(f.model) == W);
      }
    }
  CHECK(generic >= 20);  // the random models are almost all generic
  // Two heads that are not one head: no one-head model (the even split has rank 2 = lower bound).
  Model<Rational> two{2, false, {}};
  two.heads.push_back({Matrix<Rational>(2, 2, {1, 0, 0, 0}), Matrix<Rational>(2, 2, {1, 0, 0, 0})});
  two.heads.push_back({Matrix<Rational>(2, 2, {0, 0, 0, 1}), Matrix<Rational>(2, 2, {0, 0, 0, 1})});
  CHECK_FALSE(one_head_from_weights(weights(two), false).has_value());
  CHECK(head_count_lower_bound(weights(two)) == 2);
}

TEST_CASE("fewest heads: exact always, between the proven lower bound and the even split's rank") {
  std::mt19937_64 rng(14);
  for (std::size_t d = 2; d <= 4; ++d)
    for (std::size_t H = 1; H <= 3; ++H)
      for (int t = 0; t < 2; ++t) {
        INFO("d = " << d << ", H = " << H << ", trial " << t);
        const Model<Rational> model = t == 0 ? random_integer_model(rng, d, H, false, 3) : test::random_model(rng, d, H, true, 1, 1);
        const Matrix<Rational> W = weights(model);
        const FewestHeads f = fewest_heads(W, model.causal);
        CHECK(weights(f.model) == W);
        CHECK(f.model.causal == model.causal);
        CHECK(f.even_split_rank == exact_rank(even_split(W)));
        CHECK(f.lower_bound == head_count_lower_bound(W));
        CHECK(f.lower_bound <= f.model.heads.size());
        CHECK(f.model.heads.size() <= f.even_split_rank);
        CHECK(f.minimal() == (f.model.heads.size() == f.lower_bound));
        CHECK(decide_equivalence(f.model, model).equivalent);
      }
  // Without the float search (max_search_d below d) a two-head model keeps the even split.
  const Model<Rational> two = random_integer_model(rng, 3, 2, false, 3);
  FewestHeadsOptions no_search;
  no_search.max_search_d = 2;
  const FewestHeads plain = fewest_heads(weights(two), false, no_search);
  CHECK(plain.model.heads.size() == plain.even_split_rank);
  CHECK(weights(plain.model) == weights(two));
  CHECK(plain.found_by == "even split");
  // The zero weights: no heads.
  const FewestHeads zero = fewest_heads(Matrix<Rational>(3, feature_dim(3)), false);
  CHECK(zero.model.heads.empty());
  CHECK(zero.minimal());
}
