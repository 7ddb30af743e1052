// SPDX-License-Identifier: MIT
// Fewer heads over the split space (heads.hpp; proofs-notes/07-heads.md, Lemmas H2, H3, H4).
// Floats (binary64, Eigen) only propose a split; every model returned is built from an exact
// rational split and checked to have weights exactly W.
#include <eigen3/Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <random>
#include <utility>

#include "mhla/heads/heads.hpp"
#include "mhla/linalg/bareiss.hpp"
#include "mhla/linalg/rows_scale_to_integer.hpp"

namespace mhla {
namespace {

std::size_t dim_of(const Matrix<Rational>& W) {
  const std::size_t d = W.rows();
  if (d == 0 || W.cols() != feature_dim(d)) fail(ErrorKind::internal, "heads: W is not d x feature_dim(d)");
  return d;
}

std::size_t exact_rank(const Matrix<Rational>& A) { return rank_bareiss(rows_scale_to_integer(A)); }

bool all_zero(const Matrix<Rational>& A) {
  return std::all_of(A.data().begin(), A.data().end(), [](const Rational& x) { return x == 0; });
}

// ---- the exact one-head solve (Lemma H4) ----

// Inner product of the rank-one matrices x y^T and p q^T (as d x d matrices): <x,p><y,q>.
Rational outer_dot(const std::vector<Rational>& x, const std::vector<Rational>& y, const std::vector<Rational>& p,
                   const std::vector<Rational>& q) {
  return dot(x, p) * dot(y, q);
}

// <x y^T, P> for a d x d matrix P.
Rational outer_dot(const std::vector<Rational>& x, const std::vector<Rational>& y, const Matrix<Rational>& P) {
  Rational s = 0;
  for (std::size_t a = 0; a < x.size(); ++a)
    for (std::size_t l = 0; l < y.size(); ++l) s += x[a] * y[l] * P(a, l);
  return s;
}

// The pair block P_jk[a][l] = w_a[(j,k,l)], j < k.
Matrix<Rational> pair_block(const Matrix<Rational>& W, std::size_t d, std::size_t j, std::size_t k) {
  Matrix<Rational> P(d, d);
  for (std::size_t a = 0; a < d; ++a)
    for (std::size_t l = 0; l < d; ++l) P(a, l) = W(a, feature_index(d, j, k, l));
  return P;
}

// alpha with P = alpha A + alpha^-1 B exactly, A = x_j y_k^T, B = x_k y_j^T independent; or none.
std::optional<Rational> pair_ratio(const Matrix<Rational>& P, const std::vector<Rational>& xj,
                                   const std::vector<Rational>& yj, const std::vector<Rational>& xk,
                                   const std::vector<Rational>& yk) {
  const Rational AA = outer_dot(xj, yk, xj, yk), BB = outer_dot(xk, yj, xk, yj), AB = outer_dot(xj, yk, xk, yj);
  const Rational det = AA * BB - AB * AB;
  if (det == 0) return std::nullopt;  // A || B: the pair does not determine the ratio
  const Rational AP = outer_dot(xj, yk, P), BP = outer_dot(xk, yj, P);
  const Rational alpha = (AP * BB - BP * AB) / det, beta = (BP * AA - AP * AB) / det;
  if (alpha * beta != 1) return std::nullopt;
  for (std::size_t a = 0; a < xj.size(); ++a)
    for (std::size_t l = 0; l < yj.size(); ++l)
      if (alpha * xj[a] * yk[l] + beta * xk[a] * yj[l] != P(a, l)) return std::nullopt;
  return alpha;
}

// ---- splits ----

// M = even_split(W) + offsets: offset(a, l, j, k) added at (a,j),(k,l) and subtracted at (a,k),(j,l).
template <class Offset>
Matrix<Rational> split_with_offsets(const Matrix<Rational>& W, Offset&& offset) {
  const std::size_t d = dim_of(W);
  Matrix<Rational> M = even_split(W);
  for (std::size_t a = 0; a < d; ++a)
    for (std::size_t j = 0; j < d; ++j)
      for (std::size_t k = j + 1; k < d; ++k)
        for (std::size_t l = 0; l < d; ++l) {
          const Rational t = offset(a, l, j, k);
          M(a * d + j, k * d + l) += t;
          M(a * d + k, j * d + l) -= t;
        }
  return M;
}

// The simplest rational (smallest denominator, then smallest |numerator|) in [lo, hi], lo <= hi.
Rational simplest_in(const Rational& lo, const Rational& hi) {
  if (lo <= 0 && hi >= 0) return Rational(0);
  if (hi < 0) return -simplest_in(-hi, -lo);
  const Integer n = numerator(lo) / denominator(lo);  // floor, lo > 0
  if (Rational(n) == lo) return lo;
  if (Rational(n + 1) <= hi) return Rational(n + 1);
  // lo, hi in (n, n + 1): n + 1 / (the simplest in [1/(hi-n), 1/(lo-n)])
  return Rational(n) + 1 / simplest_in(1 / (hi - Rational(n)), 1 / (lo - Rational(n)));
}

// ---- the float search (proposals only) ----

using Eigen::MatrixXd;
using Eigen::VectorXd;

struct FloatModel {
  std::vector<MatrixXd> V, Q;
};

class FloatSearch {
 public:
  FloatSearch(const MatrixXd& Wn, std::size_t d) : Wn_(Wn), d_(d), D_(feature_dim(d)) {}

