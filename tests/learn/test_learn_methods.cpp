// SPDX-License-Identifier: MIT
// The learner's methods and solvers (least_squares.hpp, least_squares_modular.hpp): primal and
// kernel form, modular and reference solver, all give the same minimum-norm least-squares
// solution exactly, on random rational data that is realisable, agnostic, rank-deficient, with
// fewer or more rows than features, partially observed, causal; the modular solver's answers
// satisfy the normal equations and lie in the row space, also with tiny (unlucky) primes.
#include <catch2/catch.hpp>

#include <random>

#include "mhla/features/dataset.hpp"
#include "mhla/features/equivalence.hpp"
#include "mhla/heads/heads.hpp"
#include "mhla/learn/least_squares.hpp"
#include "mhla/learn/least_squares_modular.hpp"
#include "mhla/linalg/bareiss.hpp"
#include "support/random_exact.hpp"

using namespace mhla;

namespace {

enum class Targets { realisable, agnostic };

// N samples of n tokens with small rational (den_digits > 0) or integer entries; targets at
// `positions_per_sample` positions (the last ones), from the model or random rationals; every
// `hole`-th target leaves coordinate 0 unobserved (0: none).
Dataset random_dataset(std::mt19937_64& rng, const Model<Rational>& model, std::size_t n, std::size_t N,
                       Targets targets, unsigned den_digits, std::size_t hole = 0, std::size_t positions_per_sample = 1) {
  Dataset ds{model.d, model.causal, {}};
  std::size_t count = 0;
  for (std::size_t s = 0; s < N; ++s) {
    Sample sample{test::random_matrix(rng, model.d, n, 1, den_digits), {}};
    const Matrix<Rational> Y = evaluate_exact(model, sample.Z);
    for (std::size_t q = 0; q < positions_per_sample && q < n; ++q) {
      Target t{n - 1 - q, {}};
      for (std::size_t a = 0; a < model.d; ++a)
        t.y.push_back(targets == Targets::agnostic ? test::random_rational(rng, 2, 1) : Y(a, t.position));
      if (hole != 0 && ++count % hole == 0) t.y[0].reset();
      sample.targets.push_back(std::move(t));
    }
    ds.samples.push_back(std::move(sample));
  }
  return ds;
}

FitOptions options(LearnMethod m, LearnSolver s) {
  FitOptions o;
  o.method = m;
  o.solver = s;
  return o;
}

// All four method x solver combinations against fit_dataset(ds) (reference primal with the
// nullspace): the same W, loss, ranks, solution dimensions; the modular W satisfies the normal
// equations and is orthogonal to the reference nullspace (minimum norm).
void check_all_agree(const Dataset& ds) {
  const DatasetFit ref = fit_dataset(ds);
  for (LearnMethod m : {LearnMethod::primal, LearnMethod::kernel})
    for (LearnSolver s : {LearnSolver::modular, LearnSolver::reference}) {
      INFO("method " << to_string(m) << ", solver " << to_string(s));
      const DatasetFit f = fit_dataset(ds, options(m, s));
      CHECK(f.W == ref.W);
      CHECK(f.loss == ref.loss);
      CHECK(f.unique() == ref.unique());
      REQUIRE(f.coordinates.size() == ref.coordinates.size());
      for (std::size_t a = 0; a < ds.d; ++a) {
        const CoordinateFit &c = f.coordinates[a], &r = ref.coordinates[a];
        CHECK(c.observed == r.observed);
        CHECK(c.rows == r.rows);
        CHECK(c.fit.rank == r.fit.rank);
        CHECK(c.fit.solution_dim == r.fit.solution_dim);
        CHECK(c.fit.loss == r.fit.loss);
        CHECK(c.report.method == m);
        if (s == LearnSolver::modular && c.observed) CHECK_FALSE(c.report.fell_back);
      }
    }
}

}  // namespace

