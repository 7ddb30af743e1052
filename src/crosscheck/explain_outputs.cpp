// SPDX-License-Identifier: MIT
#include "mhla/crosscheck/explain_outputs.hpp"

#include <functional>

#include "mhla/arith/scalar_text.hpp"

namespace mhla::crosscheck {

std::array<Matrix<Rational>, 2> masked_outputs(const Model<Rational>& model, const Matrix<Rational>& Z, Mask mask) {
  const std::size_t d = model.d, n = Z.cols();
  std::array<Matrix<Rational>, 2> out{Matrix<Rational>(d, n), Matrix<Rational>(d, n)};
  Matrix<Rational> G(d, d), Gabs(d, d);
  auto add_token = [&](std::size_t m) {
    for (std::size_t j = 0; j < d; ++j)
      for (std::size_t k = 0; k < d; ++k) {
        G(j, k) += Z(j, m) * Z(k, m);
        Gabs(j, k) += absolute(Z(j, m)) * absolute(Z(k, m));
      }
  };
  if (mask == Mask::full)
    for (std::size_t m = 0; m < n; ++m) add_token(m);
  for (std::size_t b = 0; b < n; ++b) {
    if (mask == Mask::prefix) add_token(b);
    for (const Head<Rational>& h : model.heads) {
      // w = Q z_b, then u = G w, then V u (and the same with absolute values).
      std::vector<Rational> w(d), wa(d), u(d), ua(d);
      for (std::size_t k = 0; k < d; ++k)
        for (std::size_t l = 0; l < d; ++l) {
          w[k] += h.Q(k, l) * Z(l, b);
          wa[k] += absolute(h.Q(k, l)) * absolute(Z(l, b));
        }
      for (std::size_t j = 0; j < d; ++j)
        for (std::size_t k = 0; k < d; ++k) {
          u[j] += G(j, k) * w[k];
          ua[j] += Gabs(j, k) * wa[k];
        }
      for (std::size_t a = 0; a < d; ++a)
        for (std::size_t j = 0; j < d; ++j) {
          out[0](a, b) += h.V(a, j) * u[j];
          out[1](a, b) += absolute(h.V(a, j)) * ua[j];
        }
    }
    if (mask == Mask::strict_prefix) add_token(b);
  }
  return out;
}

bool representable(const Rational& q, unsigned bits) {
  if (q == 0) return true;
  Integer num = abs(numerator(q));
  const Integer den = denominator(q);
  if ((den & (den - 1)) != 0) return false;  // not a power of two
  while ((num & 1) == 0) num >>= 1;
  return bit_length(num) <= bits;
}

namespace {

// Every entry of theirs within gamma_{K + extra}(bits) |s| Yabs of s Y (s per column: a
// constant, 1/(b+1), ...), for the slipped computation's Y and Yabs (Lemma X2).
bool explains(const TheirOutputs& theirs, const std::vector<Matrix<Rational>>& Y, const std::vector<Matrix<Rational>>& Yabs,
              const Dataset& inputs, std::size_t H, unsigned bits, std::size_t extra,
              const std::function<Rational(std::size_t b, std::size_t n)>& scale) {
  for (std::size_t i = 0; i < theirs.Y.size(); ++i) {
    const std::size_t n = inputs.samples[i].Z.cols();
    const std::optional<Rational> g = gamma(rounding_count(inputs.d, n, H) + extra, bits);
    if (!g) return false;
    for (std::size_t c = 0; c < theirs.Y[i].cols(); ++c) {
      const std::size_t b = exact_column(theirs, c, n);
      const Rational s = scale(b, n);
      for (std::size_t a = 0; a < inputs.d; ++a)
        if (absolute(theirs.Y[i](a, c) - s * Y[i](a, b)) > *g * absolute(s) * Yabs[i](a, b)) return false;
    }
  }
  return true;
}

Model<Rational> transformed(const Model<Rational>& m, bool transpose_v, bool transpose_q, bool swap) {
  Model<Rational> r{m.d, m.causal, {}};
  for (const Head<Rational>& h : m.heads) {
    Matrix<Rational> V = h.V, Q = h.Q;
    if (swap) std::swap(V, Q);
    if (transpose_v) V = transpose(V);
    if (transpose_q) Q = transpose(Q);
    r.heads.push_back({std::move(V), std::move(Q)});
  }
  return r;
}

std::string factor_sentence(const FactorMatch& m) {
  std::string s = "their outputs are c times the model's with c = " + m.value_text + " (" +
                  short_decimal(m.negative ? Rational(-m.lo) : m.lo, 6) + ")";
  if (m.c)
    s += ", found exactly: every entry is within gamma_{K+2} |c| Yabs of c times the exact output";
  else
    s += ", irrational: it can only be matched within the rounding bound, never exactly; every entry is within "
         "gamma_{K+2} |c| Yabs of c times the exact output for every c in a rational enclosure of width < 2^-100 (exact "
         "comparisons), so their outputs are consistent with this factor";
  if (m.decompositions.empty())
    s += "; c is not a product of 1/sqrt(d), 1/H, 1/n, 1/sqrt(d_k)";
  else {
    s += "; c = ";
    for (std::size_t i = 0; i < m.decompositions.size(); ++i) s += (i ? " = " : "") + m.decompositions[i];
    if (m.decompositions.size() > 1) s += " (each of these decompositions fits; the data cannot tell them apart)";
  }
  return s;
}

}  // namespace

OutputsExplained explain_outputs(const TheirOutputs& theirs, const Model<Rational>& model, const Dataset& inputs,
                                 const ExactOutputs& e, unsigned bits, const std::vector<std::array<std::size_t, 3>>& flagged,
                                 std::size_t checked, std::optional<std::size_t> dk) {
  const std::size_t H = model.heads.size();
  OutputsExplained out;
  std::vector<std::string>& found = out.sentences;
  auto one = [](std::size_t, std::size_t) { return Rational(1); };

  // A constant factor (Lemma X2).
  NamedSizes sizes{model.d, H, std::nullopt, dk};
  for (std::size_t i = 0; i < inputs.samples.size(); ++i) {
    const std::size_t n = inputs.samples[i].Z.cols();
    if (i == 0) sizes.n = n;
    else if (sizes.n && *sizes.n != n) sizes.n = std::nullopt;
  }
  std::vector<FactorEntry> entries;
  bool bound_exists = true;
  for (std::size_t i = 0; i < theirs.Y.size() && bound_exists; ++i) {
    const std::size_t n = inputs.samples[i].Z.cols();
    const std::optional<Rational> g = gamma(rounding_count(inputs.d, n, H) + 2, bits);
    if (!g) bound_exists = false;
    else
      for (std::size_t c = 0; c < theirs.Y[i].cols(); ++c)
        for (std::size_t a = 0; a < inputs.d; ++a) {
          const std::size_t b = exact_column(theirs, c, n);
          entries.push_back({theirs.Y[i](a, c), e.Y[i](a, b), *g * e.Yabs[i](a, b)});
        }
  }
  if (bound_exists) out.factor = find_constant_factor(entries, sizes);
  if (out.factor) found.push_back(factor_sentence(*out.factor));

  // A mean over the tokens summed instead of a sum (a per-position factor).
  if (explains(theirs, e.Y, e.Yabs, inputs, H, bits, 2,
               [&](std::size_t b, std::size_t n) { return Rational(1, static_cast<long>(model.causal ? b + 1 : n)); }) &&
      !(out.factor && !model.causal))
    found.push_back(std::string("their outputs are the model's divided by the number of tokens summed (a 1/") +
                    (model.causal ? "(b+1)" : "n") + " mean instead of a sum)");

  // Another MHLA: transposes, swaps, other masks (Lemma X3).
  const Mask own = model.causal ? Mask::prefix : Mask::full;
  struct Variant {
    bool tv, tq, swap;
    Mask mask;
    const char* what;
  };
  std::vector<Variant> variants = {
      {false, true, false, own, "a transposed Q (Q_h^T in place of Q_h)"},
      {true, false, false, own, "a transposed V (V_h^T in place of V_h)"},
      {false, false, true, own, "V and Q swapped"},
  };
  if (model.causal) {
    variants.push_back({false, false, false, Mask::full, "full-sequence Gram matrices instead of the causal prefix Gram G_b"});
    variants.push_back({false, false, false, Mask::strict_prefix,
                        "a causal mask off by one: the prefix Gram over tokens m < b (diagonal excluded) instead of m <= b"});
  } else {
    variants.push_back({false, false, false, Mask::prefix, "causal prefix Gram matrices G_b instead of the full-sequence Gram"});
    variants.push_back({false, false, false, Mask::strict_prefix,
                        "a causal mask with the diagonal excluded (tokens m < b) instead of the full-sequence Gram"});
  }
  for (const Variant& v : variants) {
    const Model<Rational> alt = transformed(model, v.tv, v.tq, v.swap);
    std::vector<Matrix<Rational>> Y, Yabs;
    for (const Sample& s : inputs.samples) {
      auto yy = masked_outputs(alt, s.Z, v.mask);
      Y.push_back(std::move(yy[0]));
      Yabs.push_back(std::move(yy[1]));
    }
    if (explains(theirs, Y, Yabs, inputs, H, bits, 0, one)) found.push_back(std::string("their outputs match ") + v.what);
  }

  const bool slip_found = !found.empty();
  // Lower precision saved in a wider dtype (Lemma X1 with the narrower format's u).
  std::string lower;
  struct Narrower {
    const char* name;
    unsigned bits;
  };
  // The narrowest format whose bound every entry meets and in which every value is exact; else
  // the widest whose bound every entry meets.
  const Narrower narrower[] = {{"float32", 24}, {"float16 or TF32", 11}, {"bfloat16", 8}};
  std::optional<Narrower> chosen;
  bool exact_in_chosen = false;
  for (const Narrower f : narrower) {
    if (f.bits >= bits || !explains(theirs, e.Y, e.Yabs, inputs, H, f.bits, 0, one)) continue;
    bool all_representable = true;
    for (const Matrix<Rational>& m : theirs.Y)
      for (const Rational& q : m.data()) all_representable = all_representable && representable(q, f.bits);
    if (all_representable) chosen = f, exact_in_chosen = true;
    else if (!chosen) chosen = f;
  }
  if (chosen) {
    const Narrower f = *chosen;
    lower = std::string("consistent with lower precision: every entry is within the ") + f.name + " rounding bound (u = 2^-" +
            std::to_string(f.bits) + "), so their values are consistent with " + f.name + " arithmetic saved in a wider dtype" +
            (exact_in_chosen ? std::string(" (and every value is exactly a ") + f.name + " number)" : "") + "; rerun with --dtype " +
            (f.bits == 24 ? "float32" : f.bits == 11 ? "float16" : "bfloat16");
  }

  // A few isolated wrong entries (first when no slip fits; then a lower precision is only the
  // alternative reading).
  if (!slip_found && !flagged.empty() && flagged.size() <= 5 && flagged.size() * 10 <= checked) {
    std::string s = "a few isolated wrong entries (" + std::to_string(flagged.size()) + " of " + std::to_string(checked) +
                    ", every other entry within its bound): ";
    for (std::size_t i = 0; i < flagged.size(); ++i)
      s += (i ? ", " : "") + std::string("sample ") + std::to_string(flagged[i][0]) + " position " + std::to_string(flagged[i][1]) +
           " a " + std::to_string(flagged[i][2]);
    found.push_back(s);
  }
  if (!lower.empty()) found.push_back(lower);
  return out;
}

}  // namespace mhla::crosscheck
