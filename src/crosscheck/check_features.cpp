// SPDX-License-Identifier: MIT
#include "mhla/crosscheck/check_features.hpp"

#include "mhla/arith/scalar_text.hpp"
#include "mhla/features/features.hpp"
#include "mhla/support/error.hpp"

namespace mhla::crosscheck {

CheckCounts check_features(Dataset inputs, const npz::Array& P, const FeaturesCheckOptions& o, OrderedJson& doc) {
  const std::string& name = o.source;
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
  const std::string dtype = resolve_dtype(o.dtype, dtype_of_descr(descr), name);
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


}  // namespace mhla::crosscheck
