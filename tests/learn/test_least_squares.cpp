// SPDX-License-Identifier: MIT
// Exact least squares (learn/least_squares.hpp): hand examples with known answers, the round
// trip model -> identifiable data -> ERM -> heads -> the same function, agnostic data against
// the Bareiss normal equations, and rank-deficient data (minimum norm, solution set w + ker).
#include <catch2/catch.hpp>

#include <random>

#include "mhla/features/dataset.hpp"
#include "mhla/heads/heads.hpp"
#include "mhla/learn/least_squares.hpp"
#include "mhla/linalg/bareiss.hpp"
#include "mhla/linalg/rows_scale_to_integer.hpp"
#include "support/random_exact.hpp"

using namespace mhla;

namespace {

Matrix<Rational> int_matrix(std::mt19937_64& rng, std::size_t r, std::size_t c, int bound) {
  std::uniform_int_distribution<int> e(-bound, bound);
  Matrix<Rational> m(r, c);
  for (Rational& x : m.data()) x = e(rng);
  return m;
}

// N samples of n tokens (small integers), one target at the last position, all coordinates
// observed; targets from the model, or (agnostic) random rationals unrelated to any model.
Dataset make_dataset(std::mt19937_64& rng, const Model<Rational>& model, std::size_t n, std::size_t N, bool agnostic) {
  Dataset ds{model.d, model.causal, {}};
  std::uniform_int_distribution<int> num(-20, 20), den(1, 9);
  for (std::size_t s = 0; s < N; ++s) {
    Sample sample{int_matrix(rng, model.d, n, 3), {}};
    const Matrix<Rational> Y = evaluate_exact(model, sample.Z);
    Target t{n - 1, {}};
    for (std::size_t a = 0; a < model.d; ++a)
      t.y.push_back(agnostic ? Rational(Integer(num(rng)), Integer(den(rng))) : Y(a, n - 1));
    sample.targets.push_back(std::move(t));
    ds.samples.push_back(std::move(sample));
  }
  return ds;
}

std::vector<Rational> targets_of(const Dataset& ds, const DesignMatrix& Phi, std::size_t a) {
  std::vector<Rational> y;
  for (const DesignRow& r : Phi.rows) y.push_back(*ds.samples[r.sample].targets[r.target].y[a]);
  return y;
}

Rational norm2(const std::vector<Rational>& v) { return dot(v, v); }

}  // namespace

TEST_CASE("least squares by hand: consistent underdetermined, inconsistent overdetermined, no rows") {
  {  // x0 + x1 = 2: minimum-norm solution (1, 1), solution set of dimension 1, loss 0
    const Matrix<Rational> Phi(1, 2, {1, 1});
    const LeastSquares ls = least_squares_exact(Phi, {2});
    CHECK(ls.w == std::vector<Rational>{1, 1});
    CHECK(ls.rank == 1);
    CHECK(ls.solution_dim == 1);
    CHECK_FALSE(ls.unique());
    CHECK(ls.loss == 0);
  }
  {  // x = 0 and x = 2: the mean 1, loss 2
    const Matrix<Rational> Phi(2, 1, {1, 1});
    const LeastSquares ls = least_squares_exact(Phi, {0, 2});
    CHECK(ls.w == std::vector<Rational>{1});
    CHECK(ls.unique());
    CHECK(ls.loss == 2);
  }
  {  // rows (1, 2), (2, 4), targets 1, 0: rank 1; w = t (1, 2) in the row space, Phi w = t (5, 10),
     // (5t - 1)^2 + (10t)^2 is least at t = 1/25: w = (1/25, 2/25), residual (-4/5, 2/5)
    const Matrix<Rational> Phi(2, 2, {1, 2, 2, 4});
    const LeastSquares ls = least_squares_exact(Phi, {1, 0});
    CHECK(ls.w == std::vector<Rational>{Rational(1, 25), Rational(2, 25)});
    CHECK(ls.rank == 1);
    CHECK(ls.loss == Rational(4, 5));
    CHECK(satisfies_normal_equations(Phi, {1, 0}, ls.w));
    CHECK(satisfies_normal_equations(Phi, {1, 0}, {Rational(1, 5), 0}));  // w + (2, -1) 2/25: same residual
    CHECK_FALSE(satisfies_normal_equations(Phi, {1, 0}, {1, 0}));          // fits row 0 only
  }
  {
    const LeastSquares ls = least_squares_exact(Matrix<Rational>(0, 3), {});
    CHECK(ls.w == std::vector<Rational>(3, Rational(0)));
    CHECK(ls.solution_dim == 3);
    CHECK(ls.nullspace.size() == 3);
  }
}

