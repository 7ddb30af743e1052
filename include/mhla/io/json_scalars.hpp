// SPDX-License-Identifier: MIT
// Reading the pieces every mhla file is made of, from a parsed JSON tree (json.hpp), with
// messages "<file>: <json path>: <reason>" (Error(bad_input)):
//   - the header: "format" must be the expected name, "version" a supported number;
//   - the shape of model and dataset files: "d" >= 1, refused up front (Error(resource_limit))
//     when its feature dimension overflows or one d x d matrix exceeds the memory limit,
//     and "causal" (default false);
//   - "number_semantics" at the top level: "exact" (default) or "binary64";
//   - exact scalars: a JSON number (meaning per the semantics) or a string (always exact);
//   - matrices: a list of rows, each a list of scalars, with a required shape.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "mhla/arith/scalar_text.hpp"
#include "mhla/io/json.hpp"
#include "mhla/linalg/matrix.hpp"

namespace mhla {

// Checks "format" == expected_format and "version" == supported_version.
void check_format_header(const json::Located& root, std::string_view expected_format, std::size_t supported_version);

// What model and dataset files share at the top level.
struct ShapeHeader {
  NumberSemantics semantics = NumberSemantics::exact;
  std::size_t d = 0;
  bool causal = false;
};

// check_format_header, number_semantics_of, then "d" (checked by check_dimension_fits) and "causal".
ShapeHeader read_shape_header(const json::Located& root, std::string_view expected_format, std::size_t supported_version);

// Refuses a d whose feature dimension overflows or whose d x d matrices would not fit the
// memory limit (Error(resource_limit)); where names the place in messages ("data.json: $.d").
void check_dimension_fits(std::size_t d, const std::string& where);

// The top-level "number_semantics" ("exact" when absent).
NumberSemantics number_semantics_of(const json::Located& root);

// A scalar: a JSON number (read per semantics) or a string (exact).
Rational read_scalar(const json::Located& at, NumberSemantics semantics);

// A scalar or null (not observed).
std::optional<Rational> read_optional_scalar(const json::Located& at, NumberSemantics semantics);

// A matrix of `rows` rows; every row has `cols` entries, or, when cols is nullopt, the length
// of row 0 (which must be at least 1). what names the matrix in messages ("Z", "V").
Matrix<Rational> read_matrix(const json::Located& at, std::string_view what, std::size_t rows,
                             std::optional<std::size_t> cols, NumberSemantics semantics);

}  // namespace mhla
