// SPDX-License-Identifier: MIT
// Heads a float user can run (proofs-notes/07-heads.md, Lemmas H8, H9). Every exact factorisation
// M = U V^T of the even split gives a model with weights exactly W (Lemma H1(b)), and so does any
// rescaling V_h -> c V_h, Q_h -> Q_h / c (c != 0); among these equivalent models some evaluate
// badly in floats (heads whose large entries cancel in the sum). Two exact steps:
//   * pivoted_factorisation: M = sum_k u_k v_k^T by Gaussian elimination with complete pivoting
//     over Q (the pivot is the entry of largest magnitude of the remaining matrix, compared
//     exactly), u_k the pivot column of the remainder, v_k its pivot row divided by the pivot:
//     every |v_k| entry <= 1 and every |u_k| entry <= the largest entry of the remainder, so no
//     head is large where the sum is small (H8);
//   * balance_head_scales: per head, c = 2^e with e chosen so that max|c V_h| and max|Q_h / c|
//     agree within a factor 4 (c a power of two: exact, and exact in binary floats too) (H9).
// Both keep the weights exactly W (checked by the caller's weight check; pivoted_factorisation
// checks U V^T == M itself).
#pragma once
#include <cstddef>
#include <optional>

#include "mhla/heads/heads.hpp"

namespace mhla {

// M = U V^T with U = [u_k], V = [v_k], rank(M) columns, by complete pivoting over Q (above).
// nullopt when the estimated cost, n^2 r rational operations on entries of up to `bits` bits,
// exceeds max_work (n^2 * r * max(bits, 64) > max_work): callers keep their factorisation.
// The result has U V^T == M exactly (checked, Error(internal) otherwise). Cost: O(n^2 r)
// rational operations, n = M.rows(). @proof H8
std::optional<RankFactorisation> pivoted_factorisation(const Matrix<Rational>& M, double max_work = 4e9);

// Every head rescaled by a power of two c_h: V_h -> c_h V_h, Q_h -> Q_h / c_h, with
// c_h = 2^round((log2 max|Q_h| - log2 max|V_h|) / 2) (logarithms from bit lengths, so the choice
// is approximate but c_h is exact). Heads with V_h = 0 or Q_h = 0 are left as they are. The
// weights are unchanged exactly (V_h[a][j] Q_h[k][l] is invariant). Cost: O(H d^2). @proof H9
Model<Rational> balance_head_scales(const Model<Rational>& model);

// The worst float error of a model on inputs: max over the entries of |fl(Y) - Y| (absolute)
// and that divided by max |Y| (relative to the largest exact output; 0 when all outputs are 0),
// with fl the evaluation of the model rounded to T (double or float) on the inputs rounded to T
// (inputs from float32 data are exact in both). Informational (a measurement, not a bound).
struct FloatOutputError {
  Rational max_abs_error, max_abs_output;
  bool overflow = false;  // a non-finite float output
};
// T is double or float. Y_exact are the exact outputs, one d x n matrix per input.
template <class T>
FloatOutputError float_output_error(const Model<Rational>& model, const std::vector<Matrix<Rational>>& inputs,
                                    const std::vector<Matrix<Rational>>& Y_exact);

}  // namespace mhla
