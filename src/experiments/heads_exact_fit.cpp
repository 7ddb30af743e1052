// SPDX-License-Identifier: MIT
#include "mhla/experiments/heads_exact_fit.hpp"

#include <chrono>

#include "mhla/cert/certify.hpp"
#include "mhla/features/exact_fast.hpp"
#include "mhla/heads/heads.hpp"
#include "mhla/learn/least_squares.hpp"

namespace mhla::experiments {
namespace {

// The (sample, target) of each row of Phi_a, in file order.
struct RowSource {
  std::size_t sample, target;
};

std::vector<RowSource> rows_of_coordinate(const Dataset& ds, std::size_t a) {
  std::vector<RowSource> rows;
  for (std::size_t s = 0; s < ds.samples.size(); ++s)
    for (std::size_t t = 0; t < ds.samples[s].targets.size(); ++t)
      if (ds.samples[s].targets[t].y[a]) rows.push_back({s, t});
  return rows;
}

// w solving Phi_a[rows, :] w = y_a[rows] for the D witness rows (a nonsingular system).
std::vector<Rational> solve_on_rows(const Dataset& ds, std::size_t a, const std::vector<std::size_t>& witness) {
  const std::vector<RowSource> source = rows_of_coordinate(ds, a);
  const std::size_t D = feature_dim(ds.d);
  Matrix<Rational> Phi(witness.size(), D);
  std::vector<Rational> y;
  for (std::size_t i = 0; i < witness.size(); ++i) {
    const RowSource& r = source.at(witness[i]);
    const Sample& s = ds.samples[r.sample];
    const Matrix<Rational> row = feature_rows_exact(s.Z, {s.targets[r.target].position}, ds.causal);
    std::copy(row.row(0), row.row(0) + D, Phi.row(i));
    y.push_back(*s.targets[r.target].y[a]);
  }
  const LeastSquares ls = least_squares_exact(Phi, y);
  if (!ls.unique() || ls.loss != 0) fail(ErrorKind::internal, "exact_realizable_fit: the witness rows are singular");
  return ls.w;
}

}  // namespace

Rational risk_of_weights(const Dataset& ds, const Matrix<Rational>& W) {
  const std::size_t d = ds.d, D = feature_dim(d);
  if (W.rows() != d || W.cols() != D) fail(ErrorKind::internal, "risk_of_weights: W has the wrong shape");
  // w_a = numerators / common denominator, per coordinate.
  std::vector<Integer> wden(d);
  Matrix<Integer> wnum(d, D);
  for (std::size_t a = 0; a < d; ++a) {
    Integer L = 1;
    for (std::size_t i = 0; i < D; ++i) L = lcm(L, denominator(W(a, i)));
    wden[a] = L;
    for (std::size_t i = 0; i < D; ++i) wnum(a, i) = numerator(W(a, i)) * (L / denominator(W(a, i)));
  }
  Rational risk = 0;
  for (const Sample& s : ds.samples) {
    if (s.targets.empty()) continue;
    std::vector<std::size_t> positions;
    for (const Target& t : s.targets) positions.push_back(t.position);
    const ScaledIntegerMatrix phi = feature_rows_scaled(s.Z, positions, ds.causal);  // phi = numerators / den
    for (std::size_t r = 0; r < positions.size(); ++r)
      for (std::size_t a = 0; a < d; ++a) {
        if (!s.targets[r].y[a]) continue;
        Integer dot = 0;
        for (std::size_t i = 0; i < D; ++i)
          if (wnum(a, i) != 0) dot += phi.numerators(r, i) * wnum(a, i);
        const Rational e = Rational(dot, phi.denominator * wden[a]) - *s.targets[r].y[a];
        if (e != 0) risk += e * e;
      }
  }
  return risk;
}

RealizableFit exact_realizable_fit(const Dataset& train, const Dataset* validation, const Model<Rational>* truth) {
  const auto start = std::chrono::steady_clock::now();
  const std::size_t d = train.d, D = feature_dim(d);
  RealizableFit out;
  const Certificate cert = certify(train);
  out.identifiable = cert.identifiable;
  bool solved = false;
  if (cert.identifiable) {
    out.W = Matrix<Rational>(d, D);
    for (const CoordinateCertificate& c : cert.coordinates) {
      if (!c.observed) continue;
      if (c.same_rows_as != c.a) {  // same rows: solve again (the targets differ)
        const CoordinateCertificate& first = cert.coordinates[c.same_rows_as];
        const std::vector<Rational> w = solve_on_rows(train, c.a, first.minor->rows);
        std::copy(w.begin(), w.end(), out.W.row(c.a));
      } else {
        const std::vector<Rational> w = solve_on_rows(train, c.a, c.minor->rows);
        std::copy(w.begin(), w.end(), out.W.row(c.a));
      }
    }
    out.train_risk = risk_of_weights(train, out.W);
    solved = out.train_risk == 0;
    out.method =
        "exact Algorithm 1: certify (rank D, nonzero-minor witness), the D witness rows solved over Q, zero risk on "
        "every training row checked exactly (hence the unique minimiser), heads by exact rank factorisation";
  }
  if (!solved) {
    const DatasetFit fit = fit_dataset(train);
    out.W = fit.W;
    out.train_risk = fit.loss;
    out.method = "exact Algorithm 1: fit_dataset (exact least squares over Q, minimum-norm), heads by exact rank factorisation";
  }
  out.model = heads_from_weights(out.W, train.causal);
  if (validation) {
    out.validation_given = true;
    out.validation_risk = risk_of_weights(*validation, out.W);
  }
  if (truth) out.equals_truth = weights(*truth) == out.W;
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace mhla::experiments
