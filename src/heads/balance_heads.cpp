// SPDX-License-Identifier: MIT
// Well-conditioned exact heads: complete-pivoting factorisation and power-of-two scale balancing
// (balance_heads.hpp; proofs-notes/07-heads.md, Lemmas H8, H9).
#include "mhla/heads/balance_heads.hpp"

#include <cmath>
#include <limits>

#include "mhla/support/progress.hpp"

namespace mhla {
namespace {

// floor(log2 |q|) up to one: bit_length(num) - bit_length(den). q != 0.
long approx_log2(const Rational& q) {
  return static_cast<long>(bit_length(numerator(q))) - static_cast<long>(bit_length(denominator(q)));
}

Rational max_abs_entry(const Matrix<Rational>& A) {
  Rational m = 0;
  for (const Rational& x : A.data())
    if (abs(x) > m) m = abs(x);
  return m;
}

Rational power_of_two(long e) {
  Integer p = 1;
  p <<= static_cast<unsigned long>(e < 0 ? -e : e);
  return e < 0 ? Rational(Integer(1), p) : Rational(p);
}

}  // namespace

// @proof H8
std::optional<RankFactorisation> pivoted_factorisation(const Matrix<Rational>& M, double max_work) {
  const std::size_t m = M.rows(), n = M.cols();
  std::size_t bits = 64;
  for (const Rational& x : M.data()) bits = std::max(bits, bit_length(numerator(x)) + bit_length(denominator(x)));
  const double r_max = static_cast<double>(std::min(m, n));
  if (static_cast<double>(m) * static_cast<double>(n) * r_max * static_cast<double>(bits) > max_work) return std::nullopt;
  Matrix<Rational> A = M;
  std::vector<std::vector<Rational>> us, vs;
  Progress progress("mhla learn", "pivoted head", std::min(m, n));
  for (std::size_t step = 0; step < std::min(m, n); ++step) {
    progress.update(step);
    std::size_t pi = 0, pj = 0;
    Rational best = 0;
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j)
        if (A(i, j) != 0 && abs(A(i, j)) > best) best = abs(A(i, j)), pi = i, pj = j;
    if (best == 0) break;
    std::vector<Rational> u(m), v(n);
    const Rational pivot = A(pi, pj);
    for (std::size_t i = 0; i < m; ++i) u[i] = A(i, pj);
    for (std::size_t j = 0; j < n; ++j) v[j] = A(pi, j) / pivot;
    for (std::size_t i = 0; i < m; ++i) {
      if (u[i] == 0) continue;
      for (std::size_t j = 0; j < n; ++j)
        if (v[j] != 0) A(i, j) -= u[i] * v[j];
    }
    us.push_back(std::move(u));
    vs.push_back(std::move(v));
  }
  const std::size_t r = us.size();
  RankFactorisation f{Matrix<Rational>(m, r), Matrix<Rational>(n, r), r};
  for (std::size_t h = 0; h < r; ++h) {
    for (std::size_t i = 0; i < m; ++i) f.U(i, h) = us[h][i];
    for (std::size_t j = 0; j < n; ++j) f.V(j, h) = vs[h][j];
  }
  if (!(multiply(f.U, transpose(f.V)) == M))
    fail(ErrorKind::internal, "pivoted_factorisation: U V^T differs from M");
  return f;
}

// @proof H9
Model<Rational> balance_head_scales(const Model<Rational>& model) {
  Model<Rational> out = model;
  for (Head<Rational>& h : out.heads) {
    const Rational a = max_abs_entry(h.V), b = max_abs_entry(h.Q);
    if (a == 0 || b == 0) continue;
    const long diff = approx_log2(b) - approx_log2(a);  // log2(b / a) within 1
    const long e = diff >= 0 ? diff / 2 : -((-diff + 1) / 2);
    if (e == 0) continue;
    const Rational c = power_of_two(e), c_inv = power_of_two(-e);
    for (Rational& x : h.V.data()) x *= c;
    for (Rational& x : h.Q.data()) x *= c_inv;
  }
  return out;
}

template <class T>
FloatOutputError float_output_error(const Model<Rational>& model, const std::vector<Matrix<Rational>>& inputs,
                                    const std::vector<Matrix<Rational>>& Y_exact) {
  // Rounded to binary64, then to T; a value beyond T's range becomes +-inf explicitly (a plain
  // out-of-range double-to-float conversion would be undefined behaviour).
  const auto to_t = [](const Rational& q) {
    const double x = to_binary64(q);
    if (std::fabs(x) > static_cast<double>(std::numeric_limits<T>::max()))
      return x > 0 ? std::numeric_limits<T>::infinity() : -std::numeric_limits<T>::infinity();
    return static_cast<T>(x);
  };
  const Model<T> fm = convert_model<T>(model, to_t);
  FloatOutputError out;
  for (std::size_t s = 0; s < inputs.size(); ++s) {
    const Matrix<T> Y = evaluate(fm, convert<T>(inputs[s], to_t));
    for (std::size_t i = 0; i < Y.data().size(); ++i) {
      const double y = static_cast<double>(Y.data()[i]);
      const Rational& exact = Y_exact[s].data()[i];
      if (abs(exact) > out.max_abs_output) out.max_abs_output = abs(exact);
      if (!std::isfinite(y)) {
        out.overflow = true;
        continue;
      }
      const Rational e = abs(to_rational(y) - exact);
      if (e > out.max_abs_error) out.max_abs_error = e;
    }
  }
  return out;
}

template FloatOutputError float_output_error<double>(const Model<Rational>&, const std::vector<Matrix<Rational>>&,
                                                     const std::vector<Matrix<Rational>>&);
template FloatOutputError float_output_error<float>(const Model<Rational>&, const std::vector<Matrix<Rational>>&,
                                                    const std::vector<Matrix<Rational>>&);

}  // namespace mhla
