// SPDX-License-Identifier: MIT
#include "mhla/crosscheck/check_features.hpp"

#include <array>
#include <functional>

#include "mhla/arith/scalar_text.hpp"
#include "mhla/crosscheck/constant_factor.hpp"
#include "mhla/crosscheck/explain_outputs.hpp"
#include "mhla/features/features.hpp"
#include "mhla/support/error.hpp"

namespace mhla::crosscheck {
namespace {

// One entry of the design matrix: its place, the exact value phi and |G|[j][k] |z_b[l]|.
struct FeatureEntry {
  std::size_t row, sample, position, column, j, k, l;
  Rational exact, abs;
};

// The exact features in their layout with the Gram summed over mask's tokens (Lemma X1 (b), X3).
std::vector<FeatureEntry> exact_features(const Dataset& inputs, bool unfolded, Mask mask) {
  const std::size_t d = inputs.d, cols = unfolded ? d * d * d : feature_dim(d);
  const std::vector<FeatureKey> keys = feature_keys(d);
  std::vector<FeatureEntry> out;
  std::size_t r = 0;
  for (std::size_t si = 0; si < inputs.samples.size(); ++si) {
    const Sample& s = inputs.samples[si];
    const std::size_t n = s.Z.cols();
    for (const Target& t : s.targets) {
      const std::size_t last = mask == Mask::full ? n : mask == Mask::prefix ? t.position + 1 : t.position;
      Matrix<Rational> G(d, d), Gabs(d, d);
      for (std::size_t j = 0; j < d; ++j)
        for (std::size_t k = 0; k < d; ++k)
          for (std::size_t m = 0; m < last; ++m) {
            G(j, k) += s.Z(j, m) * s.Z(k, m);
            Gabs(j, k) += absolute(s.Z(j, m)) * absolute(s.Z(k, m));
          }
      for (std::size_t c = 0; c < cols; ++c) {
        std::size_t j, k, l;
        if (unfolded) j = c / (d * d), k = (c / d) % d, l = c % d;
        else j = keys[c].j, k = keys[c].k, l = keys[c].l;
        out.push_back({r, si, t.position, c, j, k, l, G(j, k) * s.Z(l, t.position),
                       Gabs(j, k) * absolute(s.Z(l, t.position))});
      }
      ++r;
    }
  }
  return out;
}

// Every entry within gamma_{n + 4 + extra}(bits) |s| abs of s exact (s per entry).
bool fits(const std::vector<Rational>& theirs, const std::vector<FeatureEntry>& e, const Dataset& inputs, unsigned bits,
          std::size_t extra, const std::function<Rational(const FeatureEntry&)>& scale) {
  for (std::size_t i = 0; i < e.size(); ++i) {
    const std::optional<Rational> g = gamma(inputs.samples[e[i].sample].Z.cols() + 4 + extra, bits);
    if (!g) return false;
    const Rational s = scale(e[i]);
    if (absolute(theirs[i] - s * e[i].exact) > *g * absolute(s) * e[i].abs) return false;
  }
  return true;
}

std::string shape_reason(const Dataset& original, std::size_t rows, std::size_t d) {
  std::size_t with_targets = 0, all_positions = 0;
  for (const Sample& s : original.samples) {
    with_targets += s.targets.empty() ? 0 : 1;
    all_positions += s.targets.empty() ? s.Z.cols() : 0;
  }
  std::string why = "rows = " + std::to_string(rows) + ": one per target position of the dataset, as `mhla features --dataset` " +
                    "orders them";
  if (all_positions > 0) why += " (an input-only sample contributes every position)";
  return why + "; D = d^2 (d+1)/2 = " + std::to_string(feature_dim(d)) + " folded columns (j <= k, l) or d^3 = " +
         std::to_string(d * d * d) + " unfolded (j, k, l)";
}

}  // namespace

CheckCounts check_features(Dataset inputs, const npz::Array& P, const FeaturesCheckOptions& o, OrderedJson& doc) {
  const std::string& name = o.source;
  const Dataset original = inputs;
  const std::size_t d = inputs.d, D = feature_dim(d), N = inputs.samples.size();
  for (Sample& s : inputs.samples)  // input-only samples contribute every position (as mhla features)
    if (s.targets.empty())
      for (std::size_t b = 0; b < s.Z.cols(); ++b) s.targets.push_back(Target{b, std::vector<std::optional<Rational>>(d)});
  std::size_t rows = 0;
  for (const Sample& s : inputs.samples) rows += s.targets.size();
  const bool unfolded = P.shape.size() == 2 && P.shape[0] == rows && P.shape[1] == d * d * d && d * d * d != D;
  if (!unfolded && !(P.shape.size() == 2 && P.shape[0] == rows && P.shape[1] == D)) {
    std::string hint;
    if (P.shape.size() == 2 && P.shape[0] == N && rows != N)
      hint = "; Phi has one row per sample (last-position features?) but the dataset has " + std::to_string(rows) +
             " target positions: give a dataset whose targets are at the last position only (e.g. `mhla generate ... "
             "--positions last`)";
    fail(ErrorKind::bad_input, name + ": Phi: got shape " + npz::shape_text(P.shape) + "; expected (" + std::to_string(rows) + ", " +
                                   std::to_string(D) + ") or (" + std::to_string(rows) + ", " + std::to_string(d * d * d) +
                                   "): " + shape_reason(original, rows, d) + hint);
  }
  const std::string dtype = resolve_dtype(o.dtype, dtype_of_descr(P.descr), name);
  const unsigned bits = precision_bits(dtype);
  const std::size_t cols = P.shape[1];
  const Mask own = inputs.causal ? Mask::prefix : Mask::full;
  const std::vector<FeatureEntry> e = exact_features(inputs, unfolded, own);
  const std::vector<Rational>& theirs = P.values;
  CheckCounts counts;
  OrderedJson flagged = OrderedJson::array();
  std::vector<std::size_t> flagged_index;
  for (std::size_t i = 0; i < e.size(); ++i) {
    const FeatureEntry& x = e[i];
    const std::optional<Rational> g = gamma(inputs.samples[x.sample].Z.cols() + 4, bits);
    if (!g) fail(ErrorKind::usage, "crosscheck: (n + 4) u >= 1: no rounding bound exists at this size");
    const Rational bound = *g * x.abs, error = absolute(theirs[i] - x.exact);
    if (!counts.add(error, bound)) {
      flagged_index.push_back(i);
      if (flagged.size() < o.max_entries)
        flagged.push_back(OrderedJson{{"row", x.row}, {"sample", x.sample}, {"position", x.position}, {"column", x.column},
                                      {"jkl", OrderedJson::array({x.j, x.k, x.l})}, {"exact", exact_scalar_json(x.exact)},
                                      {"exact_decimal", short_decimal(x.exact, 6)},
                                      {"theirs", to_decimal_string(to_binary64(theirs[i]))},
                                      {"ratio", x.exact == 0 ? OrderedJson(theirs[i] == 0 ? "0/0" : "undefined (exact 0)")
                                                             : OrderedJson(short_decimal(theirs[i] / x.exact, 6))},
                                      {"error", decimal_upper_bound(error, 6)}, {"bound", decimal_upper_bound(bound, 6)}});
    }
  }
  // Explanations (Lemmas X2-X4 for the features).
  std::vector<std::string> found;
  if (counts.beyond > 0) {
    auto one = [](const FeatureEntry&) { return Rational(1); };
    if (fits(theirs, e, inputs, bits, 1, [](const FeatureEntry& x) { return Rational(x.j == x.k ? 1 : 2); }))
      found.push_back("their off-diagonal terms (j != k) are doubled: 2 G[j][k] z_b[l] (a fold that sums the symmetric pair), "
                      "the diagonal ones as the exact features");
    if (fits(theirs, e, inputs, bits, 1, [](const FeatureEntry& x) { return x.j == x.k ? Rational(1) : Rational(1, 2); }))
      found.push_back("their off-diagonal terms (j != k) are halved: G[j][k] z_b[l] / 2, the diagonal ones as the exact features");
    NamedSizes sizes{d, 1, std::nullopt, std::nullopt};
    for (std::size_t i = 0; i < N; ++i) {
      const std::size_t n = inputs.samples[i].Z.cols();
      if (i == 0) sizes.n = n;
      else if (sizes.n && *sizes.n != n) sizes.n = std::nullopt;
    }
    std::vector<FactorEntry> fe;
    bool ok = true;
    for (std::size_t i = 0; i < e.size() && ok; ++i) {
      const std::optional<Rational> g = gamma(inputs.samples[e[i].sample].Z.cols() + 6, bits);
      if (!g) ok = false;
      else fe.push_back({theirs[i], e[i].exact, *g * e[i].abs});
    }
    if (ok)
      if (const std::optional<FactorMatch> m = find_constant_factor(fe, sizes)) {
        std::string s = "their features are c times the exact ones with c = " + m->value_text + " (" +
                        short_decimal(m->negative ? Rational(-m->lo) : m->lo, 6) + ")" +
                        (m->c ? ", found exactly" : ", irrational: matched within the rounding bound through an enclosure, never exactly");
        if (!m->decompositions.empty()) {
          s += "; c = ";
          for (std::size_t i = 0; i < m->decompositions.size(); ++i) s += (i ? " = " : "") + m->decompositions[i];
        }
        found.push_back(s);
      }
    const std::array<std::pair<Mask, const char*>, 3> masks = {
        {{Mask::full, "the full-sequence Gram (every token) instead of the causal prefix Gram G_b"},
         {Mask::prefix, "the causal prefix Gram G_b (tokens m <= b) instead of the full-sequence Gram"},
         {Mask::strict_prefix, "a causal mask off by one: the prefix Gram over tokens m < b (diagonal excluded)"}}};
    for (const auto& [mask, what] : masks) {
      if (mask == own) continue;
      if (fits(theirs, exact_features(inputs, unfolded, mask), inputs, bits, 0, one))
        found.push_back(std::string("their features match ") + what);
    }
    const bool slip_found = !found.empty();
    if (!slip_found && flagged_index.size() <= 5 && flagged_index.size() * 10 <= counts.checked) {
      std::string s = "a few isolated wrong entries (" + std::to_string(flagged_index.size()) + " of " +
                      std::to_string(counts.checked) + ", every other entry within its bound): ";
      for (std::size_t i = 0; i < flagged_index.size(); ++i)
        s += (i ? ", " : "") + std::string("row ") + std::to_string(e[flagged_index[i]].row) + " column " +
             std::to_string(e[flagged_index[i]].column);
      found.push_back(s);
    }
    struct Narrower {
      const char* name;
      const char* dtype;
      unsigned bits;
    };
    for (const Narrower f : {Narrower{"float32", "float32", 24}, Narrower{"float16 or TF32", "float16", 11},
                             Narrower{"bfloat16", "bfloat16", 8}}) {
      if (f.bits >= bits || !fits(theirs, e, inputs, f.bits, 0, one)) continue;
      found.push_back(std::string("consistent with lower precision: every entry is within the ") + f.name +
                      " rounding bound, so their values are consistent with " + f.name +
                      " arithmetic saved in a wider dtype; rerun with --dtype " + f.dtype);
      break;
    }
  }
  doc = OrderedJson{{"dtype", dtype}, {"layout", unfolded ? "unfolded d^3 (j, k, l)" : "folded D (j <= k, l)"},
                    {"causal", inputs.causal}, {"rows", rows}, {"columns", cols},
                    {"bound", "|theirs - exact| <= gamma_{n+4} |G|[j][k] |z_b[l]| (Lemma X1 (b))"}};
  counts.write(doc);
  doc["explanations"] = found;
  doc["flagged"] = std::move(flagged);
  return counts;
}

}  // namespace mhla::crosscheck
