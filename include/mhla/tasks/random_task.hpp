// SPDX-License-Identifier: MIT
// `generate random` (v4 Section 4.1): a random model and random inputs, with the
// model's exact outputs (evaluate_exact: prefix Gram matrices when causal) as targets at the
// last position or at every position, optionally plus binary64 Gaussian noise taken exactly.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "mhla/features/dataset.hpp"
#include "mhla/model/model.hpp"
#include "mhla/tasks/rng.hpp"

namespace mhla::tasks {

// How entries are drawn: uniform integers in [-R, R], or binary64 N(0, 1) values taken exactly.
struct EntrySpec {
  bool gaussian = false;
  std::int64_t range = 3;  // R, for integers
};

// "int:R" (0 <= R <= 10^9) or "gaussian"; Error(usage) otherwise.
EntrySpec parse_entry_spec(const std::string& text);

struct RandomTaskOptions {
  std::size_t d = 2, heads = 1, tokens = 3, samples = 1;
  bool causal = false, all_positions = false;
  EntrySpec entries;
  double noise = 0;  // sigma; 0 = none. Noise = fl(sigma * g), g a binary64 N(0, 1), taken exactly.
  std::uint64_t seed = 0;
};

struct RandomTask {
  Model<Rational> model;
  Dataset dataset;
};

// The model's heads first (V_0, Q_0, V_1, ... row by row), then per sample Z column by column
// and its noise values, all from Rng(seed).
RandomTask generate_random(const RandomTaskOptions& opts);

}  // namespace mhla::tasks
