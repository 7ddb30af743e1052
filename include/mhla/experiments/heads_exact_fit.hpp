// SPDX-License-Identifier: MIT
// Exact Algorithm 1 at the sizes of the paper's Figure 1 (N T = 204800 target rows), for
// realizable data. fit_dataset (learn/least_squares.hpp) is the Bareiss reference path and too
// slow there; when the data are identifiable and realizable the same minimiser is found by
//   1. certify (cert/certify.hpp): rank(Phi_a) = D with D witness rows R (nonzero minor);
//   2. w_a = the unique solution of Phi_a[R, :] w = y_a[R] (least_squares_exact on D rows);
//   3. the exact risk of W on ALL training rows (risk_of_weights); if it is 0, W attains the
//      smallest possible risk, so it is a minimiser, and the only one since rank(Phi_a) = D
//      (Lemma E2): exactly what fit_dataset returns;
//   4. heads_from_weights (checked: weights(model) == W), so by Lemma L1 the model's risk is
//      the weights' risk.
// Otherwise (not identifiable, or the D-row solution leaves a residual) it falls back to
// fit_dataset, and says so in `method`.
// Preconditions: feature_dim(d) != 0; validation (when given) has the same d and causal flag.
#pragma once
#include <string>

#include "mhla/arith/scalar.hpp"
#include "mhla/features/dataset.hpp"
#include "mhla/model/model.hpp"

namespace mhla::experiments {

struct RealizableFit {
  bool identifiable = false;  // every observed coordinate has rank D (certified)
  Matrix<Rational> W;         // d x feature_dim(d): the exact empirical risk minimiser (minimum-norm)
  Model<Rational> model;      // rank(M) heads from W (heads_from_weights)
  Rational train_risk, validation_risk;  // exact empirical risks (math.md: sums over observed entries)
  bool validation_given = false;
  bool equals_truth = false;  // W == weights(truth), when a truth is given
  std::string method;
  double seconds = 0;
};

// The sum over observed entries of (<w_a, phi(Z, b)> - y[a])^2, exactly, one sample at a time
// through integer feature numerators (Lemma S1); equal to the risk of any model with weights W
// (Lemma L1). Precondition: W is ds.d x feature_dim(ds.d).
Rational risk_of_weights(const Dataset& ds, const Matrix<Rational>& W);

// @proof B2
RealizableFit exact_realizable_fit(const Dataset& train, const Dataset* validation, const Model<Rational>* truth);

}  // namespace mhla::experiments
