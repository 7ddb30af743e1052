// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>
#include <cstdlib>
#include <random>

#include "mhla/modp/crt.hpp"
#include "mhla/modp/field.hpp"
#include "mhla/modp/prime_stream.hpp"
#include "mhla/modp/prime_test.hpp"
#include "mhla/modp/rational_reconstruct.hpp"
#include "mhla/modp/reduce.hpp"
#include "mhla/support/error.hpp"

using namespace mhla;

namespace {
bool is_prime_trial(std::uint64_t n) {
  if (n < 2) return false;
  for (std::uint64_t d = 2; d * d <= n; ++d)
    if (n % d == 0) return false;
  return true;
}
}  // namespace

TEST_CASE("is_prime_miller_rabin agrees with trial division below 200000", "[modp][prime]") {
  for (std::uint64_t n = 0; n < 200000; ++n) REQUIRE(is_prime_miller_rabin(n) == is_prime_trial(n));
}

TEST_CASE("is_prime_miller_rabin on known primes", "[modp][prime]") {
  for (std::uint64_t p : {2ull, 3ull, 8388593ull, 2147483647ull, 4294967291ull, 1000000000000000003ull,
                          2305843009213693951ull /* 2^61 - 1 */, 9223372036854775783ull /* largest below 2^63 */,
                          18446744073709551557ull /* largest below 2^64 */})
    CHECK(is_prime_miller_rabin(p));
}

TEST_CASE("is_prime_miller_rabin rejects Carmichael numbers and strong pseudoprimes", "[modp][prime]") {
  // Carmichael numbers (Fermat liars for every coprime base).
  for (std::uint64_t n : {561ull, 1105ull, 1729ull, 2465ull, 2821ull, 6601ull, 8911ull, 41041ull, 825265ull,
                          321197185ull, 9585921133193329ull})
    CHECK_FALSE(is_prime_miller_rabin(n));
  // Strong pseudoprimes: to base 2; to 2, 3; to 2, 3, 5; to 2..7; to 2..11; to 2..13; to
  // the first 9 prime bases (3825123056546413051); to the first 12 prime bases except 37's
  // range is covered by psi_12 (318665857834031151167461 exceeds 64 bits, so not testable).
  for (std::uint64_t n : {2047ull, 3277ull, 4033ull, 4681ull, 1373653ull, 25326001ull, 3215031751ull,
                          2152302898747ull, 3474749660383ull, 341550071728321ull, 3825123056546413051ull})
    CHECK_FALSE(is_prime_miller_rabin(n));
  // Squares and products of large primes.
  CHECK_FALSE(is_prime_miller_rabin(4294967291ull * 4294967291ull));
  CHECK_FALSE(is_prime_miller_rabin(2147483647ull * 2147483629ull));
  CHECK_FALSE(is_prime_miller_rabin(18446744073709551615ull));
}

TEST_CASE("PrimeField arithmetic matches 128-bit reference", "[modp][field]") {
  std::mt19937_64 rng(1);
  for (std::uint64_t p : {3ull, 5ull, 8388593ull, 2305843009213693951ull, 9223372036854775783ull}) {
    PrimeField F(p);
    for (int it = 0; it < 2000; ++it) {
      const std::uint64_t a = rng() % p, b = rng() % p;
      CHECK(F.add(a, b) == static_cast<std::uint64_t>((u128(a) + b) % p));
      CHECK(F.sub(a, b) == static_cast<std::uint64_t>((u128(a) + p - b) % p));
      CHECK(F.mul(a, b) == static_cast<std::uint64_t>(u128(a) * b % p));
      if (a != 0) CHECK(F.mul(a, F.inv(a)) == 1);
      const std::int64_t s = static_cast<std::int64_t>(rng());
      const std::uint64_t r = F.from_int64(s);
      CHECK(r < p);
      // s = r mod p  <=>  (s mod p, as a non-negative residue) == r, computed in Integer.
      Integer sp = Integer(static_cast<long long>(s)) % Integer(static_cast<unsigned long long>(p));
      if (sp < 0) sp += Integer(static_cast<unsigned long long>(p));
      CHECK(sp == Integer(static_cast<unsigned long long>(r)));
      CHECK(F.from_int64(F.centred(a)) == a);
    }
  }
  CHECK_THROWS_AS(PrimeField(15), Error);
  CHECK_THROWS_AS(PrimeField(561), Error);
  CHECK_THROWS_AS(PrimeField(1), Error);
  CHECK_THROWS_AS(PrimeField(18446744073709551557ull), Error);  // prime, but >= 2^63
  CHECK_THROWS_AS(PrimeField(7).inv(0), Error);
  CHECK(PrimeField(7).from_int64(INT64_MIN) == 6);  // -2^63 = -(2^3)^21 = -1 mod 7
}

TEST_CASE("PrimeStream is deterministic, distinct and prime", "[modp][stream]") {
  PrimeStream s = PrimeStream::standard();
  std::uint64_t last = PrimeStream::kStandardBound;
  for (int i = 0; i < 200; ++i) {
    const std::uint64_t p = s.next();
    CHECK(p < last);
    CHECK(is_prime_miller_rabin(p));
    last = p;
  }
  CHECK(PrimeStream::standard().next() == 8388593);
  PrimeStream t = PrimeStream::tiny();
  for (std::uint64_t want : {3ull, 5ull, 7ull, 11ull, 13ull, 17ull}) CHECK(t.next() == want);
  PrimeStream d = PrimeStream::descending_below(8);
  CHECK(d.next() == 7);
  CHECK(d.next() == 5);
  CHECK(d.next() == 3);
  CHECK(d.next() == 2);
  CHECK_THROWS_AS(d.next(), Error);
  ::setenv("MHLA_TEST_TINY_PRIMES", "1", 1);
  CHECK(PrimeStream::standard().next() == 3);
  ::setenv("MHLA_TEST_TINY_PRIMES", "0", 1);
  CHECK(PrimeStream::standard().next() == 8388593);
  ::unsetenv("MHLA_TEST_TINY_PRIMES");
}

