// SPDX-License-Identifier: MIT
// Head recovery (math.md, "Head recovery"; Algorithm 1, second half; proofs-notes/06-learner.md,
// Lemma H1): weight vectors w_0..w_{d-1} -> the d^2 x d^2 matrix M of the even split -> an exact
// rational rank factorisation M = U V^T -> a model with r = rank(M) <= d^2 heads
//   V_h[a][j] = U[(a,j)][h],  Q_h[k][l] = V[(k,l)][h],   (a,j) -> a d + j, (k,l) -> k d + l,
// whose weight vectors (Lemma L1) are exactly w. Exact over Q: no square roots, no SVD.
// Preconditions (checked, Error(internal)): W is d x feature_dim(d) with d >= 1.
// Cost: M has d^4 entries; the factorisation is Gauss-Jordan over Q, O(d^6 r) rational
// operations (the reference path; d up to about 8).
#pragma once
#include <cstddef>
#include <vector>

#include "mhla/arith/scalar.hpp"
#include "mhla/features/features.hpp"
#include "mhla/linalg/matrix.hpp"
#include "mhla/model/model.hpp"

namespace mhla {

// The even split: M[(a,j),(k,l)] = w_a[(j,j,l)] if j == k, else w_a[(min,max,l)] / 2. @proof H1
Matrix<Rational> even_split(const Matrix<Rational>& W);

// The folded weights of a d^2 x d^2 split matrix: w_a[(j,k,l)] = M[(a,j),(k,l)] + M[(a,k),(j,l)]
// for j < k and M[(a,j),(j,l)] for j == k (the pairwise sums; inverse of even_split).
Matrix<Rational> fold_split(const Matrix<Rational>& M, std::size_t d);

// M = U V^T with U (m x r), V (n x r), r = rank_Q(M); U = the pivot columns of M, V^T = the
// nonzero rows of the reduced row echelon form of M. Verified (U V^T == M) before returning.
struct RankFactorisation {
  Matrix<Rational> U, V;
  std::size_t rank = 0;
};
RankFactorisation rank_factorisation(const Matrix<Rational>& M);

// The model of a factorisation of a d^2 x d^2 matrix: head h from column h of U and of V.
Model<Rational> model_from_factorisation(const RankFactorisation& f, std::size_t d, bool causal);

// w -> even split -> rank factorisation -> model with rank(M) heads; checked weights(model) == W
// exactly (Error(internal) otherwise). The zero W gives the zero model (no heads). @proof H1
Model<Rational> heads_from_weights(const Matrix<Rational>& W, bool causal);

}  // namespace mhla
