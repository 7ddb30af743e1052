// SPDX-License-Identifier: MIT
// mhla import --weights W.npz [--scale P/Q] [--inverse-sqrt-dk] [--mean-heads] [--mean-tokens N]
//             [--causal] [-o MODEL]
// A model written the PyTorch way (per head W_Q, W_K, W_V of shape (d_k, d), optional W_O of
// shape (d, d_k)) as the exact MHLA model file: V_h = W_O,h W_V,h, Q_h = s W_K,h^T W_Q,h, s the
// product of the scalings (proofs-notes/09-crosscheck.md, Lemma X5; the algorithm is
// include/mhla/crosscheck/import_weights.hpp). Every weight is taken exactly (npz floats are
// the rationals they encode). 1/sqrt(d_k) is exact when d_k is a square; otherwise it is rounded
// to binary64 and the model is labelled "approximate". A torch.save file is refused with the
// np.savez line that converts it. Exit 0, 2 on bad input.
#include <memory>

#include "command.hpp"
#include "mhla/arith/scalar_text.hpp"
#include "mhla/crosscheck/import_weights.hpp"
#include "mhla/io/files.hpp"
#include "mhla/io/json_output.hpp"
#include "mhla/io/model_file.hpp"
#include "mhla/io/npz.hpp"
#include "mhla/support/error.hpp"

namespace mhla::cli {
namespace {

struct ImportOptions {
  std::string weights_path, scale = "1", output_path = "-";
  bool inverse_sqrt_dk = false, mean_heads = false, causal = false;
  std::size_t mean_tokens = 0;
};

int run_import(const ImportOptions& o, const GlobalOptions& global) {
  const std::string name = input_display_name(o.weights_path);
  const std::string bytes = read_file_bytes(o.weights_path);
  if (crosscheck::looks_like_torch_save(bytes))
    fail(ErrorKind::bad_input, name + ": a torch.save file (a zip with data.pkl), which mhla does not unpickle; save the "
                                      "weights with NumPy instead: np.savez('w.npz', **{k: v.detach().cpu().numpy() for k, v "
                                      "in model.state_dict().items()}) (keys heads.<h>.W_Q etc.), or W_Q, W_K, W_V of shape "
                                      "(H, d_k, d)");
  if (!npz::has_zip_magic(bytes)) fail(ErrorKind::bad_input, name + ": expected an .npz (np.savez) with the per-head weights");
  const auto arrays = npz::read_npz(bytes, name);
  const ScalarParse scale = parse_scalar(o.scale, NumberSemantics::exact);
  if (!scale || *scale.value == 0) fail(ErrorKind::usage, "import: --scale must be a nonzero exact number (e.g. 1/2), got '" + o.scale + "'");
  crosscheck::ImportScaling scaling;
  scaling.scale = *scale.value;
  scaling.inverse_sqrt_dk = o.inverse_sqrt_dk;
  scaling.mean_heads = o.mean_heads;
  if (o.mean_tokens > 0) scaling.mean_tokens = o.mean_tokens;
  const bool causal = o.causal || npz::read_causal_flag(arrays, name);
  const crosscheck::ImportedModel m =
      crosscheck::import_weights(crosscheck::weights_from_npz(arrays, name), causal, scaling, name);
  OrderedJson doc = model_json(m.model);
  std::string desc = "imported from " + name + ": V_h = W_O,h W_V,h, Q_h = s W_K,h^T W_Q,h with s = " + to_string(m.scale);
  if (o.mean_tokens > 0)
    desc += " (includes 1/n for n = " + std::to_string(o.mean_tokens) + ": valid for inputs of exactly that many tokens)";
  doc["description"] = desc;
  if (m.approximate) doc["approximate"] = m.note;
  write_json_file(o.output_path, doc);
  print_summary(global, "import",
                std::to_string(m.model.heads.size()) + " heads, d = " + std::to_string(m.model.d) + ", s = " + to_string(m.scale) +
                    " (" + short_decimal(m.scale, 6) + ")" + (m.approximate ? "; approximate: " + m.note : "") + " -> " +
                    output_description(o.output_path));
  return 0;
}

}  // namespace

Subcommand add_import_command(CLI::App& app) {
  auto opts = std::make_shared<ImportOptions>();
  CLI::App* sub = app.add_subcommand("import", "A model written the PyTorch way (W_Q, W_K, W_V, W_O per head) as an exact MHLA model file");
  sub->add_option("--weights", opts->weights_path,
                  "An .npz: W_Q, W_K, W_V (H, d_k, d) and optional W_O (H, d, d_k), or keys heads.<h>.W_Q ... (np.savez of a state dict)")
      ->required();
  sub->add_option("--scale", opts->scale, "An exact factor folded into every Q_h (e.g. 1/2); default 1");
  sub->add_flag("--inverse-sqrt-dk", opts->inverse_sqrt_dk, "Also 1/sqrt(d_k) (exact when d_k is a square, else rounded to binary64: approximate)");
  sub->add_flag("--mean-heads", opts->mean_heads, "Also 1/H (heads averaged instead of summed)");
  sub->add_option("--mean-tokens", opts->mean_tokens, "Also 1/n for inputs of exactly n tokens (a mean over tokens instead of a sum)");
  sub->add_flag("--causal", opts->causal, "The model is causal (also: a 0-d array causal in the .npz)");
  sub->add_option("-o,--output", opts->output_path, "Output model file, written atomically (default - = standard output)");
  sub->footer(
      "Mapping: head h at position b computes W_O,h sum_m (W_V,h z_m) ((W_K,h z_m)^T (W_Q,h z_b)) s, which is\n"
      "V_h G_b Q_h z_b with V_h = W_O,h W_V,h and Q_h = s W_K,h^T W_Q,h (W_O,h = I when absent, d_k = d).\n"
      "Output: an mhla-model file with \"description\" (the mapping and s) and, when s was rounded,\n"
      "\"approximate\" (what was rounded).");
  return {sub, [opts](const GlobalOptions& global) { return run_import(*opts, global); }};
}

}  // namespace mhla::cli
