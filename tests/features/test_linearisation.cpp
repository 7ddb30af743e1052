// SPDX-License-Identifier: MIT
// Lemma L1 (proofs-notes/03-features.md): Y[a][b] = <w_a, phi(Z, b)> exactly, checked against
// the model's Gram-matrix evaluation and against the paper's literal formula
// Y = sum_h V_h Z (Z^T Q_h Z) with its n x n score matrix (masked when causal).
#include <catch2/catch.hpp>

#include "mhla/features/features.hpp"
#include "support/random_exact.hpp"

using namespace mhla;

namespace {

// The definition, computed the long way: scores S_h = Z^T Q_h Z (n x n), then
// Y[:, b] = sum_h V_h sum_{t} Z[:, t] S_h[t][b], over t <= b when causal.
Matrix<Rational> evaluate_by_definition(const Model<Rational>& m, const Matrix<Rational>& Z) {
  const std::size_t d = m.d, n = Z.cols();
  Matrix<Rational> Y(d, n);
  for (const Head<Rational>& h : m.heads) {
    const Matrix<Rational> S = multiply(transpose(Z), multiply(h.Q, Z));
    for (std::size_t b = 0; b < n; ++b) {
      std::vector<Rational> mix(d, Rational(0));  // sum_t z_t S[t][b]
      for (std::size_t t = 0; t < n && (!m.causal || t <= b); ++t)
        for (std::size_t i = 0; i < d; ++i) mix[i] += Z(i, t) * S(t, b);
      const std::vector<Rational> y = multiply(h.V, mix);
      for (std::size_t a = 0; a < d; ++a) Y(a, b) += y[a];
    }
  }
  return Y;
}

}  // namespace

TEST_CASE("Lemma L1: outputs are linear in the folded features, exactly", "[features][L1]") {
  std::mt19937_64 rng(20241010);
  std::size_t cases = 0;  // every fourth case uses huge entries
  for (std::size_t d = 1; d <= 6; ++d)
    for (std::size_t H = 1; H <= 4; ++H)
      for (std::size_t n = 1; n <= 8; ++n)
        for (int causal = 0; causal <= 1; ++causal) {  // 384 cases, one per shape
            // Every fourth case uses 30-40 digit numerators and denominators.
            const bool huge = (cases % 4) == 3;
            const unsigned nd = huge ? 40 : 3, dd = huge ? 32 : 2;
            const Model<Rational> model = test::random_model(rng, d, H, causal == 1, nd, dd);
            const Matrix<Rational> Z = test::random_matrix(rng, d, n, nd, dd);
            const Matrix<Rational> Y = evaluate(model, Z);
            REQUIRE(Y == evaluate_by_definition(model, Z));
            const Matrix<Rational> w = weights(model);
            std::vector<std::size_t> positions(n);
            for (std::size_t b = 0; b < n; ++b) positions[b] = n - 1 - b;  // any order works
            const Matrix<Rational> rows = feature_rows(Z, positions, model.causal);
            for (std::size_t r = 0; r < n; ++r) {
              const std::size_t b = positions[r];
              const std::vector<Rational> phi = features(Z, b, model.causal);
              REQUIRE(std::equal(phi.begin(), phi.end(), rows.row(r)));
              for (std::size_t a = 0; a < d; ++a) {
                REQUIRE(dot(w.row_vector(a), phi) == Y(a, b));
              }
            }
            ++cases;
          }
}

TEST_CASE("Lemma L1 on an input with a huge and a zero token", "[features][L1]") {
  std::mt19937_64 rng(7);
  const Model<Rational> model = test::random_model(rng, 3, 2, true, 5, 5);
  Matrix<Rational> Z = test::random_matrix(rng, 3, 4, 5, 5);
  for (std::size_t i = 0; i < 3; ++i) Z(i, 1) = 0;
  Z(0, 2) = Rational(Integer("123456789012345678901234567890123456789"), Integer(7));
  const Matrix<Rational> Y = evaluate(model, Z), w = weights(model);
  for (std::size_t b = 0; b < 4; ++b)
    for (std::size_t a = 0; a < 3; ++a) CHECK(dot(w.row_vector(a), features(Z, b, true)) == Y(a, b));
}

TEST_CASE("weights fold the (j,k) and (k,j) terms: a hand-computed d = 2 model", "[features]") {
  // One head, V = [[1,2],[3,4]], Q = [[5,6],[7,8]]. w_0[(0,1,l)] = V[0][0] Q[1][l] + V[0][1] Q[0][l].
  Model<Rational> m{2, false, {{Matrix<Rational>(2, 2, {1, 2, 3, 4}), Matrix<Rational>(2, 2, {5, 6, 7, 8})}}};
  const Matrix<Rational> w = weights(m);
  // order: (0,0,0) (0,0,1) (0,1,0) (0,1,1) (1,1,0) (1,1,1)
  const std::vector<Rational> w0{5, 6, 1 * 7 + 2 * 5, 1 * 8 + 2 * 6, 2 * 7, 2 * 8};
  const std::vector<Rational> w1{15, 18, 3 * 7 + 4 * 5, 3 * 8 + 4 * 6, 4 * 7, 4 * 8};
  CHECK(w.row_vector(0) == w0);
  CHECK(w.row_vector(1) == w1);
}

TEST_CASE("canonical feature order is lexicographic in (j, k, l) with j <= k", "[features]") {
  for (std::size_t d = 1; d <= 7; ++d) {
    const auto keys = feature_keys(d);
    REQUIRE(keys.size() == feature_dim(d));
    for (std::size_t i = 0; i < keys.size(); ++i) {
      CHECK(keys[i].j <= keys[i].k);
      CHECK(feature_index(d, keys[i].j, keys[i].k, keys[i].l) == i);
      if (i > 0) {
        const auto& p = keys[i - 1];
        CHECK(std::tie(p.j, p.k, p.l) < std::tie(keys[i].j, keys[i].k, keys[i].l));
      }
    }
  }
  CHECK(feature_dim(0) == 0);
  CHECK(feature_dim(std::size_t(1) << 32) == 0);  // overflow is reported as 0, never wrapped
  CHECK(feature_dim(100000) == std::size_t(100000) * 100000 * 100001 / 2);
}
