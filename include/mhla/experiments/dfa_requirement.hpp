// SPDX-License-Identifier: MIT
// The data requirement of the DFA construction on the domain of valid traces: the exact
// counterpart of the paper's Figure 4 (v4 Appendix G.4; proofs-notes/08, Lemma T5).
//
// Mathematics (math.md notation). Traces are those of tasks/dfa.hpp for one DFA (S, A, L) and
// words of length exactly L; every prefix sample (Z, b = n - 1) ends at a state or pair token,
// which is one-hot e_l, so
//     phi(Z, b)[(j, k, l')] = G[j][k] [l' = l]          (G = Z Z^T, non-causal)
// and the row lies in "block l": the features (., ., l). Rows of different blocks have
// disjoint supports, so for any set of such rows the row space is the direct sum of the block
// row spaces: rank = sum of block ranks, and a row of block l lies in the row space iff it lies
// in the row space of the rows of block l. Columns zero in every row (Lemma T3) are dropped.
// With T_N = the rows of the first N training traces and S = the domain rows (all words of
// length L, or a uniform sample of them plus the training pool), T_N is a subset of S, so
//     identifiable on S  <=>  rank(T_N) = rank(T_N; S) = rank(S)        (Lemma C4, part 3)
// blockwise. The search adds traces one at a time: rank_p(T_N block) (EchelonModP, a certified
// lower bound of the rational rank) is compared with the EXACT rank of the domain block
// (rank_certified); equality in every block certifies identifiability on S at N, and since
// rank_p(T_N) <= rank_Q(T_N) <= rank_Q(S), the first such N is found exactly once the exact
// rank of T_{N-1} is confirmed below rank(S) (rank_certified again).
// Learning: the minimum-norm least-squares weights (what fit_dataset returns, Lemma E2) are
// block-diagonal too: per block, w = R^T beta with R the independent (pivot) training rows and
// (R R^T) beta = y_R, checked exactly to fit every training row (the data are realisable by
// the construction, Lemma T2). Outputs are <w_a, phi(Z, b)>, exact (Lemma L1).
// Preconditions: S, A, L >= 1 and the layout's d small enough that d^2 fits in size_t.
// Cost: O(domain rows x block width) to build; per block the exact rank of a (rows x width)
// integer matrix, width <= about d + SA; far below the dense D = d^2 (d + 1) / 2.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mhla/arith/scalar.hpp"
#include "mhla/features/dataset.hpp"
#include "mhla/tasks/dfa.hpp"

namespace mhla::experiments {

// One prefix sample as a sparse feature row: block = the last token's coordinate l, gram =
// the nonzero G[j][k] (j <= k) keyed by pair_index(d, j, k), next = the next token's ones.
struct TraceRow {
  std::size_t block = 0;
  std::vector<std::pair<std::size_t, std::int64_t>> gram;  // increasing pair index
  std::vector<std::size_t> next;
};

// The rows of every prefix sample of the token sequence (prefixes of length first_n ..
// tokens.size() - 1, as append_dfa_samples makes them). Error(internal) if a last token is not
// one-hot.
std::vector<TraceRow> prefix_rows(const std::vector<std::vector<std::size_t>>& tokens, std::size_t d,
                                  std::size_t first_n);
std::vector<TraceRow> trace_rows(const tasks::Dfa& dfa, const tasks::DfaLayout& layout,
                                 const std::vector<std::size_t>& word);

// All A^L words of length L in lexicographic order (A^L <= cap checked by the caller).
std::vector<std::vector<std::size_t>> all_words(std::size_t alphabet, std::size_t length);

// Counts of the exact next-token check: a token is exact when the output vector equals the
// next token's 0/1 vector; argmax-correct when the largest output coordinate is unique and is
// the next token's one (state and pair tokens are one-hot). A trace is exact when all its
// tokens are.
struct AccuracyCount {
  std::size_t tokens = 0, exact = 0, argmax = 0, traces = 0, traces_exact = 0;
};

// The learned weights, blockwise: for block l, the coordinates a with w_a nonzero on the block,
// each a map pair index -> weight of feature (j, k, l).
struct BlockWeights {
  std::map<std::size_t, std::map<std::size_t, std::map<std::size_t, Rational>>> w;  // l -> a -> pair -> value
  // Output coordinate a at a row (exact): sum over pairs of G[j][k] w_a[(j, k, l)].
  std::map<std::size_t, Rational> output(const TraceRow& row) const;
  // The full d x feature_dim(d) weight matrix (small d only).
  Matrix<Rational> dense(std::size_t d) const;
};

void score(const BlockWeights& w, const std::vector<TraceRow>& rows, AccuracyCount& count);

struct DfaRequirementOptions {
  std::size_t S = 4, A = 4, L = 4;
  std::uint64_t seed = 1;
  std::size_t domain_cap = 4096;   // domain words: all A^L when A^L <= cap, else a sample of cap
  std::size_t max_traces = 20000;  // give up (reached = false) after this many training traces
  std::size_t test_traces = 200;   // held-out, shorter-word and other-DFA traces each
};

struct DfaRequirementResult {
  std::size_t S = 0, A = 0, L = 0, d = 0, D = 0;
  std::size_t active_features = 0;  // columns nonzero on some domain row (the rest vanish, T3)
  std::size_t blocks = 0;
  std::size_t domain_words = 0, domain_rows = 0;
  bool domain_complete = false;     // all A^L words (else a uniform sample plus the training pool)
  std::size_t domain_rank = 0;      // exact rank of the domain rows = rank(Phi_N; Phi_S)
  bool reached = false;             // identifiable on the domain within max_traces
  std::size_t N = 0;                // smallest number of training traces identifiable on the domain
  std::size_t rank_before = 0;      // exact rank with N - 1 traces (< domain_rank)
  std::size_t global_rank = 0;      // exact rank(Phi_a) with N traces (every coordinate: all observed)
  std::size_t training_rows = 0;    // 2 L N
  std::size_t distinct_words = 0;   // distinct words among the first N
  std::uint64_t prime = 0;          // the prime of the incremental mod-p ranks
  AccuracyCount domain, heldout, shorter, other_dfa;
  tasks::Dfa dfa;
  std::vector<std::vector<std::size_t>> training_words;  // the first N (all tried if not reached)
  BlockWeights weights;             // learned from the first N traces (empty if not reached)
};

// The whole cell: DFA = random_dfa(Rng(seed)), training words = the following random_words of
// the same Rng (so `mhla generate dfa --seed seed --samples N` writes exactly the training
// set), domain sample and test traces from Rng(seed + 1).
DfaRequirementResult run_dfa_requirement(const DfaRequirementOptions& options);

// The training traces and a domain as Datasets (append_dfa_samples), for the certify engine.
Dataset dfa_dataset(const tasks::Dfa& dfa, std::size_t length, const std::vector<std::vector<std::size_t>>& words);

}  // namespace mhla::experiments