TEST_CASE("reduce_mod of integers and rationals; unlucky denominators", "[modp][reduce]") {
  PrimeField F(7);
  CHECK(reduce_mod(F, Integer(-1)) == 6);
  CHECK(reduce_mod(F, Integer("123456789012345678901234567890")) ==
        static_cast<std::uint64_t>(Integer(Integer("123456789012345678901234567890") % 7)));
  CHECK(*reduce_mod(F, Rational(1, 2)) == 4);
  CHECK(*reduce_mod(F, Rational(-3, 5)) == F.mul(F.from_int64(-3), F.inv(5)));
  CHECK_FALSE(reduce_mod(F, Rational(1, 14)).has_value());
  CHECK_FALSE(reduce_mod(F, std::vector<Rational>{Rational(1), Rational(3, 49)}).has_value());
  CHECK(reduce_mod(F, Rational(14, 3)).value() == 0);
  // Homomorphism on random rationals.
  std::mt19937_64 rng(2);
  PrimeField G(8388593);
  for (int it = 0; it < 500; ++it) {
    Rational a(static_cast<long long>(rng() % 2001) - 1000, static_cast<long long>(rng() % 1000 + 1));
    Rational b(static_cast<long long>(rng() % 2001) - 1000, static_cast<long long>(rng() % 1000 + 1));
    CHECK(*reduce_mod(G, a * b) == G.mul(*reduce_mod(G, a), *reduce_mod(G, b)));
    CHECK(*reduce_mod(G, a + b) == G.add(*reduce_mod(G, a), *reduce_mod(G, b)));
  }
}

TEST_CASE("crt_combine reconstructs an integer from its residues", "[modp][crt]") {
  std::mt19937_64 rng(3);
  PrimeStream s = PrimeStream::standard();
  std::vector<PrimeField> fields;
  for (int i = 0; i < 12; ++i) fields.emplace_back(s.next());
  for (int it = 0; it < 50; ++it) {
    Integer x = 0;
    for (int k = 0; k < 4; ++k) x = (x << 64) + Integer(static_cast<unsigned long long>(rng()));
    // x < 2^256 < product of 12 primes of 23 bits (2^264).
    Integer r = 0, M = 1;
    CrtVector acc;
    for (const auto& F : fields) {
      r = crt_combine(r, M, F, reduce_mod(F, x));
      M *= Integer(static_cast<unsigned long long>(F.p));
      crt_combine(acc, F, {reduce_mod(F, x), reduce_mod(F, Integer(x + 1))});
    }
    CHECK(r == x);
    CHECK(acc.modulus == M);
    CHECK(acc.residues[0] == x);
    CHECK(acc.residues[1] == x + 1);
  }
  CHECK_THROWS_AS(crt_combine(Integer(1), Integer(7 * 3), PrimeField(7), 2), Error);
}

TEST_CASE("rational_reconstruct round trips within the bound", "[modp][ratrecon]") {
  std::mt19937_64 rng(4);
  PrimeStream s = PrimeStream::standard();
  Integer m = 1;
  std::vector<PrimeField> fields;
  for (int i = 0; i < 6; ++i) {
    fields.emplace_back(s.next());
    m *= Integer(static_cast<unsigned long long>(fields.back().p));
  }
  // m ~ 2^138, so numerators and denominators up to 2^60 are recoverable.
  for (int it = 0; it < 300; ++it) {
    const long long num = static_cast<long long>(rng() >> 5) - (1ll << 58);
    const long long den = static_cast<long long>(rng() >> 4) + 1;
    Rational q(num, den);
    // a = num * den^{-1} mod m
    Integer a, inv;
    mpz_invert(inv.backend().data(), denominator(q).backend().data(), m.backend().data());
    a = (numerator(q) * inv) % m;
    if (a < 0) a += m;
    auto back = rational_reconstruct(a, m);
    REQUIRE(back.has_value());
    CHECK(*back == q);
  }
  // Vector version with a shared denominator (the common-denominator trick path).
  std::vector<Rational> v;
  for (int k = 0; k < 40; ++k) v.emplace_back(static_cast<long long>(rng() % 100000) - 50000, 987654321ll);
  std::vector<Integer> res;
  for (const Rational& q : v) {
    Integer inv;
    mpz_invert(inv.backend().data(), denominator(q).backend().data(), m.backend().data());
    Integer a = (numerator(q) * inv) % m;
    if (a < 0) a += m;
    res.push_back(a);
  }
  auto back = rational_reconstruct(res, m);
  REQUIRE(back.has_value());
  CHECK(*back == v);
  // Beyond the bound there is no promise; a value must not be reconstructed when no fraction
  // within the bounds exists: a = m / 2 has none with N = D = 1.
  CHECK_FALSE(rational_reconstruct(Integer(m / 2), m, Integer(1), Integer(1)).has_value());
  CHECK(*rational_reconstruct(Integer(m - 3), m) == Rational(-3));
}
