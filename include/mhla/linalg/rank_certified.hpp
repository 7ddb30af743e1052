// SPDX-License-Identifier: MIT
// rank_certified: the rank over Q of an integer (or rational) matrix from the modular fast
// path, with witnesses both ways and an explicit assurance (@proof A2).
//
// Mathematics: for a prime p, rank_p(A mod p) <= rank_Q(A): the r x r minor on the mod-p
// pivot rows and columns is nonzero mod p, hence nonzero as an integer. So
//   * rank mod p = n certifies full column rank over Q with one prime (the identifiability
//     witness of math.md: the pivot rows and p);
//   * rank mod p = r < n gives only the lower bound r; an exact kernel vector (checked
//     A v = 0, v != 0) certifies rank_Q(A) <= n - 1 (deficiency), and n - r exact,
//     independent kernel vectors certify rank_Q(A) = r exactly.
// Rational input: each row is first scaled by the LCM of its denominators
// (rows_scale_to_integer.hpp), which keeps rank, profiles and kernel; so p never needs to
// avoid denominators here.
// Huge entries: when Hadamard's bound says the kernel's reconstruction would need more than
// max_primes primes (or the multimodular search gives up), the answer comes from fraction-free
// Bareiss elimination instead (exact, @proof A1; prime = 0 then: callers pick a witness prime
// for the pivot minor, which is nonzero over Q). Status unknown is therefore never returned.
// Preconditions: none on the values; with the tiny-prime test hook the answers are the same,
// only slower.
// Cost: see nullspace_multimodular.hpp; a full-column-rank matrix costs one streamed
// elimination that stops after the first rows reaching rank n.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "mhla/arith/scalar.hpp"
#include "mhla/linalg/matrix.hpp"
#include "mhla/linalg/nullspace_multimodular.hpp"
#include "mhla/modp/prime_stream.hpp"

namespace mhla {

enum class RankStatus {
  full_column_rank,  // rank = n
  deficient,         // rank < n (a kernel vector is attached)
  unknown,           // only a lower bound is known (the kernel search gave up)
};

enum class Assurance {
  certified,         // `rank` is exact and every claim has a checked witness
  lower_bound_only,  // `rank` is a certified lower bound; the status may still be deficient
};

struct RankCertified {
  RankStatus status = RankStatus::unknown;
  Assurance assurance = Assurance::lower_bound_only;
  std::size_t rank = 0;  // exact when certified, otherwise a certified lower bound
  std::size_t cols = 0;
  // Lower-bound witness: the minor on pivot_rows x pivot_cols is nonzero mod prime.
  std::uint64_t prime = 0;
  std::vector<std::size_t> pivot_rows, pivot_cols;
  // Upper-bound witnesses (deficient): exact kernel vectors, identity on their free columns.
  std::vector<std::vector<Rational>> kernel;
  std::vector<std::size_t> kernel_free_cols;
  std::size_t primes_used = 0;
};

struct RankOptions {
  // Deficient matrices: true => compute all n - r kernel vectors, so the rank is certified
  // exactly; false => one vector, which certifies the deficiency (status deficient) while
  // `rank` stays a lower bound unless r = n - 1.
  bool exact_rank = true;
  std::size_t max_primes = 4096;  // beyond this (by Hadamard's bound), Bareiss instead
};

RankCertified rank_certified(const Matrix<Integer>& A, PrimeStream primes = PrimeStream::standard(),
                             RankOptions options = {});
RankCertified rank_certified(const Matrix<std::int64_t>& A, PrimeStream primes = PrimeStream::standard(),
                             RankOptions options = {});
RankCertified rank_certified(const Matrix<Rational>& A, PrimeStream primes = PrimeStream::standard(),
                             RankOptions options = {});

}  // namespace mhla
