// SPDX-License-Identifier: MIT
#include "mhla/modp/rational_reconstruct.hpp"

#include "mhla/support/error.hpp"

namespace mhla {

std::optional<Rational> rational_reconstruct(const Integer& a_in, const Integer& m, const Integer& N, const Integer& D) {
  if (m < 2) fail(ErrorKind::internal, "rational_reconstruct: modulus below 2");
  Integer a = a_in % m;
  if (a < 0) a += m;
  // Invariant: r0 = t0 a mod m, r1 = t1 a mod m; the remainders decrease.
  Integer r0 = m, r1 = a, t0 = 0, t1 = 1;
  while (r1 > N) {
    Integer q = r0 / r1;
    Integer r2 = r0 - q * r1;
    r0 = r1;
    r1 = r2;
    Integer t2 = t0 - q * t1;
    t0 = t1;
    t1 = t2;
  }
  // n = r1, d = t1 (sign normalised); n = d a mod m holds by the invariant.
  Integer n = r1, d = t1;
  if (d < 0) {
    n = -n;
    d = -d;
  }
  if (d == 0 || d > D) return std::nullopt;
  if (gcd(n, d) != 1 || gcd(d, m) != 1) return std::nullopt;
  return Rational(n, d);
}

std::optional<Rational> rational_reconstruct(const Integer& a, const Integer& m) {
  if (m < 2) fail(ErrorKind::internal, "rational_reconstruct: modulus below 2");
  Integer B = sqrt((m - 1) / 2);
  if (B < 1) B = 1;
  return rational_reconstruct(a, m, B, B);
}

std::optional<std::vector<Rational>> rational_reconstruct(const std::vector<Integer>& residues, const Integer& m) {
  if (m < 2) fail(ErrorKind::internal, "rational_reconstruct: modulus below 2");
  Integer B = sqrt((m - 1) / 2);
  if (B < 1) B = 1;
  Integer L = 1;  // running lcm of the denominators found so far
  std::vector<Rational> out;
  out.reserve(residues.size());
  for (const Integer& a : residues) {
    // Common-denominator trick: if the entry's denominator divides L, then a L mod m is
    // (in symmetric range) the integer numerator of x L, and x = that / L with no Euclid.
    Integer t = (a * L) % m;
    if (t < 0) t += m;
    if (t > m / 2) t -= m;
    if (abs(t) <= B) {
      out.emplace_back(Rational(t, L));
      continue;
    }
    auto x = rational_reconstruct(a, m, B, B);
    if (!x) return std::nullopt;
    L = lcm(L, denominator(*x));
    out.push_back(*x);
  }
  return out;
}

}  // namespace mhla