TEST_CASE("primal, kernel, modular and reference agree exactly: full rank, deficient, agnostic, rows < D, rows > D") {
  std::mt19937_64 rng(20261129);
  for (std::size_t d = 1; d <= 3; ++d) {
    const std::size_t D = feature_dim(d);
    for (bool causal : {false, true}) {
      INFO("d = " << d << (causal ? " causal" : ""));
      const Model<Rational> model = test::random_model(rng, d, 2, causal, 1, 1);
      SECTION("realisable, rows > D (full rank)") { check_all_agree(random_dataset(rng, model, 3, D + 5, Targets::realisable, 1)); }
      SECTION("agnostic, rows > D") { check_all_agree(random_dataset(rng, model, 3, D + 4, Targets::agnostic, 1)); }
      SECTION("realisable, rows < D (minimum-norm interpolant)") {
        check_all_agree(random_dataset(rng, model, 3, D / 2 + 1, Targets::realisable, 1));
      }
      SECTION("agnostic, rows < D") { check_all_agree(random_dataset(rng, model, 2, D / 2 + 1, Targets::agnostic, 0)); }
      SECTION("single-token inputs: rank-deficient, realisable and agnostic") {
        check_all_agree(random_dataset(rng, model, 1, 2 * D, Targets::realisable, 0));
        check_all_agree(random_dataset(rng, model, 1, 2 * D, Targets::agnostic, 1));
      }
      SECTION("repeated rows: deficient with rows > D, agnostic") {
        Dataset ds = random_dataset(rng, model, 2, D / 2 + 1, Targets::agnostic, 1);
        const std::size_t n0 = ds.samples.size();
        for (std::size_t s = 0; s < n0; ++s) {
          Sample copy = ds.samples[s];
          for (Target& t : copy.targets)
            for (auto& y : t.y) *y += 1;
          ds.samples.push_back(std::move(copy));
        }
        check_all_agree(ds);
      }
      SECTION("partially observed, several targets per sample") {
        check_all_agree(random_dataset(rng, model, 3, D, Targets::realisable, 1, 3, 2));
        check_all_agree(random_dataset(rng, model, 3, D, Targets::agnostic, 0, 2, 2));
      }
    }
  }
}

TEST_CASE("modular least squares: normal equations, row space, and the agnostic solution equals Bareiss on Phi^T Phi w = Phi^T y") {
  std::mt19937_64 rng(7);
  for (std::size_t d = 2; d <= 3; ++d) {
    const Model<Rational> model = test::random_model(rng, d, 1, false, 1, 0);
    const Dataset ds = random_dataset(rng, model, 3, feature_dim(d) + 3, Targets::agnostic, 1);
    const CompactRows rows = compact_rows(ds, {0, 1});
    const Matrix<Rational> Phi = design_from_compact(rows);
    CHECK(Phi == design_matrix(ds, 0).phi);  // the compact form is the design matrix
    for (LearnMethod m : {LearnMethod::primal, LearnMethod::kernel}) {
      std::vector<SolveReport> reports;
      const std::vector<std::optional<LeastSquares>> fits = least_squares_modular(rows, m, reports);
      REQUIRE(fits.size() == 2);
      for (std::size_t k = 0; k < 2; ++k) {
        REQUIRE(fits[k]);
        CHECK(reports[k].path == "normal-equations");
        CHECK(satisfies_normal_equations(Phi, rows.y[k], fits[k]->w));
        const Matrix<Rational> Phit = transpose(Phi);
        const SolveResult s = solve_bareiss(multiply(Phit, Phi), multiply(Phit, rows.y[k]));
        REQUIRE(s.status == SolveStatus::unique);
        CHECK(fits[k]->w == s.x);
        CHECK(fits[k]->loss == squared_residual(Phi, rows.y[k], fits[k]->w));
        CHECK(reports[k].max_denominator_bits > 8);  // agnostic: big rationals, reported
      }
    }
  }
}

TEST_CASE("modular least squares with tiny primes (3, 5, 7, ...): unlucky primes change nothing") {
  std::mt19937_64 rng(11);
  for (std::size_t d = 2; d <= 3; ++d) {
    const std::size_t D = feature_dim(d);
    const Model<Rational> model = test::random_model(rng, d, 2, false, 1, 1);
    for (const Dataset& ds : {random_dataset(rng, model, 3, D + 2, Targets::realisable, 1),
                              random_dataset(rng, model, 3, D + 2, Targets::agnostic, 0),
                              random_dataset(rng, model, 1, D, Targets::realisable, 1),
                              random_dataset(rng, model, 3, D / 2, Targets::agnostic, 1)}) {
      const DatasetFit ref = fit_dataset(ds);
      for (LearnMethod m : {LearnMethod::primal, LearnMethod::kernel}) {
        const CompactRows rows = compact_rows(ds, {0});
        std::vector<SolveReport> reports;
        ModularOptions tiny;
        tiny.primes = PrimeStream::tiny();
        tiny.max_attempts = 64;
        const std::vector<std::optional<LeastSquares>> fits = least_squares_modular(rows, m, reports, tiny);
        REQUIRE(fits[0]);
        CHECK(fits[0]->w == ref.coordinates[0].fit.w);
        CHECK(fits[0]->rank == ref.coordinates[0].fit.rank);
        CHECK(fits[0]->loss == ref.coordinates[0].fit.loss);
      }
    }
  }
}

TEST_CASE("modular least squares: no attempt left gives no answer (the caller falls back), never an unverified one") {
  std::mt19937_64 rng(3);
  const Model<Rational> model = test::random_model(rng, 2, 1, false, 1, 0);
  const Dataset ds = random_dataset(rng, model, 3, 10, Targets::realisable, 0);
  std::vector<SolveReport> reports;
  ModularOptions none;
  none.max_attempts = 0;
  const std::vector<std::optional<LeastSquares>> fits = least_squares_modular(compact_rows(ds, {0, 1}), LearnMethod::primal, reports, none);
  REQUIRE(fits.size() == 2);
  CHECK_FALSE(fits[0]);
  CHECK_FALSE(fits[1]);
}

