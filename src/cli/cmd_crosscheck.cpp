// SPDX-License-Identifier: MIT
// mhla crosscheck --model M --input I --outputs O [--dtype auto|float64|float32|float16]
//                 [--max-entries N] [-o FILE]
// Compares a floating-point implementation's outputs (e.g. a PyTorch/NumPy MHLA) with the exact
// ones (proofs-notes/09-crosscheck.md, Lemma X1). M, I: model and dataset files (JSON or .npz;
// targets in I are ignored). O: their outputs, an .npz with array Y of shape (N, n, d) (every
// position) or (N, d) (last position), or an mhla-outputs JSON (`mhla eval`; "arith": "binary64"
// strings are read as the binary64 values they name). For every entry: the exact output Y[a][b],
// their value, the exact error |theirs - exact| and the bound gamma_K Yabs[a][b] that any
// staged evaluation of the model rounding each operation correctly with unit roundoff u
// satisfies (u = 2^-53 float64, 2^-24 float32, 2^-11 float16; K = n + 3d + H + 9). Every
// comparison is exact (rationals); decimals are printed rounded up. Entries beyond the bound
// are flagged, and the usual implementation slips (a 1/H or 1/n scaling, transposed Q or V,
// Q and V swapped, full-sequence instead of prefix Gram) are tried exactly as explanations.
// Exit 0 if every entry is within its bound, 1 otherwise, 2 on bad input.
#include <functional>
#include <memory>
#include <optional>

#include "command.hpp"
#include "mhla/arith/scalar_text.hpp"
#include "mhla/features/exact_fast.hpp"
#include "mhla/io/dataset_file.hpp"
#include "mhla/io/files.hpp"
#include "mhla/io/json.hpp"
#include "mhla/io/json_output.hpp"
#include "mhla/io/json_scalars.hpp"
#include "mhla/io/memory_limit.hpp"
#include "mhla/io/model_file.hpp"
#include "mhla/io/npz.hpp"
#include "mhla/model/model.hpp"
#include "mhla/support/error.hpp"

