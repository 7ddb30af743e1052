// SPDX-License-Identifier: MIT
// Lemma Q1: models are equivalent iff their weights are equal; non-equivalence comes with an
// input on which both models were evaluated exactly and differ.
#include <catch2/catch.hpp>

#include "mhla/features/equivalence.hpp"
#include "support/random_exact.hpp"

using namespace mhla;

namespace {

Model<Rational> scaled(const Model<Rational>& m, std::size_t h, const Rational& c) {
  Model<Rational> r = m;  // V_h -> c V_h, Q_h -> Q_h / c
  for (auto& x : r.heads[h].V.data()) x *= c;
  for (auto& x : r.heads[h].Q.data()) x /= c;
  return r;
}

void check_distinguishes(const Model<Rational>& A, const Model<Rational>& B, const Equivalence& e) {
  REQUIRE_FALSE(e.equivalent);
  REQUIRE(e.distinguishing);
  const DistinguishingPoint& p = *e.distinguishing;
  CHECK(evaluate(A, p.Z).column(p.position) == p.output_a);
  CHECK(evaluate(B, p.Z).column(p.position) == p.output_b);
  CHECK(p.output_a != p.output_b);
}

}  // namespace

TEST_CASE("Lemma Q1: equivalent reparametrisations and non-equivalent pairs", "[features][equivalence]") {
  std::mt19937_64 rng(77);
  for (std::size_t d = 1; d <= 4; ++d)
    for (int causal = 0; causal <= 1; ++causal) {
      const Model<Rational> A = test::random_model(rng, d, 2, causal == 1, 2, 2);
      // Per-head rescaling, head permutation, a head split in two, and the (j,k)/(k,j) swap
      // of a head's value and key-query sides all compute the same function.
      CHECK(decide_equivalence(A, scaled(A, 0, Rational(-7, 3))).equivalent);
      Model<Rational> permuted = A;
      std::swap(permuted.heads[0], permuted.heads[1]);
      CHECK(decide_equivalence(A, permuted).equivalent);
      Model<Rational> split = A;
      Head<Rational> half = split.heads[0];
      for (auto& x : half.V.data()) x /= 2;
      split.heads[0] = half;
      split.heads.push_back(half);
      CHECK(decide_equivalence(A, split).equivalent);
      // Not equivalent: one entry changed, a head dropped.
      Model<Rational> changed = A;
      changed.heads[1].Q(0, d - 1) += 1;
      check_distinguishes(A, changed, decide_equivalence(A, changed));
      Model<Rational> dropped = A;
      dropped.heads.pop_back();
      const Equivalence e = decide_equivalence(A, dropped);
      if (weights(dropped) != weights(A)) check_distinguishes(A, dropped, e);
      // The same heads, the other causal flag: never equivalent unless zero.
      Model<Rational> flipped = A;
      flipped.causal = !A.causal;
      check_distinguishes(A, flipped, decide_equivalence(A, flipped));
    }
  // Zero models are equivalent whatever their flags and head counts.
  const Model<Rational> zero_causal{3, true, {}};
  Model<Rational> zero_heads{3, false, {{Matrix<Rational>(3, 3), Matrix<Rational>::identity(3)}}};
  CHECK(decide_equivalence(zero_causal, zero_heads).equivalent);
}

TEST_CASE("the symmetric-pair ambiguity: W and W + A with A antisymmetric in (j,k) are equivalent", "[features][equivalence]") {
  // Head 1: V = e_0 e_0^T (row a = 0 reads j = 0), Q = e_1 e_2^T: weight on G[0][1] z[2].
  // Head 2: V = e_0 e_1^T (reads j = 1), Q = e_0 e_2^T: the same feature through (k, j).
  auto unit = [](std::size_t i, std::size_t j) {
    Matrix<Rational> m(3, 3);
    m(i, j) = 1;
    return m;
  };
  const Model<Rational> A{3, false, {{unit(0, 0), unit(1, 2)}}};
  const Model<Rational> B{3, false, {{unit(0, 1), unit(0, 2)}}};
  CHECK(decide_equivalence(A, B).equivalent);
}
