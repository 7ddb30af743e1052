// SPDX-License-Identifier: MIT
#include "mhla/crosscheck/rounding_bound.hpp"

#include "mhla/arith/scalar_text.hpp"
#include "mhla/support/error.hpp"

namespace mhla::crosscheck {

unsigned precision_bits(const std::string& dtype) {
  if (dtype == "float64") return 53;
  if (dtype == "float32") return 24;
  if (dtype == "tf32") return 11;
  if (dtype == "float16") return 11;
  if (dtype == "bfloat16") return 8;
  fail(ErrorKind::usage,
       "crosscheck: --dtype must be float64, float32, tf32, float16 or bfloat16 (or auto), got '" + dtype + "'");
}

std::optional<Rational> gamma(std::size_t K, unsigned bits) {
  const Rational Ku = Rational(Integer(K), Integer(1) << bits);
  if (Ku >= 1) return std::nullopt;
  return Ku / (Rational(1) - Ku);
}

std::string dtype_of_descr(const std::string& descr) {
  if (descr.size() != 3 || descr[1] != 'f') return "";
  return descr[2] == '8' ? "float64" : descr[2] == '4' ? "float32" : descr[2] == '2' ? "float16" : "";
}

std::string resolve_dtype(const std::string& option, const std::string& detected, const std::string& file) {
  const std::string dtype = option == "auto" ? detected : option;
  if (dtype.empty())
    fail(ErrorKind::usage, "crosscheck: cannot tell the floating-point format of " + file +
                               "; give --dtype float64|float32|tf32|float16|bfloat16");
  precision_bits(dtype);  // validates
  return dtype;
}

bool CheckCounts::add(const Rational& error, const Rational& bound) {
  const bool within = error <= bound;
  ++checked;
  beyond += within ? 0 : 1;
  if (bound > 0) {
    const Rational ratio = error / bound;
    if (!worst_ratio || ratio > *worst_ratio) worst_ratio = ratio;
  } else if (!within) {
    zero_bound_miss = true;
  }
  return within;
}

void CheckCounts::write(OrderedJson& doc) const {
  doc["entries"] = checked;
  doc["entries_beyond_bound"] = beyond;
  doc["max_error_over_bound"] = zero_bound_miss ? OrderedJson("inf (an entry with bound 0 differs)")
                                : worst_ratio   ? OrderedJson(decimal_upper_bound(*worst_ratio, 6))
                                                : OrderedJson("0");
}

}  // namespace mhla::crosscheck
