// SPDX-License-Identifier: MIT
// PrimeStream: a deterministic sequence of distinct primes for multi-modular algorithms.
//
// Mathematics: standard() yields the primes below 2^23 in decreasing order
// (8388593, 8388587, ...). 2^23 is the bound the mod-p elimination kernel wants
// (echelon_mod_p.hpp): residues in centred form have |a| <= 2^22, so a product is below 2^44
// and up to 2^9 products accumulate exactly in a binary64 mantissa. There are about 280,000
// primes in [2^22, 2^23], far more than any computation here consumes; the stream throws
// Error(resource_limit) if it is ever exhausted rather than repeat a prime.
// tiny() yields 3, 5, 7, 11, 13, ... in increasing order: a test hook that makes unlucky
// primes (p dividing a minor or a denominator) common, so that their handling is exercised.
// standard() returns tiny() when the environment variable MHLA_TEST_TINY_PRIMES is set to a
// non-empty value other than "0": the hook for end-to-end (CLI) tests. Every consumer of a
// stream must treat any prime as possibly unlucky; the hook changes speed, never answers.
// Cost: next() is a search over consecutive odd numbers with Miller-Rabin, O(log p) tests.
#pragma once
#include <cstdint>

namespace mhla {

class PrimeStream {
 public:
  static constexpr std::uint64_t kStandardBound = std::uint64_t(1) << 23;

  // Primes strictly below `bound`, decreasing. Precondition (checked): 3 <= bound <= 2^63.
  static PrimeStream descending_below(std::uint64_t bound);
  // Primes greater than or equal to `start`, increasing, while below 2^63.
  static PrimeStream ascending_from(std::uint64_t start);
  static PrimeStream standard();  // descending_below(2^23), or tiny() under the test hook
  static PrimeStream tiny() { return ascending_from(3); }

  // The next prime of the stream.
  std::uint64_t next();

 private:
  PrimeStream(std::uint64_t cursor, bool descending) : cursor_(cursor), descending_(descending) {}
  std::uint64_t cursor_;  // descending: next candidate is below cursor_; ascending: >= cursor_
  bool descending_;
};

}  // namespace mhla
