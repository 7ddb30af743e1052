// SPDX-License-Identifier: MIT
// solve_left_multimodular (Lemma C8): y M = b exactly for random nonsingular integer M and
// right-hand sides built from known rational y (so the answer is known by construction), also
// with tiny primes (many skipped and unlucky primes); a singular M yields no solution.
#include <catch2/catch.hpp>

#include <random>

#include "mhla/linalg/solve_left_multimodular.hpp"

using namespace mhla;

TEST_CASE("solve_left_multimodular: known rational solutions of y M = b, also with tiny primes", "[linalg][solve]") {
  std::mt19937_64 rng(5);
  std::uniform_int_distribution<int> entry(-9, 9), den(1, 7);
  for (int trial = 0; trial < 20; ++trial) {
    const std::size_t r = 1 + static_cast<std::size_t>(trial % 6);
    Matrix<Integer> M(r, r);
    for (std::size_t i = 0; i < r; ++i)
      for (std::size_t j = 0; j < r; ++j) M(i, j) = entry(rng) + (i == j ? 40 : 0);  // diagonally dominant: nonsingular
    std::vector<std::vector<Rational>> ys;
    std::vector<std::vector<Integer>> rhs;
    for (int k = 0; k < 3; ++k) {
      std::vector<Rational> y(r);
      for (auto& x : y) x = Rational(entry(rng)) / Rational(den(rng));
      // b = y M must be integral: scale y by the LCM of its denominators.
      Integer L = 1;
      for (const auto& x : y) L = lcm(L, denominator(x));
      for (auto& x : y) x *= Rational(L);
      std::vector<Integer> b(r);
      for (std::size_t j = 0; j < r; ++j) {
        Rational s = 0;
        for (std::size_t i = 0; i < r; ++i) s += y[i] * Rational(M(i, j));
        b[j] = numerator(s);
      }
      ys.push_back(y);
      rhs.push_back(b);
    }
    for (bool tiny : {false, true}) {
      PrimeStream primes = tiny ? PrimeStream::tiny() : PrimeStream::standard();
      const LeftSolveResult out = solve_left_multimodular(M, rhs, primes);
      REQUIRE(out.y.size() == rhs.size());
      for (std::size_t k = 0; k < rhs.size(); ++k) {
        REQUIRE(out.y[k].has_value());
        CHECK(*out.y[k] == ys[k]);  // unique: M is nonsingular
      }
    }
  }
  // Rational (non-integral) solutions: y = b M^{-1} with b = e_0 and M = diag(3, 5).
  Matrix<Integer> M(2, 2);
  M(0, 0) = 3, M(1, 1) = 5;
  PrimeStream primes = PrimeStream::standard();
  const LeftSolveResult out = solve_left_multimodular(M, {{Integer(1), Integer(2)}}, primes);
  REQUIRE(out.y[0]);
  CHECK((*out.y[0])[0] == Rational(1) / Rational(3));
  CHECK((*out.y[0])[1] == Rational(2) / Rational(5));
  // A singular M: every prime is skipped, no solution is claimed.
  Matrix<Integer> S(2, 2);
  S(0, 0) = 1, S(0, 1) = 2, S(1, 0) = 2, S(1, 1) = 4;
  PrimeStream p2 = PrimeStream::standard();
  CHECK_FALSE(solve_left_multimodular(S, {{Integer(1), Integer(2)}}, p2, 8).y[0].has_value());
}
