// SPDX-License-Identifier: MIT
// The peers of `mhla certify` on the same matrix: reads an mhla dataset, builds the integer
// design matrix of coordinate 0 (the numerators L_s^3 phi(Z_s, b) of its rows, in file order;
// for integer inputs L_s = 1, so it is Phi_0 itself), and times FLINT's exact fmpz_mat_rank on
// it. --dump FILE writes the matrix as rows * cols little-endian int64 for numpy_rank.py.
// Usage: bench_certify_peers DATASET [--no-fmpz] [--dump FILE]
// Prints one line: "rows R cols D fmpz_rank r seconds t" (r, t = -1 with --no-fmpz).
#include <flint/fmpz_mat.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "mhla/features/exact_fast.hpp"
#include "mhla/io/dataset_file.hpp"

using namespace mhla;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DATASET [--no-fmpz] [--dump FILE]\n", argv[0]);
    return 2;
  }
  bool fmpz = true;
  const char* dump = nullptr;
  for (int a = 2; a < argc; ++a) {
    if (!std::strcmp(argv[a], "--no-fmpz")) fmpz = false;
    else if (!std::strcmp(argv[a], "--dump") && a + 1 < argc) dump = argv[++a];
  }
  const Dataset ds = read_dataset(argv[1]);
  const std::size_t D = feature_dim(ds.d);
  std::vector<std::int64_t> A;  // row-major, rows of Phi_0
  for (const Sample& s : ds.samples) {
    std::vector<std::size_t> positions;
    for (const Target& t : s.targets)
      if (t.y.at(0)) positions.push_back(t.position);
    if (positions.empty()) continue;
    const auto rows = feature_rows_int128(s.Z, positions, ds.causal);
    if (!rows) {
      std::fprintf(stderr, "entries too large for this benchmark\n");
      return 2;
    }
    for (Int128 x : rows->numerators.data()) {
      if (x > INT64_MAX || x < INT64_MIN) {
        std::fprintf(stderr, "entries too large for this benchmark\n");
        return 2;
      }
      A.push_back(static_cast<std::int64_t>(x));
    }
  }
  const std::size_t m = A.size() / D;
  if (dump) {
    FILE* f = std::fopen(dump, "wb");
    if (!f || std::fwrite(A.data(), sizeof(std::int64_t), A.size(), f) != A.size()) return 2;
    std::fclose(f);
  }
  long rank = -1;
  double seconds = -1;
  if (fmpz) {
    fmpz_mat_t M;
    fmpz_mat_init(M, static_cast<slong>(m), static_cast<slong>(D));
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < D; ++j) fmpz_set_si(fmpz_mat_entry(M, i, j), A[i * D + j]);
    const auto t0 = std::chrono::steady_clock::now();
    rank = static_cast<long>(fmpz_mat_rank(M));
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    fmpz_mat_clear(M);
  }
  std::printf("rows %zu cols %zu fmpz_rank %ld seconds %.3f\n", m, D, rank, seconds);
  return 0;
}
