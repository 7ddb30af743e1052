// SPDX-License-Identifier: MIT
// The head-recovery options of `mhla learn` (and of anything else that turns weights W into heads;
// proofs-notes/06-learner.md Lemma H1, 07-heads.md):
//   --heads exact    the paper's: even split M, exact rational rank factorisation, rank(M) <= d^2 heads
//   --heads fewest   the fewest heads the split-space search finds (exact; Lemmas H2-H4)
//   --heads svd      orthogonal heads from an SVD of M in MPFR at --precision BITS (approximate, H5)
// recover_heads_for_cli returns the model, the model file document (for svd: every entry the exact
// decimal expansion of its MPFR value, plus "approximate": true and "precision_bits"), and a JSON
// object describing the recovery for the command's own report.
#pragma once
#include <CLI/CLI.hpp>

#include <string>

#include "mhla/heads/heads.hpp"
#include "mhla/io/json_output.hpp"

namespace mhla::cli {

struct HeadsCliOptions {
  std::string method = "exact";     // exact | fewest | svd
  unsigned precision_bits = 128;    // svd only
  std::string balance = "scale";    // --balance scale|pivot|none (Lemmas H8/H9; exact and fewest)
  CLI::Option* precision_option = nullptr;  // set by add_heads_options: was --precision given?
};

// Adds --heads and --precision to sub (opts must outlive the parse).
void add_heads_options(CLI::App* sub, HeadsCliOptions& opts);

struct HeadsCliResult {
  Model<Rational> model;          // exact for exact/fewest (weights == W); the exact MPFR values for svd
  bool approximate = false;       // true for svd
  OrderedJson model_document;     // the model file object (interface.md "Model file")
  OrderedJson description;        // {"method", "heads", "even_split_rank", ...}
};

// Error(usage) for --precision without --heads svd; call it before long work (recover_heads_for_cli
// calls it too).
void validate_heads_options(const HeadsCliOptions& opts);

// Heads for W by the chosen method (validate_heads_options first). Cost: exact as before; fewest
// adds a float search (d <= 8) of milliseconds at d = 5; svd is an MPFR Jacobi SVD of a d^2 x d^2
// matrix, O(d^6) MPFR operations per sweep (about 5 s at d = 8 and 257 bits).
HeadsCliResult recover_heads_for_cli(const Matrix<Rational>& W, bool causal, const HeadsCliOptions& opts);

}  // namespace mhla::cli
