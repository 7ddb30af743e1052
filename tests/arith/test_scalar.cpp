// SPDX-License-Identifier: MIT
// Conversions between the scalar types: to_binary64 rounds to nearest, to_rational is exact,
// decimal strings read back exactly.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>

#include "mhla/arith/scalar.hpp"
#include "support/random_exact.hpp"

using namespace mhla;

TEST_CASE("to_binary64 returns the nearest binary64 value", "[arith]") {
  std::mt19937_64 rng(11);
  for (int i = 0; i < 2000; ++i) {
    const Rational q = test::random_rational(rng, 1 + i % 40, 1 + i % 35);
    const double x = to_binary64(q);
    REQUIRE(std::isfinite(x));
    const Rational err = abs(to_rational(x) - q);
    CHECK(err <= abs(to_rational(std::nextafter(x, INFINITY)) - q));
    CHECK(err <= abs(to_rational(std::nextafter(x, -INFINITY)) - q));
  }
  CHECK(to_binary64(Rational(1, 3)) == 1.0 / 3.0);
  CHECK(to_binary64(Rational(1, 10)) == 0.1);
  // Subnormal range: 3 * 2^-1075 is halfway between 2^-1074 and 2^-1073 -> even (2^-1073).
  const Rational tiny = Rational(3) / Rational(Integer(1) << 1075);
  CHECK(to_binary64(tiny) == std::ldexp(1.0, -1073));
  CHECK(to_binary64(Rational(1) / Rational(Integer(1) << 1076)) == 0.0);
  CHECK(std::isinf(to_binary64(Rational(Integer(1) << 1024))));
}

TEST_CASE("to_rational of binary64 and MPFR values is exact", "[arith]") {
  CHECK(to_rational(0.1) == Rational(Integer("3602879701896397"), Integer("36028797018963968")));
  CHECK(to_rational(-2.5) == Rational(-5, 2));
  MpfrPrecision p(200);
  const Rational q = Rational(Integer("123456789123456789123456789"), Integer(1) << 70);  // dyadic, 87 bits
  CHECK(to_rational(Mpfr(q)) == q);
  CHECK(to_rational(Mpfr(Rational(-3, 4))) == Rational(-3, 4));
  CHECK(to_rational(Mpfr(0)) == 0);
}

TEST_CASE("decimal strings of floats read back exactly", "[arith]") {
  std::mt19937_64 rng(12);
  for (int i = 0; i < 500; ++i) {
    const double x = to_binary64(test::random_rational(rng, 20, 20));
    CHECK(std::strtod(to_decimal_string(x).c_str(), nullptr) == x);
  }
  CHECK(to_decimal_string(0.1) == "0.1");
  MpfrPrecision p(256);
  for (int i = 0; i < 200; ++i) {
    const Mpfr x(test::random_rational(rng, 40, 40));
    CHECK(Mpfr(to_decimal_string(x)) == x);
  }
}

TEST_CASE("exact output strings are in lowest terms", "[arith]") {
  CHECK(to_string(Rational(Integer(6), Integer(-4))) == "-3/2");
  CHECK(to_string(Rational(-6, 4)) == "-3/2");
  CHECK(to_string(Rational(8, 4)) == "2");
  CHECK(to_string(Rational(0, 5)) == "0");
}
