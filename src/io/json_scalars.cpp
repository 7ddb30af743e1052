// SPDX-License-Identifier: MIT
#include "mhla/io/json_scalars.hpp"

#include <limits>
#include <string>
#include <vector>

#include "mhla/features/features.hpp"
#include "mhla/io/memory_limit.hpp"

namespace mhla {

void check_format_header(const json::Located& root, std::string_view expected_format, std::size_t supported_version) {
  root.expect_object();
  const json::Located format = root.member("format");
  if (format.kind() != json::Value::Kind::string)
    format.fail("expected the string " + quote_for_message(expected_format) + ", got " + json::describe_kind(format.kind()));
  if (format.as_string() != expected_format)
    format.fail("unknown format " + quote_for_message(format.as_string()) + " (expected " + quote_for_message(expected_format) + ")");
  const json::Located version = root.member("version");
  const json::Value& v = version.value();
  if (v.kind != json::Value::Kind::number || v.text != std::to_string(supported_version))
    version.fail("unknown version " + (v.kind == json::Value::Kind::number ? v.text.substr(0, 40) : json::describe_kind(v.kind)) +
                 " of " + std::string(expected_format) + " (this build reads version " + std::to_string(supported_version) + ")");
}

void check_dimension_fits(std::size_t d, const std::string& where) {
  if (feature_dim(d) == 0)
    fail(ErrorKind::resource_limit,
         where + ": d = " + std::to_string(d) + " is too large: the feature dimension d^2(d+1)/2 overflows 64 bits");
  const double dd = static_cast<double>(d);
  check_memory_estimate(where + ": one d x d matrix", dd * dd * estimated_bytes_per_rational, "d = " + std::to_string(d));
}

ShapeHeader read_shape_header(const json::Located& root, std::string_view expected_format, std::size_t supported_version) {
  check_format_header(root, expected_format, supported_version);
  ShapeHeader header;
  header.semantics = number_semantics_of(root);
  const json::Located d = root.member("d");
  header.d = d.as_size(1, std::numeric_limits<std::size_t>::max());
  check_dimension_fits(header.d, root.source_name() + ": " + d.path());
  if (const auto causal = root.optional_member("causal")) header.causal = causal->as_bool();
  return header;
}

NumberSemantics number_semantics_of(const json::Located& root) {
  const std::optional<json::Located> semantics = root.optional_member("number_semantics");
  if (!semantics) return NumberSemantics::exact;
  const std::string& name = semantics->as_string();
  if (name == "exact") return NumberSemantics::exact;
  if (name == "binary64") return NumberSemantics::binary64;
  semantics->fail("unknown number semantics " + quote_for_message(name) + " (expected \"exact\" or \"binary64\")");
}

Rational read_scalar(const json::Located& at, NumberSemantics semantics) {
  ScalarParse parsed;
  if (at.kind() == json::Value::Kind::number) parsed = parse_scalar(at.value().text, semantics);
  else if (at.kind() == json::Value::Kind::string) parsed = parse_exact_scalar(at.value().text);
  else at.fail("expected a number or a string holding an exact scalar, got " + json::describe_kind(at.kind()));
  if (!parsed) at.fail(parsed.reason);
  return std::move(*parsed.value);
}

std::optional<Rational> read_optional_scalar(const json::Located& at, NumberSemantics semantics) {
  if (at.kind() == json::Value::Kind::null) return std::nullopt;
  return read_scalar(at, semantics);
}

Matrix<Rational> read_matrix(const json::Located& at, std::string_view what, std::size_t rows,
                             std::optional<std::size_t> cols, NumberSemantics semantics) {
  const std::size_t row_count = at.array_size();
  if (row_count != rows)
    at.fail(std::string(what) + " has " + std::to_string(row_count) + " rows; expected d = " + std::to_string(rows));
  std::size_t width = 0;
  std::vector<Rational> entries;
  for (std::size_t i = 0; i < rows; ++i) {
    const json::Located row = at.element(i);
    const std::size_t length = row.array_size();
    if (i == 0) {
      width = cols.value_or(length);
      if (width == 0) row.fail(std::string(what) + " has no columns; at least one is required");
      // No reserve(rows * width): later rows may be short, and a reservation sized by the
      // first row could dwarf the file; push_back grows with the entries actually read.
    }
    if (length != width)
      row.fail("row has " + std::to_string(length) + " entries; " +
               (cols ? std::string(what) + " must have " + std::to_string(width) + " columns" : "row 0 has " + std::to_string(width)));
    for (std::size_t j = 0; j < width; ++j) entries.push_back(read_scalar(row.element(j), semantics));
  }
  return Matrix<Rational>(rows, width, std::move(entries));
}

}  // namespace mhla
