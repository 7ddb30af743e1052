// SPDX-License-Identifier: MIT
#include "mhla/modp/prime_stream.hpp"

#include <cstdlib>
#include <string>

#include "mhla/modp/prime_test.hpp"
#include "mhla/support/error.hpp"

namespace mhla {

PrimeStream PrimeStream::descending_below(std::uint64_t bound) {
  if (bound < 3 || bound > (std::uint64_t(1) << 63))
    fail(ErrorKind::internal, "PrimeStream: bound " + std::to_string(bound) + " outside [3, 2^63]");
  return PrimeStream(bound, true);
}

PrimeStream PrimeStream::ascending_from(std::uint64_t start) { return PrimeStream(start < 2 ? 2 : start, false); }

PrimeStream PrimeStream::standard() {
  const char* hook = std::getenv("MHLA_TEST_TINY_PRIMES");
  if (hook != nullptr && *hook != '\0' && std::string(hook) != "0") return tiny();
  return descending_below(kStandardBound);
}

std::uint64_t PrimeStream::next() {
  if (descending_) {
    while (cursor_ > 2) {
      --cursor_;
      if (is_prime_miller_rabin(cursor_)) return cursor_;
    }
    fail(ErrorKind::resource_limit, "PrimeStream: no primes left below the starting bound");
  }
  while (cursor_ < (std::uint64_t(1) << 63)) {
    std::uint64_t c = cursor_++;
    if (is_prime_miller_rabin(c)) return c;
  }
  fail(ErrorKind::resource_limit, "PrimeStream: no primes left below 2^63");
}

}  // namespace mhla
