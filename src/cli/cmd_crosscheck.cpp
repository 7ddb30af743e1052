// SPDX-License-Identifier: MIT
// mhla crosscheck --input I [--model M --outputs O] [--features PHI.npz]
//                 [--dtype auto|float64|float32|float16] [--max-entries N] [-o FILE]
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
// --features PHI.npz: their design matrix against the exact features phi(Z, b) (rows as
// `mhla features --dataset I` orders them), folded (D columns) or unfolded (d^3) layout.
// Exit 0 if every entry is within its bound, 1 otherwise, 2 on bad input.
#include <functional>
#include <memory>
#include <optional>

#include "command.hpp"
#include "mhla/arith/scalar_text.hpp"
#include "mhla/features/exact_fast.hpp"
#include "mhla/features/features.hpp"
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
  std::string model_path, input_path, outputs_path, features_path, dtype = "auto", output_path = "-";
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

struct CheckCounts {
  std::size_t checked = 0, beyond = 0;
  std::optional<Rational> worst_ratio;  // max error / bound over entries with bound > 0
  bool zero_bound_miss = false;         // an entry with bound 0 differs

  // Records one comparison (exact); returns whether it is within the bound.
  bool add(const Rational& error, const Rational& bound) {
    const bool within = error <= bound;
    ++checked;
    beyond += within ? 0 : 1;
    if (bound > 0) {
      const Rational ratio = error / bound;
      if (!worst_ratio || ratio > *worst_ratio) worst_ratio = ratio;
    } else if (!within) {
      zero_bound_miss = true;
    }
    return within;
  }
  void write(OrderedJson& doc) const {
    doc["entries"] = checked;
    doc["entries_beyond_bound"] = beyond;
    doc["max_error_over_bound"] = zero_bound_miss ? OrderedJson("inf (an entry with bound 0 differs)")
                                  : worst_ratio   ? OrderedJson(decimal_upper_bound(*worst_ratio, 6))
                                                  : OrderedJson("0");
  }
};

std::string dtype_of(const std::string& option, const std::string& detected, const std::string& file) {
  const std::string dtype = option == "auto" ? detected : option;
  if (dtype.empty())
    fail(ErrorKind::usage, "crosscheck: cannot tell the floating-point format of " + file + "; give --dtype float64|float32|float16");
  precision_bits(dtype);  // validates
  return dtype;
}

// Their outputs against the model's exact outputs (Lemma X1 (a)).
CheckCounts check_outputs(const CrosscheckOptions& o, const Dataset& inputs, OrderedJson& doc) {
  const Model<Rational> model = read_model(o.model_path);
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
  const std::string dtype = dtype_of(o.dtype, theirs.dtype, out_name);
  const unsigned bits = precision_bits(dtype);

  const ExactOutputs e = exact_outputs(model, inputs);
  CheckCounts counts;
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
        const bool within = counts.add(error, bound);
        if (rows.size() < o.max_entries || !within)
          rows.push_back(OrderedJson{{"sample", i}, {"position", b}, {"a", a}, {"exact", exact_scalar_json(exact)},
                                     {"theirs", to_decimal_string(to_binary64(value))},
                                     {"error", decimal_upper_bound(error, 6)}, {"bound", decimal_upper_bound(bound, 6)},
                                     {"within_bound", within}});
      }
    }
  }
  std::vector<std::string> found;
  if (counts.beyond > 0) found = explanations(theirs, model, inputs, e, bits);
  doc["dtype"] = dtype;
  doc["unit_roundoff"] = "2^-" + std::to_string(bits);
  doc["d"] = d;
  doc["heads"] = H;
  doc["causal"] = model.causal;
  doc["positions"] = theirs.last_only ? "last" : "all";
  doc["bound"] = "|theirs - exact| <= gamma_K * Yabs, gamma_K = K u / (1 - K u), K = n + 3d + H + 9, Yabs = the exact "
                 "output of (|V_h|, |Q_h|) on |Z| (Lemma X1: any staged evaluation, any summation order, FMA or not, "
                 "each operation correctly rounded, no overflow or underflow)";
  counts.write(doc);
  doc["verdict"] = counts.beyond == 0 ? "within float rounding: consistent with the model"
                                      : "beyond float rounding: likely a different function, e.g. a missing 1/H scaling, a "
                                        "transposed Q, or full-sequence instead of prefix Gram";
  doc["explanations"] = found;
  doc["values"] = std::move(rows);
  if (counts.checked > o.max_entries)
    doc["values_note"] = "only the first " + std::to_string(o.max_entries) + " entries and every flagged entry are listed";
  return counts;
}

