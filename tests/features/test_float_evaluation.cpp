// SPDX-License-Identifier: MIT
// One evaluation algorithm, three arithmetics (Boost.Multiprecision style: one driver per
// back end). Lemma F1 (proofs-notes/02-model.md): a float evaluation with unit roundoff u
// satisfies |fl(Y) - Y| <= gamma_K * Yabs entrywise, K = rounding_count(d, n, H), where Yabs is
// the exact output of (|V_h|, |Q_h|) on |Z|. Checked exactly, in rationals.
#include <catch2/catch.hpp>

#include "mhla/features/features.hpp"
#include "support/random_exact.hpp"

using namespace mhla;

namespace {

Matrix<Rational> absolute(const Matrix<Rational>& m) {
  return convert<Rational>(m, [](const Rational& x) { return abs(x); });
}

Rational gamma(std::size_t K, const Rational& u) { return K * u / (1 - K * u); }

template <class T>
void check_float_bound(unsigned precision_bits, unsigned seed) {
  std::mt19937_64 rng(seed);
  const Rational u = Rational(1) / Rational(Integer(1) << precision_bits);  // 2^-p, round to nearest
  std::size_t nonzero_errors = 0, entries = 0;
  for (int rep = 0; rep < 150; ++rep) {
    const std::size_t d = 1 + rng() % 5, H = 1 + rng() % 4, n = 1 + rng() % 10;
    const bool causal = rep % 2 == 1;
    // Entries of moderate size (|x| in [1e-8, 1e8]) keep binary64 clear of underflow and overflow.
    const Model<Rational> model = test::random_model(rng, d, H, causal, 8, 8);
    const Matrix<Rational> Z = test::random_matrix(rng, d, n, 8, 8);
    const Matrix<Rational> Y = evaluate(model, Z);

    Model<Rational> abs_model = model;
    for (auto& h : abs_model.heads) h = {absolute(h.V), absolute(h.Q)};
    const Matrix<Rational> Yabs = evaluate(abs_model, absolute(Z));

    const auto round = [](const Rational& q) { return from_rational<T>(q); };
    const Matrix<T> Yf = evaluate(convert_model<T>(model, round), convert<T>(Z, round));
    const Rational g = gamma(rounding_count(d, n, H), u);
    for (std::size_t i = 0; i < Y.data().size(); ++i) {
      const Rational err = abs(to_rational(Yf.data()[i]) - Y.data()[i]);
      REQUIRE(err <= g * Yabs.data()[i]);
      nonzero_errors += err != 0;
      ++entries;
    }
  }
  // The comparison is not vacuous: most float results are inexact.
  CHECK(nonzero_errors * 2 > entries);
}

}  // namespace

TEST_CASE("Lemma F1: binary64 evaluation stays within gamma_K * Yabs of the exact output", "[model][float]") {
  check_float_bound<double>(53, 1);
}

TEST_CASE("Lemma F1: MPFR evaluation at 256 and 64 bits stays within its bound", "[model][float]") {
  for (const auto& [requested, seed] : {std::pair<unsigned, unsigned>{256, 2}, {64, 3}}) {
    MpfrPrecision p(requested);
    // The arithmetic really runs at p.bits(), the smallest precision Boost offers >= requested.
    REQUIRE(p.bits() >= requested);
    REQUIRE(p.bits() <= requested + 4);
    REQUIRE(mpfr_get_prec(Mpfr(Rational(1, 3)).backend().data()) == p.bits());
    check_float_bound<Mpfr>(p.bits(), seed);
  }
}

TEST_CASE("the bound is not loose by orders of magnitude where no cancellation occurs", "[model][float]") {
  // All-positive inputs: Yabs = Y, and the relative error must be below gamma_K but is typically
  // within a factor ~K of u. We only assert the first; the second guards against an algorithm
  // that silently switched to a lower precision.
  std::mt19937_64 rng(5);
  Model<Rational> model = test::random_model(rng, 4, 2, false, 6, 6);
  for (auto& h : model.heads) h = {absolute(h.V), absolute(h.Q)};
  const Matrix<Rational> Z = absolute(test::random_matrix(rng, 4, 6, 6, 6));
  const Matrix<Rational> Y = evaluate(model, Z);
  const auto round = [](const Rational& q) { return to_binary64(q); };
  const Matrix<double> Yf = evaluate(convert_model<double>(model, round), convert<double>(Z, round));
  for (std::size_t i = 0; i < Y.data().size(); ++i) {
    const Rational rel = abs(to_rational(Yf.data()[i]) - Y.data()[i]) / Y.data()[i];
    CHECK(rel <= gamma(rounding_count(4, 6, 2), Rational(1, Integer(1) << 53)));
    CHECK(rel < Rational(1, Integer(1) << 40));
  }
}
