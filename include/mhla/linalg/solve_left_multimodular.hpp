// SPDX-License-Identifier: MIT
// solve_left_multimodular: the exact rational solutions y of y M = b for one nonsingular
// integer matrix M (r x r) and many right-hand sides b (proofs-notes/05; @proof C8).
//
// Mathematics: for a prime p not dividing det M, y mod p = b M^{-1} mod p (the denominators of y
// divide det M by Cramer's rule, so y reduces mod p). The images over several primes are combined
// by CRT and each y is rationally reconstructed (rational_reconstruct.hpp); a candidate is kept
// only when it is the same over two successive moduli AND passes the exact test y M = b over Q
// (early termination; a candidate is never returned unchecked). Once the product of the good
// primes exceeds 2 H^2 (H: Hadamard's bound of [M; b]) the reconstruction is exact, so the loop
// ends; max_primes bounds it anyway (unsolved right-hand sides are then nullopt).
// Primes dividing det M (M singular mod p) are skipped.
// Preconditions: M square with det M != 0 over Q (not checked: a singular M makes every prime
// skip or fail, and the result is all nullopt); each b has r entries (checked, Error(internal)).
// Cost per prime: r^3 / 2 (Gauss-Jordan inverse mod p) + k r^2 for k right-hand sides, plus the
// CRT and reconstruction of k r entries; O(log H / 22) primes. Memory: the k r CRT residues and
// candidates (Integers of up to 2 log2 H bits), the inverse r^2 words.
#pragma once
#include <cstddef>
#include <optional>
#include <vector>

#include "mhla/arith/scalar.hpp"
#include "mhla/linalg/matrix.hpp"
#include "mhla/modp/prime_stream.hpp"

namespace mhla {

struct LeftSolveResult {
  std::vector<std::optional<std::vector<Rational>>> y;  // one per right-hand side; y M = b checked exactly
  std::size_t primes_used = 0;
};

LeftSolveResult solve_left_multimodular(const Matrix<Integer>& M, const std::vector<std::vector<Integer>>& rhs,
                                        PrimeStream& primes, std::size_t max_primes = 4096);

}  // namespace mhla