// Their design matrix Phi (rows as `mhla features --dataset I` orders them; columns the folded
// canonical (j <= k, l) order, D of them, or the unfolded (j, k, l) order, d^3) against the exact
// features, entry bound gamma_{n+4} |G|[j][k] |z_b[l]| (Lemma X1 (b)). The dataset's causal flag.
CheckCounts check_features(const CrosscheckOptions& o, Dataset inputs, OrderedJson& doc) {
  const std::string name = input_display_name(o.features_path);
  const std::string bytes = read_file_bytes(o.features_path);
  if (!npz::has_zip_magic(bytes)) fail(ErrorKind::bad_input, name + ": expected an .npz with array Phi of shape (rows, D) or (rows, d^3)");
  const auto arrays = npz::read_npz(bytes, name);
  const auto phi = arrays.find("Phi");
  if (phi == arrays.end() || arrays.size() != 1) fail(ErrorKind::bad_input, name + ": expected exactly one array Phi");
  const npz::Array& P = phi->second;
  const std::size_t d = inputs.d, D = feature_dim(d);
  for (Sample& s : inputs.samples)  // input-only samples contribute every position (as mhla features)
    if (s.targets.empty())
      for (std::size_t b = 0; b < s.Z.cols(); ++b) s.targets.push_back(Target{b, std::vector<std::optional<Rational>>(d)});
  std::size_t rows = 0;
  for (const Sample& s : inputs.samples) rows += s.targets.size();
  const bool unfolded = P.shape.size() == 2 && P.shape[0] == rows && P.shape[1] == d * d * d && d * d * d != D;
  if (!unfolded && !(P.shape.size() == 2 && P.shape[0] == rows && P.shape[1] == D))
    fail(ErrorKind::bad_input, name + ": Phi: expected shape (" + std::to_string(rows) + ", " + std::to_string(D) + ") or (" +
                                   std::to_string(rows) + ", " + std::to_string(d * d * d) + "), got " + npz::shape_text(P.shape));
  const std::string& descr = P.descr;
  const std::string dtype = dtype_of(o.dtype, descr.size() == 3 && descr[1] == 'f' ? (descr[2] == '8' ? "float64" : descr[2] == '4' ? "float32" : "float16") : "", name);
  const unsigned bits = precision_bits(dtype);
  const std::size_t cols = P.shape[1];
  const std::vector<FeatureKey> keys = feature_keys(d);
  CheckCounts counts;
  OrderedJson flagged = OrderedJson::array();
  std::size_t r = 0;
  for (std::size_t si = 0; si < inputs.samples.size(); ++si) {
    const Sample& s = inputs.samples[si];
    const std::size_t n = s.Z.cols();
    const std::optional<Rational> g = gamma(n + 4, bits);
    if (!g) fail(ErrorKind::usage, "crosscheck: (n + 4) u >= 1: no rounding bound exists at this size");
    const Matrix<Rational> absZ = convert<Rational>(s.Z, absolute);
    for (const Target& t : s.targets) {
      const std::size_t last = inputs.causal ? t.position + 1 : n;
      Matrix<Rational> G(d, d), Gabs(d, d);
      for (std::size_t j = 0; j < d; ++j)
        for (std::size_t k = 0; k < d; ++k)
          for (std::size_t m = 0; m < last; ++m) {
            G(j, k) += s.Z(j, m) * s.Z(k, m);
            Gabs(j, k) += absZ(j, m) * absZ(k, m);
          }
      for (std::size_t c = 0; c < cols; ++c) {
        std::size_t j, k, l;
        if (unfolded) j = c / (d * d), k = (c / d) % d, l = c % d;
        else {
          j = keys[c].j, k = keys[c].k, l = keys[c].l;
        }
        const Rational exact = G(j, k) * s.Z(l, t.position), bound = *g * Gabs(j, k) * absZ(l, t.position);
        const Rational& value = P.values[r * cols + c];
        const Rational error = absolute(value - exact);
        if (!counts.add(error, bound) && flagged.size() < o.max_entries)
          flagged.push_back(OrderedJson{{"row", r}, {"sample", si}, {"position", t.position}, {"column", c},
                                        {"jkl", OrderedJson::array({j, k, l})}, {"exact", exact_scalar_json(exact)},
                                        {"theirs", to_decimal_string(to_binary64(value))},
                                        {"error", decimal_upper_bound(error, 6)}, {"bound", decimal_upper_bound(bound, 6)}});
      }
      ++r;
    }
  }
  doc = OrderedJson{{"dtype", dtype}, {"layout", unfolded ? "unfolded d^3 (j, k, l)" : "folded D (j <= k, l)"},
                    {"causal", inputs.causal}, {"rows", rows}, {"columns", cols},
                    {"bound", "|theirs - exact| <= gamma_{n+4} |G|[j][k] |z_b[l]| (Lemma X1 (b))"}};
  counts.write(doc);
  doc["flagged"] = std::move(flagged);
  return counts;
}

