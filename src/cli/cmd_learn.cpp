// SPDX-License-Identifier: MIT
// mhla learn --dataset D [--method primal|kernel|auto] [--solver modular|reference] [-o FILE]
// Algorithm 1 done exactly (proofs-notes/06-learner.md): the exact empirical risk minimiser in
// the folded feature space, one least-squares problem per output coordinate (minimum-norm when
// the minimiser is not unique), turned into rank(M) <= d^2 heads by the even split and an exact
// rational rank factorisation. --method: primal (feature space) or kernel (dual form over the
// rows, Lemma E3); auto = kernel when rows < feature_dim. --solver: modular (prime fields, CRT
// and rational reconstruction, verified over Q; Lemma E4) or reference (Bareiss over Q); both
// give the same minimiser exactly. Before writing, the model is checked exactly: its empirical risk,
// evaluated through the model itself, equals the minimum of the linear problem (Lemmas E1, H1);
// when evaluating its rank(M) heads on every target would cost more than kOutputCheckBudget
// multiply-adds, only the weight check heads_from_weights always makes (weights(model) == W,
// which fixes every output by Lemma L1).
// Output: a model file with an added "learned" object (interface.md). Exit 0 whenever a
// minimiser was produced; "unique" says whether it is the only one.
#include <memory>
#include <sstream>

#include "command.hpp"
#include "heads_options.hpp"
#include "mhla/heads/heads.hpp"
#include "mhla/io/dataset_file.hpp"
#include "mhla/io/files.hpp"
#include "mhla/io/json_output.hpp"
#include "mhla/io/memory_limit.hpp"
#include "mhla/io/model_file.hpp"
#include "mhla/learn/least_squares.hpp"

