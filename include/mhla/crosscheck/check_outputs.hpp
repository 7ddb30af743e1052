// SPDX-License-Identifier: MIT
// Their floating-point outputs against a model's exact outputs, entry by entry (Lemma X1 (a),
// proofs-notes/09-crosscheck.md), with the slips that explain flagged entries (explain_outputs).
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "mhla/crosscheck/rounding_bound.hpp"
#include "mhla/crosscheck/their_outputs.hpp"
#include "mhla/features/dataset.hpp"
#include "mhla/io/json_output.hpp"
#include "mhla/model/model.hpp"

namespace mhla::crosscheck {

// The exact outputs Y and Yabs (the model (|V_h|, |Q_h|) on |Z|) on every input (Lemma S1).
struct ExactOutputs {
  std::vector<Matrix<Rational>> Y, Yabs;
};
// abs_model: the model whose output on |Z| is Yabs (default: (|V_h|, |Q_h|)).
ExactOutputs exact_outputs(const Model<Rational>& model, const Dataset& inputs,
                           const std::optional<Model<Rational>>& abs_model = std::nullopt);

struct OutputsCheckOptions {
  std::string dtype = "auto";  // float64, float32, tf32, float16, bfloat16 or auto (from the file)
  std::size_t max_entries = 100000;
  std::string source = "outputs";  // their file's name, for messages
  std::optional<std::size_t> dk;   // head dimension d_k, for naming a 1/sqrt(d_k) factor
  // A factored model (mhla import, Lemma X5): Yabs from this model on |Z| instead of the model
  // (|V_h|, |Q_h|), and K + extra_roundings roundings (2 d_k + 2 for the factored order).
  std::optional<Model<Rational>> abs_model;
  std::size_t extra_roundings = 0;
};

// For every compared entry: the exact output y, their value, |theirs - y| and the bound
// gamma_K Yabs (K = rounding_count(d, n, H)); all comparisons exact. Fills doc with the
// mhla-crosscheck output fields (dtype, unit_roundoff, ..., verdict, explanations, values) and
// returns the tally. Preconditions (checked): inputs.d == model.d, theirs read for these inputs;
// K u < 1 for every input, else Error(usage). Cost O(N n d^2 H) exact operations, times the
// number of slips tried when entries are flagged. @proof X1
CheckCounts check_outputs(const Model<Rational>& model, const Dataset& inputs, const TheirOutputs& theirs,
                          const OutputsCheckOptions& options, OrderedJson& doc);

}  // namespace mhla::crosscheck
