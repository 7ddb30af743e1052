// SPDX-License-Identifier: MIT
// JSON output: exact scalars as strings ("p/q" in lowest terms, or an integer), keys in the
// order they were inserted (nlohmann::ordered_json), and a layout that keeps a list of plain
// values on one line (a matrix prints one row per line). Output is complete in memory before
// anything is written (write_json_file), so a failing run writes nothing.
#pragma once
#include <nlohmann/json.hpp>

#include <string>

#include "mhla/arith/scalar.hpp"
#include "mhla/linalg/matrix.hpp"

namespace mhla {

using OrderedJson = nlohmann::ordered_json;

// The exact string of q (interface.md): "-3/7", "12".
OrderedJson exact_scalar_json(const Rational& q);
// A matrix as a list of rows of exact strings.
OrderedJson exact_matrix_json(const Matrix<Rational>& m);
// Any matrix as a list of rows, each entry given by format(entry) (a string).
template <class T, class F>
OrderedJson matrix_json(const Matrix<T>& m, F&& format) {
  OrderedJson rows = OrderedJson::array();
  for (std::size_t i = 0; i < m.rows(); ++i) {
    OrderedJson row = OrderedJson::array();
    for (std::size_t j = 0; j < m.cols(); ++j) row.push_back(format(m(i, j)));
    rows.push_back(std::move(row));
  }
  return rows;
}

// The opening keys of a model or dataset file: format, version, d, causal (in that order).
OrderedJson shape_header_json(const char* format, std::size_t version, std::size_t d, bool causal);

// The document as text, two-space indentation, arrays of non-containers on one line, and a
// final newline.
std::string render_json(const OrderedJson& document);

// render_json, then write_file_atomically (files.hpp); "-" is standard output.
void write_json_file(const std::string& path, const OrderedJson& document);

}  // namespace mhla
