// SPDX-License-Identifier: MIT
#include "mhla/arith/scalar_text.hpp"

#include <locale.h>

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>

#include "mhla/support/error.hpp"

namespace mhla {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::size_t count_digits(std::string_view s, std::size_t from) {
  std::size_t i = from;
  while (i < s.size() && is_digit(s[i])) ++i;
  return i - from;
}

// The pieces of a decimal text [+-]?(int[.frac]|.frac)([eE][+-]?exp)? once the grammar is checked.
struct DecimalParts {
  bool negative = false;
  std::string_view integer_digits, fraction_digits;
  long exponent = 0;
};

// The pieces of a fraction text [+-]?num/den.
struct FractionParts {
  bool negative = false;
  std::string_view numerator, denominator;
};

ScalarParse failure(std::string reason) { return ScalarParse{std::nullopt, std::move(reason)}; }
ScalarParse success(Rational q) { return ScalarParse{std::move(q), {}}; }

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// Reasons that apply to any scalar text before its grammar is looked at.
std::string obvious_rejection(std::string_view text) {
  if (text.empty()) return "empty scalar";
  for (char c : text)
    if (std::isspace(static_cast<unsigned char>(c))) return "white space in scalar " + quote_for_message(text);
  std::string_view body = text;
  if (body[0] == '+' || body[0] == '-') body.remove_prefix(1);
  for (std::string_view word : {"nan", "inf", "infinity"})
    if (equals_ignoring_case(body, word)) return "not a finite number: " + quote_for_message(text);
  if (body.size() >= 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X'))
    return "hexadecimal is not accepted: " + quote_for_message(text);
  return {};
}

std::string grammar_rejection(std::string_view text) {
  return "not an exact scalar: " + quote_for_message(text) + " (expected an integer, p/q, or a decimal such as 1.5e-3)";
}

// Parses the exponent digits (after an optional sign) of text starting at i; text must end there.
// Returns false (with reason) when the digits are missing or the exponent is out of range.
bool parse_exponent(std::string_view text, std::size_t i, long& exponent, std::string& reason) {
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  const std::size_t n = count_digits(text, i);
  if (n == 0 || i + n != text.size()) {
    reason = grammar_rejection(text);
    return false;
  }
  std::string_view digits = text.substr(i, n);
  while (digits.size() > 1 && digits[0] == '0') digits.remove_prefix(1);
  long value = 0;
  if (digits.size() <= 7)
    for (char c : digits) value = value * 10 + (c - '0');
  if (digits.size() > 7 || value > max_decimal_exponent) {
    reason = "decimal exponent beyond +-" + std::to_string(max_decimal_exponent) + " in " + quote_for_message(text);
    return false;
  }
  exponent = negative ? -value : value;
  return true;
}

std::string too_many_digits(std::string_view text) {
  return "more than " + std::to_string(max_scalar_digits) + " digits in " + quote_for_message(text);
}

// Splits a decimal text into its pieces, or says why it is not one.
bool split_decimal(std::string_view text, DecimalParts& parts, std::string& reason) {
  std::size_t i = 0;
  if (text[0] == '+' || text[0] == '-') parts.negative = text[i++] == '-';
  const std::size_t int_len = count_digits(text, i);
  parts.integer_digits = text.substr(i, int_len);
  i += int_len;
  if (i < text.size() && text[i] == '.') {
    const std::size_t frac_len = count_digits(text, i + 1);
    if (frac_len == 0) {
      reason = grammar_rejection(text);
      return false;
    }
    parts.fraction_digits = text.substr(i + 1, frac_len);
    i += 1 + frac_len;
  }
  if (parts.integer_digits.empty() && parts.fraction_digits.empty()) {
    reason = grammar_rejection(text);
    return false;
  }
  if (parts.integer_digits.size() + parts.fraction_digits.size() > max_scalar_digits) {
    reason = too_many_digits(text);
    return false;
  }
  if (i == text.size()) return true;
  if (text[i] != 'e' && text[i] != 'E') {
    reason = grammar_rejection(text);
    return false;
  }
  return parse_exponent(text, i + 1, parts.exponent, reason);
}

bool split_fraction(std::string_view text, std::size_t slash, FractionParts& parts, std::string& reason) {
  std::size_t i = 0;
  if (text[0] == '+' || text[0] == '-') parts.negative = text[i++] == '-';
  parts.numerator = text.substr(i, slash - i);
  parts.denominator = text.substr(slash + 1);
  if (parts.numerator.empty() || parts.denominator.empty() || count_digits(parts.numerator, 0) != parts.numerator.size() ||
      count_digits(parts.denominator, 0) != parts.denominator.size()) {
    reason = grammar_rejection(text);
    return false;
  }
  if (parts.numerator.size() + parts.denominator.size() > max_scalar_digits) {
    reason = too_many_digits(text);
    return false;
  }
  return true;
}

// The integer whose decimal digits are s (leading zeros allowed, empty = 0).
Integer integer_from_digits(std::string_view s) {
  while (s.size() > 1 && s[0] == '0') s.remove_prefix(1);
  if (s.empty()) return Integer(0);
  return Integer(std::string(s));
}

Integer power_of_ten(unsigned long e) { return bmp::pow(Integer(10), static_cast<unsigned>(e)); }

Rational decimal_value(const DecimalParts& p) {
  // value = (integer_digits fraction_digits) * 10^(exponent - |fraction_digits|), exactly.
  std::string digits(p.integer_digits);
  digits.append(p.fraction_digits);
  const Integer mantissa = integer_from_digits(digits);
  const long scale = p.exponent - static_cast<long>(p.fraction_digits.size());
  Rational value = scale >= 0 ? Rational(mantissa * power_of_ten(static_cast<unsigned long>(scale)))
                              : Rational(mantissa, power_of_ten(static_cast<unsigned long>(-scale)));
  return p.negative ? Rational(-value) : value;
}

const locale_t c_locale = newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(nullptr));

}  // namespace