TEST_CASE("round trip: random rational model -> identifiable data -> least squares -> weights -> heads -> same function") {
  std::mt19937_64 rng(20261129);
  for (std::size_t d = 1; d <= 4; ++d)
    for (std::size_t H = 1; H <= 3; ++H) {
      const bool causal = (d + H) % 2 == 0;
      INFO("d = " << d << ", H = " << H << ", causal = " << causal);
      const Model<Rational> model = test::random_model(rng, d, H, causal, 1, 1);
      const std::size_t D = feature_dim(d);
      const Dataset ds = make_dataset(rng, model, 3, 2 * D + 4, false);
      const DatasetFit fit = fit_dataset(ds);
      REQUIRE(fit.unique());
      for (const CoordinateFit& c : fit.coordinates) {
        CHECK(c.observed);
        CHECK(c.fit.rank == D);
        CHECK(c.fit.solution_dim == 0);
      }
      CHECK(fit.loss == 0);
      CHECK(fit.W == weights(model));  // identifiable => the ERM is the generator's w (Lemma C1)
      const Model<Rational> learned = heads_from_weights(fit.W, causal);
      CHECK(learned.heads.size() <= d * d);
      CHECK(weights(learned) == fit.W);
      CHECK(empirical_risk(ds, learned) == 0);
      for (int trial = 0; trial < 3; ++trial) {
        const Matrix<Rational> Z = test::random_matrix(rng, d, 4, 2, 1);
        CHECK(evaluate_exact(learned, Z) == evaluate_exact(model, Z));
      }
    }
}

TEST_CASE("agnostic data: the ERM satisfies the normal equations and equals the Bareiss solution of Phi^T Phi w = Phi^T y") {
  std::mt19937_64 rng(11);
  for (std::size_t d : {1, 2, 3}) {
    const Model<Rational> model = test::random_model(rng, d, 1, false, 1, 0);
    const Dataset ds = make_dataset(rng, model, 3, 2 * feature_dim(d) + 3, true);
    const DatasetFit fit = fit_dataset(ds);
    REQUIRE(fit.unique());
    Rational total = 0;
    for (std::size_t a = 0; a < d; ++a) {
      const DesignMatrix Phi = design_matrix(ds, a);
      const std::vector<Rational> y = targets_of(ds, Phi, a);
      const std::vector<Rational>& w = fit.coordinates[a].fit.w;
      CHECK(satisfies_normal_equations(Phi.phi, y, w));
      const Matrix<Rational> Pt = transpose(Phi.phi);
      const SolveResult ref = solve_bareiss(multiply(Pt, Phi.phi), multiply(Pt, y));
      REQUIRE(ref.status == SolveStatus::unique);
      CHECK(ref.x == w);
      CHECK(fit.coordinates[a].fit.loss == squared_residual(Phi.phi, y, w));
      CHECK(fit.coordinates[a].fit.loss > 0);  // random targets are not fitted exactly
      total += fit.coordinates[a].fit.loss;
      // Any other w has a larger loss: perturb one entry.
      std::vector<Rational> w2 = w;
      w2[0] += Rational(1, 1000);
      CHECK(squared_residual(Phi.phi, y, w2) > fit.coordinates[a].fit.loss);
    }
    CHECK(fit.loss == total);
    // The learned heads reach exactly the linear minimum (Lemma E1).
    CHECK(empirical_risk(ds, heads_from_weights(fit.W, false)) == fit.loss);
  }
}

TEST_CASE("rank-deficient data: minimum-norm solution in the row space, and w + v fits exactly as well") {
  std::mt19937_64 rng(5);
  for (std::size_t d : {2, 3}) {
    const std::size_t D = feature_dim(d);
    for (bool agnostic : {false, true}) {
      INFO("d = " << d << ", agnostic = " << agnostic);
      const Model<Rational> model = test::random_model(rng, d, 2, false, 1, 0);
      // n = 1: single-token rows span only d(d+1)(d+2)/6 < D dimensions (Lemma C3).
      const Dataset ds = make_dataset(rng, model, 1, 2 * D, agnostic);
      const DatasetFit fit = fit_dataset(ds);
      CHECK_FALSE(fit.unique());
      for (std::size_t a = 0; a < d; ++a) {
        const LeastSquares& ls = fit.coordinates[a].fit;
        const DesignMatrix Phi = design_matrix(ds, a);
        const std::vector<Rational> y = targets_of(ds, Phi, a);
        const std::size_t r = rank_bareiss(rows_scale_to_integer(Phi.phi));
        CHECK(ls.rank == r);
        CHECK(r == d * (d + 1) * (d + 2) / 6);
        CHECK(ls.solution_dim == D - r);
        REQUIRE(ls.nullspace.size() == D - r);
        CHECK(satisfies_normal_equations(Phi.phi, y, ls.w));
        if (!agnostic) CHECK(ls.loss == 0);
        for (const std::vector<Rational>& v : ls.nullspace) {
          CHECK(dot(v, ls.w) == 0);  // w is orthogonal to the kernel
          std::vector<Rational> w2 = ls.w;
          for (std::size_t i = 0; i < D; ++i) w2[i] += v[i];
          CHECK(satisfies_normal_equations(Phi.phi, y, w2));
          CHECK(squared_residual(Phi.phi, y, w2) == ls.loss);
          CHECK(norm2(w2) > norm2(ls.w));  // strictly larger norm: w is the minimum-norm one
          CHECK(dot(v, w2) != 0);          // w + v leaves the row space
        }
      }
    }
  }
}
