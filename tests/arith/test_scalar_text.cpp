// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "mhla/arith/scalar_text.hpp"

using mhla::Integer;
using mhla::Rational;

namespace {

Rational exact(const std::string& text) {
  const mhla::ScalarParse p = mhla::parse_exact_scalar(text);
  INFO("text: " << text << " reason: " << p.reason);
  REQUIRE(p);
  return *p.value;
}

std::string exact_reason(const std::string& text) {
  const mhla::ScalarParse p = mhla::parse_exact_scalar(text);
  REQUIRE_FALSE(p);
  return p.reason;
}

Rational binary64(const std::string& text) {
  const mhla::ScalarParse p = mhla::parse_binary64_scalar(text);
  INFO("text: " << text << " reason: " << p.reason);
  REQUIRE(p);
  return *p.value;
}

Rational q(const char* num, const char* den = "1") { return Rational(Integer(num), Integer(den)); }

std::string random_digits(std::mt19937_64& rng, std::size_t count) {
  std::string s(1, static_cast<char>('1' + rng() % 9));
  while (s.size() < count) s.push_back(static_cast<char>('0' + rng() % 10));
  return s;
}

}  // namespace

TEST_CASE("exact decimals, integers and fractions parse to their exact values") {
  CHECK(exact("1.5e-3") == q("3", "2000"));
  CHECK(exact("-0.125") == q("-1", "8"));
  CHECK(exact(".5") == q("1", "2"));
  CHECK(exact("+7") == q("7"));
  CHECK(exact("007") == q("7"));
  CHECK(exact("-0") == q("0"));
  CHECK(exact("1E+2") == q("100"));
  CHECK(exact("2.50e1") == q("25"));
  CHECK(exact("0.1") == q("1", "10"));
  CHECK(exact("-3/6") == q("-1", "2"));
  CHECK(exact("+10/4") == q("5", "2"));
  CHECK(exact("0/5") == q("0"));
  CHECK(exact("123456789012345678901234567890123456789012345678901234567890") ==
        q("123456789012345678901234567890123456789012345678901234567890"));
  CHECK(exact("1e400") == Rational(boost::multiprecision::pow(Integer(10), 400)));
  CHECK(exact("1e-100000") == Rational(Integer(1), boost::multiprecision::pow(Integer(10), 100000)));
}

TEST_CASE("malformed scalars are rejected with a short reason") {
  CHECK(exact_reason("") == "empty scalar");
  CHECK(exact_reason(" 1").find("white space") != std::string::npos);
  CHECK(exact_reason("1 /2").find("white space") != std::string::npos);
  CHECK(exact_reason("NaN").find("not a finite number") != std::string::npos);
  CHECK(exact_reason("-inf").find("not a finite number") != std::string::npos);
  CHECK(exact_reason("Infinity").find("not a finite number") != std::string::npos);
  CHECK(exact_reason("0x1F").find("hexadecimal") != std::string::npos);
  CHECK(exact_reason("1/0") == "zero denominator in \"1/0\"");
  CHECK(exact_reason("-5/000").find("zero denominator") != std::string::npos);
  for (const char* bad : {"1.", "1e", "1e+", "1/2/3", "1.5/2", "--1", "1/-2", "/2", "2/", "abc", "1,5", ".", "e5", "+"})
    CHECK(exact_reason(bad).find("not an exact scalar") != std::string::npos);
  CHECK(exact_reason("1e100001").find("decimal exponent beyond +-100000") != std::string::npos);
  CHECK(exact_reason("1e-100001").find("decimal exponent beyond +-100000") != std::string::npos);
  CHECK(exact_reason("1e99999999999999999999999").find("decimal exponent") != std::string::npos);
  CHECK(exact_reason(std::string(1'000'001, '7')).find("more than 1000000 digits") != std::string::npos);
  CHECK(exact_reason(std::string(600'000, '7') + "/" + std::string(500'000, '3')).find("more than 1000000 digits") !=
        std::string::npos);
  CHECK(mhla::parse_exact_scalar(std::string(1'000'000, '7')));
}