  // A model with r heads whose weights are Wn to relative accuracy 1e-11, from one random start.
  std::optional<FloatModel> run(std::size_t r, std::mt19937_64& rng) const {
    std::normal_distribution<double> normal(0.0, 1.0);
    FloatModel m;
    for (std::size_t h = 0; h < r; ++h) {
      m.V.push_back(MatrixXd::NullaryExpr(d_, d_, [&] { return normal(rng); }));
      m.Q.push_back(MatrixXd::NullaryExpr(d_, d_, [&] { return normal(rng); }));
    }
    const double norm_w = Wn_.norm();
    double previous = residual(m).norm();
    for (int it = 0; it < 600; ++it) {
      step_V(m);
      step_Q(m);
      balance(m);
      if (it % 20 == 19) {
        const double now = residual(m).norm();
        if (now < 1e-13 * norm_w || now > 0.999 * previous) break;
        previous = now;
      }
    }
    if (residual(m).norm() > 1e-2 * norm_w) return std::nullopt;
    levenberg_marquardt(m);
    if (residual(m).norm() > 1e-11 * norm_w) return std::nullopt;
    return m;
  }

  // The split matrix sum_h vec(V_h) vec(Q_h)^T of a float model.
  MatrixXd split_of(const FloatModel& m) const {
    MatrixXd X = MatrixXd::Zero(d_ * d_, d_ * d_);
    for (std::size_t h = 0; h < m.V.size(); ++h)
      for (std::size_t a = 0; a < d_; ++a)
        for (std::size_t j = 0; j < d_; ++j)
          for (std::size_t k = 0; k < d_; ++k)
            for (std::size_t l = 0; l < d_; ++l) X(a * d_ + j, k * d_ + l) += m.V[h](a, j) * m.Q[h](k, l);
    return X;
  }

 private:
  // Residual weights(m) - Wn, entry a * D + (j,k,l).
  VectorXd residual(const FloatModel& m) const {
    VectorXd R(d_ * D_);
    for (std::size_t a = 0; a < d_; ++a)
      for (std::size_t j = 0; j < d_; ++j)
        for (std::size_t k = j; k < d_; ++k)
          for (std::size_t l = 0; l < d_; ++l) {
            const std::size_t f = feature_index(d_, j, k, l);
            double s = -Wn_(a, f);
            for (std::size_t h = 0; h < m.V.size(); ++h) {
              s += m.V[h](a, j) * m.Q[h](k, l);
              if (j != k) s += m.V[h](a, k) * m.Q[h](j, l);
            }
            R(a * D_ + f) = s;
          }
    return R;
  }

  static MatrixXd ridge_solve(const MatrixXd& A, const MatrixXd& B) {
    MatrixXd N = A.transpose() * A;
    const double lambda = 1e-12 * (N.trace() / static_cast<double>(N.rows()) + 1e-300);
    N.diagonal().array() += lambda;
    return N.ldlt().solve(A.transpose() * B);
  }

