// SPDX-License-Identifier: MIT
#include "mhla/crosscheck/their_outputs.hpp"

#include <memory>

#include "mhla/crosscheck/rounding_bound.hpp"
#include "mhla/io/json.hpp"
#include "mhla/io/json_scalars.hpp"
#include "mhla/io/npz.hpp"
#include "mhla/support/error.hpp"

namespace mhla::crosscheck {
namespace {

// "(N, n, d) = (3, 4, 3)" style explanation of the shapes accepted.
std::string expected_shapes(const Dataset& inputs, std::size_t d) {
  const std::size_t N = inputs.samples.size();
  std::size_t n_min = 0, n_max = 0;
  for (std::size_t i = 0; i < N; ++i) {
    const std::size_t n = inputs.samples[i].Z.cols();
    n_min = i == 0 ? n : std::min(n_min, n);
    n_max = i == 0 ? n : std::max(n_max, n);
  }
  const std::string n_text = n_min == n_max ? std::to_string(n_min) : "n";
  return "expected (N, n, d) = (" + std::to_string(N) + ", " + n_text + ", " + std::to_string(d) + ") (every position) or (N, d) = (" +
         std::to_string(N) + ", " + std::to_string(d) + ") (the last position only): N = " + std::to_string(N) +
         " inputs in the dataset, " + (n_min == n_max ? "n = " + n_text + " tokens each" : "inputs of different lengths n") +
         ", d = " + std::to_string(d) + " the model's dimension";
}

TheirOutputs from_npz(std::string_view bytes, const std::string& source, const Dataset& inputs, std::size_t d) {
  const std::size_t N = inputs.samples.size();
  const auto arrays = npz::read_npz(bytes, source);
  const auto y = arrays.find("Y");
  if (y == arrays.end() || arrays.size() != 1)
    fail(ErrorKind::bad_input, source + ": expected exactly one array Y; " + expected_shapes(inputs, d));
  const npz::Array& a = y->second;
  TheirOutputs out;
  out.dtype = dtype_of_descr(a.descr);
  if (a.shape.size() == 2 && a.shape[0] == N && a.shape[1] == d) {
    out.last_only = true;
    for (std::size_t i = 0; i < N; ++i) {
      Matrix<Rational> m(d, 1);
      for (std::size_t k = 0; k < d; ++k) m(k, 0) = a.values[i * d + k];
      out.Y.push_back(std::move(m));
    }
  } else if (a.shape.size() == 3 && a.shape[0] == N && a.shape[2] == d && a.shape[1] >= 1) {
    const std::size_t n = a.shape[1];
    for (std::size_t i = 0; i < N; ++i) {
      Matrix<Rational> m(d, n);
      for (std::size_t t = 0; t < n; ++t)
        for (std::size_t k = 0; k < d; ++k) m(k, t) = a.values[(i * n + t) * d + k];  // file Y[i] is n x d
      out.Y.push_back(std::move(m));
    }
  } else {
    std::string hint;
    if (a.shape.size() == 3 && a.shape[0] == N && a.shape[1] == d && a.shape[2] != d)
      hint = " (is Y[i] stored d x n? the file's Y[i] must be n x d, one row per token)";
    fail(ErrorKind::bad_input, source + ": Y: got shape " + npz::shape_text(a.shape) + "; " + expected_shapes(inputs, d) + hint);
  }
  return out;
}

Rational read_output_scalar(const json::Located& at, NumberSemantics semantics) {
  if (at.kind() != json::Value::Kind::string) return read_scalar(at, semantics);
  const ScalarParse p = parse_scalar(at.as_string(), semantics);
  if (!p) at.fail(p.reason);
  return *p.value;
}

TheirOutputs from_json(std::string_view text, const std::string& source, std::size_t N, std::size_t d) {
  const json::Value tree = json::parse_json(text, source);
  const json::Located root(tree, std::make_shared<const std::string>(source));
  check_format_header(root, "mhla-outputs", 1);
  // Unknown keys are bad input (interface.md); mpfr's precision_bits is for reading only.
  root.expect_keys({"format", "version", "arith", "number_semantics", "outputs"}, {"precision_bits", "description", "comment"});
  std::string arith = "exact";
  if (const auto a = root.optional_member("arith")) arith = a->as_string();
  // binary64 strings are shortest decimals of the computed doubles: read them as binary64.
  const NumberSemantics semantics = arith == "binary64" ? NumberSemantics::binary64 : number_semantics_of(root);
  TheirOutputs out;
  out.dtype = arith == "binary64" ? "float64" : "";
  const json::Located outputs = root.member("outputs");
  if (outputs.array_size() != N)
    outputs.fail("expected " + std::to_string(N) + " outputs (one per input), got " + std::to_string(outputs.array_size()));
  for (std::size_t i = 0; i < N; ++i) {
    const json::Located entry = outputs.element(i);
    entry.expect_keys({"Y"}, {"error_bound", "error_bound_unavailable"});  // the bounds: informational here
    const json::Located Y = entry.member("Y");
    if (Y.array_size() != d) Y.fail("expected d = " + std::to_string(d) + " rows (the model's dimension)");
    const std::size_t n = Y.element(0).array_size();
    Matrix<Rational> m(d, n);
    for (std::size_t a = 0; a < d; ++a) {
      const json::Located row = Y.element(a);
      if (row.array_size() != n) row.fail("rows of different lengths");
      for (std::size_t b = 0; b < n; ++b) m(a, b) = read_output_scalar(row.element(b), semantics);
    }
    out.Y.push_back(std::move(m));
  }
  return out;
}

}  // namespace

TheirOutputs read_their_outputs(std::string_view bytes, const std::string& source, const Dataset& inputs, std::size_t d) {
  const std::size_t N = inputs.samples.size();
  TheirOutputs theirs = npz::has_zip_magic(bytes) ? from_npz(bytes, source, inputs, d) : from_json(bytes, source, N, d);
  for (std::size_t i = 0; i < N; ++i)
    if (!theirs.last_only && theirs.Y[i].cols() != inputs.samples[i].Z.cols())
      fail(ErrorKind::bad_input, source + ": output " + std::to_string(i) + " has " + std::to_string(theirs.Y[i].cols()) +
                                     " positions; the input has n = " + std::to_string(inputs.samples[i].Z.cols()) +
                                     " tokens (one output per token expected, or the last only)");
  return theirs;
}

}  // namespace mhla::crosscheck
