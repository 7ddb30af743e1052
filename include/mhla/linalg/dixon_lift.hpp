// SPDX-License-Identifier: MIT
// dixon_solve: the exact solution X = A^{-1} B of a nonsingular integer system by p-adic
// (Dixon) lifting, with rational reconstruction on a geometric schedule (early termination)
// and an exact check over Z before it returns (proofs-notes/04-linear-algebra.md, A6, A7).
//
// Mathematics. A is n x n over Z, B is n x k over Z. One prime p with det A != 0 mod p (A is
// then nonsingular over Q); C = A^{-1} mod p once. Lifting (Lemma A6): with e_0 = B, step s
// computes x_s = C e_s mod p (entries in [0, p)) and e_{s+1} = (e_s - A x_s) / p, an exact
// division since A x_s = e_s mod p. By induction A X_s = B - p^s e_s with
// X_s = sum_{j<s} x_j p^j, so X_s = A^{-1} B mod p^s, and |e_s| <= |B| / p^s + n |A| stays
// bounded. Digits x_s are taken centred, |x_s| <= (p - 1) / 2 < 2^22 (p < 2^23). Both
// products run in binary64 on integers: C e_s with a centred reduction after every 255
// products (each below 2^44), and A x_s exactly with A split into signed digit matrices
// A = sum_m 2^(24 m) A_m, |A_m| < 2^24, whose chunks of 64 products sum below 2^52 and are
// accumulated in int64, then combined in Int128 (GMP when bits(A) + bits(p) + bits(n) > 125).
// Reconstruction (Lemma A7): after step s (modulus M = p^s), a common denominator den is
// reconstructed from the entries in turn (the running den is multiplied in first, so once it
// is the full denominator every later entry is an integer at once); an entry is accepted when
// |num| den has at most bits(M) - 20 bits (a candidate; a wrong one is rare and caught below).
// A candidate is checked mod q (cheap), then exactly: A num = den B over Z; with A
// nonsingular this proves num / den = A^{-1} B. The true solution is reconstructed once
// M > 2^21 N_max den (N_max, den its largest numerator and denominator: Lemma A7), so the
// search stops with nullopt when bits(M) passes give_up_bits (2 x Hadamard bound + margin,
// chosen by the caller), or when 8 primes in a row are singular.
// Preconditions (checked, Error(internal)): A square, B with A's row count; every prime of
// the stream below 2^23 (PrimeStream::standard() and tiny() are); n < 2^17.
// Cost: the inverse mod p (FLINT nmod_mat_inv, O(n^3)); per step 1 + digits(A) binary64
// n x n by n x k products (our kernel, AVX-512 / AVX2 / SSE2 chosen at run time) plus O(n k)
// big-integer operations; about
// (bits(num) + bits(den) + 20) / log2 p steps; the exact check O(n^2 k) products of a word
// by a numerator. Progress lines "mhla learn: lifting step s of ~S" after two seconds.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "mhla/arith/scalar.hpp"
#include "mhla/linalg/matrix.hpp"
#include "mhla/modp/prime_stream.hpp"

namespace mhla {

struct DixonSolution {
  std::vector<Integer> num;  // n x k, row-major: X(i, t) = num[i k + t] / den
  Integer den{1};            // >= 1, common to every entry
  std::size_t steps = 0;     // lifting steps done
  std::uint64_t prime = 0;   // the lifting prime p
  std::size_t singular_primes = 0;  // primes tried and found singular first
  std::size_t attempts = 0;  // reconstruction attempts
};

// X = A^{-1} B exactly (verified: A num = den B over Z, A nonsingular), or nullopt (singular
// mod 8 consecutive primes, or no verified candidate before bits(p^s) > give_up_bits).
// primes: the stream the lifting prime comes from (PrimeStream::standard() honours the
// MHLA_TEST_TINY_PRIMES hook). @proof A6 @proof A7
std::optional<DixonSolution> dixon_solve(const Matrix<Integer>& A, const Matrix<Integer>& B, PrimeStream& primes,
                                         double give_up_bits);

}  // namespace mhla
