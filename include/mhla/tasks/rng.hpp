// SPDX-License-Identifier: MIT
// The generators' random numbers: the same seed gives the same numbers on every machine.
// std::uniform_int_distribution and std::normal_distribution are implementation-defined (their
// algorithms differ between standard libraries), so only std::mt19937_64's raw outputs are used
// (the standard fixes them bit for bit) and mapped here:
//   - below(n): uniform in [0, n) by rejection (no modulo bias);
//   - uniform_open01(): (2k + 1) / 2^53 with k a uniform 52-bit integer: a binary64 in (0, 1);
//   - gaussian(): Box-Muller, sqrt(-2 ln u1) cos(2 pi u2), evaluated in MPFR at 128 bits and
//     rounded once to the nearest binary64. MPFR's functions are correctly rounded, so the
//     result is the same on every machine (glibc's libm is not guaranteed correctly rounded);
//     the value is then taken exactly as a rational.
#pragma once
#include <cstdint>
#include <random>

#include "mhla/arith/scalar.hpp"

namespace mhla::tasks {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}

  std::uint64_t next() { return engine_(); }
  // Uniform in [0, n). Precondition (checked): n >= 1.
  std::uint64_t below(std::uint64_t n);
  // Uniform in [lo, hi]. Precondition (checked): lo <= hi.
  std::int64_t between(std::int64_t lo, std::int64_t hi);
  // A binary64 uniform in (0, 1): (2k + 1) / 2^53, k uniform in [0, 2^52).
  double uniform_open01();
  // True with probability p exactly (p in [0, 1]): k / 2^64 < p for a uniform 64-bit k.
  bool bernoulli(const Rational& p);
  // A standard normal value, rounded to binary64 (see above).
  double gaussian();

 private:
  std::mt19937_64 engine_;
};

}  // namespace mhla::tasks
