// SPDX-License-Identifier: MIT
// Head recovery speed (proofs-notes/07-heads.md, Lemma H7): per d, a random 2-head model with
// integer entries in [-2, 2] (fixed seed), W = weights(model), and the time of
//   * new:  heads_from_weights(W) (multi-modular rank factorisation, fold check);
//   * old:  the previous path, Gauss-Jordan over Q + weights(model) == W (only for d <= old_max_d);
// plus rank_factorisation_modular against Gauss-Jordan on a planted-rank n x n rational matrix
// (n = d^2, rank n / 2, entries of the factors in [-3, 3] over denominators 1..2).
// Every result is checked exact here again (weights == W, U V^T == M, equal ranks).
// Usage: bench_rank_factorisation [old_max_d] [d ...]   (defaults 12, d = 8 12 16)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "mhla/heads/heads.hpp"

using namespace mhla;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

Matrix<Rational> random_rational(std::mt19937_64& rng, std::size_t rows, std::size_t cols, long R, long den) {
  std::uniform_int_distribution<long> num(-R, R), dd(1, den);
  Matrix<Rational> A(rows, cols);
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j < cols; ++j) A(i, j) = Rational(Integer(num(rng)), Integer(dd(rng)));
  return A;
}

Model<Rational> random_integer_model(std::mt19937_64& rng, std::size_t d, std::size_t H) {
  Model<Rational> m{d, false, {}};
  for (std::size_t h = 0; h < H; ++h) m.heads.push_back({random_rational(rng, d, d, 2, 1), random_rational(rng, d, d, 2, 1)});
  return m;
}

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "bench_rank_factorisation: check failed: %s\n", what);
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t old_max_d = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 12;
  std::vector<std::size_t> ds;
  for (int i = 2; i < argc; ++i) ds.push_back(std::strtoul(argv[i], nullptr, 10));
  if (ds.empty()) ds = {8, 12, 16};
  std::printf("%4s %6s %6s %12s %12s %14s %12s %12s\n", "d", "n", "rank", "new_heads_s", "old_heads_s", "planted_rank",
              "new_rf_s", "old_rf_s");
  for (std::size_t d : ds) {
    std::mt19937_64 rng(20261129 + d);
    const Model<Rational> gen = random_integer_model(rng, d, 2);
    const Matrix<Rational> W = weights(gen);
    auto t0 = std::chrono::steady_clock::now();
    const Model<Rational> rec = heads_from_weights(W, false);
    const double t_new = seconds_since(t0);
    check(weights(rec) == W, "weights(new model) == W");
    double t_old = -1;
    if (d <= old_max_d) {
      t0 = std::chrono::steady_clock::now();
      const Model<Rational> old = model_from_factorisation(rank_factorisation_gauss_jordan(even_split(W)), d, false);
      check(weights(old) == W, "weights(old model) == W");
      t_old = seconds_since(t0);
      check(old.heads.size() == rec.heads.size(), "same head count");
    }
    // A planted-rank matrix (the rank-deficient path: CRT + reconstruction + verification).
    const std::size_t n = d * d, r = n / 2;
    const Matrix<Rational> P = multiply(random_rational(rng, n, r, 3, 2), random_rational(rng, r, n, 3, 2));
    t0 = std::chrono::steady_clock::now();
    const RankFactorisation f = rank_factorisation(P);
    const double t_rf = seconds_since(t0);
    check(multiply(f.U, transpose(f.V)) == P, "U V^T == P");
    double t_rf_old = -1;
    if (d <= old_max_d) {
      t0 = std::chrono::steady_clock::now();
      const RankFactorisation g = rank_factorisation_gauss_jordan(P);
      t_rf_old = seconds_since(t0);
      check(g.rank == f.rank, "same rank");
    }
    std::printf("%4zu %6zu %6zu %12.3f %12.3f %14zu %12.3f %12.3f\n", d, n, rec.heads.size(), t_new, t_old, f.rank, t_rf,
                t_rf_old);
    std::fflush(stdout);
  }
  return 0;
}
