// SPDX-License-Identifier: MIT
// WatchedBinary64: IEEE binary64 arithmetic that records whether Lemma F1's no-underflow
// hypothesis held (@proof F1: proofs-notes/02-model.md, remark on underflow).
// Lemma F1 models every rounding as x(1 + delta), |delta| <= u, which fails only when a
// result lies in the subnormal range. A sum whose exact value is subnormal is computed exactly
// (both operands are multiples of 2^-1074, and so is their sum), so only products, and the
// rounding of the exact inputs, need watching: one is flagged when its result is nonzero-input
// and at most DBL_MIN in magnitude (a result above DBL_MIN comes from an exact value above it).
// The flag is per thread; reset it before a computation and read it after.
#pragma once
#include <cfloat>
#include <cmath>

#include "mhla/arith/scalar.hpp"

namespace mhla {

class WatchedBinary64 {
 public:
  WatchedBinary64() = default;
  WatchedBinary64(double v) : v_(v) {}  // NOLINT: implicit, so that T(0) works in the templates
  double value() const noexcept { return v_; }

  static bool& underflowed() noexcept {
    static thread_local bool flag = false;
    return flag;
  }

  friend WatchedBinary64 operator+(WatchedBinary64 a, WatchedBinary64 b) { return a.v_ + b.v_; }
  friend WatchedBinary64 operator*(WatchedBinary64 a, WatchedBinary64 b) {
    const double r = a.v_ * b.v_;
    if (a.v_ != 0 && b.v_ != 0 && std::fabs(r) <= DBL_MIN) underflowed() = true;
    return r;
  }
  WatchedBinary64& operator+=(WatchedBinary64 b) { return *this = *this + b; }
  WatchedBinary64& operator*=(WatchedBinary64 b) { return *this = *this * b; }

 private:
  double v_ = 0;
};

// The nearest binary64 to q (to_binary64), flagging an input that lands at or below DBL_MIN.
inline WatchedBinary64 watched_from_rational(const Rational& q) {
  const double d = to_binary64(q);
  if (q != 0 && std::fabs(d) <= DBL_MIN) WatchedBinary64::underflowed() = true;
  return d;
}

}  // namespace mhla
