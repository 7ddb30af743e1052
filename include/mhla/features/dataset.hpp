// SPDX-License-Identifier: MIT
// Datasets and design matrices (math.md, "Data and empirical risk").
// A dataset is a list of samples; a sample is an input Z (d x n) and targets; a target is a
// position b and a d-vector y whose entries may be missing. The design matrix Phi_a stacks
// phi(Z, b) over every (sample, target) whose y[a] is observed, in file order (samples in
// order, targets in the order listed). Everything here is exact (Rational).
#pragma once
#include <cstddef>
#include <optional>
#include <vector>

#include "mhla/arith/scalar.hpp"
#include "mhla/features/exact_fast.hpp"

namespace mhla {

struct Target {
  std::size_t position = 0;
  std::vector<std::optional<Rational>> y;  // d entries; nullopt = not observed
};

struct Sample {
  Matrix<Rational> Z;           // d x n, column t is token t
  std::vector<Target> targets;  // empty: an input only
};

struct Dataset {
  std::size_t d = 0;
  bool causal = false;
  std::vector<Sample> samples;
};

// Where a design-matrix row comes from.
struct DesignRow {
  std::size_t sample = 0, target = 0, position = 0;
};

struct DesignMatrix {
  Matrix<Rational> phi;         // rows x feature_dim(d)
  std::vector<DesignRow> rows;  // provenance of each row
};

// The rows of every (sample, target) of the dataset, in file order, whether or not observed;
// when coordinate is given, only the targets whose y[*coordinate] is observed (that is Phi_a).
// One Gram matrix per sample (prefix Gram matrices when the dataset is causal), computed in
// integers (Lemma S1).
inline DesignMatrix design_matrix(const Dataset& ds, std::optional<std::size_t> coordinate = std::nullopt) {
  std::vector<DesignRow> rows;
  for (std::size_t s = 0; s < ds.samples.size(); ++s)
    for (std::size_t t = 0; t < ds.samples[s].targets.size(); ++t) {
      const Target& tg = ds.samples[s].targets[t];
      if (!coordinate || tg.y.at(*coordinate)) rows.push_back({s, t, tg.position});
    }
  DesignMatrix out{Matrix<Rational>(rows.size(), feature_dim(ds.d)), rows};
  std::size_t r = 0;
  while (r < rows.size()) {  // rows of one sample are contiguous
    const std::size_t s = rows[r].sample;
    std::vector<std::size_t> positions;
    std::size_t end = r;
    for (; end < rows.size() && rows[end].sample == s; ++end) positions.push_back(rows[end].position);
    const Matrix<Rational> block = feature_rows_exact(ds.samples[s].Z, positions, ds.causal);
    for (std::size_t i = 0; i < positions.size(); ++i)
      std::copy(block.row(i), block.row(i) + block.cols(), out.phi.row(r + i));
    r = end;
  }
  return out;
}

}  // namespace mhla