TEST_CASE("binary64 semantics round to the nearest double and take it exactly") {
  CHECK(binary64("0.1") == q("3602879701896397", "36028797018963968"));
  CHECK(binary64("9007199254740993") == q("9007199254740992"));  // 2^53 + 1: tie to even
  CHECK(binary64("9007199254740995") == q("9007199254740996"));
  CHECK(binary64("1e23") == q("99999999999999991611392"));
  CHECK(binary64("-2.5") == q("-5", "2"));
  CHECK(binary64("1e-400") == q("0"));
  CHECK(binary64("4.9e-324") == Rational(Integer(1), Integer(1) << 1074));
  CHECK(mhla::parse_binary64_scalar("1e400").reason == "\"1e400\" overflows binary64");
  CHECK_FALSE(mhla::parse_binary64_scalar("1/3"));
  CHECK_FALSE(mhla::parse_binary64_scalar("nan"));
  CHECK_FALSE(mhla::parse_binary64_scalar("0x10"));
  CHECK(mhla::parse_scalar("0.1", mhla::NumberSemantics::exact).value == q("1", "10"));
}

TEST_CASE("printing and parsing random rationals with 30+ digit parts round-trips exactly") {
  std::mt19937_64 rng(20240611);
  for (int i = 0; i < 200; ++i) {
    const Integer num(random_digits(rng, 30 + rng() % 40)), den(random_digits(rng, 30 + rng() % 40));
    const Rational x = (i % 2 ? Rational(-1) : Rational(1)) * Rational(num, den);
    CHECK(exact(mhla::to_string(x)) == x);
    // The same value as a decimal with an exponent: num * 10^-k.
    const int k = static_cast<int>(rng() % 50);
    const Rational dec = Rational(num, boost::multiprecision::pow(Integer(10), static_cast<unsigned>(k)));
    CHECK(exact(num.str() + "e-" + std::to_string(k)) == dec);
  }
}

TEST_CASE("decimal_upper_bound rounds up to the given significant digits") {
  using mhla::decimal_upper_bound;
  CHECK(decimal_upper_bound(q("0"), 3) == "0");
  CHECK(decimal_upper_bound(q("1"), 3) == "1");
  CHECK(decimal_upper_bound(q("1", "3"), 3) == "3.34e-1");
  CHECK(decimal_upper_bound(q("2", "3"), 3) == "6.67e-1");
  CHECK(decimal_upper_bound(q("123"), 3) == "1.23e2");
  CHECK(decimal_upper_bound(q("1231"), 3) == "1.24e3");
  CHECK(decimal_upper_bound(q("1999", "2"), 3) == "1e3");
  CHECK(decimal_upper_bound(q("1", "1000"), 3) == "1e-3");
  CHECK(decimal_upper_bound(q("1", "1001"), 3) == "1e-3");  // 9.990009...e-4 rounds up
  CHECK(decimal_upper_bound(q("1", "1002"), 3) == "9.99e-4");
  std::mt19937_64 rng(7);
  for (int i = 0; i < 100; ++i) {  // the bound is >= q and within one unit in the last digit
    const Rational x(Integer(random_digits(rng, 1 + rng() % 30)), Integer(random_digits(rng, 1 + rng() % 30)));
    const Rational b = exact(decimal_upper_bound(x, 3));
    CHECK(b >= x);
    CHECK(b <= x * Rational(101, 100));
  }
  CHECK_THROWS(decimal_upper_bound(q("-1"), 3));
}

TEST_CASE("short_decimal rounds to nearest with the given significant digits, exactly") {
  using mhla::short_decimal;
  CHECK(short_decimal(q("0"), 3) == "0");
  CHECK(short_decimal(q("1", "3"), 3) == "3.33e-1");
  CHECK(short_decimal(q("2", "3"), 3) == "6.67e-1");
  CHECK(short_decimal(q("-2", "3"), 2) == "-6.7e-1");
  CHECK(short_decimal(q("1235"), 3) == "1.24e3");  // tie away from zero
  CHECK(short_decimal(q("1234"), 3) == "1.23e3");
  CHECK(short_decimal(q("9996"), 3) == "1e4");
  CHECK(short_decimal(q("5"), 1) == "5");
  std::mt19937_64 rng(11);
  for (int i = 0; i < 200; ++i) {  // within half a unit in the last digit: |s - x| <= |x| / 2 10^-(k-1)
    Rational x(Integer(random_digits(rng, 1 + rng() % 40)), Integer(random_digits(rng, 1 + rng() % 40)));
    if (rng() % 2) x = -x;
    const unsigned k = 1 + static_cast<unsigned>(rng() % 6);
    const Rational s = exact(short_decimal(x, k));
    const Rational err = s > x ? s - x : x - s;
    const Rational ax = x < 0 ? -x : x;
    CHECK(err * 2 * boost::multiprecision::pow(Integer(10), k - 1) <= ax);
    CHECK((s < 0) == (x < 0));
  }
  CHECK_THROWS(short_decimal(q("1"), 0));
}
