// SPDX-License-Identifier: MIT
// A model rounded to binary64, with a proven bound on how far its outputs can move
// (proofs-notes/02-model.md, Lemma F2). For exact models A and B of the same d and causal flag,
// with Delta = max_a ||w_a(A) - w_a(B)||_1 (exact, from the weights of Lemma L1):
//   |Y_A(Z)[a][b] - Y_B(Z)[a][b]| <= Delta * n * rho^3
// for every input Z with n tokens and max |Z entry| <= rho, every a and every position b.
// round_model_binary64 rounds every entry of V_h, Q_h to the nearest binary64 value (taken
// exactly); the bound is then computed between the exact model and its rounding, exactly.
// Cost: weights of both models, O(H d^4); the bound, O(d D).
#pragma once
#include "mhla/features/features.hpp"

namespace mhla {

// Every entry rounded to nearest binary64 (to_binary64, correct rounding), then taken exactly.
// Precondition (checked by to_binary64's caller contract: finite results): entries below
// DBL_MAX in magnitude; an entry that would overflow is Error(bad_input).
inline Model<Rational> round_model_binary64(const Model<Rational>& m) {
  return convert_model<Rational>(m, [](const Rational& q) {
    const double x = to_binary64(q);
    if (!(x - x == 0)) fail(ErrorKind::bad_input, "round_model_binary64: an entry overflows binary64");
    return to_rational(x);
  });
}

// Delta = max_a sum_i |w_a(A)[i] - w_a(B)[i]|, exact. Precondition (checked): A.d == B.d and
// A.causal == B.causal. @proof F2
// The same for weight matrices (d x D each; W = the weights of a model of that causal flag).
inline Rational weight_l1_difference(const Matrix<Rational>& wa, const Matrix<Rational>& wb) {
  if (wa.rows() != wb.rows() || wa.cols() != wb.cols()) fail(ErrorKind::internal, "weight_l1_difference: shapes differ");
  Rational best = 0;
  for (std::size_t a = 0; a < wa.rows(); ++a) {
    Rational s = 0;
    for (std::size_t i = 0; i < wa.cols(); ++i) s += abs(wa(a, i) - wb(a, i));
    if (s > best) best = s;
  }
  return best;
}
inline Rational weight_l1_difference(const Model<Rational>& A, const Model<Rational>& B) {
  if (A.d != B.d || A.causal != B.causal) fail(ErrorKind::internal, "weight_l1_difference: the models differ in d or causality");
  return weight_l1_difference(weights(A), weights(B));
}

// The bound of Lemma F2 for inputs with n tokens and entries of magnitude <= rho. @proof F2
inline Rational output_difference_bound(const Rational& delta, std::size_t n, const Rational& rho) {
  return delta * Rational(static_cast<long>(n)) * rho * rho * rho;
}

}  // namespace mhla
