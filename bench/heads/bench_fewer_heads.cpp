// SPDX-License-Identifier: MIT
// Fewer heads on random models (proofs-notes/07-heads.md): for d and generator heads H, draws
// `trials` random models with integer entries in [-R, R] (fixed seed), computes W = weights(model),
// and reports, per (d, H): the even split's rank (the paper's head count), the proven lower bound
// (Lemma H3), the heads found by fewest_heads (exact: weights(found) == W is checked here again),
// how many runs recovered exactly H heads, and the mean time per run.
// Usage: bench_fewer_heads [trials] [R] [H_max] [d_max]   (defaults 10 3 3 5; d from 2, H from 1;
// bench/heads/run_fewer_heads_bench.sh runs it)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <string>

#include "mhla/heads/heads.hpp"
#include "mhla/linalg/bareiss.hpp"
#include "mhla/linalg/rows_scale_to_integer.hpp"

using namespace mhla;

namespace {

Model<Rational> random_integer_model(std::mt19937_64& rng, std::size_t d, std::size_t H, long R) {
  std::uniform_int_distribution<long> entry(-R, R);
  Model<Rational> m{d, false, {}};
  for (std::size_t h = 0; h < H; ++h) {
    Head<Rational> head{Matrix<Rational>(d, d), Matrix<Rational>(d, d)};
    for (Rational& x : head.V.data()) x = entry(rng);
    for (Rational& x : head.Q.data()) x = entry(rng);
    m.heads.push_back(std::move(head));
  }
  return m;
}

std::string histogram(const std::map<std::size_t, int>& counts) {
  std::string s;
  for (const auto& [k, n] : counts) s += (s.empty() ? "" : " ") + std::to_string(k) + "x" + std::to_string(n);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  const int trials = argc > 1 ? std::atoi(argv[1]) : 10;
  const long R = argc > 2 ? std::atol(argv[2]) : 3;
  const std::size_t H_max = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 3;
  const std::size_t d_max = argc > 4 ? std::strtoul(argv[4], nullptr, 10) : 5;
  std::printf("fewest_heads on random models, integer entries in [-%ld, %ld], %d trials per row\n", R, R, trials);
  std::printf("%2s %2s | %-16s | %-12s | %-16s | %9s | %8s\n", "d", "H", "even split rank", "lower bound",
              "found heads", "found==H", "s/run");
  for (std::size_t d = 2; d <= d_max; ++d)
    for (std::size_t H = 1; H <= H_max; ++H) {
      std::mt19937_64 rng(1000 * d + H);
      std::map<std::size_t, int> even, bound, found;
      int recovered = 0;
      double seconds = 0;
      for (int t = 0; t < trials; ++t) {
        const Matrix<Rational> W = weights(random_integer_model(rng, d, H, R));
        const auto start = std::chrono::steady_clock::now();
        const FewestHeads f = fewest_heads(W, false);
        seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (!(weights(f.model) == W)) {
          std::printf("BUG: d=%zu H=%zu trial %d: the found model does not have weights W\n", d, H, t);
          return 1;
        }
        ++even[f.even_split_rank];
        ++bound[f.lower_bound];
        ++found[f.model.heads.size()];
        recovered += f.model.heads.size() == H;
      }
      std::printf("%2zu %2zu | %-16s | %-12s | %-16s | %4d/%-4d | %8.3f\n", d, H, histogram(even).c_str(),
                  histogram(bound).c_str(), histogram(found).c_str(), recovered, trials, seconds / trials);
      std::fflush(stdout);
    }
  return 0;
}
