// SPDX-License-Identifier: MIT
#include "mhla/crosscheck/import_weights.hpp"

#include <cmath>

#include "mhla/support/error.hpp"

namespace mhla::crosscheck {
namespace {

Matrix<Rational> slice(const npz::Array& a, std::size_t h, std::size_t rows, std::size_t cols) {
  Matrix<Rational> m(rows, cols);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < cols; ++c) m(r, c) = a.values[(h * rows + r) * cols + c];
  return m;
}

[[noreturn]] void bad(const std::string& source, const std::string& what) { fail(ErrorKind::bad_input, source + ": " + what); }

const char* const layout_help =
    "expected W_Q, W_K, W_V of shape (H, d_k, d) and optional W_O (H, d, d_k), or a state dict saved with np.savez with "
    "keys heads.<h>.W_Q (d_k, d), heads.<h>.W_K, heads.<h>.W_V, optional heads.<h>.W_O (d, d_k)";

}  // namespace

std::vector<HeadWeights> weights_from_npz(const std::map<std::string, npz::Array>& arrays, const std::string& source) {
  std::vector<HeadWeights> heads;
  if (arrays.count("W_Q")) {
    for (const char* name : {"W_Q", "W_K", "W_V"})
      if (!arrays.count(name)) bad(source, std::string("no array ") + name + "; " + layout_help);
    const npz::Array& q = arrays.at("W_Q");
    if (q.shape.size() != 3) bad(source, "W_Q: got shape " + npz::shape_text(q.shape) + "; expected (H, d_k, d): one d_k x d matrix per head");
    const std::size_t H = q.shape[0], dk = q.shape[1], d = q.shape[2];
    const std::string shape_qkv = "(" + std::to_string(H) + ", " + std::to_string(dk) + ", " + std::to_string(d) + ")";
    for (const char* name : {"W_K", "W_V"})
      if (arrays.at(name).shape != q.shape)
        bad(source, std::string(name) + ": got shape " + npz::shape_text(arrays.at(name).shape) + "; expected " + shape_qkv +
                        " (as W_Q: H heads, d_k x d)");
    const npz::Array* o = nullptr;
    if (arrays.count("W_O")) {
      o = &arrays.at("W_O");
      if (o->shape != std::vector<std::size_t>{H, d, dk})
        bad(source, "W_O: got shape " + npz::shape_text(o->shape) + "; expected (" + std::to_string(H) + ", " + std::to_string(d) +
                        ", " + std::to_string(dk) + ") (per head d x d_k, mapping the head's values back to d)");
    }
    for (const auto& [name, a] : arrays)
      if (name != "W_Q" && name != "W_K" && name != "W_V" && name != "W_O" && name != "causal")
        bad(source, "unknown array '" + name + "'; " + layout_help);
    for (std::size_t h = 0; h < H; ++h)
      heads.push_back({slice(q, h, dk, d), slice(arrays.at("W_K"), h, dk, d), slice(arrays.at("W_V"), h, dk, d),
                       o ? std::optional<Matrix<Rational>>(slice(*o, h, d, dk)) : std::nullopt});
    return heads;
  }
  // State dict: [prefix]heads.<h>.<W_Q|W_K|W_V|W_O>.
  std::map<std::size_t, std::map<std::string, const npz::Array*>> by_head;
  for (const auto& [name, a] : arrays) {
    if (name == "causal") continue;
    const std::size_t at = name.find("heads.");
    const std::size_t dot = at == std::string::npos ? std::string::npos : name.find('.', at + 6);
    const std::string index = dot == std::string::npos ? "" : name.substr(at + 6, dot - at - 6);
    const std::string key = dot == std::string::npos ? "" : name.substr(dot + 1);
    if (index.empty() || index.find_first_not_of("0123456789") != std::string::npos ||
        (key != "W_Q" && key != "W_K" && key != "W_V" && key != "W_O"))
      bad(source, "unknown array '" + name + "'; " + layout_help);
    by_head[std::stoul(index)][key] = &a;
  }
  if (by_head.empty()) bad(source, std::string("no weights; ") + layout_help);
  std::size_t expect = 0;
  for (const auto& [h, m] : by_head) {
    if (h != expect) bad(source, "heads." + std::to_string(expect) + " is missing (heads are numbered 0..H-1)");
    ++expect;
    for (const char* key : {"W_Q", "W_K", "W_V"})
      if (!m.count(key)) bad(source, "heads." + std::to_string(h) + "." + key + " is missing; " + layout_help);
    const npz::Array& q = *m.at("W_Q");
    if (q.shape.size() != 2) bad(source, "heads." + std::to_string(h) + ".W_Q: got shape " + npz::shape_text(q.shape) + "; expected (d_k, d)");
    const std::size_t dk = q.shape[0], d = q.shape[1];
    for (const char* key : {"W_K", "W_V"})
      if (m.at(key)->shape != q.shape)
        bad(source, "heads." + std::to_string(h) + "." + key + ": got shape " + npz::shape_text(m.at(key)->shape) + "; expected " +
                        npz::shape_text(q.shape) + " (as W_Q: d_k x d)");
    std::optional<Matrix<Rational>> WO;
    if (m.count("W_O")) {
      if (m.at("W_O")->shape != std::vector<std::size_t>{d, dk})
        bad(source, "heads." + std::to_string(h) + ".W_O: got shape " + npz::shape_text(m.at("W_O")->shape) + "; expected (" +
                        std::to_string(d) + ", " + std::to_string(dk) + ") (d x d_k)");
      WO = slice(*m.at("W_O"), 0, d, dk);
    }
    heads.push_back({slice(q, 0, dk, d), slice(*m.at("W_K"), 0, dk, d), slice(*m.at("W_V"), 0, dk, d), std::move(WO)});
  }
  return heads;
}

