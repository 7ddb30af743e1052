// SPDX-License-Identifier: MIT
// The associative-memory task (the paper's eq. 14 and v4 Section 4.2). Key dimension m, embedding
// d = 2m, n = m + 1 tokens: (k_j; v_j) for j < m, then the query (q; zeta) with q one of the
// keys (uniform) and zeta a fresh binary64 N(0, I) filler. The one-head model
//   V = [[0, 0], [0, I_m]],  Q = [[I_m, 0], [0, 0]]
// outputs at the last position y = (0; sum_j <q, k_j> v_j + |q|^2 zeta) exactly (@proof T1);
// the targets are those exact outputs with only the value coordinates m..2m-1 observed.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "mhla/features/dataset.hpp"
#include "mhla/model/model.hpp"
#include "mhla/tasks/rng.hpp"

namespace mhla::tasks {

enum class KeyKind { orthogonal, gaussian, normalized, mixture };

struct KeySpec {
  KeyKind kind = KeyKind::orthogonal;
  Rational p = 1;  // mixture: probability of orthogonal keys (else normalized)
};

// "orthogonal", "gaussian", "normalized", "mixture:P" (P an exact scalar in [0, 1]); Error(usage)
// otherwise.
KeySpec parse_key_spec(const std::string& text);

// The exact one-head model above (non-causal). m >= 1. @proof T1
Model<Rational> assoc_model(std::size_t m);

// One sample (Z, target) as described above; keys/values drawn per spec.
Sample assoc_sample(Rng& rng, std::size_t m, const KeySpec& spec);

// N samples with a fresh Rng(seed).
Dataset generate_assoc(std::size_t m, const KeySpec& spec, std::size_t samples, std::uint64_t seed);

}  // namespace mhla::tasks
