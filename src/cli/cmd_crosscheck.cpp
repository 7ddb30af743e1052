// SPDX-License-Identifier: MIT
// mhla crosscheck --input I [--model M --outputs O] [--features PHI.npz] [--dk K]
//                 [--dtype auto|float64|float32|tf32|float16|bfloat16] [--max-entries N] [-o FILE]
// Compares a floating-point implementation's outputs (e.g. a PyTorch/NumPy MHLA) with the exact
// ones (proofs-notes/09-crosscheck.md, Lemma X1). M, I: model and dataset files (JSON or .npz;
// targets in I are ignored). O: their outputs, an .npz with array Y of shape (N, n, d) (every
// position) or (N, d) (last position), or an mhla-outputs JSON (`mhla eval`; "arith": "binary64"
// strings are read as the binary64 values they name). For every entry: the exact output Y[a][b],
// their value, the exact error |theirs - exact| and the bound gamma_K Yabs[a][b] that any
// staged evaluation of the model rounding each operation correctly with unit roundoff u
// satisfies (u = 2^-53 float64, 2^-24 float32, 2^-11 float16 and tf32, 2^-8 bfloat16;
// K = n + 3d + H + 9). Every
// comparison is exact (rationals); decimals are printed rounded up. Entries beyond the bound
// are flagged and explained exactly where a usual slip fits (a constant factor found from the
// data with its decompositions into 1/sqrt(d), 1/H, 1/n, 1/sqrt(d_k); a 1/(b+1) mean; transposed
// Q or V; Q and V swapped; another mask; lower precision; isolated entries: Lemmas X2-X4).
// --features PHI.npz: their design matrix against the exact features phi(Z, b) (rows as
// `mhla features --dataset I` orders them), folded (D columns) or unfolded (d^3) layout.
// Exit 0 if every entry is within its bound, 1 otherwise, 2 on bad input.
// The algorithm: include/mhla/crosscheck/ (library mhla_crosscheck).
#include <memory>

#include "command.hpp"
#include "mhla/crosscheck/check_features.hpp"
#include "mhla/arith/scalar_text.hpp"
#include "mhla/crosscheck/check_outputs.hpp"
#include "mhla/crosscheck/import_weights.hpp"
#include "mhla/crosscheck/rank_comparison.hpp"
#include "mhla/features/features.hpp"
#include "mhla/crosscheck/their_outputs.hpp"
#include "mhla/io/dataset_file.hpp"
#include "mhla/io/files.hpp"
#include "mhla/io/json_output.hpp"
#include "mhla/io/memory_limit.hpp"
#include "mhla/io/model_file.hpp"
#include "mhla/io/npz.hpp"
#include "mhla/support/error.hpp"

