// SPDX-License-Identifier: MIT
// The dual (kernel) form of exact least squares, reference path (least_squares.hpp,
// least_squares_kernel; proofs-notes/06-learner.md, Lemma E3).
#include <string>

#include "mhla/features/features.hpp"
#include "mhla/learn/least_squares.hpp"
#include "mhla/linalg/bareiss.hpp"
#include "mhla/linalg/rows_scale_to_integer.hpp"

namespace mhla {
namespace {

// <w, phi(G, z)> with phi[(j,k,l)] = G[j][k] z[l], without forming phi.
Rational dot_with_features(const std::vector<Rational>& w, const KernelRow& r) {
  const std::size_t d = r.z.size();
  Rational s = 0;
  std::size_t i = 0;
  for (std::size_t j = 0; j < d; ++j)
    for (std::size_t k = j; k < d; ++k) {
      Rational inner = 0;  // sum_l w[(j,k,l)] z[l]
      for (std::size_t l = 0; l < d; ++l, ++i)
        if (r.z[l] != 0) inner += w[i] * r.z[l];
      if (inner != 0) s += r.G(j, k) * inner;
    }
  return s;
}

// w += c phi(G, z).
void add_features(std::vector<Rational>& w, const Rational& c, const KernelRow& r) {
  if (c == 0) return;
  const std::size_t d = r.z.size();
  std::size_t i = 0;
  for (std::size_t j = 0; j < d; ++j)
    for (std::size_t k = j; k < d; ++k) {
      const Rational g = c * r.G(j, k);
      for (std::size_t l = 0; l < d; ++l, ++i)
        if (g != 0 && r.z[l] != 0) w[i] += g * r.z[l];
    }
}

}  // namespace

std::vector<KernelRow> kernel_rows(const Dataset& ds, std::size_t a) {
  std::vector<KernelRow> out;
  for (const Sample& s : ds.samples) {
    if (s.targets.empty()) continue;
    const std::size_t d = s.Z.rows();
    const Matrix<Rational> full = ds.causal ? Matrix<Rational>(d, d) : gram(s.Z);
    for (const Target& t : s.targets) {
      if (!t.y.at(a)) continue;
      KernelRow r{full, s.Z.column(t.position)};
      if (ds.causal) {
        r.G = Matrix<Rational>(d, d);
        for (std::size_t b = 0; b <= t.position; ++b) add_token_to_gram(r.G, s.Z, b);
      }
      out.push_back(std::move(r));
    }
  }
  return out;
}

// @proof E3
LeastSquares least_squares_kernel(const std::vector<KernelRow>& rows, const std::vector<Rational>& y) {
  const std::size_t N = rows.size();
  if (y.size() != N) fail(ErrorKind::internal, "least_squares_kernel: target length differs from rows");
  const std::size_t d = N == 0 ? 0 : rows[0].z.size(), D = feature_dim(d);
  LeastSquares out;
  out.nullspace_computed = false;
  if (N == 0) {
    out.loss = 0;
    return out;  // w is empty: the caller's D is unknown here (fit_dataset never calls with 0 rows)
  }
  out.w.assign(D, Rational(0));
  // K = Phi Phi^T by Lemma K1 (O(d^2) per entry), symmetric.
  Matrix<Rational> K(N, N);
  for (std::size_t i = 0; i < N; ++i)
    for (std::size_t j = i; j < N; ++j) {
      K(i, j) = kernel_folded(rows[i].G, rows[i].z, rows[j].G, rows[j].z);
      K(j, i) = K(i, j);
    }
  // The row rank profile of K is that of Phi (Lemma E3(a)); row scaling keeps it.
  const RankProfile prof = rank_profile_bareiss(rows_scale_to_integer(K));
  const std::size_t r = prof.rank;
  std::vector<Rational> alpha(N, Rational(0));
  if (r == N) {
    const SolveResult s = solve_bareiss(K, y);
    if (s.status != SolveStatus::unique) fail(ErrorKind::internal, "least_squares_kernel: K is singular at full rank");
    alpha = s.x;
  } else if (r > 0) {
    // A = K[:, R] has full column rank r; (A^T A) beta = A^T y (Lemma E3(c)).
    const std::vector<std::size_t>& R = prof.pivot_rows;
    Matrix<Rational> S(r, r);
    std::vector<Rational> t(r, Rational(0));
    for (std::size_t p = 0; p < r; ++p) {
      for (std::size_t q = p; q < r; ++q) {
        Rational s = 0;
        for (std::size_t i = 0; i < N; ++i) s += K(i, R[p]) * K(i, R[q]);
        S(p, q) = s;
        S(q, p) = s;
      }
      for (std::size_t i = 0; i < N; ++i) t[p] += K(i, R[p]) * y[i];
    }
    const SolveResult s = solve_bareiss(S, t);
    if (s.status != SolveStatus::unique) fail(ErrorKind::internal, "least_squares_kernel: the restricted system is singular");
    for (std::size_t p = 0; p < r; ++p) alpha[R[p]] = s.x[p];
  }
  for (std::size_t i = 0; i < N; ++i) add_features(out.w, alpha[i], rows[i]);  // w = Phi^T alpha
  out.rank = r;
  out.solution_dim = D - r;
  // Verification (Lemma E3(a)): K (Phi w - y) = 0 <=> Phi^T (Phi w - y) = 0.
  std::vector<Rational> res(N);
  for (std::size_t i = 0; i < N; ++i) res[i] = dot_with_features(out.w, rows[i]) - y[i];
  for (std::size_t i = 0; i < N; ++i) {
    Rational g = 0;
    for (std::size_t j = 0; j < N; ++j)
      if (res[j] != 0) g += K(i, j) * res[j];
    if (g != 0) fail(ErrorKind::internal, "least_squares_kernel: the solution violates the normal equations");
  }
  out.loss = dot(res, res);
  return out;
}

}  // namespace mhla
