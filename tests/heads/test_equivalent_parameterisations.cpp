// SPDX-License-Identifier: MIT
// decide_equivalence (features/equivalence.hpp, Lemma Q1) on parameterisations that differ but
// compute the same function (a head split into two, the swapped (j,k)/(k,j) split, per-head
// rescaling V c, Q / c, permuted heads, recovered heads), and on small perturbations, whose
// distinguishing input is checked here by evaluating both models exactly.
#include <catch2/catch.hpp>

#include <random>

#include "mhla/features/equivalence.hpp"
#include "mhla/heads/heads.hpp"
#include "support/random_exact.hpp"

using namespace mhla;

namespace {

bool same_parameters(const Model<Rational>& a, const Model<Rational>& b) {
  if (a.heads.size() != b.heads.size()) return false;
  for (std::size_t h = 0; h < a.heads.size(); ++h)
    if (!(a.heads[h].V == b.heads[h].V) || !(a.heads[h].Q == b.heads[h].Q)) return false;
  return true;
}

// Head h replaced by (V', Q) and (V_h - V', Q) for a random V'.
Model<Rational> split_head(std::mt19937_64& rng, Model<Rational> m, std::size_t h) {
  const Matrix<Rational> part = test::random_matrix(rng, m.d, m.d, 2, 1);
  Matrix<Rational> rest = m.heads[h].V;
  for (std::size_t i = 0; i < rest.data().size(); ++i) rest.data()[i] -= part.data()[i];
  const Matrix<Rational> Q = m.heads[h].Q;
  m.heads[h].V = part;
  m.heads.push_back({rest, Q});
  return m;
}

// The model of the split with every pair's two entries exchanged: M'[(a,j),(k,l)] = M[(a,k),(j,l)].
Model<Rational> swapped_split_model(const Model<Rational>& m) {
  const std::size_t d = m.d;
  Matrix<Rational> X(d * d, d * d);
  for (const Head<Rational>& h : m.heads)
    for (std::size_t a = 0; a < d; ++a)
      for (std::size_t j = 0; j < d; ++j)
        for (std::size_t k = 0; k < d; ++k)
          for (std::size_t l = 0; l < d; ++l) X(a * d + k, j * d + l) += h.V(a, j) * h.Q(k, l);
  const Matrix<Rational> M = split_nearest(weights(m), X);
  return model_from_factorisation(rank_factorisation(M), d, m.causal);
}

Model<Rational> rescaled(std::mt19937_64& rng, Model<Rational> m) {
  for (Head<Rational>& h : m.heads) {
    Rational c = 0;
    while (c == 0) c = test::random_rational(rng, 2, 1);
    for (Rational& x : h.V.data()) x *= c;
    for (Rational& x : h.Q.data()) x /= c;
  }
  return m;
}

// Checks a "not equivalent" verdict: the distinguishing input really separates the models.
void check_distinguishes(const Model<Rational>& A, const Model<Rational>& B) {
  const Equivalence e = decide_equivalence(A, B);
  REQUIRE_FALSE(e.equivalent);
  REQUIRE(e.distinguishing.has_value());
  const DistinguishingPoint& p = *e.distinguishing;
  REQUIRE(p.Z.rows() == A.d);
  REQUIRE(p.position < p.Z.cols());
  const std::vector<Rational> ya = evaluate_exact(A, p.Z).column(p.position);
  const std::vector<Rational> yb = evaluate_exact(B, p.Z).column(p.position);
  CHECK(ya != yb);
  CHECK(ya == p.output_a);
  CHECK(yb == p.output_b);
}

}  // namespace

TEST_CASE("equiv: a split head, the swapped pair split, per-head rescaling and recovered heads are equivalent") {
  std::mt19937_64 rng(31);
  for (std::size_t d = 1; d <= 4; ++d)
    for (std::size_t H = 1; H <= 3; ++H)
      for (bool causal : {false, true}) {
        INFO("d = " << d << ", H = " << H << ", causal = " << causal);
        const Model<Rational> A = test::random_model(rng, d, H, causal, 2, 1);
        const Model<Rational> split = split_head(rng, A, H - 1);
        CHECK(split.heads.size() == H + 1);
        CHECK(decide_equivalence(A, split).equivalent);
        const Model<Rational> swapped = swapped_split_model(A);
        CHECK(decide_equivalence(A, swapped).equivalent);
        CHECK(decide_equivalence(swapped, A).equivalent);
        const Model<Rational> scaled = rescaled(rng, A);
        CHECK_FALSE(same_parameters(A, scaled));
        CHECK(decide_equivalence(A, scaled).equivalent);
        Model<Rational> permuted = A;
        std::reverse(permuted.heads.begin(), permuted.heads.end());
        CHECK(decide_equivalence(A, permuted).equivalent);
        CHECK(decide_equivalence(A, heads_from_weights(weights(A), causal)).equivalent);
        CHECK(decide_equivalence(A, fewest_heads(weights(A), causal).model).equivalent);
      }
  // The swapped split really is a different parameterisation: for one head, M'[(a,j),(k,l)] =
  // V[a][k] Q[j][l] is the Kronecker product V (x) Q, of rank rank(V) rank(Q) = 4 for
  // V = Q = [[1, 2], [3, 4]] (M = vec(V) vec(Q)^T has rank 1), yet the same w.
  Model<Rational> one{2, false, {{Matrix<Rational>(2, 2, {1, 2, 3, 4}), Matrix<Rational>(2, 2, {1, 2, 3, 4})}}};
  const Model<Rational> sw = swapped_split_model(one);
  CHECK(sw.heads.size() == 4);
  CHECK(decide_equivalence(one, sw).equivalent);
}

TEST_CASE("equiv: small perturbations are not equivalent, with a distinguishing input that distinguishes") {
  std::mt19937_64 rng(32);
  for (std::size_t d = 1; d <= 4; ++d)
    for (std::size_t H = 1; H <= 3; ++H) {
      INFO("d = " << d << ", H = " << H);
      const Model<Rational> A = test::random_model(rng, d, H, false, 2, 1);
      Model<Rational> B = A;
      const std::size_t h = rng() % H, i = rng() % (d * d);
      B.heads[h].V.data()[i] += Rational(1, 1000);
      if (weights(B) == weights(A)) continue;  // Q_h = 0 on that row: the same function
      check_distinguishes(A, B);
      Model<Rational> C = A;
      C.heads[h].Q.data()[i] -= Rational(1, 997);
      if (!(weights(C) == weights(A))) check_distinguishes(A, C);
      // An extra small head.
      Model<Rational> E = A;
      E.heads.push_back({test::random_matrix(rng, d, d, 1, 0), test::random_matrix(rng, d, d, 1, 0)});
      for (Rational& x : E.heads.back().V.data()) x /= 1000;
      if (!(weights(E) == weights(A))) check_distinguishes(A, E);
      // The same heads, causal against non-causal.
      Model<Rational> causal = A;
      causal.causal = true;
      check_distinguishes(A, causal);
    }
  // Causal and non-causal zero models are equivalent.
  CHECK(decide_equivalence(Model<Rational>{2, false, {}}, Model<Rational>{2, true, {}}).equivalent);
}