namespace mhla::cli {
namespace {

// Above this many multiply-adds the model is checked through its weights only, not its outputs.
constexpr double kOutputCheckBudget = 2e8;

struct LearnOptions {
  HeadsCliOptions heads;
  std::string dataset_path, output_path = "-", method = "auto", solver = "modular";
};

FitOptions parse_fit_options(const LearnOptions& opts) {
  FitOptions f;
  if (opts.method == "primal")
    f.method = LearnMethod::primal;
  else if (opts.method == "kernel")
    f.method = LearnMethod::kernel;
  else if (opts.method != "auto")
    fail(ErrorKind::usage, "--method " + opts.method + ": expected primal, kernel or auto");
  if (opts.solver == "reference")
    f.solver = LearnSolver::reference;
  else if (opts.solver != "modular")
    fail(ErrorKind::usage, "--solver " + opts.solver + ": expected modular or reference");
  return f;
}

OrderedJson coordinate_json(const CoordinateFit& c) {
  OrderedJson j{{"a", c.a}, {"observed", c.observed}};
  if (!c.observed) return j;
  j["rows"] = c.rows;
  j["rank"] = c.fit.rank;
  j["solution_dim"] = c.fit.solution_dim;
  j["loss"] = exact_scalar_json(c.fit.loss);
  j["solver"] = to_string(c.report.fell_back ? LearnSolver::reference : c.report.solver);
  j["path"] = c.report.path;
  if (c.report.solver == LearnSolver::modular) {
    j["primes"] = c.report.primes_used;
    j["unlucky_primes"] = c.report.unlucky_primes;
    j["fell_back_to_reference"] = c.report.fell_back;
  }
  j["max_numerator_bits"] = c.report.max_numerator_bits;
  j["max_denominator_bits"] = c.report.max_denominator_bits;
  return j;
}

int run_learn(const LearnOptions& opts, const GlobalOptions& global) {
  const FitOptions fit_options = parse_fit_options(opts);
  validate_heads_options(opts.heads);
  const std::string bytes = read_file_bytes(opts.dataset_path);
  const Dataset ds = parse_dataset_text(bytes, input_display_name(opts.dataset_path));
  const std::size_t D = feature_dim(ds.d);
  std::size_t rows = 0;
  for (const Sample& s : ds.samples) rows += s.targets.size();
  const LearnMethod method = fit_method(ds, fit_options);
  check_memory_estimate("learn: the exact least-squares problem (" + to_string(method) + ", " +
                            to_string(fit_options.solver) + ")",
                        fit_memory_estimate(rows, D, method, fit_options.solver),
                        std::to_string(rows) + " rows x " + std::to_string(D) + " features");
  const DatasetFit fit = fit_dataset(ds, fit_options);
  HeadsCliResult heads = recover_heads_for_cli(fit.W, ds.causal, opts.heads);
  const Model<Rational>& model = heads.model;
  // The recovered model, checked exactly (exact and fewest heads): recovery has checked
  // weights(model) == W (Lemma H1), which by Lemma L1 fixes its outputs on every input; in
  // addition, when it is cheap (H d^3 per target), its empirical risk through its own outputs
  // must be the minimum. SVD heads are approximate: their errors are in heads_recovery.
  const bool check_outputs = !heads.approximate && static_cast<double>(rows) * static_cast<double>(model.heads.size() + 1) *
                                 static_cast<double>(ds.d * ds.d * ds.d) <= kOutputCheckBudget;
  if (!heads.approximate && check_outputs && empirical_risk(ds, model) != fit.loss)
    fail(ErrorKind::internal, "learn: the recovered model's empirical risk differs from the least-squares minimum");

  OrderedJson doc = std::move(heads.model_document);
  OrderedJson coordinates = OrderedJson::array();
  std::size_t num_bits = 0, den_bits = 0;
  for (const CoordinateFit& c : fit.coordinates) {
    coordinates.push_back(coordinate_json(c));
    num_bits = std::max(num_bits, c.report.max_numerator_bits);
    den_bits = std::max(den_bits, c.report.max_denominator_bits);
  }
  doc["learned"] = OrderedJson{{"method", to_string(method)},
                               {"method_requested", opts.method},
                               {"method_rule", std::string("auto: ") + kAutomaticMethodRule},
                               {"solver", to_string(fit_options.solver)},
                               {"algorithm", std::string("exact minimum-norm least squares over Q per coordinate; heads: ") +
                                                 (opts.heads.method == "svd"      ? "SVD of the even split in MPFR (approximate)"
                                                  : opts.heads.method == "fewest" ? "fewest heads over the split space, exact"
                                                                                  : "even split and exact rational rank factorisation")},
                               {"model_check", heads.approximate ? "none exact: SVD heads are approximate (weight error, computed exactly, in heads_recovery)"
                                               : check_outputs ? "weight vectors, and empirical risk through the model's outputs"
                                                               : "weight vectors of the model (Lemma L1)"},
                               {"unique", fit.unique()},
                               {"max_numerator_bits", num_bits},
                               {"max_denominator_bits", den_bits},
                               {"heads", model.heads.size()},
                               {"heads_recovery", std::move(heads.description)},
                               {"feature_dim", D},
                               {"dataset_sha256", sha256_hex(bytes)},
                               {"training_loss", exact_scalar_json(fit.loss)},
                               {"coordinates", std::move(coordinates)}};
  write_json_file(opts.output_path, doc);
  std::ostringstream s;
  s << (fit.unique() ? "the unique" : "a (minimum-norm)") << " empirical risk minimiser, " << model.heads.size()
    << (heads.approximate ? " approximate (SVD)" : "") << " heads, training loss " << to_string(fit.loss)
    << (heads.approximate ? " (of the exact minimiser)" : "") << ", written to " << output_description(opts.output_path);
  print_summary(global, "learn", s.str());
  return 0;
}

}  // namespace

Subcommand add_learn_command(CLI::App& app) {
  auto opts = std::make_shared<LearnOptions>();
  CLI::App* sub = app.add_subcommand("learn", "Exact empirical risk minimiser (Algorithm 1) as a model file");
  sub->add_option("--dataset", opts->dataset_path, "Dataset file (- for standard input)")->required();
  sub->add_option("--method", opts->method,
                  "primal (systems in the D features), kernel (dual form over the rows: K = Phi Phi^T,\n"
                  "w = Phi^T alpha) or auto (default): kernel when rows < feature_dim D, else primal");
  sub->add_option("--solver", opts->solver,
                  "modular (default: prime fields + CRT + rational reconstruction, verified exactly over Q,\n"
                  "falling back to reference if it does not verify) or reference (Bareiss over Q)");
  add_heads_options(sub, opts->heads);
  sub->add_option("-o,--output", opts->output_path, "Output model file, written atomically (default - = standard output)");
  sub->footer(
      "Solves, per output coordinate a, min ||Phi_a w_a - y_a||^2 exactly over Q (the minimum-norm\n"
      "solution when it is not unique), then recovers heads: by default rank(M) <= d^2 heads from the even\n"
      "split M of the weights by an exact rational rank factorisation (no SVD, no rounding); --heads fewest\n"
      "searches the split space for fewer heads (always exact, with a proven lower bound); --heads svd\n"
      "--precision BITS gives orthogonal heads from an MPFR SVD (approximate, errors reported). The model\n"
      "file carries a \"learned\" object (heads_recovery describes the heads):\n"
      "\"learned\" object: method (the one used), solver, unique, per-coordinate rank, solution_dim, path,\n"
      "primes and the bit sizes of the weights, heads, dataset_sha256 and the exact training loss.\n"
      "Every method and solver gives the same minimiser exactly. Exit 0 whenever a minimiser was\n"
      "produced; 2 on bad usage or input. The dataset's causal flag is used.");
  return {sub, [opts](const GlobalOptions& global) { return run_learn(*opts, global); }};
}

}  // namespace mhla::cli
