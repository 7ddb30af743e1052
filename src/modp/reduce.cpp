// SPDX-License-Identifier: MIT
#include "mhla/modp/reduce.hpp"

#include <gmp.h>

namespace mhla {

std::uint64_t reduce_mod(const PrimeField& F, const Integer& z) {
  static_assert(sizeof(unsigned long) == 8, "mpz_fdiv_ui needs a 64-bit unsigned long here");
  // mpz_fdiv_ui rounds the quotient towards -infinity, so the remainder is in [0, p).
  return mpz_fdiv_ui(z.backend().data(), F.p);
}

std::optional<std::uint64_t> reduce_mod(const PrimeField& F, const Rational& q) {
  const mpq_srcptr r = q.backend().data();
  std::uint64_t den = mpz_fdiv_ui(mpq_denref(r), F.p);
  if (den == 0) return std::nullopt;  // p divides the denominator: unlucky prime
  std::uint64_t num = mpz_fdiv_ui(mpq_numref(r), F.p);
  return F.mul(num, F.inv(den));
}

std::optional<std::vector<std::uint64_t>> reduce_mod(const PrimeField& F, const std::vector<Rational>& v) {
  std::vector<std::uint64_t> out;
  out.reserve(v.size());
  for (const Rational& q : v) {
    auto r = reduce_mod(F, q);
    if (!r) return std::nullopt;
    out.push_back(*r);
  }
  return out;
}

}  // namespace mhla
