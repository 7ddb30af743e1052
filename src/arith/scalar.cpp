// SPDX-License-Identifier: MIT
#include "mhla/arith/scalar.hpp"

#include <mpfr.h>

#include <charconv>
#include <cmath>
#include <memory>

#include "mhla/support/error.hpp"

namespace mhla {

namespace {
// Boost 1.74's conversion from a decimal digit count to MPFR bits (detail::digits10_2_2).
unsigned long bits_for_digits(unsigned long digits10) { return digits10 * 1000 / 301 + ((digits10 * 1000) % 301 ? 2 : 1); }
}  // namespace

MpfrPrecision::MpfrPrecision(unsigned requested_bits) : previous_digits_(Mpfr::default_precision()), bits_(0) {
  if (requested_bits < 2 || requested_bits > (1u << 20))
    fail(ErrorKind::usage, "MPFR precision must be between 2 and 1048576 bits");
  unsigned long digits = 1;
  while (bits_for_digits(digits) < requested_bits) ++digits;
  Mpfr::default_precision(static_cast<unsigned>(digits));
  bits_ = static_cast<unsigned>(mpfr_get_prec(Mpfr(1).backend().data()));  // what Boost really allocates
}

MpfrPrecision::~MpfrPrecision() { Mpfr::default_precision(previous_digits_); }

double to_binary64(const Rational& q) {
  // mpq_get_d truncates; round to nearest through a 53-bit MPFR value instead. MPFR's
  // exponent range is wider than binary64's, so mpfr_get_d then rounds once more only when
  // the result is subnormal or overflows; mpfr_subnormalize makes that single rounding correct.
  mpfr_t x;
  mpfr_init2(x, 53);
  mpfr_exp_t emin = mpfr_get_emin(), emax = mpfr_get_emax();
  mpfr_set_emin(-1073);
  mpfr_set_emax(1024);
  int t = mpfr_set_q(x, q.backend().data(), MPFR_RNDN);
  t = mpfr_check_range(x, t, MPFR_RNDN);
  mpfr_subnormalize(x, t, MPFR_RNDN);
  double d = mpfr_get_d(x, MPFR_RNDN);
  mpfr_set_emin(emin);
  mpfr_set_emax(emax);
  mpfr_clear(x);
  return d;
}

Rational to_rational(double x) {
  if (!std::isfinite(x)) fail(ErrorKind::internal, "to_rational: non-finite binary64 value");
  return Rational(x);  // mpq_set_d is exact
}

Rational to_rational(const Mpfr& x) {
  const mpfr_srcptr p = x.backend().data();
  if (!mpfr_number_p(p)) fail(ErrorKind::internal, "to_rational: non-finite MPFR value");
  if (mpfr_zero_p(p)) return Rational(0);
  mpz_t m;
  mpz_init(m);
  mpfr_exp_t e = mpfr_get_z_2exp(m, p);  // x = m * 2^e exactly
  Rational r{Integer(m)};
  mpz_clear(m);
  const Rational scale{Integer(1) << static_cast<unsigned long>(e < 0 ? -e : e)};
  return e < 0 ? r / scale : r * scale;
}

Integer to_integer(Int128 x) {
  const bool negative = x < 0;
  UInt128 m = negative ? -static_cast<UInt128>(x) : static_cast<UInt128>(x);
  Integer z = Integer(static_cast<unsigned long long>(m >> 64));
  z <<= 64;
  z += Integer(static_cast<unsigned long long>(m));
  return negative ? Integer(-z) : z;
}

Int128 to_int128(const Integer& z) {
  const Integer m = abs(z);
  const unsigned long long hi = static_cast<unsigned long long>(m >> 64);
  const unsigned long long lo = static_cast<unsigned long long>(m & Integer(~0ull));
  const Int128 v = static_cast<Int128>((static_cast<UInt128>(hi) << 64) | lo);
  return z < 0 ? -v : v;
}

std::size_t bit_length(const Integer& z) {
  return z == 0 ? 0 : static_cast<std::size_t>(mpz_sizeinbase(z.backend().data(), 2));
}

std::string to_string(const Rational& q) { return q.str(); }
std::string to_string(const Integer& z) { return z.str(); }

std::string to_decimal_string(double x) {
  if (!std::isfinite(x)) fail(ErrorKind::internal, "to_decimal_string: non-finite binary64 value");
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, res.ptr);
}

std::string to_decimal_string(const Mpfr& x) {
  const mpfr_srcptr p = x.backend().data();
  if (!mpfr_number_p(p)) fail(ErrorKind::internal, "to_decimal_string: non-finite MPFR value");
  if (mpfr_zero_p(p)) return mpfr_signbit(p) ? "-0" : "0";
  // mpfr_get_str_ndigits (MPFR >= 4.1) gives the digits needed to read back exactly.
  size_t digits = mpfr_get_str_ndigits(10, mpfr_get_prec(p));
  mpfr_exp_t e10 = 0;
  std::unique_ptr<char, void (*)(char*)> s(mpfr_get_str(nullptr, &e10, 10, digits, p, MPFR_RNDN), mpfr_free_str);
  std::string m(s.get());
  bool neg = !m.empty() && m[0] == '-';
  if (neg) m.erase(0, 1);
  while (m.size() > 1 && m.back() == '0') m.pop_back();
  // value = 0.m * 10^e10 = m[0].m[1..] * 10^(e10-1)
  std::string out;
  if (neg) out.push_back('-');
  out.push_back(m[0]);
  if (m.size() > 1) out.append(1, '.').append(m, 1, std::string::npos);
  if (e10 - 1 != 0) out.append(1, 'e').append(std::to_string(static_cast<long>(e10 - 1)));
  return out;
}

}  // namespace mhla
