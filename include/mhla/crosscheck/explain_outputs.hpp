// SPDX-License-Identifier: MIT
// The usual implementation slips tried, exactly, as explanations of flagged output entries
// (proofs-notes/09-crosscheck.md, Lemmas X2-X4): a constant factor (found from the data, with
// every decomposition into 1/sqrt(d), 1/H, 1/n, 1/sqrt(d_k)), a per-position mean, transposed
// Q or V, V and Q swapped, another mask (full, prefix m <= b, prefix without the diagonal
// m < b), lower precision saved in a wider dtype, and a few isolated wrong entries.
#pragma once
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "mhla/crosscheck/check_outputs.hpp"
#include "mhla/crosscheck/constant_factor.hpp"

namespace mhla::crosscheck {

// Which tokens the Gram at position b sums: all n, m <= b (causal), m < b (diagonal excluded).
enum class Mask { full, prefix, strict_prefix };

// The exact outputs of model on Z with the Gram summed over mask's tokens (Y), and the same
// for (|V_h|, |Q_h|) on |Z| (Yabs). Cost O(n d^2 (n + H d)) exact operations. @proof X3
std::array<Matrix<Rational>, 2> masked_outputs(const Model<Rational>& model, const Matrix<Rational>& Z, Mask mask);

struct OutputsExplained {
  std::vector<std::string> sentences;  // one per slip under which every entry is within its bound
  std::optional<FactorMatch> factor;   // the constant factor found, if any
};

// flagged: (sample, position, a) of the entries beyond the bound; checked: entries compared;
// dk: the head dimension for 1/sqrt(d_k), when known. Every sentence is decided by exact
// comparisons against the proven bound of the slipped computation. Cost: one exact evaluation
// per slip. @proof X2 @proof X3 @proof X4
OutputsExplained explain_outputs(const TheirOutputs& theirs, const Model<Rational>& model, const Dataset& inputs,
                                 const ExactOutputs& exact, unsigned bits, const std::vector<std::array<std::size_t, 3>>& flagged,
                                 std::size_t checked, std::optional<std::size_t> dk);

// Whether q is exactly a number with at most `bits` significand bits (exponent range ignored):
// denominator a power of two, odd part of the numerator < 2^bits. Cost O(size of q). @proof X4
bool representable(const Rational& q, unsigned bits);

}  // namespace mhla::crosscheck