int run_crosscheck(const CrosscheckOptions& o, const GlobalOptions& global) {
  const bool outputs = !o.outputs_path.empty(), features = !o.features_path.empty();
  if (!outputs && !features) fail(ErrorKind::usage, "crosscheck: give --outputs O (with --model M) and/or --features PHI.npz");
  if (outputs && o.model_path.empty()) fail(ErrorKind::usage, "crosscheck: --outputs needs --model");
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
    if (!doc["explanations"].empty()) line += " (" + doc["explanations"][0].get<std::string>() + ")";
  }
  if (features) {
    OrderedJson f;
    const CheckCounts c = check_features(o, inputs, f);
    beyond += c.beyond;
    doc["features"] = std::move(f);
    line += std::string(line.empty() ? "" : "; ") + std::to_string(c.checked - c.beyond) + " of " + std::to_string(c.checked) +
            " feature entries within the bound";
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
  sub->add_option("--input", opts->input_path, "Dataset file whose inputs Z were evaluated (JSON or .npz; targets ignored)")->required();
  sub->add_option("--outputs", opts->outputs_path,
                  "Their outputs: .npz with Y of shape (N, n, d) or (N, d), or an mhla-outputs JSON");
  sub->add_option("--features", opts->features_path,
                  "Their design matrix: .npz with Phi of shape (rows, D) (canonical folded columns) or (rows, d^3) (j, k, l)");
  sub->add_option("--dtype", opts->dtype, "Their floating-point format: auto (from the .npz dtype or arith), float64, float32, float16");
  sub->add_option("--max-entries", opts->max_entries, "List at most this many entries within the bound (flagged ones always; default 100000)");
  sub->add_option("-o,--output", opts->output_path, "Output file, written atomically (default - = standard output)");
  sub->footer(
      "Output: {\"format\": \"mhla-crosscheck\", \"version\": 1, ..., \"entries_beyond_bound\": k, \"explanations\": [...],\n"
      "\"values\": [{\"sample\", \"position\", \"a\", \"exact\", \"theirs\", \"error\", \"bound\", \"within_bound\"}, ...]}.\n"
      "error and bound are decimals rounded up (6 digits); every comparison is exact. Exit 0 if every entry is\n"
      "within its bound, 1 otherwise. Outputs use the model's causal flag; --features uses the dataset's\n"
      "(an .npz dataset: a 0-d array causal).");
  return {sub, [opts](const GlobalOptions& global) { return run_crosscheck(*opts, global); }};
}

}  // namespace mhla::cli
