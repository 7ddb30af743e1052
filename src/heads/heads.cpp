// SPDX-License-Identifier: MIT
// Head recovery (heads.hpp; proofs-notes/06-learner.md, Lemma H1).
#include "mhla/heads/heads.hpp"

#include <utility>

#include "mhla/linalg/bareiss.hpp"
#include "mhla/linalg/rows_scale_to_integer.hpp"

namespace mhla {
namespace {

std::size_t dim_of_weights(const Matrix<Rational>& W) {
  const std::size_t d = W.rows();
  if (d == 0 || W.cols() != feature_dim(d)) fail(ErrorKind::internal, "heads: W is not d x feature_dim(d)");
  return d;
}

}  // namespace

// @proof H1
Matrix<Rational> even_split(const Matrix<Rational>& W) {
  const std::size_t d = dim_of_weights(W);
  Matrix<Rational> M(d * d, d * d);
  for (std::size_t a = 0; a < d; ++a)
    for (std::size_t j = 0; j < d; ++j)
      for (std::size_t k = 0; k < d; ++k)
        for (std::size_t l = 0; l < d; ++l) {
          const Rational& w = W(a, feature_index(d, std::min(j, k), std::max(j, k), l));
          M(a * d + j, k * d + l) = j == k ? w : w / 2;
        }
  return M;
}

Matrix<Rational> fold_split(const Matrix<Rational>& M, std::size_t d) {
  if (M.rows() != d * d || M.cols() != d * d) fail(ErrorKind::internal, "fold_split: M is not d^2 x d^2");
  Matrix<Rational> W(d, feature_dim(d));
  for (std::size_t a = 0; a < d; ++a)
    for (std::size_t j = 0; j < d; ++j)
      for (std::size_t k = j; k < d; ++k)
        for (std::size_t l = 0; l < d; ++l)
          W(a, feature_index(d, j, k, l)) =
              j == k ? M(a * d + j, k * d + l) : M(a * d + j, k * d + l) + M(a * d + k, j * d + l);
  return W;
}

RankFactorisation rank_factorisation(const Matrix<Rational>& M) {
  const std::size_t m = M.rows(), n = M.cols();
  // Gauss-Jordan over Q to the reduced row echelon form E; pivot columns in increasing order.
  Matrix<Rational> E = M;
  std::vector<std::size_t> pivots;
  std::size_t row = 0;
  for (std::size_t c = 0; c < n && row < m; ++c) {
    std::size_t p = row;
    while (p < m && E(p, c) == 0) ++p;
    if (p == m) continue;
    if (p != row)
      for (std::size_t j = 0; j < n; ++j) std::swap(E(p, j), E(row, j));
    const Rational inv = 1 / E(row, c);
    for (std::size_t j = c; j < n; ++j) E(row, j) *= inv;
    for (std::size_t i = 0; i < m; ++i) {
      if (i == row || E(i, c) == 0) continue;
      const Rational f = E(i, c);
      for (std::size_t j = c; j < n; ++j) E(i, j) -= f * E(row, j);
    }
    pivots.push_back(c);
    ++row;
  }
  // M = M[:, pivots] * E[0..r), since each column of M is the combination of the pivot columns
  // given by the corresponding column of E (row operations keep column dependencies).
  const std::size_t r = pivots.size();
  RankFactorisation f{Matrix<Rational>(m, r), Matrix<Rational>(n, r), r};
  for (std::size_t h = 0; h < r; ++h) {
    for (std::size_t i = 0; i < m; ++i) f.U(i, h) = M(i, pivots[h]);
    for (std::size_t j = 0; j < n; ++j) f.V(j, h) = E(h, j);
  }
  if (!(multiply(f.U, transpose(f.V)) == M)) fail(ErrorKind::internal, "rank_factorisation: U V^T != M");
  return f;
}

Model<Rational> model_from_factorisation(const RankFactorisation& f, std::size_t d, bool causal) {
  if (f.U.rows() != d * d || f.V.rows() != d * d || f.U.cols() != f.rank || f.V.cols() != f.rank)
    fail(ErrorKind::internal, "model_from_factorisation: shapes do not match d");
  Model<Rational> model{d, causal, {}};
  for (std::size_t h = 0; h < f.rank; ++h) {
    Head<Rational> head{Matrix<Rational>(d, d), Matrix<Rational>(d, d)};
    for (std::size_t x = 0; x < d; ++x)
      for (std::size_t y = 0; y < d; ++y) {
        head.V(x, y) = f.U(x * d + y, h);
        head.Q(x, y) = f.V(x * d + y, h);
      }
    model.heads.push_back(std::move(head));
  }
  return model;
}

// @proof H1
Model<Rational> heads_from_weights(const Matrix<Rational>& W, bool causal) {
  const std::size_t d = dim_of_weights(W);
  const Model<Rational> model = model_from_factorisation(rank_factorisation(even_split(W)), d, causal);
  if (!(weights(model) == W)) fail(ErrorKind::internal, "heads_from_weights: the recovered heads do not have weights W");
  return model;
}

RecoveredHeads recover_heads(const Matrix<Rational>& W, bool causal, HeadsMethod method, unsigned precision_bits) {
  RecoveredHeads out;
  out.method = method;
  switch (method) {
    case HeadsMethod::rank_factorisation:
      out.model = heads_from_weights(W, causal);
      out.even_split_rank = out.model.heads.size();
      break;
    case HeadsMethod::fewest:
      out.fewest = fewest_heads(W, causal);
      out.model = out.fewest->model;
      out.even_split_rank = out.fewest->even_split_rank;
      break;
    case HeadsMethod::svd:
      out.svd = svd_heads(W, causal, precision_bits);
      out.model = out.svd->model;
      out.even_split_rank = rank_bareiss(rows_scale_to_integer(even_split(W)));
      break;
  }
  return out;
}

}  // namespace mhla
