// SPDX-License-Identifier: MIT
#include "mhla/tasks/rng.hpp"

#include <mpfr.h>

#include "mhla/support/error.hpp"

namespace mhla::tasks {

std::uint64_t Rng::below(std::uint64_t n) {
  if (n == 0) fail(ErrorKind::internal, "Rng::below(0)");
  // Accept k < limit, the largest multiple of n not above 2^64; then k mod n is uniform.
  const std::uint64_t limit = n * ((~std::uint64_t(0)) / n);  // <= 2^64 - 1, a multiple of n
  for (;;) {
    const std::uint64_t k = next();
    if (k < limit) return k % n;
  }
}

std::int64_t Rng::between(std::int64_t lo, std::int64_t hi) {
  if (lo > hi) fail(ErrorKind::internal, "Rng::between: empty range");
  const std::uint64_t width = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
  const std::uint64_t k = width == ~std::uint64_t(0) ? next() : below(width + 1);
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + k);
}

double Rng::uniform_open01() {
  const std::uint64_t k = next() >> 12;  // 52 bits
  return static_cast<double>(2 * k + 1) * 0x1p-53;  // exact: 2k + 1 < 2^53
}

bool Rng::bernoulli(const Rational& p) {
  const Integer k = Integer(next());
  return Rational(k, Integer(1) << 64) < p;
}

double Rng::gaussian() {
  const double u1 = uniform_open01(), u2 = uniform_open01();
  mpfr_t a, b, t;
  mpfr_inits2(128, a, b, t, static_cast<mpfr_ptr>(nullptr));
  mpfr_set_d(a, u1, MPFR_RNDN);  // exact
  mpfr_log(a, a, MPFR_RNDN);
  mpfr_mul_si(a, a, -2, MPFR_RNDN);
  mpfr_sqrt(a, a, MPFR_RNDN);
  mpfr_const_pi(t, MPFR_RNDN);
  mpfr_mul_2ui(t, t, 1, MPFR_RNDN);
  mpfr_set_d(b, u2, MPFR_RNDN);
  mpfr_mul(b, b, t, MPFR_RNDN);
  mpfr_cos(b, b, MPFR_RNDN);
  mpfr_mul(a, a, b, MPFR_RNDN);
  const double z = mpfr_get_d(a, MPFR_RNDN);
  mpfr_clears(a, b, t, static_cast<mpfr_ptr>(nullptr));
  return z;
}

}  // namespace mhla::tasks