  // Q fixed: the weights are linear in the V's, and the same D x (r d) system serves every a.
  void step_V(FloatModel& m) const {
    const std::size_t r = m.V.size();
    MatrixXd A = MatrixXd::Zero(D_, r * d_), B(D_, d_);
    for (std::size_t j = 0; j < d_; ++j)
      for (std::size_t k = j; k < d_; ++k)
        for (std::size_t l = 0; l < d_; ++l) {
          const std::size_t f = feature_index(d_, j, k, l);
          for (std::size_t h = 0; h < r; ++h) {
            A(f, h * d_ + j) += m.Q[h](k, l);
            if (j != k) A(f, h * d_ + k) += m.Q[h](j, l);
          }
          for (std::size_t a = 0; a < d_; ++a) B(f, a) = Wn_(a, f);
        }
    const MatrixXd X = ridge_solve(A, B);
    for (std::size_t h = 0; h < r; ++h)
      for (std::size_t a = 0; a < d_; ++a)
        for (std::size_t j = 0; j < d_; ++j) m.V[h](a, j) = X(h * d_ + j, a);
  }

  // V fixed: linear in the Q's; one (d * d(d+1)/2) x (r d) system for every column l.
  void step_Q(FloatModel& m) const {
    const std::size_t r = m.V.size(), pairs = d_ * (d_ + 1) / 2;
    MatrixXd A = MatrixXd::Zero(d_ * pairs, r * d_), B(d_ * pairs, d_);
    for (std::size_t a = 0; a < d_; ++a) {
      std::size_t p = 0;
      for (std::size_t j = 0; j < d_; ++j)
        for (std::size_t k = j; k < d_; ++k, ++p) {
          const std::size_t row = a * pairs + p;
          for (std::size_t h = 0; h < r; ++h) {
            A(row, h * d_ + k) += m.V[h](a, j);
            if (j != k) A(row, h * d_ + j) += m.V[h](a, k);
          }
          for (std::size_t l = 0; l < d_; ++l) B(row, l) = Wn_(a, feature_index(d_, j, k, l));
        }
    }
    const MatrixXd X = ridge_solve(A, B);
    for (std::size_t h = 0; h < r; ++h)
      for (std::size_t k = 0; k < d_; ++k)
        for (std::size_t l = 0; l < d_; ++l) m.Q[h](k, l) = X(h * d_ + k, l);
  }

  // The gauge V_h c, Q_h / c: equal norms keep the systems well conditioned.
  static void balance(FloatModel& m) {
    for (std::size_t h = 0; h < m.V.size(); ++h) {
      const double nv = m.V[h].norm(), nq = m.Q[h].norm();
      if (nv > 0 && nq > 0) {
        const double c = std::sqrt(nq / nv);
        m.V[h] *= c;
        m.Q[h] /= c;
      }
    }
  }

  // Levenberg-Marquardt on all parameters jointly: quadratic convergence near an exact solution.
  void levenberg_marquardt(FloatModel& m) const {
    const std::size_t r = m.V.size(), block = d_ * d_, params = 2 * r * block;
    double mu = 1e-3;
    VectorXd R = residual(m);
    for (int it = 0; it < 60 && R.norm() > 1e-15 * Wn_.norm(); ++it) {
      MatrixXd J = MatrixXd::Zero(d_ * D_, params);
      for (std::size_t a = 0; a < d_; ++a)
        for (std::size_t j = 0; j < d_; ++j)
          for (std::size_t k = j; k < d_; ++k)
            for (std::size_t l = 0; l < d_; ++l) {
              const std::size_t row = a * D_ + feature_index(d_, j, k, l);
              for (std::size_t h = 0; h < r; ++h) {
                J(row, h * block + a * d_ + j) += m.Q[h](k, l);
                J(row, r * block + h * block + k * d_ + l) += m.V[h](a, j);
                if (j != k) {
                  J(row, h * block + a * d_ + k) += m.Q[h](j, l);
                  J(row, r * block + h * block + j * d_ + l) += m.V[h](a, k);
                }
              }
            }
      const MatrixXd N = J.transpose() * J;
      const VectorXd g = J.transpose() * R;
      bool improved = false;
      for (int tries = 0; tries < 8 && !improved; ++tries) {
        MatrixXd A = N;
        A.diagonal().array() += mu * (N.diagonal().array() + 1e-12);
        const VectorXd delta = A.ldlt().solve(-g);
        FloatModel trial = m;
        for (std::size_t h = 0; h < r; ++h)
          for (std::size_t x = 0; x < d_; ++x)
            for (std::size_t y = 0; y < d_; ++y) {
              trial.V[h](x, y) += delta(h * block + x * d_ + y);
              trial.Q[h](x, y) += delta(r * block + h * block + x * d_ + y);
            }
        const VectorXd Rt = residual(trial);
        if (Rt.norm() < R.norm()) {
          m = std::move(trial);
          R = Rt;
          mu = std::max(mu / 5, 1e-15);
          improved = true;
        } else {
          mu *= 8;
        }
      }
      if (!improved) break;
    }
  }

