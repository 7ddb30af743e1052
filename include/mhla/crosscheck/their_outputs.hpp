// SPDX-License-Identifier: MIT
// Someone else's floating-point MHLA outputs, read exactly: an .npz with one array Y of shape
// (N, n, d) (every position) or (N, d) (the last position), or an mhla-outputs JSON
// (`mhla eval`; "arith": "binary64" strings read as the binary64 values they name).
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "mhla/arith/scalar.hpp"
#include "mhla/features/dataset.hpp"
#include "mhla/linalg/matrix.hpp"

namespace mhla::crosscheck {

// Per sample a d x m matrix of values at the positions compared (all n, or the last).
struct TheirOutputs {
  std::vector<Matrix<Rational>> Y;
  bool last_only = false;
  std::string dtype;  // float64, float32, float16, or "" (unknown: --dtype decides)
};

// Column of the exact d x n matrix that their column c stands for.
inline std::size_t exact_column(const TheirOutputs& theirs, std::size_t c, std::size_t n) {
  return theirs.last_only ? n - 1 : c;
}

// Their outputs for the inputs of `inputs` (N samples, dimension d) from the file's bytes
// (.npz when it starts like a zip, else JSON); source names the file in messages. Bad input
// (Error(bad_input), one line naming the file): a wrong array name, count or shape, saying
// which shape was expected and why. Cost O(file size). @proof X1
TheirOutputs read_their_outputs(std::string_view bytes, const std::string& source, const Dataset& inputs, std::size_t d);

}  // namespace mhla::crosscheck
