// SPDX-License-Identifier: MIT
// Worst case of the multi-modular kernel: A = B C with B (2n x n-1), C (n-1 x n) random in
// [-3, 3], so rank n - 1 and a kernel vector with minors of C as entries (thousands of bits).
// Usage: bench_kernel_multimodular n
#include <chrono>
#include <cstdio>
#include <random>
#include <string>

#include "mhla/linalg/nullspace_multimodular.hpp"
using namespace mhla;

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  std::size_t n = std::stoul(argv[1]);
  std::mt19937_64 rng(5);
  Matrix<std::int64_t> B(2 * n, n - 1), C(n - 1, n);
  std::uniform_int_distribution<std::int64_t> s(-3, 3);
  for (auto& x : B.data()) x = s(rng);
  for (auto& x : C.data()) x = s(rng);
  const Matrix<std::int64_t> A = multiply(B, C);
  auto t0 = std::chrono::steady_clock::now();
  auto k = nullspace_multimodular(A);
  double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::size_t bits = 0;
  for (auto& q : k.vectors[0]) bits = std::max<std::size_t>(bits, msb(abs(numerator(q)) + 1) + msb(denominator(q)));
  std::printf("n=%zu status=%d primes=%zu max bits num+den=%zu time=%.2f s\n", n, (int)k.status, k.primes_used, bits, t);
}
