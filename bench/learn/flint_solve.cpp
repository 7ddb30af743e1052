// SPDX-License-Identifier: MIT
// The learn benchmark's exact peer: FLINT solves the same least-squares problems exactly, all d
// coordinates at once, through the normal equations (FLINT has no least-squares routine):
// G = Phi^T Phi (fmpz_mat_mul), B = Phi^T Y, then fmpq_mat_solve_fmpz_mat_dixon(X, G, B)
// (p-adic lifting; G is nonsingular when Phi has full column rank).
// Input: the dumps of numpy_lstsq.py --dump PREFIX (PREFIX.phi: N x D little-endian int64,
// PREFIX.y: N x d decimal integers L y, L the targets' common denominator, which does not
// change the solution's size: X = (Phi^T Phi)^{-1} Phi^T (L y) = L w).
// Usage: flint_solve PREFIX N D d
// Prints: "flint_s T gram_s G solve_s S num_bits b den_bits e" (-1 when G is singular).
#include <flint/fmpq_mat.h>
#include <flint/fmpz_mat.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

std::vector<std::int64_t> read_int64(const std::string& path, std::size_t count) {
  std::vector<std::int64_t> v(count);
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f || std::fread(v.data(), sizeof(std::int64_t), count, f) != count) {
    std::fprintf(stderr, "flint_solve: cannot read %s\n", path.c_str());
    std::exit(2);
  }
  std::fclose(f);
  return v;
}

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s PREFIX N D d\n", argv[0]);
    return 2;
  }
  const std::string prefix = argv[1];
  const long N = std::atol(argv[2]), D = std::atol(argv[3]), d = std::atol(argv[4]);
  const std::vector<std::int64_t> phi = read_int64(prefix + ".phi", static_cast<std::size_t>(N * D));
  fmpz_mat_t P, Pt, Y, G, B;
  fmpz_mat_init(P, N, D);
  fmpz_mat_init(Pt, D, N);
  fmpz_mat_init(Y, N, d);
  fmpz_mat_init(G, D, D);
  fmpz_mat_init(B, D, d);
  for (long i = 0; i < N; ++i)
    for (long j = 0; j < D; ++j) fmpz_set_si(fmpz_mat_entry(P, i, j), phi[static_cast<std::size_t>(i * D + j)]);
  FILE* yf = std::fopen((prefix + ".y").c_str(), "r");
  if (!yf) {
    std::fprintf(stderr, "flint_solve: cannot read %s.y\n", prefix.c_str());
    return 2;
  }
  for (long i = 0; i < N; ++i)
    for (long a = 0; a < d; ++a)
      if (fmpz_fread(yf, fmpz_mat_entry(Y, i, a)) <= 0) {
        std::fprintf(stderr, "flint_solve: %s.y is short\n", prefix.c_str());
        return 2;
      }
  std::fclose(yf);
  auto t0 = std::chrono::steady_clock::now();
  fmpz_mat_transpose(Pt, P);
  fmpz_mat_mul(G, Pt, P);
  fmpz_mat_mul(B, Pt, Y);
  const double gram_s = since(t0);
  fmpq_mat_t X;
  fmpq_mat_init(X, D, d);
  t0 = std::chrono::steady_clock::now();
  const int ok = fmpq_mat_solve_fmpz_mat_dixon(X, G, B);
  const double solve_s = since(t0);
  long num_bits = -1, den_bits = -1;
  if (ok) {
    num_bits = den_bits = 0;
    for (long i = 0; i < D; ++i)
      for (long a = 0; a < d; ++a) {
        const fmpq* q = fmpq_mat_entry(X, i, a);
        num_bits = std::max<long>(num_bits, static_cast<long>(fmpz_bits(fmpq_numref(q))));
        den_bits = std::max<long>(den_bits, static_cast<long>(fmpz_bits(fmpq_denref(q))));
      }
  }
  std::printf("flint_s %.3f gram_s %.3f solve_s %.3f num_bits %ld den_bits %ld\n", gram_s + solve_s, gram_s, solve_s,
              num_bits, den_bits);
  fmpq_mat_clear(X);
  fmpz_mat_clear(P);
  fmpz_mat_clear(Pt);
  fmpz_mat_clear(Y);
  fmpz_mat_clear(G);
  fmpz_mat_clear(B);
  return ok ? 0 : 1;
}
