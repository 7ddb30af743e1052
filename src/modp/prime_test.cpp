// SPDX-License-Identifier: MIT
#include "mhla/modp/prime_test.hpp"

#include "mhla/modp/field.hpp"

namespace mhla {

namespace {

std::uint64_t mulmod(std::uint64_t a, std::uint64_t b, std::uint64_t n) {
  return static_cast<std::uint64_t>(static_cast<u128>(a) * b % n);
}

std::uint64_t powmod(std::uint64_t a, std::uint64_t e, std::uint64_t n) {
  std::uint64_t r = 1 % n;
  a %= n;
  while (e) {
    if (e & 1) r = mulmod(r, a, n);
    a = mulmod(a, a, n);
    e >>= 1;
  }
  return r;
}

// True when n passes the strong probable-prime test to base a (n odd, n > a).
bool strong_probable_prime(std::uint64_t n, std::uint64_t a) {
  std::uint64_t d = n - 1;
  int s = 0;
  while ((d & 1) == 0) {
    d >>= 1;
    ++s;
  }
  std::uint64_t x = powmod(a, d, n);
  if (x == 1 || x == n - 1) return true;
  for (int i = 1; i < s; ++i) {
    x = mulmod(x, x, n);
    if (x == n - 1) return true;
  }
  return false;
}

}  // namespace

bool is_prime_miller_rabin(std::uint64_t n) noexcept {
  static constexpr std::uint64_t bases[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37};
  if (n < 2) return false;
  for (std::uint64_t b : bases) {
    if (n == b) return true;
    if (n % b == 0) return false;
  }
  // n > 37 here, coprime to every base.
  for (std::uint64_t b : bases)
    if (!strong_probable_prime(n, b)) return false;
  return true;
}

}  // namespace mhla
