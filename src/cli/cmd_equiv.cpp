// SPDX-License-Identifier: MIT
// mhla equiv --model A --model B
// Decides whether two models compute the same function on every input (Lemma Q1: equal weight
// vectors, the paper's Corollary A.4); if not, prints an input where they differ, verified by
// evaluating both models on it exactly. Exit 0 equivalent, 1 not (interface.md).
#include <memory>

#include "command.hpp"
#include "mhla/arith/scalar_text.hpp"
#include "mhla/features/equivalence.hpp"
#include "mhla/io/files.hpp"
#include "mhla/io/json_output.hpp"
#include "mhla/io/model_file.hpp"

namespace mhla::cli {
namespace {

struct EquivOptions {
  std::vector<std::string> model_paths;
  std::string output_path = "-";
};

OrderedJson column_json(const std::vector<Rational>& y) {
  OrderedJson j = OrderedJson::array();
  for (const Rational& x : y) j.push_back(exact_scalar_json(x));
  return j;
}

// The largest |w_a(A)[i] - w_a(B)[i]| over a and the feature index i (canonical (j, k, l) order),
// exact, with where it is. For a causal and a non-causal model the two weight vectors describe
// different functions; the difference is still reported (both zero iff equivalent).
struct WeightGap {
  Rational max_abs;
  std::size_t a = 0, index = 0;
};
WeightGap largest_weight_difference(const Model<Rational>& A, const Model<Rational>& B) {
  const Matrix<Rational> wa = weights(A), wb = weights(B);
  WeightGap g;
  for (std::size_t a = 0; a < wa.rows(); ++a)
    for (std::size_t i = 0; i < wa.cols(); ++i) {
      const Rational diff = abs(wa(a, i) - wb(a, i));
      if (diff > g.max_abs) g = {diff, a, i};
    }
  return g;
}

int run_equiv(const EquivOptions& opts, const GlobalOptions& global) {
  if (opts.model_paths.size() != 2) fail(ErrorKind::usage, "equiv: give exactly two --model files");
  if (opts.model_paths[0] == "-" && opts.model_paths[1] == "-")
    fail(ErrorKind::usage, "equiv: the two models cannot both be standard input");
  const Model<Rational> A = read_model(opts.model_paths[0]), B = read_model(opts.model_paths[1]);
  if (A.d != B.d)
    fail(ErrorKind::bad_input, input_display_name(opts.model_paths[1]) + ": $.d: d = " + std::to_string(B.d) +
                                   " differs from d = " + std::to_string(A.d) + " of " +
                                   input_display_name(opts.model_paths[0]));
  const Equivalence e = decide_equivalence(A, B);
  OrderedJson doc{{"equivalent", e.equivalent}};
  if (e.distinguishing) {
    doc["distinguishing_input"] = OrderedJson{{"Z", exact_matrix_json(e.distinguishing->Z)},
                                              {"position", e.distinguishing->position}};
    doc["outputs"] = OrderedJson::array({column_json(e.distinguishing->output_a), column_json(e.distinguishing->output_b)});
  }
  std::string summary = "equivalent: the models have equal weight vectors (the same function on every input)";
  if (!e.equivalent) {
    const WeightGap g = largest_weight_difference(A, B);
    Rational out_gap = 0;
    if (e.distinguishing)
      for (std::size_t a = 0; a < A.d; ++a)
        out_gap = std::max(out_gap, Rational(abs(e.distinguishing->output_a[a] - e.distinguishing->output_b[a])));
    doc["max_weight_difference"] = OrderedJson{{"value", exact_scalar_json(g.max_abs)},
                                               {"decimal", short_decimal(g.max_abs)},
                                               {"a", g.a},
                                               {"feature_index", g.index}};
    doc["max_output_difference_at_input"] = OrderedJson{{"value", exact_scalar_json(out_gap)}, {"decimal", short_decimal(out_gap)}};
    summary = "not equivalent: the largest weight difference is " + short_decimal(g.max_abs) + " (coordinate " +
              std::to_string(g.a) + ", feature " + std::to_string(g.index) + "); the outputs differ by up to " +
              short_decimal(out_gap) + " at the distinguishing input";
    if (A.causal != B.causal) summary += " (one model is causal, the other not)";
  }
  write_json_file(opts.output_path, doc);
  print_summary(global, "equiv", summary);
  return e.equivalent ? 0 : 1;
}

}  // namespace

Subcommand add_equiv_command(CLI::App& app) {
  auto opts = std::make_shared<EquivOptions>();
  CLI::App* sub = app.add_subcommand("equiv", "Decides whether two models compute the same function");
  sub->add_option("--model", opts->model_paths, "A model file; give --model twice")->required()->expected(1)->take_all();
  sub->add_option("-o,--output", opts->output_path, "Output file, written atomically (default - = standard output)");
  sub->footer(
      "Equivalent iff the weight vectors w_a of the two models are equal (Corollary A.4 of the paper;\n"
      "a causal and a non-causal model only when both are zero). Output: {\"equivalent\": bool} and, if\n"
      "not, \"distinguishing_input\": {\"Z\", \"position\"} and \"outputs\": the two models' outputs there,\n"
      "computed exactly, \"max_weight_difference\" (max |w_a(A) - w_a(B)| over a and the features: exact value,\n"
      "short decimal, a, feature_index) and \"max_output_difference_at_input\". Exit 0 equivalent, 1 not.");
  return {sub, [opts](const GlobalOptions& global) { return run_equiv(*opts, global); }};
}

}  // namespace mhla::cli