std::string quote_for_message(std::string_view text) {
  constexpr std::size_t shown = 40;
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size() && i < shown; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
      static const char hex[] = "0123456789abcdef";
      if (c == '"' || c == '\\') {
        out.push_back('\\');
        out.push_back(static_cast<char>(c));
      } else {
        out += "\\x";
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 15]);
      }
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  if (text.size() > shown) out += "...";
  out += "\"";
  return out;
}

ScalarParse parse_exact_scalar(std::string_view text) {
  if (std::string reason = obvious_rejection(text); !reason.empty()) return failure(std::move(reason));
  std::string reason;
  if (const std::size_t slash = text.find('/'); slash != std::string_view::npos) {
    FractionParts parts;
    if (!split_fraction(text, slash, parts, reason)) return failure(std::move(reason));
    const Integer den = integer_from_digits(parts.denominator);
    if (den == 0) return failure("zero denominator in " + quote_for_message(text));
    const Rational q(integer_from_digits(parts.numerator), den);  // canonicalised by GMP
    return success(parts.negative ? Rational(-q) : q);
  }
  DecimalParts parts;
  if (!split_decimal(text, parts, reason)) return failure(std::move(reason));
  return success(decimal_value(parts));
}

ScalarParse parse_binary64_scalar(std::string_view text) {
  if (std::string reason = obvious_rejection(text); !reason.empty()) return failure(std::move(reason));
  std::string reason;
  DecimalParts parts;
  if (text.find('/') != std::string_view::npos || !split_decimal(text, parts, reason))
    return failure(reason.empty() ? grammar_rejection(text) : reason);
  // The grammar is checked, so strtod reads the whole text as a decimal (never hex, inf or nan).
  const std::string copy(text);
  char* end = nullptr;
  const double x = strtod_l(copy.c_str(), &end, c_locale);
  if (end != copy.c_str() + copy.size()) fail(ErrorKind::internal, "parse_binary64_scalar: strtod stopped early");
  if (std::isinf(x)) return failure(quote_for_message(text) + " overflows binary64");
  return success(to_rational(x));
}

ScalarParse parse_scalar(std::string_view text, NumberSemantics semantics) {
  return semantics == NumberSemantics::exact ? parse_exact_scalar(text) : parse_binary64_scalar(text);
}

namespace {

// |q| (q != 0) as m * 10^shift with `digits` significant digits in m, rounded up (away from
// zero) or to nearest (ties away from zero); written "d.ddde-N" with trailing zeros dropped.
std::string decimal_with_digits(const Rational& magnitude, unsigned significant_digits, bool round_up) {
  const auto pow10 = [](long e) {
    return e >= 0 ? Rational(power_of_ten(static_cast<unsigned long>(e)))
                  : Rational(Integer(1), power_of_ten(static_cast<unsigned long>(-e)));
  };
  const Rational& q = magnitude;
  // e with 10^e <= q < 10^(e+1): start from the bit lengths, then correct exactly.
  const long bits = static_cast<long>(msb(numerator(q))) - static_cast<long>(msb(denominator(q)));
  long e = static_cast<long>(std::floor(static_cast<double>(bits) * 0.30102999566398120));
  while (pow10(e) > q) --e;
  while (pow10(e + 1) <= q) ++e;
  // m = ceil (or round) of q / 10^(e - digits + 1) has `digits` digits, or is 10^digits after rounding.
  const long shift = e - static_cast<long>(significant_digits) + 1;
  const Rational scaled = q / pow10(shift);
  Integer m = numerator(scaled) / denominator(scaled);
  if (round_up) {
    if (Rational(m) < scaled) m += 1;
  } else if (2 * (scaled - Rational(m)) >= 1) {
    m += 1;
  }
  std::string digits = m.str();
  if (digits.size() > significant_digits) {  // m = 10^digits: one more decade
    digits.resize(significant_digits);
    ++e;
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::string out(1, digits[0]);
  if (digits.size() > 1) out.append(".").append(digits, 1, std::string::npos);
  if (e != 0) out.append("e").append(std::to_string(e));
  return out;
}

}  // namespace

std::string decimal_upper_bound(const Rational& q, unsigned significant_digits) {
  if (q < 0) fail(ErrorKind::internal, "decimal_upper_bound: negative value");
  if (significant_digits < 1 || significant_digits > 50)
    fail(ErrorKind::internal, "decimal_upper_bound: significant digits out of range");
  if (q == 0) return "0";
  return decimal_with_digits(q, significant_digits, true);
}

std::string short_decimal(const Rational& q, unsigned significant_digits) {
  if (significant_digits < 1 || significant_digits > 50)
    fail(ErrorKind::internal, "short_decimal: significant digits out of range");
  if (q == 0) return "0";
  if (q < 0) return "-" + decimal_with_digits(-q, significant_digits, false);
  return decimal_with_digits(q, significant_digits, false);
}

}  // namespace mhla
