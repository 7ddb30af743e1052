// SPDX-License-Identifier: MIT
// is_prime_miller_rabin: a deterministic primality test for every 64-bit integer.
//
// Mathematics: write n - 1 = 2^s d with d odd. For prime n and every base a with n not dividing
// a, either a^d = 1 or a^(2^i d) = -1 mod n for some 0 <= i < s (Fermat plus the fact that +-1
// are the only square roots of 1 in a field). A composite n passing this for base a is a
// strong pseudoprime to base a. No composite n < 3.3 * 10^24 is a strong pseudoprime to all of
// the first twelve prime bases 2, 3, ..., 37 (Sorenson and Webster 2015, psi_12), which covers
// 2^64 ~ 1.8 * 10^19. Hence the answer is exact (not probabilistic) for every uint64_t.
// Preconditions: none (0, 1 and even numbers are handled).
// Cost: at most 12 modular exponentiations, O(12 * 64) 128-bit multiplications.
#pragma once
#include <cstdint>

namespace mhla {

bool is_prime_miller_rabin(std::uint64_t n) noexcept;

}  // namespace mhla
