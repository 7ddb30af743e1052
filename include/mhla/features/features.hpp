// SPDX-License-Identifier: MIT
// The folded cubic feature map, the weight vectors and the two kernels (math.md, "The feature
// map"; proofs-notes/03-features.md).
//   phi(Z, b)[(j,k,l)] = G[j][k] * Z[l][b],  0 <= j <= k < d, 0 <= l < d,
// G = Z Z^T (G_b when causal), indexed lexicographically in (j, k, l): feature_dim(d) = d^2(d+1)/2.
//   w_a[(j,k,l)] = sum_h V_h[a][j] Q_h[k][l] + (j != k ? sum_h V_h[a][k] Q_h[j][l] : 0)
// and Lemma L1: Y[a][b] = <w_a, phi(Z, b)> exactly.
// Kernels, for (Z, b) and (Z', b') with Gram matrices G, G' and tokens z = z_b, z' = z'_b':
//   folded    K     = <phi, phi'> = (<G, G'>_F + sum_j G[j][j] G'[j][j]) / 2 * <z, z'>
//   symmetric kappa = <G, G'>_F * <z, z'>  (the unfolded d^3 features; = <phi, S phi'> with
//                     S = 1 on diagonal pairs j == k and 2 on pairs j < k)
// Everything is templated on the scalar; exact for Rational.
#pragma once
#include <cstddef>
#include <vector>

#include "mhla/model/model.hpp"

