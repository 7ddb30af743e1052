// SPDX-License-Identifier: MIT
// Exhaustive check of the universal Turing machine model (proofs-notes Lemma T7): for each
// class Delta(Q, S, n, T) with n <= n_max, T <= T_max, every machine (machine_by_index) and every
// input of length n, the model's exact autoregressive history (run_autoregressive_sparse, equal
// to dense exact evaluation by Lemma T9) is compared token by token with the machine's history.
// Usage: bench_utm_class Q S n_max T_max [max_machines]   (max_machines: 0 = all; else the
//        first max_machines indices, reported as a sample).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "mhla/support/progress.hpp"
#include "mhla/tasks/utm.hpp"

using namespace mhla;
using namespace mhla::tasks;

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: bench_utm_class Q S n_max T_max [max_machines]\n");
    return 2;
  }
  const std::size_t Q = std::stoul(argv[1]), S = std::stoul(argv[2]), n_max = std::stoul(argv[3]),
                    T_max = std::stoul(argv[4]);
  const std::uint64_t cap = argc > 5 ? std::stoull(argv[5]) : 0;
  if (!machine_count_fits(Q, S)) {
    std::fprintf(stderr, "bench_utm_class: (2QS)^(QS) does not fit 64 bits\n");
    return 2;
  }
  const std::uint64_t all = machine_count(Q, S), machines = cap == 0 || cap > all ? all : cap;
  std::printf("Q S n T machines(of_class) inputs runs tokens_checked mismatches d H phi seconds\n");
  std::uint64_t total_mismatch = 0;
  for (std::size_t n = 1; n <= n_max; ++n)
    for (std::size_t T = 1; T <= T_max; ++T) {
      const auto start = std::chrono::steady_clock::now();
      const UtmLayout lay{Q, S, n, T};
      const SparseIntModel sm = sparse_int_model(utm_model(lay));
      std::uint64_t inputs = 1;
      for (std::size_t i = 0; i < n; ++i) inputs *= S;
      std::uint64_t runs = 0, tokens = 0, mismatches = 0;
      Progress progress("bench utm", "machines", machines);
      for (std::uint64_t k = 0; k < machines; ++k) {
        const Tm tm = machine_by_index(Q, S, k);
        for (std::uint64_t code = 0; code < inputs; ++code) {
          std::vector<std::size_t> x(n);
          for (std::size_t i = 0, c = code; i < n; ++i, c /= S) x[i] = c % S;
          auto history = utm_history_tokens(tm, lay, x);
          for (auto& tok : history) std::sort(tok.begin(), tok.end());
          const std::vector<std::vector<std::size_t>> prompt(history.begin(), history.begin() + static_cast<long>(lay.prompt_length()));
          bool exact = false;
          const auto emitted = run_autoregressive_sparse(sm, prompt, history.size() - prompt.size() + 1, exact);
          bool ok = exact && emitted.size() == history.size() - prompt.size() + 1 && emitted.back().empty();
          for (std::size_t j = 0; ok && j + 1 < emitted.size(); ++j) ok = emitted[j] == history[prompt.size() + j];
          tokens += emitted.size();
          mismatches += ok ? 0 : 1;
          ++runs;
        }
        progress.update(k + 1);
      }
      progress.finish();
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::printf("%zu %zu %zu %zu %llu(%llu) %llu %llu %llu %llu %zu %zu %zu %.2f\n", Q, S, n, T,
                  static_cast<unsigned long long>(machines), static_cast<unsigned long long>(all),
                  static_cast<unsigned long long>(inputs), static_cast<unsigned long long>(runs),
                  static_cast<unsigned long long>(tokens), static_cast<unsigned long long>(mismatches), lay.dim(),
                  lay.heads(), lay.history_length() - lay.prompt_length(), secs);
      std::fflush(stdout);
      total_mismatch += mismatches;
    }
  std::printf("total mismatches: %llu\n", static_cast<unsigned long long>(total_mismatch));
  return total_mismatch == 0 ? 0 : 1;
}
