// SPDX-License-Identifier: MIT
// The Dixon path of the modular least-squares solver (least_squares_modular.cpp,
// dixon_lift.hpp): on agnostic data (noisy binary64 targets, float32-rounded inputs and
// targets) the Dixon solution equals the CRT solution and the reference (Bareiss) solution
// exactly, full rank and rank-deficient, with standard and tiny primes (Lemmas E5, A6, A7).
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "mhla/features/dataset.hpp"
#include "mhla/learn/least_squares.hpp"
#include "mhla/learn/least_squares_modular.hpp"
#include "support/random_exact.hpp"

using namespace mhla;

namespace {

Rational exact_double(double x) { return Rational(x); }  // binary64 values are dyadic rationals

// N samples of n tokens; integer inputs in [-2, 2] (or float32 values when f32), targets the
// exact model output plus binary64 noise (or rounded to float32 when f32). rank_deficient:
// the last input row is zero (so features involving it vanish: rank < D).
Dataset noisy_dataset(std::mt19937_64& rng, const Model<Rational>& model, std::size_t n, std::size_t N, bool f32,
                      bool rank_deficient) {
  std::normal_distribution<double> gauss(0.0, 1.0);
  std::uniform_int_distribution<int> small(-2, 2);
  Dataset ds{model.d, model.causal, {}};
  for (std::size_t s = 0; s < N; ++s) {
    Matrix<Rational> Z(model.d, n);
    for (std::size_t i = 0; i < model.d; ++i)
      for (std::size_t j = 0; j < n; ++j) {
        if (rank_deficient && i + 1 == model.d) Z(i, j) = 0;
        else Z(i, j) = f32 ? exact_double(static_cast<double>(static_cast<float>(gauss(rng)))) : Rational(small(rng));
      }
    const Matrix<Rational> Y = evaluate_exact(model, Z);
    Target t{n - 1, {}};
    for (std::size_t a = 0; a < model.d; ++a) {
      const double y = static_cast<double>(Y(a, n - 1));
      t.y.push_back(f32 ? exact_double(static_cast<double>(static_cast<float>(y))) : Y(a, n - 1) + exact_double(0.01 * gauss(rng)));
    }
    ds.samples.push_back(Sample{std::move(Z), {std::move(t)}});
  }
  return ds;
}

std::vector<std::optional<LeastSquares>> solve(const Dataset& ds, double dixon_min_bits, PrimeStream primes,
                                               std::vector<SolveReport>& reports) {
  std::vector<std::size_t> coords(ds.d);
  for (std::size_t a = 0; a < ds.d; ++a) coords[a] = a;
  ModularOptions o;
  o.primes = primes;
  o.max_attempts = 64;
  o.dixon_min_bits = dixon_min_bits;
  return least_squares_modular(compact_rows(ds, coords), LearnMethod::primal, reports, o);
}

}  // namespace

TEST_CASE("Dixon = CRT = reference on noisy and float32 data, full rank and deficient, standard and tiny primes") {
  std::mt19937_64 rng(77);
  for (std::size_t d = 2; d <= 3; ++d) {
    const std::size_t D = feature_dim(d);
    const Model<Rational> model = test::random_model(rng, d, 2, false, 1, 0);
    for (bool f32 : {false, true})
      for (bool deficient : {false, true}) {
        INFO("d " << d << ", float32 " << f32 << ", deficient " << deficient);
        const Dataset ds = noisy_dataset(rng, model, 3, 2 * D, f32, deficient);
        FitOptions ref_options;
        ref_options.solver = LearnSolver::reference;
        ref_options.method = LearnMethod::primal;
        const DatasetFit ref = fit_dataset(ds, ref_options);
        CHECK(ref.loss > 0);  // agnostic: no model fits exactly
        for (PrimeStream primes : {PrimeStream::standard(), PrimeStream::tiny()}) {
          std::vector<SolveReport> rd, rc;
          const auto dixon = solve(ds, 0, primes, rd);
          const auto crt = solve(ds, 1e18, primes, rc);
          for (std::size_t a = 0; a < d; ++a) {
            REQUIRE(dixon[a]);
            REQUIRE(crt[a]);
            CHECK(rd[a].kernel == "dixon");
            CHECK(rc[a].kernel == "crt");
            CHECK(rd[a].lifting_steps > 0);
            CHECK(dixon[a]->w == ref.coordinates[a].fit.w);
            CHECK(crt[a]->w == ref.coordinates[a].fit.w);
            CHECK(dixon[a]->loss == ref.coordinates[a].fit.loss);
            CHECK(dixon[a]->rank == ref.coordinates[a].fit.rank);
            if (deficient) CHECK(dixon[a]->rank < D);
          }
        }
        // The default choice (by the bit estimate) agrees too.
        const DatasetFit fit = fit_dataset(ds);
        CHECK(fit.W == ref.W);
        CHECK(fit.loss == ref.loss);
      }
  }
}