ImportedModel import_weights(const std::vector<HeadWeights>& heads, bool causal, const ImportScaling& scaling,
                             const std::string& source) {
  if (heads.empty()) bad(source, "no heads");
  const std::size_t dk = heads[0].WQ.rows(), d = heads[0].WQ.cols(), H = heads.size();
  for (std::size_t h = 0; h < H; ++h) {
    if (heads[h].WQ.rows() != dk || heads[h].WQ.cols() != d)
      bad(source, "head " + std::to_string(h) + " has W_Q of " + std::to_string(heads[h].WQ.rows()) + " x " +
                      std::to_string(heads[h].WQ.cols()) + "; head 0 has " + std::to_string(dk) + " x " + std::to_string(d));
    if (!heads[h].WO && dk != d)
      bad(source, "head " + std::to_string(h) + " has no W_O and d_k = " + std::to_string(dk) + " != d = " + std::to_string(d) +
                      ": W_O (d x d_k) is needed to map the head's values back to d");
  }
  ImportedModel out{Model<Rational>{d, causal, {}}, Model<Rational>{d, causal, {}}, dk, scaling.scale, false, ""};
  if (scaling.mean_heads) out.scale /= Rational(Integer(H));
  if (scaling.mean_tokens) out.scale /= Rational(Integer(*scaling.mean_tokens));
  if (scaling.inverse_sqrt_dk) {
    const Integer r = boost::multiprecision::sqrt(Integer(dk));
    if (r * r == Integer(dk)) {
      out.scale /= Rational(r);
    } else {
      const double f = 1.0 / std::sqrt(static_cast<double>(dk));  // correctly rounded sqrt, then one division
      out.scale *= to_rational(f);
      out.approximate = true;
      out.note = "1/sqrt(d_k) = 1/sqrt(" + std::to_string(dk) + ") is irrational: rounded to the binary64 number " +
                 to_decimal_string(f) + " (1/sqrt(d_k) computed in binary64, as a float64 implementation would); the model is exact for that "
                 "rounded scale, approximate for 1/sqrt(d_k) itself (give --scale p/q for an exact rational instead)";
    }
  }
  for (const HeadWeights& w : heads) {
    Matrix<Rational> V(d, d), Q(d, d);
    for (std::size_t a = 0; a < d; ++a)  // V = W_O W_V (W_O = I when absent)
      for (std::size_t j = 0; j < d; ++j)
        if (w.WO)
          for (std::size_t t = 0; t < dk; ++t) V(a, j) += (*w.WO)(a, t) * w.WV(t, j);
        else
          V(a, j) = w.WV(a, j);
    for (std::size_t k = 0; k < d; ++k)  // Q = s W_K^T W_Q
      for (std::size_t l = 0; l < d; ++l) {
        for (std::size_t t = 0; t < dk; ++t) Q(k, l) += w.WK(t, k) * w.WQ(t, l);
        Q(k, l) *= out.scale;
      }
    out.model.heads.push_back({std::move(V), std::move(Q)});
    Matrix<Rational> Va(d, d), Qa(d, d);
    const Rational as = out.scale < 0 ? Rational(-out.scale) : out.scale;
    auto ab = [](const Rational& q) { return q < 0 ? Rational(-q) : q; };
    for (std::size_t a = 0; a < d; ++a)
      for (std::size_t j = 0; j < d; ++j)
        if (w.WO)
          for (std::size_t t = 0; t < dk; ++t) Va(a, j) += ab((*w.WO)(a, t)) * ab(w.WV(t, j));
        else
          Va(a, j) = ab(w.WV(a, j));
    for (std::size_t k = 0; k < d; ++k)
      for (std::size_t l = 0; l < d; ++l) {
        for (std::size_t t = 0; t < dk; ++t) Qa(k, l) += ab(w.WK(t, k)) * ab(w.WQ(t, l));
        Qa(k, l) *= as;
      }
    out.abs_model.heads.push_back({std::move(Va), std::move(Qa)});
  }
  return out;
}

bool looks_like_torch_save(std::string_view bytes) {
  return npz::has_zip_magic(bytes) && bytes.find("/data.pkl") != std::string_view::npos;
}

}  // namespace mhla::crosscheck
