// SPDX-License-Identifier: MIT
// mhla label --model M --input I -o D [--positions last|all]
// Exactly realizable data from float (or any) inputs: a dataset whose targets are the model's
// EXACT outputs on the inputs of I (Lemma M1; evaluate_exact through scaled integers, Lemma S1),
// one fully observed target at the last position of every input, or at every position. The
// dataset takes the model's causal flag (so that `mhla learn` fits the same model class); the
// input's targets, if any, are ignored. `mhla learn` on the result has training loss exactly 0
// and learns a model equivalent to M when the data identify it (Lemma E1, Q1).
// Output: a dataset file (JSON, exact strings: the exact outputs of float inputs are rationals
// that no float array holds). Exit 0; 2 on bad input (d of the model and the input differ).
#include <memory>

#include "command.hpp"
#include "mhla/features/exact_fast.hpp"
#include "mhla/io/dataset_file.hpp"
#include "mhla/io/files.hpp"
#include "mhla/io/json_output.hpp"
#include "mhla/io/memory_limit.hpp"
#include "mhla/io/model_file.hpp"
#include "mhla/support/progress.hpp"

namespace mhla::cli {
namespace {

struct LabelOptions {
  std::string model_path, input_path, output_path = "-", positions = "last";
};

int run_label(const LabelOptions& opts, const GlobalOptions& global) {
  if (opts.model_path == "-" && opts.input_path == "-")
    fail(ErrorKind::usage, "label: --model and --input cannot both be standard input");
  if (opts.positions != "last" && opts.positions != "all")
    fail(ErrorKind::usage, "--positions " + opts.positions + ": expected last or all");
  const Model<Rational> model = read_model(opts.model_path);
  const Dataset inputs = read_dataset(opts.input_path);
  if (inputs.d != model.d)
    fail(ErrorKind::bad_input, input_display_name(opts.input_path) + ": $.d: d = " + std::to_string(inputs.d) +
                                   " differs from the model's d = " + std::to_string(model.d));
  double tokens = 0;
  for (const Sample& s : inputs.samples) tokens += static_cast<double>(s.Z.cols());
  check_memory_estimate("label: the exact outputs", 2 * tokens * static_cast<double>(model.d) * estimated_bytes_per_rational,
                        std::to_string(inputs.samples.size()) + " inputs, d = " + std::to_string(model.d));
  Dataset out{model.d, model.causal, {}};
  Progress progress("mhla label", "input", inputs.samples.size());
  std::size_t targets = 0;
  for (std::size_t i = 0; i < inputs.samples.size(); ++i) {
    progress.update(i);
    const Matrix<Rational>& Z = inputs.samples[i].Z;
    const Matrix<Rational> Y = evaluate_exact(model, Z);
    Sample s{Z, {}};
    const std::size_t first = opts.positions == "all" ? 0 : Z.cols() - 1;
    for (std::size_t b = first; b < Z.cols(); ++b) {
      Target t{b, {}};
      for (std::size_t a = 0; a < model.d; ++a) t.y.emplace_back(Y(a, b));
      s.targets.push_back(std::move(t));
      ++targets;
    }
    out.samples.push_back(std::move(s));
  }
  progress.finish();
  write_json_file(opts.output_path, dataset_json(out));
  print_summary(global, "label",
                std::to_string(out.samples.size()) + " inputs, " + std::to_string(targets) +
                    " targets = the model's exact outputs (" + (model.causal ? "causal" : "non-causal") + "), written to " +
                    output_description(opts.output_path));
  return 0;
}

}  // namespace

Subcommand add_label_command(CLI::App& app) {
  auto opts = std::make_shared<LabelOptions>();
  CLI::App* sub = app.add_subcommand("label", "A dataset whose targets are a model's exact outputs on given inputs");
  sub->add_option("--model", opts->model_path, "Model file (.json or .npz with V, Q)")->required();
  sub->add_option("--input", opts->input_path, "Inputs: a dataset file (.json or .npz with Z); its targets are ignored")->required();
  sub->add_option("--positions", opts->positions, "last (default: one target per input, at its last token) or all")
      ->check(CLI::IsMember({"last", "all"}));
  sub->add_option("-o,--output", opts->output_path, "Output dataset file, written atomically (default - = standard output)");
  sub->footer(
      "Targets are the exact outputs y_b = sum_h V_h G Q_h z_b (no rounding), so the dataset is exactly\n"
      "realizable: mhla learn on it has training loss 0. For float32 inputs (PyTorch/NumPy) and a float32\n"
      "model this replaces targets computed in float32, which no model fits exactly. The dataset takes the\n"
      "model's causal flag.");
  return {sub, [opts](const GlobalOptions& global) { return run_label(*opts, global); }};
}

}  // namespace mhla::cli