TEST_CASE("kernel form by hand: K = Phi Phi^T by Lemma K1, w = Phi^T alpha, minimum norm") {
  // d = 2, one sample Z = I (tokens e0, e1), targets at positions 0 and 1: G = I, so
  // phi(Z, b) = (G00 z, G01 z, G11 z) = (z, 0, z) with z = e_b: orthogonal rows of squared norm 2,
  // K = 2 I, alpha = y / 2, w = Phi^T alpha.
  Dataset ds{2, false, {}};
  Sample s{Matrix<Rational>(2, 2, {1, 0, 0, 1}), {}};
  s.targets.push_back({0, {Rational(3), Rational(0)}});
  s.targets.push_back({1, {Rational(5), Rational(0)}});
  ds.samples.push_back(s);
  const std::vector<KernelRow> rows = kernel_rows(ds, 0);
  REQUIRE(rows.size() == 2);
  const Matrix<Rational> Phi = design_matrix(ds, 0).phi;
  CHECK(Phi.row_vector(0) == std::vector<Rational>{1, 0, 0, 0, 1, 0});
  CHECK(Phi.row_vector(1) == std::vector<Rational>{0, 1, 0, 0, 0, 1});
  CHECK(kernel_folded(rows[0].G, rows[0].z, rows[0].G, rows[0].z) == 2);
  CHECK(kernel_folded(rows[0].G, rows[0].z, rows[1].G, rows[1].z) == 0);
  const LeastSquares ls = least_squares_kernel(rows, {3, 5});
  const std::vector<Rational> w{Rational(3, 2), Rational(5, 2), 0, 0, Rational(3, 2), Rational(5, 2)};
  CHECK(ls.w == w);  // (3/2) phi_0 + (5/2) phi_1; e.g. (3, 0, 0, 0, 0, 5) also fits but has a larger norm
  CHECK(least_squares_exact(Phi, {3, 5}).w == w);
  CHECK(ls.rank == 2);
  CHECK(ls.solution_dim == 4);
  CHECK(ls.loss == 0);
  CHECK_FALSE(ls.nullspace_computed);
}

TEST_CASE("learn round trip with the fast path: random model d <= 4 -> data -> fit (auto, modular) -> heads -> equivalent") {
  std::mt19937_64 rng(99);
  for (std::size_t d = 1; d <= 4; ++d)
    for (std::size_t H : {1, 2}) {
      const std::size_t D = feature_dim(d);
      const Model<Rational> model = test::random_model(rng, d, H, d % 2 == 0, 1, 0);
      const Dataset ds = random_dataset(rng, model, 3, 2 * D, Targets::realisable, 0);
      const DatasetFit fit = fit_dataset(ds, FitOptions{});
      CHECK(fit.loss == 0);
      CHECK(fit.unique());
      CHECK(fit.coordinates[0].report.path == "consistent");
      const Model<Rational> learned = heads_from_weights(fit.W, ds.causal);
      CHECK(decide_equivalence(learned, model).equivalent);
    }
}

TEST_CASE("auto method rule: kernel when rows < D, else primal") {
  CHECK(automatic_method(5, 6) == LearnMethod::kernel);
  CHECK(automatic_method(6, 6) == LearnMethod::primal);
  CHECK(automatic_method(0, 6) == LearnMethod::kernel);
  std::vector<SolveReport> reports;
  SolveReport r;
  record_sizes({Rational(Integer(-255), Integer(16)), Rational(3)}, r);
  CHECK(r.max_numerator_bits == 8);
  CHECK(r.max_denominator_bits == 5);
}

TEST_CASE("rank 0: all-zero inputs give w = 0 with every method and solver, loss = ||y||^2") {
  for (std::size_t d = 1; d <= 3; ++d) {
    Dataset ds{d, false, {}};
    for (std::size_t s = 0; s < 3; ++s) {
      Sample sample{Matrix<Rational>(d, 2), {}};
      Target t{1, {}};
      for (std::size_t a = 0; a < d; ++a) t.y.push_back(a == 0 ? Rational(0) : Rational(Integer(s + 1), Integer(a + 1)));
      sample.targets.push_back(std::move(t));
      ds.samples.push_back(std::move(sample));
    }
    check_all_agree(ds);
    const DatasetFit f = fit_dataset(ds, FitOptions{});
    for (const CoordinateFit& c : f.coordinates) {
      CHECK(c.fit.rank == 0);
      CHECK(c.fit.solution_dim == feature_dim(d));
      for (const Rational& x : c.fit.w) CHECK(x == 0);
    }
    Rational norm2 = 0;
    for (const Sample& s : ds.samples)
      for (const auto& y : s.targets[0].y) norm2 += *y * *y;
    CHECK(f.loss == norm2);
  }
}
