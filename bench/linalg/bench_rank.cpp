// SPDX-License-Identifier: MIT
// Rank of an N x psi integer matrix (N = 2 psi, entries uniform in [-100, 100], fixed seed):
// mhla's EchelonModP against FLINT's nmod_mat_rank (same prime) and fmpz_mat_rank (exact).
// Usage: bench_rank_mod_p psi [--deficient] [--no-fmpz] [--dump FILE] [--isa generic|avx2|avx512]
//   --deficient  column psi-1 is replaced by the sum of the first two columns (rank psi-1),
//                so every engine must read all N rows
//   --dump FILE  writes the matrix as N*psi little-endian int64 (for bench/linalg/numpy_rank.py)
#include <flint/fmpz_mat.h>
#include <flint/nmod_mat.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>

#include "mhla/linalg/echelon_mod_p.hpp"
#include "mhla/linalg/rank_certified.hpp"
#include "mhla/modp/prime_stream.hpp"

using namespace mhla;

static double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s psi [--deficient] [--no-fmpz] [--dump FILE]\n", argv[0]);
    return 2;
  }
  const std::size_t psi = std::stoul(argv[1]), N = 2 * psi;
  bool deficient = false, fmpz = true;
  const char* dump = nullptr;
  for (int a = 2; a < argc; ++a) {
    if (!std::strcmp(argv[a], "--deficient")) deficient = true;
    else if (!std::strcmp(argv[a], "--no-fmpz")) fmpz = false;
    else if (!std::strcmp(argv[a], "--dump") && a + 1 < argc) dump = argv[++a];
    else if (!std::strcmp(argv[a], "--isa") && a + 1 < argc) {
      const std::string isa = argv[++a];
      echelon_mod_p_select_kernel(isa == "generic" ? KernelIsa::generic : isa == "avx2" ? KernelIsa::avx2 : KernelIsa::avx512);
    }
  }
  std::mt19937_64 rng(20240611);
  std::uniform_int_distribution<std::int64_t> dist(-100, 100);
  Matrix<std::int64_t> A(N, psi);
  for (auto& x : A.data()) x = dist(rng);
  if (deficient)
    for (std::size_t i = 0; i < N; ++i) A(i, psi - 1) = A(i, 0) + A(i, 1);
  if (dump) {
    FILE* f = std::fopen(dump, "wb");
    std::fwrite(A.data().data(), sizeof(std::int64_t), A.data().size(), f);
    std::fclose(f);
  }
  const std::uint64_t p = PrimeStream::standard().next();
  PrimeField F(p);

  auto t0 = std::chrono::steady_clock::now();
  EchelonModP E(F, psi);
  E.add_rows(A);
  const std::size_t r_mhla = E.rank();
  const double t_mhla = seconds_since(t0);
  std::printf("psi=%zu N=%zu p=%llu\n", psi, N, static_cast<unsigned long long>(p));
  std::printf("mhla EchelonModP (streamed)   rank %zu  %.3f s  (pivot rows end at %zu)\n", r_mhla, t_mhla,
              E.pivot_rows().empty() ? 0 : E.pivot_rows().back());

  t0 = std::chrono::steady_clock::now();
  const RankCertified c = rank_certified(A, PrimeStream::standard(), RankOptions{false, 64});
  std::printf("mhla rank_certified           rank %zu  %.3f s  (%s, %zu primes%s)\n", c.rank, seconds_since(t0),
              c.assurance == Assurance::certified ? "certified" : "lower bound", c.primes_used,
              c.kernel.empty() ? "" : ", with an exact kernel vector");

  nmod_mat_t M;
  nmod_mat_init(M, N, psi, p);
  for (std::size_t i = 0; i < N; ++i)
    for (std::size_t j = 0; j < psi; ++j) nmod_mat_entry(M, i, j) = F.from_int64(A(i, j));
  t0 = std::chrono::steady_clock::now();
  const slong r_nmod = nmod_mat_rank(M);
  std::printf("FLINT nmod_mat_rank           rank %ld  %.3f s\n", static_cast<long>(r_nmod), seconds_since(t0));
  nmod_mat_clear(M);

  if (fmpz) {
    fmpz_mat_t Z;
    fmpz_mat_init(Z, N, psi);
    for (std::size_t i = 0; i < N; ++i)
      for (std::size_t j = 0; j < psi; ++j) fmpz_set_si(fmpz_mat_entry(Z, i, j), A(i, j));
    t0 = std::chrono::steady_clock::now();
    const slong r_fmpz = fmpz_mat_rank(Z);
    std::printf("FLINT fmpz_mat_rank           rank %ld  %.3f s\n", static_cast<long>(r_fmpz), seconds_since(t0));
    fmpz_mat_clear(Z);
  }
  return 0;
}
