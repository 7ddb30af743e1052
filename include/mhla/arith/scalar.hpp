// SPDX-License-Identifier: MIT
// The scalar types of mhla and the conversions between them.
//   Integer  : Z, GMP mpz through Boost.Multiprecision
//   Rational : Q, GMP mpq through Boost.Multiprecision (always in lowest terms)
//   Mpfr     : binary floating point with a run-time precision (MPFR), set by MpfrPrecision
//   double   : IEEE binary64
// Expression templates are off, so `auto x = a * b;` holds a value, never a dangling
// expression. Conversions into a float type round to nearest (correctly rounded, via MPFR);
// conversions out of a float type into Rational are exact.
// Trap: in Boost 1.74, Rational(6, -4) with two built-in ints reads the denominator as unsigned
// (it yields 1/3074457345618258602); always write Rational(Integer(p), Integer(q)) when q may be
// negative.
#pragma once
#include <boost/multiprecision/gmp.hpp>
#include <boost/multiprecision/mpfr.hpp>

#include <string>

namespace mhla {

namespace bmp = boost::multiprecision;
using Integer = bmp::number<bmp::gmp_int, bmp::et_off>;
using Rational = bmp::number<bmp::gmp_rational, bmp::et_off>;
using Mpfr = bmp::number<bmp::mpfr_float_backend<0>, bmp::et_off>;
// A machine integer for exact fast paths whose callers have bounded every intermediate value
// below 2^126 beforehand (`__extension__` keeps -Wpedantic quiet about the GCC type).
__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

// Sets the default precision of Mpfr values created while it lives (process-wide in Boost
// 1.74), restoring the previous one on destruction. Boost 1.74 sets MPFR precisions in decimal
// digits only, and a digit count maps to bits() = digits * 1000 / 301 + 1 or 2 bits; so the
// precision is the smallest so reachable that is at least the requested number of bits (53
// gives 55, 256 gives 257). Callers that state a precision report bits(), the precision actually
// used, and derive unit roundoffs from it. Precondition (checked): 2 <= requested_bits <= 2^20.
class MpfrPrecision {
 public:
  explicit MpfrPrecision(unsigned requested_bits);
  ~MpfrPrecision();
  MpfrPrecision(const MpfrPrecision&) = delete;
  MpfrPrecision& operator=(const MpfrPrecision&) = delete;
  unsigned bits() const noexcept { return bits_; }  // the precision of Mpfr values made now

 private:
  unsigned previous_digits_, bits_;
};

// Nearest binary64 to q (ties to even). Exact when q is a binary64 value. May overflow to
// +-inf when |q| exceeds the binary64 range; callers that must not see inf check for it.
double to_binary64(const Rational& q);

// Exact value of a finite binary64 / Mpfr number. Precondition (checked): finite.
Rational to_rational(double x);
Rational to_rational(const Mpfr& x);

// Conversion of an exact rational into the scalar type T: exact for Rational, correctly
// rounded to nearest for double and Mpfr (at the current MpfrPrecision).
template <class T>
T from_rational(const Rational& q);
template <>
inline Rational from_rational<Rational>(const Rational& q) { return q; }
template <>
inline double from_rational<double>(const Rational& q) { return to_binary64(q); }
template <>
inline Mpfr from_rational<Mpfr>(const Rational& q) { return Mpfr(q); }  // mpfr_set_q: RNDN

// Exact conversions between Int128 and Integer; to_int128 requires (unchecked) |z| < 2^127.
Integer to_integer(Int128 x);
Int128 to_int128(const Integer& z);

// Number of bits of |z| (0 for z = 0): |z| < 2^bit_length(z).
std::size_t bit_length(const Integer& z);

// "p/q" in lowest terms, or "p" when q = 1. This is the exact output format of interface.md.
std::string to_string(const Rational& q);
std::string to_string(const Integer& z);

// Shortest decimal string that reads back as exactly x ("0.1", "-2.5e-07"). Precondition: finite.
std::string to_decimal_string(double x);
// A decimal string with enough digits to read back as exactly x at x's precision.
std::string to_decimal_string(const Mpfr& x);

}  // namespace mhla