  const MatrixXd& Wn_;
  std::size_t d_, D_;
};

// The exact model of a split (rank factorisation), checked to have weights W. @proof H2
Model<Rational> model_of_split(const Matrix<Rational>& M, const Matrix<Rational>& W, bool causal) {
  const std::size_t d = W.rows();
  Model<Rational> model = model_from_factorisation(rank_factorisation(M), d, causal);
  if (!(weights(model) == W)) fail(ErrorKind::internal, "fewest_heads: a split's heads do not have weights W");
  return model;
}

// The second exact completion of a float proposal: the V part U (n x r, column h = vec(V_h)) in
// the gauge U U_S^{-1} (identity on r well-conditioned rows S; gauge-free, so rational when the
// generator's is), the other entries rounded to the simplest rationals within the tolerance, then
// the Q's solved exactly from weights(model) = W, which is linear in the Q's once the V's are
// fixed (one system per column l). Returns a model with weights exactly W, or nothing.
std::optional<Model<Rational>> complete_from_v_part(const FloatModel& fm, const Matrix<Rational>& W, bool causal,
                                                    double tolerance) {
  const std::size_t d = W.rows(), n = d * d, r = fm.V.size(), pairs = d * (d + 1) / 2;
  MatrixXd U(n, r);
  for (std::size_t h = 0; h < r; ++h)
    for (std::size_t i = 0; i < n; ++i) U(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(h)) = fm.V[h](i / d, i % d);
  const Eigen::ColPivHouseholderQR<MatrixXd> qr(U.transpose());  // column pivots of U^T = rows of U
  if (qr.rank() < static_cast<Eigen::Index>(r)) return std::nullopt;
  MatrixXd US(r, r);
  std::vector<bool> in_S(n, false);
  for (std::size_t i = 0; i < r; ++i) {
    const auto row = qr.colsPermutation().indices()(static_cast<Eigen::Index>(i));
    US.row(static_cast<Eigen::Index>(i)) = U.row(row);
    in_S[static_cast<std::size_t>(row)] = true;
  }
  const MatrixXd Un = U * US.inverse();
  const Rational tol = to_rational(tolerance);
  Model<Rational> model{d, causal, {}};
  for (std::size_t h = 0; h < r; ++h) model.heads.push_back({Matrix<Rational>(d, d), Matrix<Rational>(d, d)});
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t h = 0; h < r; ++h) {
      const double x = Un(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(h));
      if (!std::isfinite(x)) return std::nullopt;
      const Rational q = to_rational(x);
      model.heads[h].V(i / d, i % d) = in_S[i] ? Rational(std::lround(x)) : simplest_in(q - tol, q + tol);
    }
  // Row (a, j <= k), unknown Q_h[m][l] at column h d + m: the coefficient of w_a[(j,k,l)].
  Matrix<Rational> A(d * pairs, r * d);
  for (std::size_t a = 0; a < d; ++a) {
    std::size_t p = 0;
    for (std::size_t j = 0; j < d; ++j)
      for (std::size_t k = j; k < d; ++k, ++p)
        for (std::size_t h = 0; h < r; ++h) {
          A(a * pairs + p, h * d + k) += model.heads[h].V(a, j);
          if (j != k) A(a * pairs + p, h * d + j) += model.heads[h].V(a, k);
        }
  }
  for (std::size_t l = 0; l < d; ++l) {
    std::vector<Rational> b(d * pairs);
    for (std::size_t a = 0; a < d; ++a) {
      std::size_t p = 0;
      for (std::size_t j = 0; j < d; ++j)
        for (std::size_t k = j; k < d; ++k, ++p) b[a * pairs + p] = W(a, feature_index(d, j, k, l));
    }
    const SolveResult sol = solve_bareiss(A, b);
    if (sol.status == SolveStatus::inconsistent) return std::nullopt;
    for (std::size_t h = 0; h < r; ++h)
      for (std::size_t m = 0; m < d; ++m) model.heads[h].Q(m, l) = sol.x[h * d + m];
  }
  if (!(weights(model) == W)) return std::nullopt;
  return model;
}

}  // namespace

