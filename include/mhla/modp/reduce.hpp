// SPDX-License-Identifier: MIT
// reduce_mod: the image of an exact integer or rational in F_p.
//
// Mathematics: for an integer z, z mod p in [0, p). For a rational q = a/b in lowest terms
// with p not dividing b, the image is a * b^{-1} mod p; it is the unique ring homomorphism
// Z_(p) -> F_p, so sums and products of images are images of sums and products. When p
// divides b the rational has no image: that is an "unlucky prime", an ordinary outcome
// (std::nullopt), and the caller moves to the next prime.
// Preconditions: none beyond those of PrimeField.
// Cost: one mpz division by a word per integer (two per rational) and one inversion.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "mhla/arith/scalar.hpp"
#include "mhla/modp/field.hpp"

namespace mhla {

std::uint64_t reduce_mod(const PrimeField& F, const Integer& z);
std::optional<std::uint64_t> reduce_mod(const PrimeField& F, const Rational& q);
// Entrywise; nullopt when p divides any denominator.
std::optional<std::vector<std::uint64_t>> reduce_mod(const PrimeField& F, const std::vector<Rational>& v);

}  // namespace mhla
