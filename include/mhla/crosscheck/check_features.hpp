// SPDX-License-Identifier: MIT
// Their design matrix Phi against the exact features phi(Z, b) (Lemma X1 (b),
// proofs-notes/09-crosscheck.md): rows as `mhla features --dataset I` orders them (one per
// target position; every position of an input-only sample), columns the folded canonical
// (j <= k, l) order (D = d^2 (d+1) / 2) or the unfolded (j, k, l) order (d^3).
#pragma once
#include <cstddef>
#include <string>

#include "mhla/crosscheck/rounding_bound.hpp"
#include "mhla/features/dataset.hpp"
#include "mhla/io/json_output.hpp"
#include "mhla/io/npz.hpp"

namespace mhla::crosscheck {

struct FeaturesCheckOptions {
  std::string dtype = "auto";
  std::size_t max_entries = 100000;
  std::string source = "features";  // their file's name, for messages
};

// Entry bound gamma_{n+4} |G|[j][k] |z_b[l]|, every comparison exact; the dataset's causal
// flag decides the Gram. Fills doc (dtype, layout, causal, rows, columns, bound, tally,
// flagged, explanations) and returns the tally. Bad input (Error(bad_input)): a shape other than
// (rows, D) or (rows, d^3), saying which rows and columns were expected and why. Cost
// O(rows d^3 n) exact operations, times the slips tried when entries are flagged (doubled or
// halved off-diagonal terms, a constant factor, other masks, isolated entries, lower precision).
// @proof X1 @proof X2 @proof X3 @proof X4
CheckCounts check_features(Dataset inputs, const npz::Array& phi, const FeaturesCheckOptions& options, OrderedJson& doc);

}  // namespace mhla::crosscheck
