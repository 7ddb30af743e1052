// SPDX-License-Identifier: MIT
// mhla learn --dataset D [-o FILE]
// Algorithm 1 done exactly (proofs-notes/06-learner.md): the exact empirical risk minimiser in
// the folded feature space, one least-squares problem per output coordinate (minimum-norm when
// the minimiser is not unique), turned into rank(M) <= d^2 heads by the even split and an exact
// rational rank factorisation. Before writing, the model is checked exactly: its empirical risk,
// evaluated through the model itself, equals the minimum of the linear problem (Lemmas E1, H1).
// Output: a model file with an added "learned" object (interface.md). Exit 0 whenever a
// minimiser was produced; "unique" says whether it is the only one.
#include <memory>
#include <sstream>

#include "command.hpp"
#include "mhla/heads/heads.hpp"
#include "mhla/io/dataset_file.hpp"
#include "mhla/io/files.hpp"
#include "mhla/io/json_output.hpp"
#include "mhla/io/memory_limit.hpp"
#include "mhla/io/model_file.hpp"
#include "mhla/learn/least_squares.hpp"

namespace mhla::cli {
namespace {

struct LearnOptions {
  std::string dataset_path, output_path = "-";
};

int run_learn(const LearnOptions& opts, const GlobalOptions& global) {
  const std::string bytes = read_file_bytes(opts.dataset_path);
  const Dataset ds = parse_dataset_text(bytes, input_display_name(opts.dataset_path));
  const std::size_t D = feature_dim(ds.d);
  std::size_t rows = 0;
  for (const Sample& s : ds.samples) rows += s.targets.size();
  // The reference path holds Phi_a as rationals, its integer scaling and the normal equations.
  check_memory_estimate("learn: the exact least-squares problem",
                        (static_cast<double>(rows) * static_cast<double>(D) * 3 + static_cast<double>(D) * D * 2) * 64,
                        std::to_string(rows) + " rows x " + std::to_string(D) + " features");
  const DatasetFit fit = fit_dataset(ds);
  const Model<Rational> model = heads_from_weights(fit.W, ds.causal);
  const Rational risk = empirical_risk(ds, model);
  if (risk != fit.loss)
    fail(ErrorKind::internal, "learn: the recovered model's empirical risk differs from the least-squares minimum");

  OrderedJson doc = model_json(model);
  OrderedJson coordinates = OrderedJson::array();
  for (const CoordinateFit& c : fit.coordinates) {
    OrderedJson j{{"a", c.a}, {"observed", c.observed}};
    if (c.observed) {
      j["rows"] = c.rows;
      j["rank"] = c.fit.rank;
      j["solution_dim"] = c.fit.solution_dim;
      j["loss"] = exact_scalar_json(c.fit.loss);
    }
    coordinates.push_back(std::move(j));
  }
  doc["learned"] = OrderedJson{{"method", "exact least squares over Q (minimum-norm; Bareiss reference path), "
                                          "even split and exact rational rank factorisation"},
                               {"unique", fit.unique()},
                               {"heads", model.heads.size()},
                               {"feature_dim", D},
                               {"dataset_sha256", sha256_hex(bytes)},
                               {"training_loss", exact_scalar_json(fit.loss)},
                               {"coordinates", std::move(coordinates)}};
  write_json_file(opts.output_path, doc);
  std::ostringstream s;
  s << (fit.unique() ? "the unique" : "a (minimum-norm)") << " empirical risk minimiser, " << model.heads.size()
    << " heads, training loss " << to_string(fit.loss) << ", written to " << output_description(opts.output_path);
  print_summary(global, "learn", s.str());
  return 0;
}

}  // namespace

Subcommand add_learn_command(CLI::App& app) {
  auto opts = std::make_shared<LearnOptions>();
  CLI::App* sub = app.add_subcommand("learn", "Exact empirical risk minimiser (Algorithm 1) as a model file");
  sub->add_option("--dataset", opts->dataset_path, "Dataset file (- for standard input)")->required();
  sub->add_option("-o,--output", opts->output_path, "Output model file, written atomically (default - = standard output)");
  sub->footer(
      "Solves, per output coordinate a, min ||Phi_a w_a - y_a||^2 exactly over Q (the minimum-norm\n"
      "solution when it is not unique), then recovers rank(M) <= d^2 heads from the even split M of the\n"
      "weights by an exact rational rank factorisation (no SVD, no rounding). The model file carries a\n"
      "\"learned\" object: unique, per-coordinate rank and solution_dim, heads, dataset_sha256 and the\n"
      "exact training loss. Exit 0 whenever a minimiser was produced. The dataset's causal flag is used.");
  return {sub, [opts](const GlobalOptions& global) { return run_learn(*opts, global); }};
}

}  // namespace mhla::cli
