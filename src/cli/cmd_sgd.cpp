// SPDX-License-Identifier: MIT
// mhla sgd --dataset D --heads H [--epochs E --lr R --batch B --seed S --average-heads --scale-sqrt-d
//          --init-scale X --cosine --clip C --validation V] [-o FILE]
// The float baseline (issue 5 item 5; baseline/sgd.hpp): MHLA with H heads trained by Adam in
// binary64 on the dataset's observed entries (prefix Gram matrices when the dataset is causal).
// APPROXIMATE: labelled as such in the output. The model file holds the trained binary64 values
// (the output scale folded into V) written exactly as decimal strings, plus a "trained" object:
// the options, the loss curve (binary64 readings) and the EXACT empirical risk (math.md) of
// exactly that binary64 model on the data, computed over Q from its entries.
#include <memory>
#include <sstream>

#include "command.hpp"
#include "mhla/baseline/sgd.hpp"
#include "mhla/io/dataset_file.hpp"
#include "mhla/io/files.hpp"
#include "mhla/io/json_output.hpp"
#include "mhla/io/memory_limit.hpp"
#include "mhla/io/model_file.hpp"
#include "mhla/learn/least_squares.hpp"

namespace mhla::cli {
namespace {

struct SgdCliOptions {
  std::string dataset_path, validation_path, output_path = "-";
  baseline::SgdOptions sgd;
};

OrderedJson decimals(const std::vector<double>& xs) {
  OrderedJson out = OrderedJson::array();
  for (double x : xs) out.push_back(std::isfinite(x) ? to_decimal_string(x) : std::string(std::isnan(x) ? "nan" : "inf"));
  return out;
}

// The model file of a binary64 model: every entry its exact decimal expansion.
OrderedJson float_model_json(const Model<double>& m) {
  OrderedJson doc = shape_header_json(model_format_name, model_format_version, m.d, m.causal);
  OrderedJson heads = OrderedJson::array();
  auto exact = [](double x) { return baseline::exact_decimal_string(x); };
  for (const Head<double>& h : m.heads) heads.push_back(OrderedJson{{"V", matrix_json(h.V, exact)}, {"Q", matrix_json(h.Q, exact)}});
  doc["heads"] = std::move(heads);
  return doc;
}

std::size_t observed_entries(const Dataset& ds) {
  std::size_t m = 0;
  for (const Sample& s : ds.samples)
    for (const Target& t : s.targets)
      for (const auto& y : t.y) m += y.has_value();
  return m;
}

int run_sgd(const SgdCliOptions& opts, const GlobalOptions& global) {
  const std::string bytes = read_file_bytes(opts.dataset_path);
  const Dataset ds = parse_dataset_text(bytes, input_display_name(opts.dataset_path));
  std::optional<Dataset> validation;
  if (!opts.validation_path.empty()) {
    if (opts.validation_path == "-" && opts.dataset_path == "-")
      fail(ErrorKind::usage, "sgd: --dataset and --validation cannot both be standard input");
    validation = read_dataset(opts.validation_path);
    if (validation->d != ds.d || validation->causal != ds.causal)
      fail(ErrorKind::bad_input, input_display_name(opts.validation_path) +
                                     ": the validation data differ from the training data in d or in the causal flag");
  }
  std::size_t rows = 0;
  for (const Sample& s : ds.samples) rows += s.targets.size();
  check_memory_estimate("sgd: the binary64 copy of the data",
                        static_cast<double>(rows) * static_cast<double>(ds.d * ds.d + 3 * ds.d) * 8,
                        std::to_string(rows) + " targets, d = " + std::to_string(ds.d));
  const baseline::SgdResult r = baseline::train_sgd(ds, validation ? &*validation : nullptr, opts.sgd);
  for (const Head<double>& h : r.model.heads)
    for (const Matrix<double>* M : {&h.V, &h.Q})
      for (double x : M->data())
        if (!std::isfinite(x)) fail(ErrorKind::usage, "sgd: the trained model has a non-finite entry (lower --lr)");
  const Model<Rational> exact = baseline::exact_model(r.model);
  const Rational risk = empirical_risk(ds, exact);
  const std::size_t observed = observed_entries(ds);
  const Rational mean = observed ? risk / Rational(observed) : Rational(0);

  const baseline::SgdOptions& o = opts.sgd;
  OrderedJson doc = float_model_json(r.model);
  OrderedJson epochs = OrderedJson::array();
  for (std::size_t e = 0; e < r.train_loss.size(); ++e) epochs.push_back(e);
  OrderedJson curve{{"epoch", std::move(epochs)}, {"train_mse", decimals(r.train_loss)}};
  if (validation) curve["validation_mse"] = decimals(r.validation_loss);
  doc["trained"] = OrderedJson{
      {"method", "binary64 Adam (approximate)"},
      {"heads", o.heads},
      {"options", OrderedJson{{"epochs", o.epochs},
                              {"learning_rate", to_decimal_string(o.learning_rate)},
                              {"batch", o.batch},
                              {"seed", std::to_string(o.seed)},
                              {"average_heads", o.average_heads},
                              {"scale_sqrt_d", o.scale_sqrt_d},
                              {"init_scale", o.init_scale > 0 ? to_decimal_string(o.init_scale) : "1/sqrt(d)"},
                              {"cosine_schedule", o.cosine_schedule},
                              {"clip_norm", to_decimal_string(o.clip_norm)},
                              {"adam", OrderedJson{{"beta1", to_decimal_string(o.beta1)},
                                                   {"beta2", to_decimal_string(o.beta2)},
                                                   {"epsilon", to_decimal_string(o.epsilon)}}}}},
      {"output_scale", to_decimal_string(r.scale)},
      {"scale_note", "the output scale s is folded into V (V_h written = fl(s V_h), one rounding per entry); "
                     "the file's model has no scale (math.md)"},
      {"steps", r.steps},
      {"diverged", r.diverged},
      {"dataset_sha256", sha256_hex(bytes)},
      {"loss_curve", std::move(curve)},
      {"loss_curve_note", "mean squared error over observed entries after each epoch (0 = initial), binary64 readings "
                          "(shortest round-trip decimals); approximate"},
      {"observed_entries", observed},
      {"empirical_risk", exact_scalar_json(risk)},
      {"empirical_risk_mean", exact_scalar_json(mean)},
      {"empirical_risk_mean_decimal", to_decimal_string(to_binary64(mean))},
      {"empirical_risk_note", "exact: sum over observed entries of (Y[a][b] - y[a])^2 for exactly the model in this file "
                              "(its binary64 entries taken exactly), computed over Q; _mean divides by observed_entries"}};
  write_json_file(opts.output_path, doc);
  std::ostringstream s;
  s << "binary64 Adam (approximate), " << o.heads << " heads, " << r.steps << " steps"
    << (r.diverged ? " (DIVERGED: stopped at the last finite parameters)" : "") << ": final train MSE "
    << to_decimal_string(r.train_loss.back()) << "; exact empirical risk of the written model " << to_binary64(risk)
    << " (mean " << to_binary64(mean) << "), written to " << output_description(opts.output_path);
  print_summary(global, "sgd", s.str());
  return 0;
}

}  // namespace

Subcommand add_sgd_command(CLI::App& app) {
  auto opts = std::make_shared<SgdCliOptions>();
  CLI::App* sub = app.add_subcommand("sgd", "Float baseline: MHLA with H heads trained by Adam in binary64 (approximate)");
  baseline::SgdOptions& o = opts->sgd;
  sub->add_option("--dataset", opts->dataset_path, "Training dataset file (- for standard input)")->required();
  sub->add_option("--heads", o.heads, "Number of heads H (default 1)")->check(CLI::Range(std::size_t(1), std::size_t(4096)));
  sub->add_option("--epochs", o.epochs, "Epochs (default 100)")->check(CLI::Range(std::size_t(0), std::size_t(100000000)));
  sub->add_option("--lr", o.learning_rate, "Adam learning rate (default 0.01)")->check(CLI::PositiveNumber);
  sub->add_option("--batch", o.batch, "Samples per step (default 32)")->check(CLI::Range(std::size_t(1), std::size_t(1) << 40));
  sub->add_option("--seed", o.seed, "Seed of the initialisation and the shuffles (default 0)");
  sub->add_flag("--average-heads", o.average_heads, "Multiply the output by 1/H (the authors' mean over heads)");
  sub->add_flag("--scale-sqrt-d", o.scale_sqrt_d, "Multiply the output by 1/sqrt(d) (the authors' score scaling)");
  sub->add_option("--init-scale", o.init_scale, "Standard deviation of the initial entries (default 1/sqrt(d))")
      ->check(CLI::NonNegativeNumber);
  sub->add_flag("--cosine", o.cosine_schedule,
                "Cosine learning-rate schedule with 10% linear warmup from 1e-5 down to lr/100 (the authors')");
  sub->add_option("--clip", o.clip_norm, "Clip the global gradient norm (default 0 = off; the authors: 5)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--validation", opts->validation_path, "Validation dataset: its loss per epoch goes into the curve");
  sub->add_option("-o,--output", opts->output_path, "Output model file, written atomically (default - = standard output)");
  sub->footer(
      "APPROXIMATE by design: binary64 arithmetic, hand-derived gradients, Adam. The loss is the mean\n"
      "squared error over observed entries; causal datasets use prefix Gram matrices. The model file holds\n"
      "the trained binary64 values written exactly (decimal strings) with the output scale folded into V,\n"
      "and a \"trained\" object with the loss curve and the exact empirical risk of that model on the data.\n"
      "Deterministic: the same seed gives the same file.");
  return {sub, [opts](const GlobalOptions& global) { return run_sgd(*opts, global); }};
}

}  // namespace mhla::cli
