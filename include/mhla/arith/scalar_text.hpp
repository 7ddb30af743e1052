// SPDX-License-Identifier: MIT
// Scalars as text (interface.md, "Numbers in JSON").
//
// An exact scalar is one of
//   [+-]?digits                                    an integer of any size
//   [+-]?digits/digits                             a fraction; a zero denominator is an error
//   [+-]?(digits[.digits]|.digits)([eE][+-]?digits)?   the decimal it spells, exactly
// with at most max_scalar_digits digits in all and a decimal exponent within
// +-max_decimal_exponent. Exact parsing never goes through double: 1.5e-3 is 3/2000.
// Under binary64 semantics (for JSON number text only) the text is rounded to the nearest
// binary64 value (glibc strtod, correctly rounded, C locale) and that value is taken exactly;
// overflow to infinity is an error, underflow gives the correctly rounded subnormal or zero.
// Parsing never throws on bad text: the result carries a short reason instead, which callers
// wrap with the file and JSON path.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "mhla/arith/scalar.hpp"

namespace mhla {

inline constexpr std::size_t max_scalar_digits = 1'000'000;
inline constexpr long max_decimal_exponent = 100'000;

// What a JSON number means: the exact decimal it spells, or the nearest binary64 value.
enum class NumberSemantics { exact, binary64 };

// The value of a scalar text, or the reason it has none.
struct ScalarParse {
  std::optional<Rational> value;
  std::string reason;  // empty exactly when value is set
  explicit operator bool() const noexcept { return value.has_value(); }
};

// The exact value of text per the grammar above.
ScalarParse parse_exact_scalar(std::string_view text);

// The binary64 value nearest to the decimal (or integer) text, taken exactly. Fractions p/q
// are rejected: binary64 semantics apply to JSON numbers, which have no such form.
ScalarParse parse_binary64_scalar(std::string_view text);

// parse_exact_scalar or parse_binary64_scalar, by semantics.
ScalarParse parse_scalar(std::string_view text, NumberSemantics semantics);

// The text in double quotes for a message, with control bytes escaped and anything past
// 40 characters elided.
std::string quote_for_message(std::string_view text);

// The smallest decimal with at most significant_digits significant digits that is >= q,
// written "d.ddde-N" (trailing zeros dropped, no exponent when it is 0); "0" for q = 0.
// Computed exactly from q. Preconditions (checked, Error(internal)): q >= 0,
// 1 <= significant_digits <= 50.
std::string decimal_upper_bound(const Rational& q, unsigned significant_digits);

// q rounded to nearest (ties away from zero) with at most significant_digits significant
// digits, in the same "d.ddde-N" form, with a leading "-" for q < 0; "0" for q = 0. For human
// summaries of exact values (a 14,000-digit loss reads "1.8e-6"); the exact value stays in the
// files. Exact from q (no float). Precondition (checked, Error(internal)): 1 <= digits <= 50.
std::string short_decimal(const Rational& q, unsigned significant_digits = 3);

}  // namespace mhla
