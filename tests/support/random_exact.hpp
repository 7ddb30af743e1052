// SPDX-License-Identifier: MIT
// Seeded random exact inputs for tests: integers and rationals with small or huge (30+ digit)
// numerators and denominators, matrices and models of them.
#pragma once
#include <random>

#include "mhla/arith/scalar.hpp"
#include "mhla/model/model.hpp"

namespace mhla::test {

// A random integer with up to `digits` decimal digits, either sign.
inline Integer random_integer(std::mt19937_64& rng, unsigned digits) {
  std::uniform_int_distribution<unsigned> len(1, digits), digit(0, 9);
  Integer z = 0;
  for (unsigned i = len(rng); i > 0; --i) z = z * 10 + digit(rng);
  return rng() % 2 ? -z : z;
}

// A random rational: numerator with up to num_digits digits, denominator in [1, 10^den_digits).
inline Rational random_rational(std::mt19937_64& rng, unsigned num_digits, unsigned den_digits) {
  Integer den = den_digits == 0 ? Integer(1) : abs(random_integer(rng, den_digits));
  if (den == 0) den = 1;
  return Rational(random_integer(rng, num_digits), den);
}

inline Matrix<Rational> random_matrix(std::mt19937_64& rng, std::size_t r, std::size_t c, unsigned num_digits,
                                      unsigned den_digits) {
  Matrix<Rational> m(r, c);
  for (Rational& x : m.data()) x = random_rational(rng, num_digits, den_digits);
  return m;
}

inline Model<Rational> random_model(std::mt19937_64& rng, std::size_t d, std::size_t heads, bool causal,
                                    unsigned num_digits, unsigned den_digits) {
  Model<Rational> m{d, causal, {}};
  for (std::size_t h = 0; h < heads; ++h)
    m.heads.push_back({random_matrix(rng, d, d, num_digits, den_digits), random_matrix(rng, d, d, num_digits, den_digits)});
  return m;
}

}  // namespace mhla::test