// @proof H3
Matrix<Rational> single_token_map(const Matrix<Rational>& W, const std::vector<Rational>& c) {
  const std::size_t d = dim_of(W);
  if (c.size() != d) fail(ErrorKind::internal, "single_token_map: c is not a d-vector");
  Matrix<Rational> S(d, d);
  for (std::size_t j = 0; j < d; ++j)
    for (std::size_t k = j; k < d; ++k) {
      const Rational cc = c[j] * c[k];
      if (cc == 0) continue;
      for (std::size_t a = 0; a < d; ++a)
        for (std::size_t l = 0; l < d; ++l) S(a, l) += cc * W(a, feature_index(d, j, k, l));
    }
  return S;
}

// @proof H3
std::size_t head_count_lower_bound(const Matrix<Rational>& W) {
  const std::size_t d = dim_of(W);
  std::vector<std::vector<Rational>> cs;
  for (std::size_t j = 0; j < d; ++j) {
    std::vector<Rational> e(d, Rational(0));
    e[j] = 1;
    cs.push_back(std::move(e));
  }
  cs.emplace_back(d, Rational(1));
  std::mt19937_64 rng(7);  // fixed: the bound is a deterministic function of W
  for (int t = 0; t < 4; ++t) {
    std::vector<Rational> c(d);
    for (Rational& x : c) x = Rational(static_cast<long>(rng() % 7) - 3);
    cs.push_back(std::move(c));
  }
  std::size_t best = 0;
  for (const auto& c : cs) {
    best = std::max(best, exact_rank(single_token_map(W, c)));
    if (best == d) break;
  }
  return best;
}

// @proof H4
std::optional<Model<Rational>> one_head_from_weights(const Matrix<Rational>& W, bool causal) {
  const std::size_t d = dim_of(W);
  // D_j = x_j y_j^T (rank one) for every j.
  std::vector<std::vector<Rational>> x(d, std::vector<Rational>(d)), y(d, std::vector<Rational>(d));
  for (std::size_t j = 0; j < d; ++j) {
    Matrix<Rational> Dj(d, d);
    for (std::size_t a = 0; a < d; ++a)
      for (std::size_t l = 0; l < d; ++l) Dj(a, l) = W(a, feature_index(d, j, j, l));
    std::size_t a0 = d, l0 = d;
    for (std::size_t i = 0; i < d * d && a0 == d; ++i)
      if (Dj.data()[i] != 0) a0 = i / d, l0 = i % d;
    if (a0 == d) return std::nullopt;
    for (std::size_t a = 0; a < d; ++a) x[j][a] = Dj(a, l0);
    for (std::size_t l = 0; l < d; ++l) y[j][l] = Dj(a0, l) / Dj(a0, l0);
    for (std::size_t a = 0; a < d; ++a)
      for (std::size_t l = 0; l < d; ++l)
        if (x[j][a] * y[j][l] != Dj(a, l)) return std::nullopt;
  }
  // c_j (V[:,j] = c_j x_j, Q[j,:] = y_j / c_j): c_0 = 1, then c_j / c_k = alpha along pairs whose
  // blocks determine the ratio, until no new c is found.
  std::vector<std::optional<Rational>> c(d);
  c[0] = Rational(1);
  for (bool grew = true; grew;) {
    grew = false;
    for (std::size_t j = 0; j < d; ++j)
      for (std::size_t k = j + 1; k < d; ++k) {
        if (c[j].has_value() == c[k].has_value()) continue;
        const std::optional<Rational> alpha = pair_ratio(pair_block(W, d, j, k), x[j], y[j], x[k], y[k]);
        if (!alpha) continue;
        if (c[j]) c[k] = *c[j] / *alpha;
        else c[j] = *c[k] * *alpha;
        grew = true;
      }
  }
  Model<Rational> model{d, causal, {{Matrix<Rational>(d, d), Matrix<Rational>(d, d)}}};
  for (std::size_t j = 0; j < d; ++j) {
    if (!c[j]) return std::nullopt;
    for (std::size_t a = 0; a < d; ++a) model.heads[0].V(a, j) = *c[j] * x[j][a];
    for (std::size_t l = 0; l < d; ++l) model.heads[0].Q(j, l) = y[j][l] / *c[j];
  }
  if (!(weights(model) == W)) return std::nullopt;
  return model;
}

