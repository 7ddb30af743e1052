// SPDX-License-Identifier: MIT
#include "mhla/modp/field.hpp"

#include <string>

#include "mhla/modp/prime_test.hpp"
#include "mhla/support/error.hpp"

namespace mhla {

PrimeField::PrimeField(std::uint64_t prime) : p(prime) {
  if (prime < 2 || prime >= (std::uint64_t(1) << 63))
    fail(ErrorKind::internal, "PrimeField: modulus " + std::to_string(prime) + " outside [2, 2^63)");
  if (!is_prime_miller_rabin(prime))
    fail(ErrorKind::internal, "PrimeField: modulus " + std::to_string(prime) + " is not prime");
}

std::uint64_t PrimeField::inv(std::uint64_t a) const {
  a %= p;
  if (a == 0) fail(ErrorKind::internal, "PrimeField::inv: zero has no inverse mod " + std::to_string(p));
  // Extended Euclid on (p, a) in signed 128-bit to keep the cofactors exact; faster than
  // Fermat's a^(p-2) and equally exact.
  __extension__ typedef __int128 i128;
  i128 r0 = p, r1 = a, t0 = 0, t1 = 1;
  while (r1 != 0) {
    i128 q = r0 / r1;
    i128 r2 = r0 - q * r1;
    r0 = r1;
    r1 = r2;
    i128 t2 = t0 - q * t1;
    t0 = t1;
    t1 = t2;
  }
  // r0 = gcd = 1 since p is prime and a != 0.
  if (t0 < 0) t0 += p;
  return static_cast<std::uint64_t>(t0);
}

}  // namespace mhla
