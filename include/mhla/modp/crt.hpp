// SPDX-License-Identifier: MIT
// crt_combine: Chinese remaindering of a residue modulo M with a residue modulo a new prime.
//
// Mathematics: given r mod M (0 <= r < M) and a mod p with gcd(M, p) = 1, the unique x with
// 0 <= x < M p, x = r mod M and x = a mod p is x = r + M * ((a - r) * M^{-1} mod p).
// Preconditions: 0 <= r < M, a < p, and p prime not dividing M (checked: throws
// Error(internal) when M is 0 mod p, i.e. a prime was reused).
// What it certifies: nothing by itself; the caller's exact verification does.
// Cost: one word reduction of r and of M, one inversion mod p, one mpz multiply-add.
#pragma once
#include <cstdint>
#include <vector>

#include "mhla/arith/scalar.hpp"
#include "mhla/modp/field.hpp"

namespace mhla {

// Residues of a vector modulo a running modulus M, in [0, M).
struct CrtVector {
  Integer modulus{1};
  std::vector<Integer> residues;
};

// x with x = r mod M, x = a mod p, 0 <= x < M p.
Integer crt_combine(const Integer& r, const Integer& M, const PrimeField& F, std::uint64_t a);
// In place, entrywise: acc.residues[i] becomes the combination with images[i] mod p, and
// acc.modulus becomes M p. An empty accumulator (modulus 1) takes the images as they are.
// Precondition (checked): images.size() == acc.residues.size(), or acc is empty.
void crt_combine(CrtVector& acc, const PrimeField& F, const std::vector<std::uint64_t>& images);

}  // namespace mhla