namespace mhla {

// D = d * d(d+1)/2, or 0 when it would overflow std::size_t (callers refuse such d). @proof D1
constexpr std::size_t feature_dim(std::size_t d) {
  std::size_t a = d, b = d + 1, pairs = 0, D = 0;
  if (b == 0) return 0;
  if (a % 2 == 0) a /= 2; else b /= 2;
  if (__builtin_mul_overflow(a, b, &pairs) || __builtin_mul_overflow(pairs, d, &D)) return 0;
  return D;
}

// Index of the pair (j, k), j <= k, among the d(d+1)/2 pairs in lexicographic order.
constexpr std::size_t pair_index(std::size_t d, std::size_t j, std::size_t k) {
  return j * (2 * d - j + 1) / 2 + (k - j);  // rows 0..j-1 hold d, d-1, ..., d-j+1 pairs
}

// Position of feature (j, k, l) in the canonical order. Precondition (unchecked): j <= k < d, l < d.
constexpr std::size_t feature_index(std::size_t d, std::size_t j, std::size_t k, std::size_t l) {
  return pair_index(d, j, k) * d + l;
}

struct FeatureKey {
  std::size_t j, k, l;
};

// The (j, k, l) of every feature, in the canonical order.
inline std::vector<FeatureKey> feature_keys(std::size_t d) {
  std::vector<FeatureKey> keys;
  keys.reserve(feature_dim(d));
  for (std::size_t j = 0; j < d; ++j)
    for (std::size_t k = j; k < d; ++k)
      for (std::size_t l = 0; l < d; ++l) keys.push_back({j, k, l});
  return keys;
}

// Writes phi(Z, b) for the Gram matrix G (already G or G_b) into out[0 .. feature_dim(d)).
template <class T>
void features_from_gram(const Matrix<T>& G, const Matrix<T>& Z, std::size_t b, T* out) {
  const std::size_t d = Z.rows();
  std::size_t i = 0;
  for (std::size_t j = 0; j < d; ++j)
    for (std::size_t k = j; k < d; ++k)
      for (std::size_t l = 0; l < d; ++l) out[i++] = G(j, k) * Z(l, b);
}

// phi(Z, b) alone. Use feature_rows for several positions of one input (one Gram matrix).
template <class T>
std::vector<T> features(const Matrix<T>& Z, std::size_t b, bool causal) {
  if (b >= Z.cols()) fail(ErrorKind::internal, "features: position out of range");
  Matrix<T> G(Z.rows(), Z.rows());
  if (causal)
    for (std::size_t t = 0; t <= b; ++t) add_token_to_gram(G, Z, t);
  else
    G = gram(Z);
  std::vector<T> phi(feature_dim(Z.rows()));
  features_from_gram(G, Z, b, phi.data());
  return phi;
}

// The rows phi(Z, positions[r]) for r = 0, 1, ... as a positions.size() x feature_dim matrix.
// One Gram matrix for the input (non-causal); causal: prefix Gram matrices built once in
// increasing position order, so the cost is O(d^2 n + |positions| feature_dim).
template <class T>
Matrix<T> feature_rows(const Matrix<T>& Z, const std::vector<std::size_t>& positions, bool causal) {
  const std::size_t d = Z.rows(), D = feature_dim(d), n = Z.cols();
  for (std::size_t b : positions)
    if (b >= n) fail(ErrorKind::internal, "feature_rows: position out of range");
  Matrix<T> rows(positions.size(), D);
  if (!causal) {
    const Matrix<T> G = gram(Z);
    for (std::size_t r = 0; r < positions.size(); ++r) features_from_gram(G, Z, positions[r], rows.row(r));
    return rows;
  }
  std::vector<std::vector<std::size_t>> rows_at(n);  // rows_at[b]: the rows that ask for position b
  std::size_t last = 0;
  for (std::size_t r = 0; r < positions.size(); ++r) {
    rows_at[positions[r]].push_back(r);
    last = std::max(last, positions[r] + 1);
  }
  Matrix<T> G(d, d);
  for (std::size_t b = 0; b < last; ++b) {
    add_token_to_gram(G, Z, b);
    for (std::size_t r : rows_at[b]) features_from_gram(G, Z, b, rows.row(r));
  }
  return rows;
}

// The weight vectors w_0 .. w_{d-1} of a model as a d x feature_dim matrix (row a = w_a), so
// that Y[a][b] = <w_a, phi(Z, b)> (@proof L1).
template <class T>
Matrix<T> weights(const Model<T>& model) {
  const std::size_t d = model.d;
  Matrix<T> w(d, feature_dim(d));
  for (const Head<T>& h : model.heads)
    for (std::size_t a = 0; a < d; ++a) {
      T* wa = w.row(a);
      std::size_t i = 0;
      for (std::size_t j = 0; j < d; ++j)
        for (std::size_t k = j; k < d; ++k)
          for (std::size_t l = 0; l < d; ++l, ++i) {
            wa[i] += h.V(a, j) * h.Q(k, l);
            if (j != k) wa[i] += h.V(a, k) * h.Q(j, l);
          }
    }
  return w;
}

// K((Z,b),(Z',b')) = <phi(Z,b), phi(Z',b')>: the inner product of two feature vectors.
template <class T>
T kernel_from_features(const std::vector<T>& phi, const std::vector<T>& phi2) {
  return dot(phi, phi2);
}

template <class T>
T frobenius(const Matrix<T>& A, const Matrix<T>& B) {
  T s(0);
  for (std::size_t i = 0; i < A.data().size(); ++i) s += A.data()[i] * B.data()[i];
  return s;
}

// The same K from Gram matrices and tokens, without forming features: O(d^2) instead of O(d^3).
// @proof K1
template <class T>
T kernel_folded(const Matrix<T>& G, const std::vector<T>& z, const Matrix<T>& G2, const std::vector<T>& z2) {
  T diag(0);
  for (std::size_t j = 0; j < G.rows(); ++j) diag += G(j, j) * G2(j, j);
  return (frobenius(G, G2) + diag) / T(2) * dot(z, z2);
}

// kappa((Z,b),(Z',b')) = <G, G'>_F <z_b, z'_b'>, the kernel of the unfolded d^3 features.
template <class T>
T kernel_symmetric(const Matrix<T>& G, const std::vector<T>& z, const Matrix<T>& G2, const std::vector<T>& z2) {
  return frobenius(G, G2) * dot(z, z2);
}

}  // namespace mhla