// @proof H2
Matrix<Rational> split_nearest(const Matrix<Rational>& W, const Matrix<Rational>& X) {
  const std::size_t d = dim_of(W);
  if (X.rows() != d * d || X.cols() != d * d) fail(ErrorKind::internal, "split_nearest: X is not d^2 x d^2");
  return split_with_offsets(W, [&](std::size_t a, std::size_t l, std::size_t j, std::size_t k) {
    return (X(a * d + j, k * d + l) - X(a * d + k, j * d + l)) / 2;
  });
}

// @proof H2 @proof H3 @proof H4 @proof H6
FewestHeads fewest_heads(const Matrix<Rational>& W, bool causal, const FewestHeadsOptions& options) {
  const std::size_t d = dim_of(W);
  FewestHeads out;
  out.lower_bound = head_count_lower_bound(W);
  if (all_zero(W)) {
    out.model = Model<Rational>{d, causal, {}};
    out.found_by = "zero weights";
    return out;
  }
  out.model = heads_from_weights(W, causal);
  out.even_split_rank = out.model.heads.size();
  out.found_by = "even split";
  if (out.minimal()) return out;
  if (out.lower_bound == 1)
    if (std::optional<Model<Rational>> one = one_head_from_weights(W, causal)) {
      out.model = std::move(*one);
      out.found_by = "one-head solve";
      return out;
    }
  if (d > options.max_search_d) return out;
  // The float search on W / max|W| (binary64); offsets scaled back, rounded, and checked exactly.
  Rational scale = 0;
  for (const Rational& w : W.data()) scale = std::max(scale, abs(w));
  MatrixXd Wn(d, feature_dim(d));
  for (std::size_t a = 0; a < d; ++a)
    for (std::size_t f = 0; f < feature_dim(d); ++f) Wn(a, f) = to_binary64(W(a, f) / scale);
  const FloatSearch search(Wn, d);
  std::mt19937_64 rng(options.seed);
  for (std::size_t r = out.lower_bound; r < out.model.heads.size() && r <= out.lower_bound + options.extra_ranks; ++r)
    for (std::size_t start = 0; start < options.restarts && out.model.heads.size() > r; ++start) {
      const std::optional<FloatModel> fm = search.run(r, rng);
      if (!fm) continue;
      const MatrixXd X = search.split_of(*fm);
      for (const double relative_tolerance : {1e-6, 1e-8, 1e-10}) {
        const Rational tolerance = scale * to_rational(relative_tolerance);
        const Matrix<Rational> M = split_with_offsets(W, [&](std::size_t a, std::size_t l, std::size_t j, std::size_t k) {
          const Rational t = scale * to_rational((X(a * d + j, k * d + l) - X(a * d + k, j * d + l)) / 2);
          return simplest_in(t - tolerance, t + tolerance);
        });
        if (exact_rank(M) < out.model.heads.size()) {
          out.model = model_of_split(M, W, causal);
          out.found_by = "float search, rounded split";
        }
      }
      if (out.model.heads.size() <= r) break;
      for (const double tolerance : {1e-6, 1e-9})
        if (std::optional<Model<Rational>> m = complete_from_v_part(*fm, W, causal, tolerance);
            m && m->heads.size() < out.model.heads.size()) {
          out.model = std::move(*m);
          out.found_by = "float search, rounded V and exact Q";
          break;
        }
    }
  return out;
}

}  // namespace mhla
