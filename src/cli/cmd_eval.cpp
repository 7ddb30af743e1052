// SPDX-License-Identifier: MIT
// mhla eval --model M --input I [--arith exact|binary64|mpfr:BITS] [-o FILE]
// The model's outputs Y = sum_h V_h Z (Z^T Q_h Z) (math.md, "The model") on every input of a
// dataset file, exact by default. For a float arithmetic each output matrix comes with the
// rigorous bound of model.hpp (Lemma F1): |fl(Y) - Y| <= gamma_K * Yabs entrywise.
#include <cmath>
#include <memory>

#include "arith_option.hpp"
#include "command.hpp"
#include "mhla/arith/scalar_text.hpp"
#include "mhla/io/dataset_file.hpp"
#include "mhla/io/files.hpp"
#include "mhla/io/json_output.hpp"
#include "mhla/io/memory_limit.hpp"
#include "mhla/io/model_file.hpp"
#include "mhla/arith/watched_binary64.hpp"
#include "mhla/features/exact_fast.hpp"

namespace mhla::cli {
namespace {

struct EvalOptions {
  std::string model_path, input_path, output_path = "-", arith = "exact";
};

Rational absolute(const Rational& q) { return q < 0 ? Rational(-q) : q; }

// gamma_K = K u / (1 - K u) with u = 2^-bits, or nullopt when K u >= 1 (no bound).
std::optional<Rational> gamma(std::size_t K, unsigned bits) {
  const Rational Ku = Rational(Integer(K), Integer(1) << bits);
  if (Ku >= 1) return std::nullopt;
  return Ku / (Rational(1) - Ku);
}

// Entrywise bound on |fl(Y) - Y| for input Z: gamma_K * Yabs, Yabs the exact output of
// (|V_h|, |Q_h|) on |Z|, each entry printed rounded up. null when the bound does not exist.
OrderedJson error_bound_json(const Model<Rational>& absolute_model, const Matrix<Rational>& Z, unsigned bits) {
  const std::optional<Rational> g = gamma(rounding_count(Z.rows(), Z.cols(), absolute_model.heads.size()), bits);
  if (!g) return nullptr;
  const Matrix<Rational> Yabs = evaluate_exact(absolute_model, convert<Rational>(Z, absolute));
  return matrix_json(Yabs, [&](const Rational& y) { return decimal_upper_bound(*g * y, 3); });
}

bool all_finite(const Matrix<WatchedBinary64>& m) {
  for (const WatchedBinary64& x : m.data())
    if (!std::isfinite(x.value())) return false;
  return true;
}
bool all_finite(const Matrix<Mpfr>& m) {
  for (const Mpfr& x : m.data())
    if (!mpfr_number_p(x.backend().data())) return false;
  return true;
}

// Conversions into the float types: binary64 is watched for underflow (watched_binary64.hpp).
template <class T>
T to_float(const Rational& q);
template <>
WatchedBinary64 to_float<WatchedBinary64>(const Rational& q) { return watched_from_rational(q); }
template <>
Mpfr to_float<Mpfr>(const Rational& q) { return from_rational<Mpfr>(q); }

std::string float_text(const WatchedBinary64& y) { return to_decimal_string(y.value()); }
std::string float_text(const Mpfr& y) { return to_decimal_string(y); }

// The outputs in the float type T (WatchedBinary64, or Mpfr at the current precision, whose
// exponent range makes underflow unreachable from inputs within interface.md's exponent
// limits), with Lemma F1's bounds; "error_bound" is null with a reason when the lemma's
// hypotheses fail (K u >= 1, or a binary64 underflow).
template <class T>
OrderedJson float_outputs(const Model<Rational>& model, const Dataset& inputs, unsigned bits, const EvalOptions& opts) {
  WatchedBinary64::underflowed() = false;
  const Model<T> float_model = convert_model<T>(model, to_float<T>);
  const bool model_underflowed = WatchedBinary64::underflowed();
  const Model<Rational> absolute_model = convert_model<Rational>(model, absolute);
  OrderedJson outputs = OrderedJson::array();
  for (std::size_t s = 0; s < inputs.samples.size(); ++s) {
    WatchedBinary64::underflowed() = model_underflowed;
    const Matrix<T> Z = convert<T>(inputs.samples[s].Z, to_float<T>);
    const Matrix<T> Y = evaluate(float_model, Z);
    if (!all_finite(Y) || !all_finite(Z))
      fail(ErrorKind::bad_input, input_display_name(opts.input_path) + ": $.samples[" + std::to_string(s) +
                                     "]: the " + opts.arith + " evaluation overflows; use --arith exact");
    OrderedJson out;
    out["Y"] = matrix_json(Y, [](const T& y) { return float_text(y); });
    if (WatchedBinary64::underflowed()) {
      out["error_bound"] = nullptr;
      out["error_bound_unavailable"] = "underflow: a value fell to or below the smallest normal binary64 number";
    } else {
      out["error_bound"] = error_bound_json(absolute_model, inputs.samples[s].Z, bits);
      if (out["error_bound"].is_null()) out["error_bound_unavailable"] = "K u >= 1: too few bits for Lemma F1";
    }
    outputs.push_back(std::move(out));
  }
  return outputs;
}

OrderedJson exact_outputs(const Model<Rational>& model, const Dataset& inputs) {
  OrderedJson outputs = OrderedJson::array();
  for (const Sample& sample : inputs.samples) outputs.push_back(OrderedJson{{"Y", exact_matrix_json(evaluate_exact(model, sample.Z))}});
  return outputs;
}

// Refuses runs whose outputs and work matrices would not fit the memory limit.
void check_eval_memory(const Model<Rational>& model, const Dataset& inputs) {
  const double d = static_cast<double>(model.d), H = static_cast<double>(model.heads.size());
  double entries = 4 * H * d * d + 4 * d * d;  // model copies (float, |.|), Gram and mixing matrices
  double tokens = 0;
  for (const Sample& s : inputs.samples) tokens += static_cast<double>(s.Z.cols());
  entries += 3 * d * tokens;  // Y, Yabs and the bound text per output entry
  check_memory_estimate("eval: the outputs", entries * 2 * estimated_bytes_per_rational,
                        std::to_string(inputs.samples.size()) + " inputs, d = " + std::to_string(model.d) + ", H = " +
                            std::to_string(model.heads.size()));
}

int run_eval(const EvalOptions& opts, const GlobalOptions& global) {
  const Arithmetic arith = parse_arithmetic(opts.arith);
  if (opts.model_path == "-" && opts.input_path == "-")
    fail(ErrorKind::usage, "eval: --model and --input cannot both be standard input");
  const Model<Rational> model = read_model(opts.model_path);
  const Dataset inputs = read_dataset(opts.input_path);
  if (inputs.d != model.d)
    fail(ErrorKind::bad_input, input_display_name(opts.input_path) + ": $.d: d = " + std::to_string(inputs.d) +
                                   " differs from the model's d = " + std::to_string(model.d) + " (" +
                                   input_display_name(opts.model_path) + ")");
  check_eval_memory(model, inputs);

  OrderedJson doc;
  doc["format"] = "mhla-outputs";
  doc["version"] = 1;
  doc["arith"] = arith.name();
  switch (arith.kind) {
    case Arithmetic::Kind::exact: doc["outputs"] = exact_outputs(model, inputs); break;
    case Arithmetic::Kind::binary64: doc["outputs"] = float_outputs<WatchedBinary64>(model, inputs, arith.bits, opts); break;
    case Arithmetic::Kind::mpfr: {
      const MpfrPrecision precision(arith.bits);
      doc["precision_bits"] = precision.bits();  // >= the requested BITS (scalar.hpp, MpfrPrecision)
      doc["outputs"] = float_outputs<Mpfr>(model, inputs, precision.bits(), opts);
      break;
    }
  }
  write_json_file(opts.output_path, doc);
  print_summary(global, "eval",
                std::to_string(inputs.samples.size()) + " outputs (d = " + std::to_string(model.d) + ", H = " +
                    std::to_string(model.heads.size()) + ", " + (model.causal ? "causal" : "non-causal") + ", " +
                    arith.name() + ") written to " + output_description(opts.output_path));
  return 0;
}

}  // namespace

Subcommand add_eval_command(CLI::App& app) {
  auto opts = std::make_shared<EvalOptions>();
  CLI::App* sub = app.add_subcommand("eval", "The model's outputs on the inputs of a dataset file");
  sub->add_option("--model", opts->model_path, "Model file (- for standard input)")->required();
  sub->add_option("--input", opts->input_path, "Dataset file whose inputs Z are evaluated (targets are ignored)")->required();
  sub->add_option("--arith", opts->arith, "exact (default), binary64, or mpfr:BITS (2 <= BITS <= 1048576)");
  sub->add_option("-o,--output", opts->output_path, "Output file, written atomically (default - = standard output)");
  sub->footer(
      "Output: {\"format\": \"mhla-outputs\", \"version\": 1, \"arith\": ..., \"outputs\": [{\"Y\": [[...]]}, ...]},\n"
      "one d x n matrix per input. Exact arithmetic prints exact strings (\"p/q\" or integers); binary64\n"
      "and mpfr:BITS print decimal strings that read back as the computed float, and add per output an\n"
      "\"error_bound\" matrix: |computed - exact| <= gamma_K * Yabs entrywise, with u = 2^-53 or\n"
      "2^-precision_bits (MPFR runs at the smallest precision Boost offers >= BITS, reported as\n"
      "\"precision_bits\"), K = n + 3d + H + 9, gamma_K = K u / (1 - K u), Yabs the exact output of the\n"
      "model (|V|, |Q|) on |Z|, printed rounded up to 3 significant digits. The bound is null, with an\n"
      "\"error_bound_unavailable\" reason, when K u >= 1 or a binary64 value underflows; an overflow is\n"
      "refused. The model's causal flag is used; the dataset's is ignored.");
  return {sub, [opts](const GlobalOptions& global) { return run_eval(*opts, global); }};
}

}  // namespace mhla::cli
