// SPDX-License-Identifier: MIT
// The MHLA model (math.md, "The model"): Theta = {(V_h, Q_h)}_{h<H}, V_h and Q_h d x d, and
//   Y = sum_h V_h Z (Z^T Q_h Z),  column b:  y_b = sum_h V_h G Q_h z_b,
// with G = Z Z^T = sum_{t<n} z_t z_t^T, or G_b = sum_{t<=b} z_t z_t^T when the model is causal.
// No 1/n, 1/sqrt(d) or 1/H factor. One algorithm for every scalar T (Rational, double, Mpfr).
//
// Cost: one Gram matrix per input (O(d^2 n)); then non-causal: M = sum_h V_h G Q_h once
// (O(H d^3)) and y_b = M z_b (O(d^2) per column); causal: G_b updated by one rank-one term per
// column and y_b = sum_h V_h (G_b (Q_h z_b)) (O(H d^2) per column). Never O(n^2) scores.
//
// Float evaluation (T = double or Mpfr with unit roundoff u, inputs rounded to nearest from
// exact rationals): |fl(Y[a][b]) - Y[a][b]| <= gamma_K * Yabs[a][b], gamma_K = K u / (1 - K u),
// K = rounding_count(d, n, H), where Yabs is the exact output of the model (|V_h|, |Q_h|) on |Z|,
// provided no overflow or underflow occurs (proofs-notes/02-model.md, Lemma F1).
#pragma once
#include <cstddef>
#include <vector>

#include "mhla/linalg/matrix.hpp"

namespace mhla {

template <class T>
struct Head {
  Matrix<T> V, Q;  // d x d each
};

template <class T>
struct Model {
  std::size_t d = 0;
  bool causal = false;
  std::vector<Head<T>> heads;  // H = heads.size(); H = 0 is the zero model
};

// G = Z Z^T, the d x d Gram matrix of the tokens (columns) of Z; entries summed t = 0..n-1.
template <class T>
Matrix<T> gram(const Matrix<T>& Z) {
  Matrix<T> G(Z.rows(), Z.rows());
  for (std::size_t j = 0; j < Z.rows(); ++j)
    for (std::size_t k = j; k < Z.rows(); ++k) {
      T s(0);
      for (std::size_t t = 0; t < Z.cols(); ++t) s += Z(j, t) * Z(k, t);
      G(j, k) = s;
      G(k, j) = s;
    }
  return G;
}

// G += z_b z_b^T: turns G_{b-1} into the prefix Gram matrix G_b (G_{-1} = 0).
template <class T>
void add_token_to_gram(Matrix<T>& G, const Matrix<T>& Z, std::size_t b) {
  for (std::size_t j = 0; j < Z.rows(); ++j)
    for (std::size_t k = j; k < Z.rows(); ++k) {
      G(j, k) += Z(j, b) * Z(k, b);
      if (k != j) G(k, j) = G(j, k);
    }
}

// M = sum_h V_h G Q_h: the d x d matrix with y_b = M z_b for every column that uses G.
template <class T>
Matrix<T> mixing_matrix(const Model<T>& model, const Matrix<T>& G) {
  Matrix<T> M(model.d, model.d);
  for (const Head<T>& h : model.heads) M = add(M, multiply(h.V, multiply(G, h.Q)));
  return M;
}

// y_b = sum_h V_h (G (Q_h z_b)) for a given Gram matrix G (G or G_b).
template <class T>
std::vector<T> output_column(const Model<T>& model, const Matrix<T>& G, const Matrix<T>& Z, std::size_t b) {
  const std::vector<T> z = Z.column(b);
  std::vector<T> y(model.d, T(0));
  for (const Head<T>& h : model.heads) {
    const std::vector<T> v = multiply(h.V, multiply(G, multiply(h.Q, z)));
    for (std::size_t a = 0; a < model.d; ++a) y[a] += v[a];
  }
  return y;
}

// Y = MHLA_Theta(Z), the d x n output, through Gram matrices (@proof M1).
// Precondition (checked): Z has model.d rows.
template <class T>
Matrix<T> evaluate(const Model<T>& model, const Matrix<T>& Z) {
  if (Z.rows() != model.d) fail(ErrorKind::internal, "evaluate: input has the wrong number of rows");
  const std::size_t d = model.d, n = Z.cols();
  Matrix<T> Y(d, n);
  if (!model.causal) {
    const Matrix<T> M = mixing_matrix(model, gram(Z));
    for (std::size_t b = 0; b < n; ++b)
      for (std::size_t a = 0; a < d; ++a) {
        T s(0);
        for (std::size_t k = 0; k < d; ++k) s += M(a, k) * Z(k, b);
        Y(a, b) = s;
      }
  } else {
    Matrix<T> G(d, d);
    for (std::size_t b = 0; b < n; ++b) {
      add_token_to_gram(G, Z, b);
      const std::vector<T> y = output_column(model, G, Z, b);
      for (std::size_t a = 0; a < d; ++a) Y(a, b) = y[a];
    }
  }
  return Y;
}

// K of the float error bound above (@proof F1).
constexpr std::size_t rounding_count(std::size_t d, std::size_t n, std::size_t heads) {
  return n + 3 * d + heads + 9;
}

// Entrywise conversion of a model, e.g. to evaluate an exact model in binary64.
template <class U, class T, class F>
Model<U> convert_model(const Model<T>& m, F&& f) {
  Model<U> r{m.d, m.causal, {}};
  for (const Head<T>& h : m.heads) r.heads.push_back({convert<U>(h.V, f), convert<U>(h.Q, f)});
  return r;
}

}  // namespace mhla
