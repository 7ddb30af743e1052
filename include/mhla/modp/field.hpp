// SPDX-License-Identifier: MIT
// PrimeField: the field F_p = Z/pZ, passed as a value (never a static modulus), in the
// LinBox habit of "the field is the first argument of every routine".
//
// Mathematics: elements are the residues 0 <= a < p; add, sub, mul are the ring operations
// of Z/pZ and inv(a) = a^(p-2) = a^{-1} (Fermat) for a != 0.
// Preconditions: 2 <= p < 2^63 and p prime. The bound 2^63 makes a + b < 2^64 for reduced
// a, b, so add/sub never overflow; products go through a 128-bit intermediate. The
// constructor checks the bound and, through Miller-Rabin (prime_test.hpp), primality:
// a composite modulus would make inv() wrong and every "certified" answer meaningless.
// Operands of add/sub/mul/inv are NOT checked to be reduced (hot path); reduce() and
// from_int64() produce reduced residues.
// Cost: O(1) word operations; inv and pow are O(log p) multiplications.
#pragma once
#include <cstdint>

namespace mhla {

__extension__ typedef unsigned __int128 u128;

struct PrimeField {
  std::uint64_t p;

  // Checked: 2 <= p < 2^63 and p prime (deterministic Miller-Rabin); throws Error(internal).
  explicit PrimeField(std::uint64_t prime);

  std::uint64_t reduce(std::uint64_t a) const noexcept { return a % p; }
  // The residue of a signed integer: a mod p in [0, p).
  std::uint64_t from_int64(std::int64_t a) const noexcept {
    if (a >= 0) return static_cast<std::uint64_t>(a) % p;
    // -(a) as unsigned avoids overflow at INT64_MIN.
    std::uint64_t r = (0 - static_cast<std::uint64_t>(a)) % p;
    return r == 0 ? 0 : p - r;
  }
  // The centred representative of a in (-p/2, p/2].
  std::int64_t centred(std::uint64_t a) const noexcept {
    return a > p / 2 ? -static_cast<std::int64_t>(p - a) : static_cast<std::int64_t>(a);
  }
  std::uint64_t add(std::uint64_t a, std::uint64_t b) const noexcept {
    std::uint64_t s = a + b;
    return s >= p ? s - p : s;
  }
  std::uint64_t sub(std::uint64_t a, std::uint64_t b) const noexcept { return a >= b ? a - b : a + (p - b); }
  std::uint64_t neg(std::uint64_t a) const noexcept { return a == 0 ? 0 : p - a; }
  std::uint64_t mul(std::uint64_t a, std::uint64_t b) const noexcept {
    return static_cast<std::uint64_t>(static_cast<u128>(a) * b % p);
  }
  std::uint64_t pow(std::uint64_t a, std::uint64_t e) const noexcept {
    std::uint64_t r = 1 % p;
    a %= p;
    while (e) {
      if (e & 1) r = mul(r, a);
      a = mul(a, a);
      e >>= 1;
    }
    return r;
  }
  // Precondition (checked, throws Error(internal)): a != 0 mod p.
  std::uint64_t inv(std::uint64_t a) const;

  friend bool operator==(const PrimeField& x, const PrimeField& y) { return x.p == y.p; }
};

}  // namespace mhla