namespace mhla::cli {
namespace {

struct CrosscheckOptions {
  std::string model_path, input_path, outputs_path, dtype = "auto", output_path = "-";
  std::size_t max_entries = 100000;
};

// Their outputs: per sample a d x m matrix of values at `positions` (all, or the last).
struct TheirOutputs {
  std::vector<Matrix<Rational>> Y;
  bool last_only = false;
  std::string dtype;  // float64, float32, float16, or "" (unknown: --dtype decides)
};

Rational absolute(const Rational& q) { return q < 0 ? Rational(-q) : q; }

unsigned precision_bits(const std::string& dtype) {
  if (dtype == "float64") return 53;
  if (dtype == "float32") return 24;
  if (dtype == "float16") return 11;
  fail(ErrorKind::usage, "crosscheck: --dtype must be float64, float32 or float16 (or auto), got '" + dtype + "'");
}

// gamma_K = K u / (1 - K u), u = 2^-bits (Lemma F1, and X1 for any staged evaluation: @proof X1);
// nullopt when K u >= 1.
std::optional<Rational> gamma(std::size_t K, unsigned bits) {
  const Rational Ku = Rational(Integer(K), Integer(1) << bits);
  if (Ku >= 1) return std::nullopt;
  return Ku / (Rational(1) - Ku);
}

TheirOutputs outputs_from_npz(std::string_view bytes, const std::string& source, std::size_t N, std::size_t d) {
  const auto arrays = npz::read_npz(bytes, source);
  const auto y = arrays.find("Y");
  if (y == arrays.end() || arrays.size() != 1)
    fail(ErrorKind::bad_input, source + ": expected exactly one array Y of shape (N, n, d) or (N, d)");
  const npz::Array& a = y->second;
  TheirOutputs out;
  const std::string& descr = a.descr;
  out.dtype = descr.size() == 3 && descr[1] == 'f' ? (descr[2] == '8' ? "float64" : descr[2] == '4' ? "float32" : "float16") : "";
  if (a.shape.size() == 2 && a.shape[0] == N && a.shape[1] == d) {
    out.last_only = true;
    for (std::size_t i = 0; i < N; ++i) {
      Matrix<Rational> m(d, 1);
      for (std::size_t k = 0; k < d; ++k) m(k, 0) = a.values[i * d + k];
      out.Y.push_back(std::move(m));
    }
  } else if (a.shape.size() == 3 && a.shape[0] == N && a.shape[2] == d && a.shape[1] >= 1) {
    const std::size_t n = a.shape[1];
    for (std::size_t i = 0; i < N; ++i) {
      Matrix<Rational> m(d, n);
      for (std::size_t t = 0; t < n; ++t)
        for (std::size_t k = 0; k < d; ++k) m(k, t) = a.values[(i * n + t) * d + k];  // file Y[i] is n x d
      out.Y.push_back(std::move(m));
    }
  } else {
    fail(ErrorKind::bad_input, source + ": Y: expected shape (" + std::to_string(N) + ", n, " + std::to_string(d) + ") or (" +
                                   std::to_string(N) + ", " + std::to_string(d) + "), got " + npz::shape_text(a.shape));
  }
  return out;
}

Rational read_output_scalar(const json::Located& at, NumberSemantics semantics) {
  if (at.kind() != json::Value::Kind::string) return read_scalar(at, semantics);
  const ScalarParse p = parse_scalar(at.as_string(), semantics);
  if (!p) at.fail(p.reason);
  return *p.value;
}

TheirOutputs outputs_from_json(std::string_view text, const std::string& source, std::size_t N, std::size_t d) {
  const json::Value tree = json::parse_json(text, source);
  const json::Located root(tree, std::make_shared<const std::string>(source));
  check_format_header(root, "mhla-outputs", 1);
  std::string arith = "exact";
  if (const auto a = root.optional_member("arith")) arith = a->as_string();
  // binary64 strings are shortest decimals of the computed doubles: read them as binary64.
  const NumberSemantics semantics = arith == "binary64" ? NumberSemantics::binary64 : number_semantics_of(root);
  TheirOutputs out;
  out.dtype = arith == "binary64" ? "float64" : "";
  const json::Located outputs = root.member("outputs");
  if (outputs.array_size() != N) outputs.fail("expected " + std::to_string(N) + " outputs (one per input), got " + std::to_string(outputs.array_size()));
  for (std::size_t i = 0; i < N; ++i) {
    const json::Located Y = outputs.element(i).member("Y");
    if (Y.array_size() != d) Y.fail("expected d = " + std::to_string(d) + " rows");
    const std::size_t n = Y.element(0).array_size();
    Matrix<Rational> m(d, n);
    for (std::size_t a = 0; a < d; ++a) {
      const json::Located row = Y.element(a);
      if (row.array_size() != n) row.fail("rows of different lengths");
      for (std::size_t b = 0; b < n; ++b) m(a, b) = read_output_scalar(row.element(b), semantics);
    }
    out.Y.push_back(std::move(m));
  }
  return out;
}

// The exact outputs and Yabs of a model on every input (evaluate_exact, Lemma S1).
struct ExactOutputs {
  std::vector<Matrix<Rational>> Y, Yabs;
};

ExactOutputs exact_outputs(const Model<Rational>& model, const Dataset& inputs) {
  const Model<Rational> abs_model = convert_model<Rational>(model, absolute);
  ExactOutputs e;
  for (const Sample& s : inputs.samples) {
    e.Y.push_back(evaluate_exact(model, s.Z));
    e.Yabs.push_back(evaluate_exact(abs_model, convert<Rational>(s.Z, absolute)));
  }
  return e;
}

// Column of the exact d x n matrix that their column c stands for.
std::size_t exact_column(const TheirOutputs& theirs, std::size_t c, std::size_t n) { return theirs.last_only ? n - 1 : c; }

// True when every entry of theirs is within extra + gamma_{K + extra_roundings} scale * Yabs of
// scale * Y (scale per column: 1/H, 1/(b+1), ...): used for the explanations.
bool explains(const TheirOutputs& theirs, const ExactOutputs& e, const Dataset& inputs, std::size_t H, unsigned bits,
              std::size_t extra_roundings, const std::function<Rational(std::size_t b, std::size_t n)>& scale) {
  for (std::size_t i = 0; i < theirs.Y.size(); ++i) {
    const std::size_t n = inputs.samples[i].Z.cols();
    const std::optional<Rational> g = gamma(rounding_count(inputs.d, n, H) + extra_roundings, bits);
    if (!g) return false;
    for (std::size_t c = 0; c < theirs.Y[i].cols(); ++c) {
      const std::size_t b = exact_column(theirs, c, n);
      const Rational s = scale(b, n);
      for (std::size_t a = 0; a < inputs.d; ++a)
        if (absolute(theirs.Y[i](a, c) - s * e.Y[i](a, b)) > *g * absolute(s) * e.Yabs[i](a, b)) return false;
    }
  }
  return true;
}

Model<Rational> transformed(const Model<Rational>& m, bool transpose_v, bool transpose_q, bool swap, bool flip_causal) {
  Model<Rational> r{m.d, flip_causal ? !m.causal : m.causal, {}};
  for (const Head<Rational>& h : m.heads) {
    Matrix<Rational> V = h.V, Q = h.Q;
    if (swap) std::swap(V, Q);
    if (transpose_v) V = transpose(V);
    if (transpose_q) Q = transpose(Q);
    r.heads.push_back({std::move(V), std::move(Q)});
  }
  return r;
}

// The slips that are tried, exactly, when entries are flagged.
std::vector<std::string> explanations(const TheirOutputs& theirs, const Model<Rational>& model, const Dataset& inputs,
                                      const ExactOutputs& e, unsigned bits) {
  const std::size_t H = model.heads.size();
  std::vector<std::string> found;
  auto one = [](std::size_t, std::size_t) { return Rational(1); };
  if (H > 1) {
    if (explains(theirs, e, inputs, H, bits, 2, [&](std::size_t, std::size_t) { return Rational(1, static_cast<long>(H)); }))
      found.push_back("their outputs are the model's divided by H (a 1/H scaling the model file does not contain)");
    if (explains(theirs, e, inputs, H, bits, 2, [&](std::size_t, std::size_t) { return Rational(static_cast<long>(H)); }))
      found.push_back("their outputs are the model's multiplied by H (the model file has a 1/H folded into V that their code lacks)");
  }
  if (explains(theirs, e, inputs, H, bits, 2, [&](std::size_t b, std::size_t n) {
        return Rational(1, static_cast<long>(model.causal ? b + 1 : n));
      }))
    found.push_back(std::string("their outputs are the model's divided by the number of tokens summed (a 1/") +
                    (model.causal ? "(b+1)" : "n") + " mean instead of a sum)");
  struct Variant {
    bool tv, tq, swap, flip;
    const char* what;
  };
  const Variant variants[] = {
      {false, true, false, false, "a transposed Q (Q_h^T in place of Q_h)"},
      {true, false, false, false, "a transposed V (V_h^T in place of V_h)"},
      {false, false, true, false, "V and Q swapped"},
      {false, false, false, true,
       model.causal ? "full-sequence Gram matrices instead of the causal prefix Gram G_b"
                    : "causal prefix Gram matrices G_b instead of the full-sequence Gram"},
  };
  for (const Variant& v : variants) {
    const Model<Rational> alt = transformed(model, v.tv, v.tq, v.swap, v.flip);
    if (explains(theirs, exact_outputs(alt, inputs), inputs, H, bits, 0, one)) found.push_back(std::string("their outputs match ") + v.what);
  }
  return found;
}

int run_crosscheck(const CrosscheckOptions& o, const GlobalOptions& global) {
  const Model<Rational> model = read_model(o.model_path);
  const Dataset inputs = read_dataset(o.input_path);
  const std::string out_name = input_display_name(o.outputs_path);
  if (inputs.d != model.d)
    fail(ErrorKind::bad_input, input_display_name(o.input_path) + ": d = " + std::to_string(inputs.d) +
                                   " differs from the model's d = " + std::to_string(model.d));
  const std::size_t N = inputs.samples.size(), d = model.d, H = model.heads.size();
  double entries = 0;
  for (const Sample& s : inputs.samples) entries += static_cast<double>(s.Z.cols()) * static_cast<double>(d);
  check_memory_estimate("crosscheck: exact outputs, bounds and the report", entries * 12 * estimated_bytes_per_rational,
                        std::to_string(N) + " inputs, d = " + std::to_string(d));
  const std::string bytes = read_file_bytes(o.outputs_path);
  const TheirOutputs theirs =
      npz::has_zip_magic(bytes) ? outputs_from_npz(bytes, out_name, N, d) : outputs_from_json(bytes, out_name, N, d);
  for (std::size_t i = 0; i < N; ++i)
    if (!theirs.last_only && theirs.Y[i].cols() != inputs.samples[i].Z.cols())
      fail(ErrorKind::bad_input, out_name + ": output " + std::to_string(i) + " has " + std::to_string(theirs.Y[i].cols()) +
                                     " positions; the input has n = " + std::to_string(inputs.samples[i].Z.cols()));
  std::string dtype = o.dtype == "auto" ? theirs.dtype : o.dtype;
  if (dtype.empty())
    fail(ErrorKind::usage, "crosscheck: cannot tell the floating-point format of " + out_name + "; give --dtype float64|float32|float16");
  const unsigned bits = precision_bits(dtype);

  const ExactOutputs e = exact_outputs(model, inputs);
  std::size_t checked = 0, beyond = 0;
  std::optional<Rational> worst_ratio;  // max error / bound over entries with bound > 0
  bool zero_bound_miss = false;
  OrderedJson rows = OrderedJson::array();
  for (std::size_t i = 0; i < N; ++i) {
    const std::size_t n = inputs.samples[i].Z.cols();
    const std::size_t K = rounding_count(d, n, H);
    const std::optional<Rational> g = gamma(K, bits);
    if (!g)
      fail(ErrorKind::usage, "crosscheck: K u >= 1 for input " + std::to_string(i) + " (K = " + std::to_string(K) + ", " + dtype +
                                 "): no rounding bound exists at this size");
    for (std::size_t c = 0; c < theirs.Y[i].cols(); ++c) {
      const std::size_t b = exact_column(theirs, c, n);
      for (std::size_t a = 0; a < d; ++a) {
        const Rational& exact = e.Y[i](a, b);
        const Rational& value = theirs.Y[i](a, c);
        const Rational error = absolute(value - exact), bound = *g * e.Yabs[i](a, b);
        const bool within = error <= bound;
        ++checked;
        beyond += within ? 0 : 1;
        if (bound > 0) {
          const Rational ratio = error / bound;
          if (!worst_ratio || ratio > *worst_ratio) worst_ratio = ratio;
        } else if (!within) {
          zero_bound_miss = true;
        }
        if (rows.size() < o.max_entries || !within)
          rows.push_back(OrderedJson{{"sample", i}, {"position", b}, {"a", a}, {"exact", exact_scalar_json(exact)},
                                     {"theirs", to_decimal_string(to_binary64(value))},
                                     {"error", decimal_upper_bound(error, 6)}, {"bound", decimal_upper_bound(bound, 6)},
                                     {"within_bound", within}});
      }
    }
  }
  std::vector<std::string> found;
  if (beyond > 0) found = explanations(theirs, model, inputs, e, bits);

  OrderedJson doc{{"format", "mhla-crosscheck"}, {"version", 1}, {"dtype", dtype},
                  {"unit_roundoff", "2^-" + std::to_string(bits)}, {"d", d}, {"heads", H}, {"causal", model.causal},
                  {"positions", theirs.last_only ? "last" : "all"}};
  doc["bound"] = "|theirs - exact| <= gamma_K * Yabs, gamma_K = K u / (1 - K u), K = n + 3d + H + 9, Yabs = the exact "
                 "output of (|V_h|, |Q_h|) on |Z| (Lemma X1: any staged evaluation, any summation order, FMA or not, "
                 "each operation correctly rounded, no overflow or underflow)";
  doc["entries"] = checked;
  doc["entries_beyond_bound"] = beyond;
  doc["max_error_over_bound"] = zero_bound_miss ? OrderedJson("inf (an entry with bound 0 differs)")
                                : worst_ratio   ? OrderedJson(decimal_upper_bound(*worst_ratio, 6))
                                                : OrderedJson("0");
  doc["verdict"] = beyond == 0 ? "within float rounding: consistent with the model"
                               : "beyond float rounding: likely a different function, e.g. a missing 1/H scaling, a "
                                 "transposed Q, or full-sequence instead of prefix Gram";
  doc["explanations"] = found;
  doc["values"] = std::move(rows);
  if (checked > o.max_entries) doc["values_note"] = "only the first " + std::to_string(o.max_entries) + " entries and every flagged entry are listed";
  write_json_file(o.output_path, doc);
  std::string line = std::to_string(checked - beyond) + " of " + std::to_string(checked) + " entries within the " + dtype +
                     " rounding bound";
  if (beyond > 0) line += "; " + std::to_string(beyond) + " beyond it: likely a different function";
  if (!found.empty()) line += " (" + found.front() + ")";
  print_summary(global, "crosscheck", line);
  return beyond == 0 ? 0 : 1;
}

}  // namespace

Subcommand add_crosscheck_command(CLI::App& app) {
  auto opts = std::make_shared<CrosscheckOptions>();
  CLI::App* sub = app.add_subcommand("crosscheck", "Compare a floating-point implementation's outputs with the exact ones");
  sub->add_option("--model", opts->model_path, "Model file (JSON or .npz with V, Q of shape (H, d, d))")->required();
  sub->add_option("--input", opts->input_path, "Dataset file whose inputs Z were evaluated (JSON or .npz; targets ignored)")->required();
  sub->add_option("--outputs", opts->outputs_path,
                  "Their outputs: .npz with Y of shape (N, n, d) or (N, d), or an mhla-outputs JSON")
      ->required();
  sub->add_option("--dtype", opts->dtype, "Their floating-point format: auto (from the .npz dtype or arith), float64, float32, float16");
  sub->add_option("--max-entries", opts->max_entries, "List at most this many entries within the bound (flagged ones always; default 100000)");
  sub->add_option("-o,--output", opts->output_path, "Output file, written atomically (default - = standard output)");
  sub->footer(
      "Output: {\"format\": \"mhla-crosscheck\", \"version\": 1, ..., \"entries_beyond_bound\": k, \"explanations\": [...],\n"
      "\"values\": [{\"sample\", \"position\", \"a\", \"exact\", \"theirs\", \"error\", \"bound\", \"within_bound\"}, ...]}.\n"
      "error and bound are decimals rounded up (6 digits); every comparison is exact. Exit 0 if every entry is\n"
      "within its bound, 1 otherwise. The model's causal flag is used.");
  return {sub, [opts](const GlobalOptions& global) { return run_crosscheck(*opts, global); }};
}

}  // namespace mhla::cli
