// SPDX-License-Identifier: MIT
#include "mhla/crosscheck/check_outputs.hpp"

#include <array>

#include "mhla/arith/scalar_text.hpp"
#include "mhla/crosscheck/explain_outputs.hpp"
#include "mhla/features/exact_fast.hpp"
#include "mhla/support/error.hpp"

namespace mhla::crosscheck {

ExactOutputs exact_outputs(const Model<Rational>& model, const Dataset& inputs, const std::optional<Model<Rational>>& given) {
  const Model<Rational> abs_model = given ? *given : convert_model<Rational>(model, absolute);
  ExactOutputs e;
  for (const Sample& s : inputs.samples) {
    e.Y.push_back(evaluate_exact(model, s.Z));
    e.Yabs.push_back(evaluate_exact(abs_model, convert<Rational>(s.Z, absolute)));
  }
  return e;
}

CheckCounts check_outputs(const Model<Rational>& model, const Dataset& inputs, const TheirOutputs& theirs,
                          const OutputsCheckOptions& o, OrderedJson& doc) {
  if (inputs.d != model.d)
    fail(ErrorKind::bad_input, "crosscheck: the inputs have d = " + std::to_string(inputs.d) + ", the model d = " + std::to_string(model.d));
  const std::size_t N = inputs.samples.size(), d = model.d, H = model.heads.size();
  if (theirs.Y.size() != N) fail(ErrorKind::internal, "crosscheck: outputs not read for these inputs");
  const std::string dtype = resolve_dtype(o.dtype, theirs.dtype, o.source);
  const unsigned bits = precision_bits(dtype);

  const ExactOutputs e = exact_outputs(model, inputs, o.abs_model);
  CheckCounts counts;
  OrderedJson rows = OrderedJson::array();
  std::vector<std::array<std::size_t, 3>> flagged;
  std::size_t loose = 0;  // entries whose bound is at least |exact|
  for (std::size_t i = 0; i < N; ++i) {
    const std::size_t n = inputs.samples[i].Z.cols();
    const std::size_t K = rounding_count(d, n, H) + o.extra_roundings;
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
        if (!within) flagged.push_back({i, b, a});
        if (bound > 0 && bound >= absolute(exact)) ++loose;
        if (rows.size() < o.max_entries || !within)
          rows.push_back(OrderedJson{{"sample", i}, {"position", b}, {"a", a}, {"exact", exact_scalar_json(exact)},
                                     {"exact_decimal", short_decimal(exact, 6)},
                                     {"theirs", to_decimal_string(to_binary64(value))},
                                     {"ratio", exact == 0 ? OrderedJson(value == 0 ? "0/0" : "undefined (exact 0)")
                                                          : OrderedJson(short_decimal(value / exact, 6))},
                                     {"error", decimal_upper_bound(error, 6)}, {"bound", decimal_upper_bound(bound, 6)},
                                     {"within_bound", within}});
      }
    }
  }
  OutputsExplained found;
  if (counts.beyond > 0) found = explain_outputs(theirs, model, inputs, e, bits, flagged, counts.checked, o.dk);
  doc["dtype"] = dtype;
  doc["unit_roundoff"] = "2^-" + std::to_string(bits);
  doc["d"] = d;
  doc["heads"] = H;
  doc["causal"] = model.causal;
  doc["positions"] = theirs.last_only ? "last" : "all";
  doc["bound"] = "|theirs - exact| <= gamma_K * Yabs, gamma_K = K u / (1 - K u), K = n + 3d + H + 9, Yabs = the exact "
                 "output of (|V_h|, |Q_h|) on |Z| (Lemma X1: any staged evaluation, any summation order, FMA or not, "
                 "each operation correctly rounded, no overflow or underflow)";
  if (o.abs_model)
    doc["bound"] = "|theirs - exact| <= gamma_K * Yabs, gamma_K = K u / (1 - K u), K = n + 3d + 2 d_k + H + 11, Yabs = the "
                   "exact output of (|W_O,h| |W_V,h|, |s| |W_K,h|^T |W_Q,h|) on |Z| (Lemma X5: the factored evaluation of "
                   "imported weights, any staged order)";
  counts.write(doc);
  if (loose > 0)
    doc["bound_note"] = "on " + std::to_string(loose) + " of " + std::to_string(counts.checked) +
                        " entries the bound is at least |exact| itself: Yabs (which scales with |V_h| |Q_h|) is much "
                        "larger than |Y| there (cancellation, badly scaled heads), so the check cannot tell their value "
                        "from 0 or from a wrong value of the same size: there it means little";
  doc["verdict"] = counts.beyond == 0 ? "within float rounding: consistent with the model"
                   : found.sentences.empty()
                       ? "beyond float rounding: likely a different function, and none of the usual slips tried explains it"
                       : "beyond float rounding: likely a different function; explained by: " + found.sentences[0];
  doc["explanations"] = found.sentences;
  if (found.factor) {
    const FactorMatch& f = *found.factor;
    doc["constant_factor"] = OrderedJson{
        {"c", f.value_text},
        {"c_decimal", short_decimal(f.negative ? Rational(-f.lo) : f.lo, 6)},
        {"exact", f.c.has_value()},
        {"c_squared", exact_scalar_json(f.c_squared)},
        {"enclosure", f.c ? OrderedJson() : OrderedJson::array({exact_scalar_json(f.lo), exact_scalar_json(f.hi)})},
        {"decompositions", f.decompositions}};
  }
  doc["values"] = std::move(rows);
  if (counts.checked > o.max_entries)
    doc["values_note"] = "only the first " + std::to_string(o.max_entries) + " entries and every flagged entry are listed";
  return counts;
}

}  // namespace mhla::crosscheck