// The algorithm is the library's (include/mhla/crosscheck/); this file reads the files and
// writes the report.
namespace mhla::cli {
namespace {

using crosscheck::CheckCounts;

struct CrosscheckOptions {
  std::string model_path, input_path, outputs_path, features_path, dtype = "auto", output_path = "-";
  std::size_t max_entries = 100000;
  std::size_t dk = 0;  // 0: not given
  // --weights: a model written the PyTorch way (as mhla import reads it).
  std::string weights_path, scale = "1";
  bool inverse_sqrt_dk = false, mean_heads = false, causal = false;
  std::size_t mean_tokens = 0;
  // crosscheck certificate --dataset D
  std::string dataset_path;
};

// crosscheck certificate: the exact rank and verdict per coordinate beside float rank tests
// (Lemma X6, include/mhla/crosscheck/rank_comparison.hpp).
int run_certificate(const CrosscheckOptions& o, const GlobalOptions& global) {
  const Dataset ds = read_dataset(o.dataset_path);
  const DesignMatrix all = design_matrix(ds);
  const double D = static_cast<double>(feature_dim(ds.d)), rows = static_cast<double>(all.phi.rows());
  check_memory_estimate("crosscheck certificate: exact design matrices, their float copies and SVDs",
                        rows * D * (2 * estimated_bytes_per_rational + 24) + 3 * D * D * estimated_bytes_per_rational,
                        std::to_string(all.phi.rows()) + " rows, D = " + std::to_string(feature_dim(ds.d)));
  const std::vector<crosscheck::CoordinateRanks> ranks = crosscheck::compare_ranks(ds);
  OrderedJson coords = OrderedJson::array();
  std::size_t disagreements = 0;
  bool identifiable = !ranks.empty();
  for (const crosscheck::CoordinateRanks& c : ranks) {
    auto frank = [](const crosscheck::FloatRank& f) {
      return OrderedJson{{"rank", f.rank}, {"sigma_max", to_decimal_string(f.sigma_max)}, {"sigma_min", to_decimal_string(f.sigma_min)},
                         {"threshold", to_decimal_string(f.threshold)}};
    };
    OrderedJson j{{"coordinate", c.coordinate}, {"rows", c.rows}, {"D", c.D}, {"exact_rank", c.exact_rank},
                  {"identifiable", c.identifiable}, {"numpy_float64", frank(c.f64)}, {"numpy_float32", frank(c.f32)}};
    if (c.sigma_enclosed)
      j["sigma_min_squared"] = OrderedJson{{"lower", exact_scalar_json(c.sigma_min_sq_lower)},
                                           {"upper", exact_scalar_json(c.sigma_min_sq_upper)},
                                           {"lower_decimal", short_decimal(c.sigma_min_sq_lower, 4)},
                                           {"upper_decimal", short_decimal(c.sigma_min_sq_upper, 4)}};
    j["disagreements"] = c.disagreements;
    disagreements += c.disagreements.empty() ? 0 : 1;
    identifiable = identifiable && c.identifiable;
    coords.push_back(std::move(j));
  }
  OrderedJson doc{{"format", "mhla-crosscheck-certificate"}, {"version", 1}, {"d", ds.d}, {"causal", ds.causal},
                  {"float_rule", "NumPy matrix_rank: rank = #{sigma > sigma_max max(rows, D) eps}, eps = 2^-52 (float64) or 2^-23 "
                                 "(float32), singular values by Eigen in that format (not proven; the exact rank decides)"},
                  {"identifiable", identifiable}, {"coordinates", std::move(coords)}};
  write_json_file(o.output_path, doc);
  print_summary(global, "crosscheck certificate",
                std::string(identifiable ? "identifiable" : "not identifiable") + " (exact); float rank tests disagree on " +
                    std::to_string(disagreements) + " of " + std::to_string(ranks.size()) + " coordinates");
  return identifiable ? 0 : 1;
}

CheckCounts check_outputs(const CrosscheckOptions& o, const Dataset& inputs, OrderedJson& doc) {
  crosscheck::OutputsCheckOptions co{o.dtype, o.max_entries, "", o.dk ? std::optional<std::size_t>(o.dk) : std::nullopt, {}, 0};
  Model<Rational> model;
  if (!o.weights_path.empty()) {
    const std::string wname = input_display_name(o.weights_path);
    const std::string wbytes = read_file_bytes(o.weights_path);
    if (crosscheck::looks_like_torch_save(wbytes) || !npz::has_zip_magic(wbytes))
      fail(ErrorKind::bad_input, wname + ": expected an .npz of per-head weights (np.savez; a torch.save file is not read: see mhla import)");
    const auto arrays = npz::read_npz(wbytes, wname);
    const ScalarParse scale = parse_scalar(o.scale, NumberSemantics::exact);
    if (!scale || *scale.value == 0) fail(ErrorKind::usage, "crosscheck: --scale must be a nonzero exact number, got '" + o.scale + "'");
    crosscheck::ImportScaling sc;
    sc.scale = *scale.value;
    sc.inverse_sqrt_dk = o.inverse_sqrt_dk;
    sc.mean_heads = o.mean_heads;
    if (o.mean_tokens > 0) sc.mean_tokens = o.mean_tokens;
    crosscheck::ImportedModel m = crosscheck::import_weights(crosscheck::weights_from_npz(arrays, wname),
                                                             o.causal || npz::read_causal_flag(arrays, wname), sc, wname);
    model = std::move(m.model);
    co.abs_model = std::move(m.abs_model);
    co.extra_roundings = 2 * m.dk + 2;
    if (!co.dk) co.dk = m.dk;
    if (m.approximate) doc["approximate"] = m.note;
  } else {
    model = read_model(o.model_path);
  }
  const std::string out_name = input_display_name(o.outputs_path);
  if (inputs.d != model.d)
    fail(ErrorKind::bad_input, input_display_name(o.input_path) + ": d = " + std::to_string(inputs.d) +
                                   " differs from the model's d = " + std::to_string(model.d));
  const std::size_t N = inputs.samples.size(), d = model.d;
  double entries = 0;
  for (const Sample& s : inputs.samples) entries += static_cast<double>(s.Z.cols()) * static_cast<double>(d);
  check_memory_estimate("crosscheck: exact outputs, bounds and the report", entries * 12 * estimated_bytes_per_rational,
                        std::to_string(N) + " inputs, d = " + std::to_string(d));
  const crosscheck::TheirOutputs theirs = crosscheck::read_their_outputs(read_file_bytes(o.outputs_path), out_name, inputs, d);
  co.source = out_name;
  return crosscheck::check_outputs(model, inputs, theirs, co, doc);
}

CheckCounts check_features(const CrosscheckOptions& o, const Dataset& inputs, OrderedJson& doc) {
  const std::string name = input_display_name(o.features_path);
  const std::string bytes = read_file_bytes(o.features_path);
  if (!npz::has_zip_magic(bytes)) fail(ErrorKind::bad_input, name + ": expected an .npz with array Phi of shape (rows, D) or (rows, d^3)");
  const auto arrays = npz::read_npz(bytes, name);
  const auto phi = arrays.find("Phi");
  if (phi == arrays.end() || arrays.size() != 1) fail(ErrorKind::bad_input, name + ": expected exactly one array Phi");
  return crosscheck::check_features(inputs, phi->second, {o.dtype, o.max_entries, name}, doc);
}

int run_crosscheck(const CrosscheckOptions& o, const GlobalOptions& global) {
  const bool outputs = !o.outputs_path.empty(), features = !o.features_path.empty();
  if (!outputs && !features) fail(ErrorKind::usage, "crosscheck: give --outputs O (with --model M) and/or --features PHI.npz");
  if (outputs && o.model_path.empty() == o.weights_path.empty())
    fail(ErrorKind::usage, "crosscheck: --outputs needs --model M or --weights W.npz (one of them)");
  const Dataset inputs = read_dataset(o.input_path);
  OrderedJson doc{{"format", "mhla-crosscheck"}, {"version", 1}};
  std::size_t beyond = 0;
  std::string line;
  if (outputs) {
    const CheckCounts c = check_outputs(o, inputs, doc);
    beyond += c.beyond;
    line = std::to_string(c.checked - c.beyond) + " of " + std::to_string(c.checked) + " output entries within the " +
           doc["dtype"].get<std::string>() + " rounding bound";
    if (c.beyond > 0) line += "; " + std::to_string(c.beyond) + " beyond it: likely a different function";
    if (doc.contains("bound_note")) line += " (the bound is loose: see bound_note)";
    if (!doc["explanations"].empty()) line += " (" + doc["explanations"][0].get<std::string>() + ")";
  }
  if (features) {
    OrderedJson f;
    const CheckCounts c = check_features(o, inputs, f);
    beyond += c.beyond;
    line += std::string(line.empty() ? "" : "; ") + std::to_string(c.checked - c.beyond) + " of " + std::to_string(c.checked) +
            " feature entries within the bound";
    if (!f["explanations"].empty()) line += " (" + f["explanations"][0].get<std::string>() + ")";
    doc["features"] = std::move(f);
  }
  write_json_file(o.output_path, doc);
  print_summary(global, "crosscheck", line);
  return beyond == 0 ? 0 : 1;
}

}  // namespace

Subcommand add_crosscheck_command(CLI::App& app) {
  auto opts = std::make_shared<CrosscheckOptions>();
  CLI::App* sub = app.add_subcommand("crosscheck", "Compare a floating-point implementation's outputs with the exact ones");
  sub->add_option("--model", opts->model_path, "Model file (JSON or .npz with V, Q of shape (H, d, d)); needed with --outputs");
  sub->add_option("--input", opts->input_path, "Dataset file whose inputs Z were evaluated (JSON or .npz; targets ignored)");
  CLI::App* certificate = sub->add_subcommand(
      "certificate", "The exact rank and verdict per coordinate beside NumPy's matrix_rank rule in float64 and float32");
  certificate->add_option("--dataset", opts->dataset_path, "Dataset file (JSON or .npz)")->required();
  certificate->add_option("-o,--output", opts->output_path, "Output file, written atomically (default - = standard output)");
  sub->add_option("--outputs", opts->outputs_path,
                  "Their outputs: .npz with Y of shape (N, n, d) or (N, d), or an mhla-outputs JSON");
  sub->add_option("--features", opts->features_path,
                  "Their design matrix: .npz with Phi of shape (rows, D) (canonical folded columns) or (rows, d^3) (j, k, l)");
  sub->add_option("--dtype", opts->dtype,
                  "Their floating-point format: auto (from the .npz dtype or arith), float64, float32, tf32, float16, bfloat16");
  sub->add_option("--weights", opts->weights_path,
                  "Instead of --model: per-head W_Q, W_K, W_V (, W_O) in an .npz, read as mhla import reads them; the bound "
                  "then covers their factored evaluation (Lemma X5)");
  sub->add_option("--scale", opts->scale, "With --weights: an exact factor folded into Q_h (as mhla import)");
  sub->add_flag("--inverse-sqrt-dk", opts->inverse_sqrt_dk, "With --weights: also 1/sqrt(d_k) (as mhla import)");
  sub->add_flag("--mean-heads", opts->mean_heads, "With --weights: also 1/H (as mhla import)");
  sub->add_option("--mean-tokens", opts->mean_tokens, "With --weights: also 1/n for inputs of n tokens (as mhla import)");
  sub->add_flag("--causal", opts->causal, "With --weights: the model is causal (as mhla import)");
  sub->add_option("--dk", opts->dk, "Their head dimension d_k, so that a 1/sqrt(d_k) factor is named (default: not named)");
  sub->add_option("--max-entries", opts->max_entries, "List at most this many entries within the bound (flagged ones always; default 100000)");
  sub->add_option("-o,--output", opts->output_path, "Output file, written atomically (default - = standard output)");
  sub->footer(
      "Output: {\"format\": \"mhla-crosscheck\", \"version\": 1, ..., \"entries_beyond_bound\": k, \"explanations\": [...],\n"
      "\"values\": [{\"sample\", \"position\", \"a\", \"exact\", \"theirs\", \"error\", \"bound\", \"within_bound\"}, ...]}.\n"
      "error and bound are decimals rounded up (6 digits); every comparison is exact. Exit 0 if every entry is\n"
      "within its bound, 1 otherwise. Outputs use the model's causal flag; --features uses the dataset's\n"
      "(an .npz dataset: a 0-d array causal).");
  return {sub, [opts, certificate](const GlobalOptions& global) {
            if (certificate->parsed()) return run_certificate(*opts, global);
            if (opts->input_path.empty()) fail(ErrorKind::usage, "crosscheck: --input is required");
            return run_crosscheck(*opts, global);
          }};
}

}  // namespace mhla::cli
