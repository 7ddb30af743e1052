// SPDX-License-Identifier: MIT
// The library side of `mhla learn`, timed in parts on one dataset: parsing, the exact
// least-squares solve (fit_dataset with the given method and solver), head recovery
// (heads_from_weights, which checks weights(model) == W itself) and, as a separate figure, a
// repetition of that weight check (`mhla learn` relies on the one inside heads_from_weights).
// Usage: bench_learn_solve DATASET [--method primal|kernel|auto] [--solver modular|reference] [--no-heads]
// Prints one line: "parse_s P solve_s S heads_s H check_s C heads_count h num_bits b den_bits e path X primes n
// kernel K steps s est_bits E" (kernel: crt / dixon; steps: Dixon lifting steps; est_bits: the
// Hadamard estimate of the answer's size, log2)
// (heads_s, check_s = -1 with --no-heads).
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "mhla/heads/heads.hpp"
#include "mhla/io/dataset_file.hpp"
#include "mhla/learn/least_squares.hpp"

using namespace mhla;

namespace {
double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DATASET [--method M] [--solver S] [--no-heads]\n", argv[0]);
    return 2;
  }
  FitOptions opts;
  bool heads = true;
  for (int a = 2; a < argc; ++a) {
    if (!std::strcmp(argv[a], "--no-heads")) heads = false;
    else if (!std::strcmp(argv[a], "--method") && a + 1 < argc) {
      const std::string m = argv[++a];
      if (m == "primal") opts.method = LearnMethod::primal;
      else if (m == "kernel") opts.method = LearnMethod::kernel;
    } else if (!std::strcmp(argv[a], "--solver") && a + 1 < argc) {
      opts.solver = std::string(argv[++a]) == "reference" ? LearnSolver::reference : LearnSolver::modular;
    }
  }
  auto t0 = std::chrono::steady_clock::now();
  const Dataset ds = read_dataset(argv[1]);
  const double parse_s = since(t0);
  t0 = std::chrono::steady_clock::now();
  const DatasetFit fit = fit_dataset(ds, opts);
  const double solve_s = since(t0);
  double heads_s = -1, check_s = -1;
  std::size_t count = 0;
  if (heads) {
    t0 = std::chrono::steady_clock::now();
    const Model<Rational> model = heads_from_weights(fit.W, ds.causal);
    heads_s = since(t0);
    count = model.heads.size();
    t0 = std::chrono::steady_clock::now();
    if (weights(model) != fit.W) {
      std::fprintf(stderr, "the recovered model's weights differ from the learned ones\n");
      return 3;
    }
    check_s = since(t0);
  }
  std::size_t nb = 0, db = 0, primes = 0, steps = 0, est = 0;
  std::string path, kernel;
  for (const CoordinateFit& c : fit.coordinates) {
    nb = std::max(nb, c.report.max_numerator_bits);
    db = std::max(db, c.report.max_denominator_bits);
    primes = std::max(primes, c.report.primes_used);
    steps = std::max(steps, c.report.lifting_steps);
    est = std::max(est, c.report.estimated_bits);
    if (c.observed && !c.report.kernel.empty() && kernel.find(c.report.kernel) == std::string::npos)
      kernel += (kernel.empty() ? "" : "+") + c.report.kernel;
    if (c.observed && path.find(c.report.path) == std::string::npos) path += (path.empty() ? "" : "+") + c.report.path;
  }
  std::printf(
      "parse_s %.3f solve_s %.3f heads_s %.3f check_s %.3f heads_count %zu num_bits %zu den_bits %zu path %s primes %zu "
      "kernel %s steps %zu est_bits %zu\n",
      parse_s, solve_s, heads_s, check_s, count, nb, db, path.c_str(), primes, kernel.empty() ? "-" : kernel.c_str(),
      steps, est);
  return 0;
}
