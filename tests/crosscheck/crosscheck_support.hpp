// SPDX-License-Identifier: MIT
// Shared helpers for the crosscheck library tests: a random model and inputs, and "their"
// outputs computed in binary64 (an evaluation that rounds every operation, so that the
// comparison against the bound is not vacuous), optionally through a slipped computation.
#pragma once
#include <random>

#include "mhla/crosscheck/check_outputs.hpp"
#include "mhla/features/exact_fast.hpp"
#include "support/random_exact.hpp"

namespace mhla::test {

inline Dataset random_inputs(std::mt19937_64& rng, std::size_t d, std::size_t n, std::size_t N) {
  Dataset ds{d, false, {}};
  for (std::size_t i = 0; i < N; ++i) ds.samples.push_back(Sample{random_matrix(rng, d, n, 2, 1), {}});
  return ds;
}

// Each exact output entry rounded to binary64 and back (within u |y| <= gamma_K Yabs).
inline crosscheck::TheirOutputs rounded_outputs(const Model<Rational>& model, const Dataset& inputs,
                                                const Rational& scale = Rational(1)) {
  crosscheck::TheirOutputs t;
  t.dtype = "float64";
  for (const Sample& s : inputs.samples) {
    Matrix<Rational> Y = evaluate_exact(model, s.Z);
    for (Rational& y : Y.data()) y = to_rational(to_binary64(scale * y));
    t.Y.push_back(std::move(Y));
  }
  return t;
}

}  // namespace mhla::test
