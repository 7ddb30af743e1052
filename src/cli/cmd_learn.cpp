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
#include <cmath>
#include <memory>
#include <sstream>

#include "command.hpp"
#include "heads_options.hpp"
#include "mhla/arith/scalar_text.hpp"
#include "mhla/features/rounded_model.hpp"
#include "mhla/heads/balance_heads.hpp"
#include "mhla/io/npz_writer.hpp"
#include "mhla/heads/heads.hpp"
#include "mhla/support/progress.hpp"
#include "mhla/io/dataset_file.hpp"
#include "mhla/io/files.hpp"
#include "mhla/io/json_output.hpp"
#include "mhla/io/memory_limit.hpp"
#include "mhla/io/model_file.hpp"
#include "mhla/learn/least_squares.hpp"

namespace mhla::cli {
namespace {

// Above this many multiply-adds (times (entry bits / 128)^1.5) the model is checked through its
// weights only, not its outputs.
constexpr double kOutputCheckBudget = 2e8;
// Above this many (multiply-adds x (entry bits / 128)^1.5) the float error is not measured.
constexpr double kFloatCheckBudget = 2e8;

struct LearnOptions {
  HeadsCliOptions heads;
  std::string dataset_path, output_path = "-", method = "auto", solver = "modular";
  std::string weights_out, binary64_model;
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
  j["loss_decimal"] = short_decimal(c.fit.loss);
  j["solver"] = to_string(c.report.fell_back ? LearnSolver::reference : c.report.solver);
  j["path"] = c.report.path;
  if (c.report.solver == LearnSolver::modular) {
    j["primes"] = c.report.primes_used;
    j["unlucky_primes"] = c.report.unlucky_primes;
    j["fell_back_to_reference"] = c.report.fell_back;
    if (!c.report.kernel.empty()) j["kernel"] = c.report.kernel;  // "crt" or "dixon" (p-adic lifting)
    if (c.report.kernel == "dixon") j["lifting_steps"] = c.report.lifting_steps;
    j["estimated_bits"] = c.report.estimated_bits;
  }
  j["max_numerator_bits"] = c.report.max_numerator_bits;
  j["max_denominator_bits"] = c.report.max_denominator_bits;
  return j;
}

// Is q a finite value of the binary format with `precision` significand bits (24: binary32,
// 53: binary64) and minimum normal exponent emin (-126, -1022)? Subnormals included, no overflow
// check beyond the exponent of the largest finite value (emax = -emin + 1).
bool is_binary_float(const Rational& q, std::size_t precision, long emin) {
  if (q == 0) return true;
  Integer den = denominator(q), num = abs(numerator(q));
  if ((den & (den - 1)) != 0) return false;  // not a power of two
  long e = -static_cast<long>(bit_length(den) - 1);  // q = num 2^e, num odd or den = 1
  while (num % 2 == 0) num /= 2, ++e;
  const long nbits = static_cast<long>(bit_length(num));
  if (nbits > static_cast<long>(precision)) return false;
  const long top = e + nbits - 1;              // floor(log2 |q|)
  if (top > -emin + 1) return false;           // beyond the largest finite exponent
  return e >= emin - static_cast<long>(precision) + 1;  // at or above the smallest subnormal
}

// What the targets look like, for the summary (informational; decided exactly): "binary32" when
// every observed target is a binary32 value, "binary64" when every one is a binary64 value, else "".
std::string target_float_format(const Dataset& ds, Rational& sum_of_squares) {
  bool f32 = true, f64 = true;
  sum_of_squares = 0;
  for (const Sample& s : ds.samples)
    for (const Target& t : s.targets)
      for (const std::optional<Rational>& y : t.y) {
        if (!y) continue;
        sum_of_squares += *y * *y;
        if (f64 && !is_binary_float(*y, 53, -1022)) f64 = f32 = false;
        if (f32 && !is_binary_float(*y, 24, -126)) f32 = false;
      }
  return f32 ? "binary32" : f64 ? "binary64" : "";
}

// The realizability report: fitted exactly (loss 0) or not; and, when the targets are all float
// values whose residual is at rounding level, the hint that they are rounded outputs of a model.
// Rounding level: loss <= 2^-24 sum y^2 for binary32 (relative residual 2^-12, about 40 times the
// accumulated rounding of a float32 evaluation at d = 6), loss <= 2^-80 sum y^2 for binary64.
struct Realizability {
  bool exact = false;
  std::string target_format;  // "binary32", "binary64" or ""
  bool rounding_level = false;
  Rational relative_loss;     // loss / sum y^2 (0 when sum y^2 = 0)
};

Realizability realizability(const Dataset& ds, const Rational& loss) {
  Realizability r;
  r.exact = loss == 0;
  Rational sum_sq;
  r.target_format = target_float_format(ds, sum_sq);
  r.relative_loss = sum_sq == 0 ? Rational(0) : loss / sum_sq;
  const Rational level = r.target_format == "binary32"   ? Rational(Integer(1), Integer(1) << 24)
                         : r.target_format == "binary64" ? Rational(Integer(1), Integer(1) << 80)
                                                         : Rational(0);
  r.rounding_level = !r.exact && !r.target_format.empty() && r.relative_loss <= level;
  return r;
}

OrderedJson realizability_json(const Realizability& r) {
  OrderedJson j{{"fitted_exactly", r.exact},
                {"relative_loss_decimal", short_decimal(r.relative_loss)},
                {"targets_format", r.target_format.empty() ? OrderedJson(nullptr) : OrderedJson(r.target_format)},
                {"targets_look_rounded", r.rounding_level}};
  if (r.exact)
    j["note"] = "training loss exactly 0: the targets are the exact outputs of the learned model";
  else if (r.rounding_level)
    j["note"] = "no model fits these " + r.target_format + " targets exactly, but the residual is at " + r.target_format +
                " rounding level: they look like rounded outputs of some model. For exactly realizable data, take the "
                "targets from the exact outputs: mhla label --model M --input I -o D";
  else
    j["note"] = "no model fits the targets exactly (the agnostic case): the model is the exact empirical risk minimiser";
  return j;
}

// sum over the observed targets of (y_a - model(Z)[a][b])^2, exact: the same value as
// empirical_risk (least_squares.hpp), one sample at a time so that a long check shows progress.
Rational empirical_risk_with_progress(const Dataset& ds, const Model<Rational>& model) {
  Progress progress("mhla learn", "model check, input", ds.samples.size());
  Rational risk = 0;
  for (std::size_t s = 0; s < ds.samples.size(); ++s) {
    progress.update(s);
    const Sample& sample = ds.samples[s];
    if (sample.targets.empty()) continue;
    const Matrix<Rational> Y = evaluate_exact(model, sample.Z);
    for (const Target& t : sample.targets)
      for (std::size_t a = 0; a < ds.d; ++a)
        if (t.y[a]) {
          const Rational r = *t.y[a] - Y(a, t.position);
          risk += r * r;
        }
  }
  return risk;
}

// The largest numerator and denominator bit sizes of the model's entries.
std::pair<std::size_t, std::size_t> model_bits(const Model<Rational>& m) {
  std::size_t nb = 0, db = 0;
  for (const Head<Rational>& h : m.heads)
    for (const Matrix<Rational>* x : {&h.V, &h.Q})
      for (const Rational& q : x->data()) {
        nb = std::max(nb, bit_length(numerator(q)));
        db = std::max(db, bit_length(denominator(q)));
      }
  return {nb, db};
}

// The float error of the model on the training inputs (binary64 and binary32), against the exact
// outputs; informational. The exact outputs cost H d^3 + d^2 n per input.
OrderedJson float_error_json(const Model<Rational>& model, const Dataset& ds) {
  std::vector<Matrix<Rational>> inputs, exact;
  Progress progress("mhla learn", "float check, input", ds.samples.size());
  for (std::size_t s = 0; s < ds.samples.size(); ++s) {
    progress.update(s);
    inputs.push_back(ds.samples[s].Z);
    exact.push_back(evaluate_exact(model, ds.samples[s].Z));
  }
  OrderedJson j{{"reference", "the exact outputs of this model on the training inputs (every position)"},
                {"approximate", true}};
  auto one = [&](const FloatOutputError& e) {
    OrderedJson o{{"max_abs_error", short_decimal(e.max_abs_error)}, {"max_abs_output", short_decimal(e.max_abs_output)},
                  {"relative_to_max_output", e.max_abs_output == 0 ? std::string("0") : short_decimal(e.max_abs_error / e.max_abs_output)}};
    if (e.overflow) o["overflow"] = true;
    return o;
  };
  j["binary64"] = one(float_output_error<double>(model, inputs, exact));
  j["binary32"] = one(float_output_error<float>(model, inputs, exact));
  return j;
}

// --weights-out FILE.npz: W_binary64 (d, D) float64, each w_a correctly rounded (approximate);
// exactly, per coordinate one common denominator L_a (the lcm of the row's denominators):
// W_numerator (d, D) int64 and W_denominator (d,) int64 with w_a = W_numerator[a] / L_a, when all
// fit in int64; otherwise the exact values go to FILE.npz.exact.json ({"format": "mhla-weights",
// per coordinate "denominator" and "numerators" as exact integer strings). Returns where the
// exact values are ("npz" or the sidecar path).
std::string write_weights(const std::string& path, const Matrix<Rational>& W) {
  const std::size_t d = W.rows(), D = W.cols();
  std::vector<double> approx;
  for (const Rational& x : W.data()) approx.push_back(to_binary64(x));
  std::vector<Integer> dens(d, Integer(1));
  std::vector<Integer> nums(W.data().size());
  bool fits = true;
  const Integer limit = Integer(1) << 63;
  for (std::size_t a = 0; a < d; ++a) {
    for (std::size_t i = 0; i < D; ++i) dens[a] = lcm(dens[a], Integer(denominator(W(a, i))));
    for (std::size_t i = 0; i < D; ++i) {
      nums[a * D + i] = numerator(W(a, i)) * (dens[a] / denominator(W(a, i)));
      if (abs(nums[a * D + i]) >= limit) fits = false;
    }
    if (dens[a] >= limit) fits = false;
  }
  std::vector<std::pair<std::string, std::string>> entries{{"W_binary64", npz::npy_float64({d, D}, approx)}};
  std::string exact_where = "npz";
  if (fits) {
    std::vector<std::int64_t> n64, d64;
    for (const Integer& x : nums) n64.push_back(static_cast<std::int64_t>(x.convert_to<long long>()));
    for (const Integer& x : dens) d64.push_back(static_cast<std::int64_t>(x.convert_to<long long>()));
    entries.emplace_back("W_numerator", npz::npy_int64({d, D}, n64));
    entries.emplace_back("W_denominator", npz::npy_int64({d}, d64));
  } else {
    exact_where = path + ".exact.json";
    OrderedJson doc{{"format", "mhla-weights"}, {"version", 1}, {"d", d}, {"feature_dim", D},
                    {"order", "w_a[(j,k,l)], 0 <= j <= k < d, 0 <= l < d, lexicographic (math.md)"}};
    OrderedJson coords = OrderedJson::array();
    for (std::size_t a = 0; a < d; ++a) {
      OrderedJson numerators = OrderedJson::array();
      for (std::size_t i = 0; i < D; ++i) numerators.push_back(nums[a * D + i].str());
      coords.push_back(OrderedJson{{"a", a}, {"denominator", dens[a].str()}, {"numerators", std::move(numerators)}});
    }
    doc["coordinates"] = std::move(coords);
    write_json_file(exact_where, doc);
  }
  write_file_atomically(path, npz::npz_archive(entries));
  return exact_where;
}

// --binary64-model FILE: the learned model with every entry rounded to nearest binary64, written
// as JSON numbers under "number_semantics": "binary64", labelled approximate, with the proven
// bound of Lemma F2 against the exact minimiser W: |y(Z) - y_rounded(Z)| <= Delta n rho^3.
Rational write_binary64_model(const std::string& path, const Model<Rational>& model, const Matrix<Rational>& W) {
  const Model<Rational> B = round_model_binary64(model);
  const Rational delta = weight_l1_difference(W, weights(B));
  OrderedJson doc = shape_header_json(model_format_name, model_format_version, B.d, B.causal);
  doc["number_semantics"] = "binary64";
  OrderedJson heads = OrderedJson::array();
  for (const Head<Rational>& h : B.heads)
    heads.push_back(OrderedJson{{"V", matrix_json(h.V, [](const Rational& x) { return to_binary64(x); })},
                                {"Q", matrix_json(h.Q, [](const Rational& x) { return to_binary64(x); })}});
  doc["heads"] = std::move(heads);
  doc["approximate"] = true;
  doc["rounded_from"] = "the model of mhla learn, every entry rounded to the nearest binary64 value";
  doc["output_bound"] = OrderedJson{
      {"weight_l1_difference_upper", decimal_upper_bound(delta, 3)},
      {"statement", "for every input Z with n tokens and |Z entries| <= rho, every output entry of this model (evaluated "
                    "exactly) is within weight_l1_difference * n * rho^3 of the exact minimiser's (Lemma F2)"}};
  write_json_file(path, doc);
  return delta;
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
  // The cost counts multiply-adds scaled by the entries' size (exact evaluation of a model with
  // 20,000-bit entries is that much slower than of a small one).
  const auto [model_num_bits, model_den_bits] = model_bits(model);
  // (measured: pivoted heads of 29,000 bits at d = 4 took 450 s for 150 inputs; power 1.5.)
  const double entry_scale = std::pow(std::max(1.0, static_cast<double>(model_num_bits + model_den_bits) / 128.0), 1.5);
  const bool check_outputs = !heads.approximate && static_cast<double>(rows) * static_cast<double>(model.heads.size() + 1) *
                                                       static_cast<double>(ds.d * ds.d * ds.d) * entry_scale <=
                                                   kOutputCheckBudget;
  if (!heads.approximate && check_outputs && empirical_risk_with_progress(ds, model) != fit.loss)
    fail(ErrorKind::internal, "learn: the recovered model's empirical risk differs from the least-squares minimum");

  const Realizability real = realizability(ds, fit.loss);
  // Exact evaluation on every training input, its cost scaled by the size of the entries.
  const bool float_check = static_cast<double>(ds.samples.size()) * static_cast<double>(model.heads.size() + 1) *
                               static_cast<double>(ds.d * ds.d * ds.d) * entry_scale <=
                           kFloatCheckBudget;
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
                               {"training_loss_decimal", short_decimal(fit.loss)},
                               {"realizability", realizability_json(real)},
                               {"coordinates", std::move(coordinates)}};
  doc["learned"]["model_max_numerator_bits"] = model_num_bits;
  doc["learned"]["model_max_denominator_bits"] = model_den_bits;
  if (float_check)
    doc["learned"]["float_output_error"] = float_error_json(model, ds);
  else
    doc["learned"]["float_output_error"] = "not measured: above the exact-evaluation budget";
  {
    Progress write_progress("mhla learn", "writing the model");
    if (!opts.binary64_model.empty()) {
      const Rational delta = write_binary64_model(opts.binary64_model, model, fit.W);
      doc["learned"]["binary64_model"] = OrderedJson{{"file", opts.binary64_model},
                                                     {"weight_l1_difference_upper", decimal_upper_bound(delta, 3)}};
    }
    if (!opts.weights_out.empty())
      doc["learned"]["weights_out"] = OrderedJson{{"file", opts.weights_out}, {"exact_values", write_weights(opts.weights_out, fit.W)}};
    write_json_file(opts.output_path, doc);
  }
  std::ostringstream s;
  s << (fit.unique() ? "the unique" : "a (minimum-norm)") << " empirical risk minimiser, " << model.heads.size()
    << (heads.approximate ? " approximate (SVD)" : "") << " heads, training loss "
    << (real.exact ? std::string("0 (fitted exactly)") : short_decimal(fit.loss) + " (not fitted exactly)")
    << (heads.approximate ? " (of the exact minimiser)" : "") << ", entries up to " << model_num_bits << "/"
    << model_den_bits << " bits (numerator/denominator)";
  if (float_check) {
    const OrderedJson& fe = doc["learned"]["float_output_error"];
    s << ", worst float error on the training inputs " << fe["binary64"]["max_abs_error"].get<std::string>()
      << " (binary64), " << fe["binary32"]["max_abs_error"].get<std::string>() << " (binary32)";
  }
  s << ", written to " << output_description(opts.output_path);
  if (real.rounding_level)
    s << "\nmhla learn: the " << real.target_format << " targets fit no model exactly but only at rounding level (relative loss "
      << short_decimal(real.relative_loss) << "): they look like rounded outputs of a model; for exact labels see mhla label";
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
  sub->add_option("--weights-out", opts->weights_out,
                  "Also write the weights w_a as .npz: W_binary64 (d, D) float64 (approximate) and, exactly, W_numerator\n"
                  "(d, D) int64 over one denominator per coordinate W_denominator (d,), or FILE.exact.json when they\n"
                  "do not fit int64");
  sub->add_option("--binary64-model", opts->binary64_model,
                  "Also write the model rounded to binary64 (approximate; JSON numbers, number_semantics binary64) with\n"
                  "the proven output bound of Lemma F2");
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
