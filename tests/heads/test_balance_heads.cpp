// SPDX-License-Identifier: MIT
// Heads a float user can run (heads/balance_heads.hpp; proofs-notes/07-heads.md, Lemmas H8, H9):
// the complete-pivoting factorisation and the power-of-two balancing keep the weights exactly W,
// and on constructed bad cases (cancelling heads; a badly scaled head) reduce the float error.
#include <catch2/catch.hpp>

#include <random>

#include "mhla/features/exact_fast.hpp"
#include "mhla/heads/balance_heads.hpp"
#include "support/random_exact.hpp"

using namespace mhla;

namespace {

Rational two_to(long e) {
  Integer p = 1;
  p <<= static_cast<unsigned long>(e < 0 ? -e : e);
  return e < 0 ? Rational(Integer(1), p) : Rational(p);
}

Matrix<Rational> scaled(const Matrix<Rational>& A, const Rational& c) {
  Matrix<Rational> B = A;
  for (Rational& x : B.data()) x *= c;
  return B;
}

// Random small-integer inputs (exact in float32) and their exact outputs under model.
void random_inputs(std::mt19937_64& rng, const Model<Rational>& model, std::size_t count, std::vector<Matrix<Rational>>& Zs,
                   std::vector<Matrix<Rational>>& Ys) {
  for (std::size_t i = 0; i < count; ++i) {
    Matrix<Rational> Z(model.d, 5);
    for (Rational& x : Z.data()) x = Rational(static_cast<long>(rng() % 7) - 3);
    Ys.push_back(evaluate_exact(model, Z));
    Zs.push_back(std::move(Z));
  }
}

}  // namespace

TEST_CASE("Lemma H8: the complete-pivoting factorisation is exact, of rank r, with |v| <= 1", "[heads][balance]") {
  std::mt19937_64 rng(8);
  for (std::size_t d = 1; d <= 4; ++d)
    for (std::size_t H = 1; H <= 3; ++H)
      for (int trial = 0; trial < 3; ++trial) {
        const Model<Rational> model = mhla::test::random_model(rng, d, H, trial == 2, 2, 2);
        const Matrix<Rational> W = weights(model);
        const Matrix<Rational> M = even_split(W);
        const std::optional<RankFactorisation> f = pivoted_factorisation(M);
        REQUIRE(f);
        CHECK(multiply(f->U, transpose(f->V)) == M);
        CHECK(f->rank == rank_factorisation(M).rank);
        for (const Rational& x : f->V.data()) CHECK(abs(x) <= 1);
        const Model<Rational> rebuilt = model_from_factorisation(*f, d, model.causal);
        CHECK(weights(rebuilt) == W);
      }
  // Over the work budget: nullopt, not an answer.
  const Matrix<Rational> M = even_split(weights(mhla::test::random_model(rng, 3, 2, false, 2, 2)));
  CHECK_FALSE(pivoted_factorisation(M, 1.0));
}

TEST_CASE("Lemma H9: power-of-two balancing keeps the weights exactly and evens the scales", "[heads][balance]") {
  std::mt19937_64 rng(9);
  for (std::size_t d = 1; d <= 4; ++d)
    for (long e : {-150L, -7L, 0L, 3L, 140L}) {
      Model<Rational> model = mhla::test::random_model(rng, d, 2, e == 3, 2, 2);
      model.heads[0].V = scaled(model.heads[0].V, two_to(e));
      model.heads[0].Q = scaled(model.heads[0].Q, two_to(-e));
      const Model<Rational> b = balance_head_scales(model);
      CHECK(weights(b) == weights(model));
      for (const Head<Rational>& h : b.heads) {
        Rational mv = 0, mq = 0;
        for (const Rational& x : h.V.data()) mv = std::max(mv, Rational(abs(x)));
        for (const Rational& x : h.Q.data()) mq = std::max(mq, Rational(abs(x)));
        if (mv == 0 || mq == 0) continue;
        CHECK(mv / mq <= 16);  // within a factor 4 up to the bit-length estimate
        CHECK(mq / mv <= 16);
      }
    }
}

TEST_CASE("balancing and pivoting reduce the float error on constructed bad cases", "[heads][balance]") {
  std::mt19937_64 rng(10);
  const std::size_t d = 3;
  const Model<Rational> good = mhla::test::random_model(rng, d, 2, false, 1, 1);
  // (1) A badly scaled head: V * 2^140, Q * 2^-140 overflows float32 (max about 2^128).
  Model<Rational> scaled_model = good;
  scaled_model.heads[0].V = scaled(good.heads[0].V, two_to(140));
  scaled_model.heads[0].Q = scaled(good.heads[0].Q, two_to(-140));
  std::vector<Matrix<Rational>> Zs, Ys;
  random_inputs(rng, good, 20, Zs, Ys);
  const FloatOutputError before = float_output_error<float>(scaled_model, Zs, Ys);
  const Model<Rational> balanced = balance_head_scales(scaled_model);
  const FloatOutputError after = float_output_error<float>(balanced, Zs, Ys);
  CHECK(weights(balanced) == weights(good));
  CHECK(before.overflow);
  CHECK_FALSE(after.overflow);
  CHECK(after.max_abs_error <= after.max_abs_output / 1000);  // a few float32 roundings
  // (2) Cancelling heads: (V, Q + t C) and (V, -t C) with t = 2^30 compute (V, Q) exactly, but in
  // float32 the large terms swamp the result. The pivoted factorisation has no such heads.
  Model<Rational> cancelling = good;
  const Matrix<Rational> C = mhla::test::random_matrix(rng, d, d, 1, 1);
  const Head<Rational> h0 = good.heads[0];
  cancelling.heads[0].Q = add(h0.Q, scaled(C, two_to(30)));
  cancelling.heads.push_back({h0.V, scaled(C, -two_to(30))});
  const Matrix<Rational> W = weights(good);
  REQUIRE(weights(cancelling) == W);
  const FloatOutputError bad = float_output_error<float>(cancelling, Zs, Ys);
  const std::optional<RankFactorisation> f = pivoted_factorisation(even_split(W));
  REQUIRE(f);
  const Model<Rational> pivoted = balance_head_scales(model_from_factorisation(*f, d, false));
  CHECK(weights(pivoted) == W);
  const FloatOutputError fine = float_output_error<float>(pivoted, Zs, Ys);
  CHECK(bad.max_abs_error > bad.max_abs_output / 100);  // the cancellation is visible in float32
  CHECK(fine.max_abs_error * 1000 < bad.max_abs_error);
  CHECK(fine.max_abs_error <= fine.max_abs_output / 1000);
  // binary64 too: the same inputs, a smaller but still visible gap.
  CHECK(float_output_error<double>(pivoted, Zs, Ys).max_abs_error < float_output_error<double>(cancelling, Zs, Ys).max_abs_error);
}
