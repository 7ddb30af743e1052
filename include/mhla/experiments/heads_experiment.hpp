// SPDX-License-Identifier: MIT
// `mhla experiment heads`: the paper's Figure 1 (v4 Section 4.1): do extra heads help
// SGD? A random single-head causal model with one output (V in R^{1 x d}: only coordinate 0 is
// observed), Gaussian inputs with T tokens, targets at every position (prefix Gram matrices);
// MHLA with H heads trained by binary64 Adam (the authors' settings: heads averaged, 1/sqrt(d),
// cosine schedule with warmup, clipping at 5), against the exact Algorithm 1.
//
// Ground truth as the authors' code draws it (heads_problem below), every value a binary64
// number taken exactly.
// Exact Algorithm 1 (exact_realizable_fit, heads_exact_fit.hpp) reaches training and validation
// loss exactly 0; the binary64 runs report mean squared errors per epoch (approximate).
// Also: the authors' "convex algorithm" features used the full-sequence Gram matrix at every
// position against causal targets; its least-squares residual is computed in binary64.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "mhla/experiments/heads_exact_fit.hpp"
#include "mhla/experiments/report.hpp"
#include "mhla/features/dataset.hpp"

namespace mhla::experiments {

struct HeadsOptions {
  std::vector<std::size_t> d_list{2, 4};
  std::vector<std::size_t> samples_list{512, 2048};  // N (training; validation has N too)
  std::size_t tokens = 100;                          // T
  std::vector<std::size_t> heads_list{1, 2, 4, 8, 16};
  std::size_t epochs = 500;
  std::size_t runs = 3;  // SGD seeds per (d, N, H); the paper shades the standard error over 3 runs
  std::uint64_t seed = 0;
  double learning_rate = 0.01;
  std::size_t batch = 32;
};

// --quick: d = 2, N = 32, T = 8, H in {1, 2, 4}, 200 epochs, batch 4, 1 run (a smoke test, well under a second).
HeadsOptions quick_heads_options();

// The random problem for (d, N, T) from seed: truth (d x d with only row 0 of V nonzero, causal),
// training and validation data (N samples each, targets at every position, only y[0] observed).
// Draw order (tasks::Rng(seed)): Q row-major, V[0][*], then training Z column by column per
// sample, then validation Z. Q = fl(g/sqrt(d)); V[0][j] = fl(g/d) (the authors' N(0,1)/sqrt(d)
// times their 1/sqrt(d) output factor, folded into V); Z = fl(g/sqrt(T)); g = tasks::Rng::gaussian().
struct HeadsProblem {
  Model<Rational> truth;
  Dataset train, validation;
};
HeadsProblem heads_problem(std::size_t d, std::size_t samples, std::size_t tokens, std::uint64_t seed);

// Least squares in binary64 of the causal targets on features built from the FULL-sequence Gram
// matrix at every position (the authors' poly-algorithm features): normal equations accumulated
// in long double, Cholesky. APPROXIMATE (binary64), for comparison only.
struct FullGramFit {
  double mse = 0;           // mean squared residual over observed entries
  double target_power = 0;  // mean y^2 over observed entries
  bool solved = false;      // false: the normal equations were numerically singular
};
FullGramFit full_gram_float_fit(const Dataset& causal_data);

struct HeadsCurve {
  std::size_t d = 0, samples = 0, heads = 0, run = 0;
  std::vector<double> train_mse, validation_mse;  // after each epoch, [0] = initial
  double seconds = 0;
};

struct HeadsSetting {
  std::size_t d = 0, samples = 0;
  RealizableFit exact;    // exact Algorithm 1 on the training data, risk on both sets
  FullGramFit full_gram;  // the authors' full-sequence Gram variant, binary64
  double target_power = 0;
  std::vector<HeadsCurve> curves;
};

struct HeadsResult {
  std::vector<HeadsSetting> settings;
};

// progress receives one line per finished run (may be empty).
HeadsResult run_heads_experiment(const HeadsOptions& options, const std::function<void(const std::string&)>& progress);

// Long format: d,samples,tokens,learner,heads,run,epoch,train_mse,validation_mse. learner is
// "sgd" (one row per epoch), "exact-algorithm-1" (one row, losses exact: "0" when zero) or
// "full-gram-ols-binary64" (one row).
CsvTable heads_csv(const HeadsResult& result, const HeadsOptions& options);

// The markdown summary (the paper's claim, what was measured, the differences).
std::string heads_summary(const HeadsResult& result, const HeadsOptions& options, const std::string& plot_message);

// The matplotlib script (argv[1] = heads.csv, argv[2] = PNG): one panel per (d, N), validation
// MSE per epoch per H (mean over runs, standard error shaded), log scale.
extern const char* const heads_plot_script;

}  // namespace mhla::experiments
