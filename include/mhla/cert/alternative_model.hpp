// SPDX-License-Identifier: MIT
// alternative_model: for a dataset with a non-identifiable observed coordinate, two MHLA that
// fit the data exactly equally well and differ on each distinguishing input (issue 3 item 4;
// math.md, Witnesses; proofs-notes/05-certificates.md Lemma C1(b), 06-learner.md E1, E2, H1).
//
// Construction: W = the exact minimum-norm least-squares solution per coordinate (fit_dataset
// with the modular solver, Lemmas E2-E4: one prime-field solve per coordinate group, verified
// exactly over Q; the Bareiss reference path only as its fallback); W' = W with row a replaced by w_a + v_a for every observed coordinate a that the
// certificate reports deficient (v_a its kernel vector, Phi_a v_a = 0); both turned into heads
// by the even split and an exact rank factorisation (heads_from_weights, Lemma H1).
// Verified exactly before returning (Error(internal) otherwise):
//   * weights(base) == W and weights(alternative) == W' (heads_from_weights checks it, H1), so
//     each model's output is <w_a, phi> (L1) and the training data are evaluated through the
//     weights, in integers: the empirical risk of base == fit loss (the minimum), and the two
//     models agree on every observed training entry (<v_a, phi> = 0 on every row), so the
//     alternative's risk is the same;
//   * at each deficient coordinate's distinguishing input (Z, b), by exact evaluation of the two
//     models themselves (evaluate_exact): alternative - base at [a][b] equals <v_a, phi(Z, b)> != 0.
// Preconditions: cert = certify(ds) (same dataset; a deficient coordinate has its kernel vector
// and distinguishing input). Cost: that of fit_dataset's modular path (about the elimination
// certify itself runs, plus the exact check O(N D)), the multimodular head recovery (Lemma H7)
// and exact evaluation of both models on the dataset, O(N H d^2 n). Memory: announced through
// check_memory (fit_memory_estimate) before the fit. Progress: "mhla certify: alternative model".
#pragma once
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mhla/arith/scalar.hpp"
#include "mhla/cert/certify.hpp"
#include "mhla/model/model.hpp"

namespace mhla {

struct AlternativeDifference {
  std::size_t a = 0;              // the deficient coordinate
  DistinguishingInput input;      // from the certificate
  Rational base_output, alternative_output;  // Y[a][position] of the two models, different
};

struct AlternativeModel {
  Model<Rational> base;         // heads of the minimum-norm least-squares solution W
  Model<Rational> alternative;  // heads of W + v on the deficient coordinates
  Rational base_loss, alternative_loss;  // empirical risks, exact and equal
  std::vector<AlternativeDifference> differences;  // one per deficient observed coordinate
};

struct AlternativeModelOptions {
  // Called before the fit's allocations (what, estimated bytes, detail); may throw to refuse.
  std::function<void(std::string_view, double, const std::string&)> check_memory;
};

// nullopt when the certificate has no deficient observed coordinate.
std::optional<AlternativeModel> alternative_model(const Dataset& ds, const Certificate& cert,
                                                 const AlternativeModelOptions& options = {});

}  // namespace mhla
