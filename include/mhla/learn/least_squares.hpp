// SPDX-License-Identifier: MIT
// Exact empirical risk minimisation in the folded feature space (math.md, "Data and empirical
// risk"; proofs-notes/06-learner.md, Lemmas E1 and E2). The readable Bareiss/rational
// reference path; the fast modular path is a later layer.
//
// Mathematics. For one output coordinate a, the risk of the weights w is ||Phi_a w - y_a||^2
// (Lemma L1), and with enough heads every w is reachable (Lemma E1), so the MHLA minimisers
// are exactly the least-squares solutions w. Lemma E2: w minimises iff
// Phi^T (Phi w - y) = 0 (the normal equations); the set of minimisers is w* + ker(Phi), of
// dimension D - rank(Phi); exactly one minimiser lies in the row space of Phi, the one of
// minimum norm. It is computed as
//   * rank(Phi) = D: the unique solution of Phi^T Phi w = Phi^T y;
//   * rank(Phi) = r < D: R = the r rows of Phi in its row rank profile (a basis of the row
//     space), w = R^T beta with beta the unique solution of the r x r nonsingular system
//     (R Phi^T Phi R^T) beta = R Phi^T y (the normal equations restricted to the row space).
// Before returning, the result is verified exactly: Phi^T (Phi w - y) = 0 over Q, the
// nullspace basis has D - r vectors each annihilated by Phi and orthogonal to w (so w is in the
// row space, hence of minimum norm). A failed check is a bug: Error(internal).
// Preconditions: y.size() == Phi.rows() (checked). Phi may have 0 rows (then w = 0).
// Cost: Bareiss rank profile and nullspace on the integer-scaled Phi (O(N D r) big-integer
// operations) plus the rational normal equations (O(N D r + r^3)): small sizes only.
#pragma once
#include <cstddef>
#include <vector>

#include "mhla/arith/scalar.hpp"
#include "mhla/features/dataset.hpp"
#include "mhla/linalg/matrix.hpp"

namespace mhla {

struct LeastSquares {
  std::vector<Rational> w;                       // the minimum-norm least-squares solution
  std::size_t rank = 0;                          // rank_Q(Phi)
  std::size_t solution_dim = 0;                  // D - rank: dimension of the set of minimisers
  std::vector<std::vector<Rational>> nullspace;  // a basis of {v : Phi v = 0} (solution_dim vectors)
  Rational loss;                                 // ||Phi w - y||^2, the minimum, exact
  bool unique() const { return solution_dim == 0; }
};

// The least-squares problem min_w ||Phi w - y||^2 over Q, solved and verified exactly. @proof E2
LeastSquares least_squares_exact(const Matrix<Rational>& Phi, const std::vector<Rational>& y);

// True iff Phi^T (Phi w - y) = 0 exactly (w is a least-squares solution; Lemma E2).
bool satisfies_normal_equations(const Matrix<Rational>& Phi, const std::vector<Rational>& y,
                                const std::vector<Rational>& w);

// ||Phi w - y||^2 exactly.
Rational squared_residual(const Matrix<Rational>& Phi, const std::vector<Rational>& y, const std::vector<Rational>& w);

struct CoordinateFit {
  std::size_t a = 0;
  bool observed = false;  // some target observes y[a]; otherwise w_a = 0 and fit is empty
  std::size_t rows = 0;   // rows of Phi_a
  LeastSquares fit;
};

struct DatasetFit {
  Matrix<Rational> W;  // d x feature_dim(d); row a = w_a (0 for an unobserved coordinate)
  std::vector<CoordinateFit> coordinates;  // a = 0..d-1
  Rational loss;       // the empirical risk of W: sum of the coordinates' minimum losses
  bool unique() const;  // every observed coordinate has a unique minimiser
};

// The exact ERM of a dataset, one least-squares problem per output coordinate (Lemma E1):
// W minimises the empirical risk over all weight matrices, hence (with rank(M) heads,
// heads.hpp) over all MHLA with at least d^2 heads. @proof E1
DatasetFit fit_dataset(const Dataset& ds);

// The empirical risk of math.md for a model: the sum over observed entries of
// (Y[a][b] - y[a])^2, with Y evaluated exactly by the model (evaluate_exact, not features).
Rational empirical_risk(const Dataset& ds, const Model<Rational>& model);

}  // namespace mhla
