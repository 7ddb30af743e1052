// SPDX-License-Identifier: MIT
// mhla equiv --model A --model B
// Decides whether two models compute the same function on every input (Lemma Q1: equal weight
// vectors, the paper's Corollary A.4); if not, prints an input where they differ, verified by
// evaluating both models on it exactly. Exit 0 equivalent, 1 not (interface.md).
#include <memory>

#include "command.hpp"
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
  write_json_file(opts.output_path, doc);
  print_summary(global, "equiv",
                e.equivalent ? "equivalent: the models have equal weight vectors (the same function on every input)"
                             : "not equivalent: they differ at the distinguishing input");
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
      "computed exactly. Exit 0 equivalent, 1 not.");
  return {sub, [opts](const GlobalOptions& global) { return run_equiv(*opts, global); }};
}

}  // namespace mhla::cli
