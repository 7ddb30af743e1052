// SPDX-License-Identifier: MIT
#include "mhla/crosscheck/explain_outputs.hpp"

#include <functional>

namespace mhla::crosscheck {
namespace {

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
std::vector<std::string> explain_outputs_impl(const TheirOutputs& theirs, const Model<Rational>& model, const Dataset& inputs,
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

}  // namespace

std::vector<std::string> explain_outputs(const TheirOutputs& theirs, const Model<Rational>& model, const Dataset& inputs,
                                         const ExactOutputs& exact, unsigned bits) {
  return explain_outputs_impl(theirs, model, inputs, exact, bits);
}

}  // namespace mhla::crosscheck
