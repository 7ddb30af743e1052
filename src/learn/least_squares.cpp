// SPDX-License-Identifier: MIT
// Exact least squares (least_squares.hpp; proofs-notes/06-learner.md, Lemmas E1, E2).
#include "mhla/learn/least_squares.hpp"

#include <algorithm>
#include <string>

#include "mhla/features/exact_fast.hpp"
#include "mhla/learn/least_squares_modular.hpp"
#include "mhla/linalg/bareiss.hpp"
#include "mhla/linalg/rows_scale_to_integer.hpp"

namespace mhla {
namespace {

std::vector<Rational> residual(const Matrix<Rational>& Phi, const std::vector<Rational>& y, const std::vector<Rational>& w) {
  std::vector<Rational> r = multiply(Phi, w);
  for (std::size_t i = 0; i < r.size(); ++i) r[i] -= y[i];
  return r;
}

// Phi^T x without forming the transpose.
std::vector<Rational> multiply_transposed(const Matrix<Rational>& Phi, const std::vector<Rational>& x) {
  std::vector<Rational> out(Phi.cols(), Rational(0));
  for (std::size_t i = 0; i < Phi.rows(); ++i) {
    if (x[i] == 0) continue;
    for (std::size_t j = 0; j < Phi.cols(); ++j) out[j] += Phi(i, j) * x[i];
  }
  return out;
}

// B^T B for an m x k matrix B (k x k, symmetric).
Matrix<Rational> gram_of_columns(const Matrix<Rational>& B) {
  Matrix<Rational> S(B.cols(), B.cols());
  for (std::size_t p = 0; p < B.cols(); ++p)
    for (std::size_t q = p; q < B.cols(); ++q) {
      Rational s = 0;
      for (std::size_t i = 0; i < B.rows(); ++i) s += B(i, p) * B(i, q);
      S(p, q) = s;
      S(q, p) = s;
    }
  return S;
}

}  // namespace

bool satisfies_normal_equations(const Matrix<Rational>& Phi, const std::vector<Rational>& y,
                                const std::vector<Rational>& w) {
  if (y.size() != Phi.rows() || w.size() != Phi.cols())
    fail(ErrorKind::internal, "satisfies_normal_equations: shapes differ");
  for (const Rational& g : multiply_transposed(Phi, residual(Phi, y, w)))
    if (g != 0) return false;
  return true;
}

Rational squared_residual(const Matrix<Rational>& Phi, const std::vector<Rational>& y, const std::vector<Rational>& w) {
  if (y.size() != Phi.rows() || w.size() != Phi.cols()) fail(ErrorKind::internal, "squared_residual: shapes differ");
  const std::vector<Rational> r = residual(Phi, y, w);
  return dot(r, r);
}

// @proof E2
LeastSquares least_squares_exact(const Matrix<Rational>& Phi, const std::vector<Rational>& y) {
  const std::size_t N = Phi.rows(), D = Phi.cols();
  if (y.size() != N) fail(ErrorKind::internal, "least_squares_exact: target length differs from rows");
  LeastSquares out;
  out.w.assign(D, Rational(0));
  const Matrix<Integer> Phi_int = rows_scale_to_integer(Phi);  // same rank, row profile, kernel (C2a)
  if (N == 0) {
    for (std::size_t f = 0; f < D; ++f) {
      out.nullspace.emplace_back(D, Rational(0));
      out.nullspace.back()[f] = 1;
    }
  } else {
    const RankProfile prof = rank_profile_bareiss(Phi_int);
    out.rank = prof.rank;
    if (out.rank == D) {
      // Full column rank: Phi^T Phi is nonsingular; w is the unique solution of the normal equations.
      const SolveResult s = solve_bareiss(gram_of_columns(Phi), multiply_transposed(Phi, y));
      if (s.status != SolveStatus::unique) fail(ErrorKind::internal, "least_squares_exact: Phi^T Phi is singular at full rank");
      out.w = s.x;
    } else if (out.rank > 0) {
      // R: the rows of the row rank profile, a basis of the row space. A = Phi R^T has full
      // column rank r, so A^T A beta = A^T y has exactly one solution; w = R^T beta.
      const std::size_t r = out.rank;
      Matrix<Rational> A(N, r);
      for (std::size_t i = 0; i < N; ++i)
        for (std::size_t p = 0; p < r; ++p) {
          const Rational* rp = Phi.row(prof.pivot_rows[p]);
          Rational s = 0;
          for (std::size_t j = 0; j < D; ++j) s += Phi(i, j) * rp[j];
          A(i, p) = s;
        }
      std::vector<Rational> Aty(r, Rational(0));
      for (std::size_t i = 0; i < N; ++i)
        for (std::size_t p = 0; p < r; ++p) Aty[p] += A(i, p) * y[i];
      const SolveResult s = solve_bareiss(gram_of_columns(A), Aty);
      if (s.status != SolveStatus::unique)
        fail(ErrorKind::internal, "least_squares_exact: the row-space normal equations are singular");
      for (std::size_t p = 0; p < r; ++p) {
        const Rational* rp = Phi.row(prof.pivot_rows[p]);
        for (std::size_t j = 0; j < D; ++j) out.w[j] += rp[j] * s.x[p];
      }
    }
    out.nullspace = nullspace_bareiss(Phi_int);  // each vector checked Phi_int v = 0
  }
  out.solution_dim = D - out.rank;
  // Verification (Lemma E2): a least-squares solution, in the row space (orthogonal to ker Phi).
  if (out.nullspace.size() != out.solution_dim)
    fail(ErrorKind::internal, "least_squares_exact: nullspace dimension differs from D - rank");
  if (!satisfies_normal_equations(Phi, y, out.w))
    fail(ErrorKind::internal, "least_squares_exact: the solution violates the normal equations");
  for (const std::vector<Rational>& v : out.nullspace)
    if (dot(v, out.w) != 0) fail(ErrorKind::internal, "least_squares_exact: the solution is not in the row space");
  out.loss = squared_residual(Phi, y, out.w);
  return out;
}

bool DatasetFit::unique() const {
  for (const CoordinateFit& c : coordinates)
    if (c.observed && !c.fit.unique()) return false;
  return true;
}

// @proof E1
DatasetFit fit_dataset(const Dataset& ds) {
  const std::size_t d = ds.d, D = feature_dim(d);
  if (D == 0) fail(ErrorKind::internal, "fit_dataset: feature dimension overflows");
  DatasetFit out{Matrix<Rational>(d, D), {}, Rational(0)};
  for (std::size_t a = 0; a < d; ++a) {
    CoordinateFit c;
    c.a = a;
    const DesignMatrix Phi = design_matrix(ds, a);
    c.rows = Phi.rows.size();
    c.observed = c.rows > 0;
    if (c.observed) {
      std::vector<Rational> y;
      y.reserve(c.rows);
      for (const DesignRow& r : Phi.rows) y.push_back(*ds.samples[r.sample].targets[r.target].y[a]);
      c.fit = least_squares_exact(Phi.phi, y);
      std::copy(c.fit.w.begin(), c.fit.w.end(), out.W.row(a));
      out.loss += c.fit.loss;
    }
    out.coordinates.push_back(std::move(c));
  }
  return out;
}

std::string to_string(LearnMethod m) { return m == LearnMethod::primal ? "primal" : "kernel"; }
std::string to_string(LearnSolver s) { return s == LearnSolver::modular ? "modular" : "reference"; }

LearnMethod fit_method(const Dataset& ds, const FitOptions& options) {
  if (options.method) return *options.method;
  std::size_t rows = 0;
  for (const Sample& s : ds.samples) rows += s.targets.size();
  return automatic_method(rows, feature_dim(ds.d));
}

double fit_memory_estimate(std::size_t rows, std::size_t D, LearnMethod method, LearnSolver solver) {
  const double N = static_cast<double>(rows), Dd = static_cast<double>(D);
  const double word = 8, big = 64;  // a residue; a small GMP number with its limbs
  if (solver == LearnSolver::reference)
    return method == LearnMethod::primal ? (N * Dd * 3 + Dd * Dd * 2) * big : (N * N * 3 + N * Dd) * big;
  // modular: the mod-p bases of the profile and of the square system (c + d columns at most,
  // c = min(N, D) or N), the compact rows, and, for inconsistent data, the integer normal
  // equations (the N x c matrix B and the c x c matrix S of small GMP numbers).
  const double c = method == LearnMethod::primal ? std::min(N, Dd) : N;
  return (c + 1) * (c + 128) * word * 2 + N * big * 2 + (N * c + c * c) * big + Dd * big * 4;
}

namespace {

// Which targets observe coordinate a, in file order.
std::vector<bool> observation_pattern(const Dataset& ds, std::size_t a) {
  std::vector<bool> seen;
  for (const Sample& s : ds.samples)
    for (const Target& t : s.targets) seen.push_back(t.y.at(a).has_value());
  return seen;
}

}  // namespace

// @proof E1
DatasetFit fit_dataset(const Dataset& ds, const FitOptions& options) {
  const std::size_t d = ds.d, D = feature_dim(d);
  if (D == 0) fail(ErrorKind::internal, "fit_dataset: feature dimension overflows");
  const LearnMethod method = fit_method(ds, options);
  DatasetFit out{Matrix<Rational>(d, D), {}, Rational(0)};
  std::vector<std::optional<LeastSquares>> fits(d);
  std::vector<SolveReport> reports(d);
  std::vector<std::size_t> rows(d, 0);
  std::vector<std::vector<bool>> pattern(d);
  for (std::size_t a = 0; a < d; ++a) {
    pattern[a] = observation_pattern(ds, a);
    rows[a] = static_cast<std::size_t>(std::count(pattern[a].begin(), pattern[a].end(), true));
    reports[a].method = method;
    reports[a].solver = options.solver;
  }
  if (options.solver == LearnSolver::modular) {
    // Coordinates observed on the same targets share Phi_a: one modular solve for the group.
    std::vector<bool> done(d, false);
    for (std::size_t a = 0; a < d; ++a) {
      if (done[a] || rows[a] == 0) continue;
      std::vector<std::size_t> group;
      for (std::size_t b = a; b < d; ++b)
        if (!done[b] && pattern[b] == pattern[a]) {
          group.push_back(b);
          done[b] = true;
        }
      std::vector<SolveReport> group_reports;
      std::vector<std::optional<LeastSquares>> group_fits =
          least_squares_modular(compact_rows(ds, group), method, group_reports);
      for (std::size_t g = 0; g < group.size(); ++g) {
        fits[group[g]] = std::move(group_fits[g]);
        reports[group[g]] = group_reports[g];
        if (!fits[group[g]]) reports[group[g]].fell_back = true;
      }
    }
  }
  for (std::size_t a = 0; a < d; ++a) {
    CoordinateFit c;
    c.a = a;
    c.rows = rows[a];
    c.observed = c.rows > 0;
    c.report = reports[a];
    if (c.observed && !fits[a]) {  // the reference path of the same method
      std::vector<Rational> y;
      y.reserve(c.rows);
      for (const Sample& s : ds.samples)
        for (const Target& t : s.targets)
          if (t.y.at(a)) y.push_back(*t.y[a]);
      fits[a] = method == LearnMethod::primal ? least_squares_exact(design_matrix(ds, a).phi, y)
                                              : least_squares_kernel(kernel_rows(ds, a), y);
      c.report.path = "reference";
      record_sizes(fits[a]->w, c.report);
    }
    if (c.observed) {
      c.fit = std::move(*fits[a]);
      std::copy(c.fit.w.begin(), c.fit.w.end(), out.W.row(a));
      out.loss += c.fit.loss;
    }
    out.coordinates.push_back(std::move(c));
  }
  return out;
}

Rational empirical_risk(const Dataset& ds, const Model<Rational>& model) {
  if (model.d != ds.d || model.causal != ds.causal)
    fail(ErrorKind::internal, "empirical_risk: model and dataset differ in d or in the causal flag");
  Rational risk = 0;
  for (const Sample& s : ds.samples) {
    if (s.targets.empty()) continue;
    const Matrix<Rational> Y = evaluate_exact(model, s.Z);
    for (const Target& t : s.targets)
      for (std::size_t a = 0; a < ds.d; ++a)
        if (t.y[a]) {
          const Rational e = Y(a, t.position) - *t.y[a];
          risk += e * e;
        }
  }
  return risk;
}

}  // namespace mhla
