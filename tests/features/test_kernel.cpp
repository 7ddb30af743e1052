// SPDX-License-Identifier: MIT
// The kernel identities of proofs-notes/03-features.md (Lemma K1): the folded kernel K equals
// <phi, phi'> and (<G,G'>_F + sum_j G_jj G'_jj)/2 <z,z'>; the symmetric kernel kappa equals the
// inner product of the unfolded d^3 features and <G,G'>_F <z,z'>.
#include <catch2/catch.hpp>

#include "mhla/features/features.hpp"
#include "support/random_exact.hpp"

using namespace mhla;

namespace {

Matrix<Rational> gram_at(const Matrix<Rational>& Z, std::size_t b, bool causal) {
  if (!causal) return gram(Z);
  Matrix<Rational> G(Z.rows(), Z.rows());
  for (std::size_t t = 0; t <= b; ++t) add_token_to_gram(G, Z, t);
  return G;
}

// The paper's unfolded features X[(j,k,l)] = G[j][k] z_b[l] over all j, k, l (eq. 7).
std::vector<Rational> unfolded_features(const Matrix<Rational>& G, const std::vector<Rational>& z) {
  std::vector<Rational> x;
  for (std::size_t j = 0; j < G.rows(); ++j)
    for (std::size_t k = 0; k < G.rows(); ++k)
      for (const Rational& zl : z) x.push_back(G(j, k) * zl);
  return x;
}

}  // namespace

TEST_CASE("Lemma K1: both kernels from Gram matrices equal their feature inner products", "[features][kernel]") {
  std::mt19937_64 rng(99);
  for (std::size_t d = 1; d <= 5; ++d)
    for (int causal = 0; causal <= 1; ++causal)
      for (int rep = 0; rep < 20; ++rep) {
        const unsigned nd = rep % 5 == 4 ? 30 : 3, dd = rep % 5 == 4 ? 30 : 2;
        const std::size_t n1 = 1 + rng() % 6, n2 = 1 + rng() % 6;
        const Matrix<Rational> Z1 = test::random_matrix(rng, d, n1, nd, dd), Z2 = test::random_matrix(rng, d, n2, nd, dd);
        const std::size_t b1 = rng() % n1, b2 = rng() % n2;
        const Matrix<Rational> G1 = gram_at(Z1, b1, causal), G2 = gram_at(Z2, b2, causal);
        const std::vector<Rational> z1 = Z1.column(b1), z2 = Z2.column(b2);
        const std::vector<Rational> phi1 = features(Z1, b1, causal), phi2 = features(Z2, b2, causal);

        const Rational K = kernel_from_features(phi1, phi2);
        CHECK(K == kernel_folded(G1, z1, G2, z2));
        CHECK(kernel_symmetric(G1, z1, G2, z2) == dot(unfolded_features(G1, z1), unfolded_features(G2, z2)));
        // kappa = <phi, S phi'> with S = 2 on pairs j < k, 1 on j == k.
        Rational weighted = 0;
        const auto keys = feature_keys(d);
        for (std::size_t i = 0; i < keys.size(); ++i) weighted += (keys[i].j == keys[i].k ? 1 : 2) * phi1[i] * phi2[i];
        CHECK(weighted == kernel_symmetric(G1, z1, G2, z2));
      }
}

TEST_CASE("the two kernels differ once off-diagonal Gram entries are present", "[features][kernel]") {
  // d = 2, Z = [[1],[1]]: G = [[1,1],[1,1]], z = (1,1). K = (4 + 2)/2 * 2 = 6, kappa = 4 * 2 = 8.
  const Matrix<Rational> Z(2, 1, {1, 1});
  const Matrix<Rational> G = gram(Z);
  CHECK(kernel_folded(G, Z.column(0), G, Z.column(0)) == 6);
  CHECK(kernel_symmetric(G, Z.column(0), G, Z.column(0)) == 8);
}
