// SPDX-License-Identifier: MIT
// alternative_model (alternative_model.hpp).
#include "mhla/cert/alternative_model.hpp"

#include "mhla/features/exact_fast.hpp"
#include "mhla/heads/heads.hpp"
#include "mhla/learn/least_squares.hpp"
#include "mhla/linalg/rows_scale_to_integer.hpp"
#include "mhla/support/progress.hpp"

namespace mhla {

// @proof C1
std::optional<AlternativeModel> alternative_model(const Dataset& ds, const Certificate& cert,
                                                 const AlternativeModelOptions& options) {
  if (cert.d != ds.d || cert.coordinates.size() != ds.d)
    fail(ErrorKind::internal, "alternative_model: certificate and dataset differ in d");
  bool deficient = false;
  for (const CoordinateCertificate& c : cert.coordinates) deficient = deficient || (c.observed && !c.identifiable);
  if (!deficient) return std::nullopt;

  Progress progress("mhla certify", "alternative model: step", 4);
  const FitOptions fit_options;  // modular solver, automatic method (Lemmas E3, E4)
  if (options.check_memory) {
    std::size_t rows = 0;
    for (const Sample& s : ds.samples) rows += s.targets.size();
    options.check_memory("certify: the alternative model's least squares",
                         fit_memory_estimate(rows, feature_dim(ds.d), fit_method(ds, fit_options), LearnSolver::modular),
                         std::to_string(rows) + " targets, feature_dim " + std::to_string(feature_dim(ds.d)));
  }
  const DatasetFit fit = fit_dataset(ds, fit_options);  // verified least squares per coordinate (E2-E4)
  progress.update(1, "least squares done");
  Matrix<Rational> W_alt = fit.W;
  AlternativeModel out;
  for (const CoordinateCertificate& c : cert.coordinates) {
    if (!c.observed || c.identifiable) continue;
    if (c.kernel_vector.size() != W_alt.cols() || !c.distinguishing_input)
      fail(ErrorKind::internal, "alternative_model: a deficient coordinate lacks its kernel vector or input");
    if (fit.coordinates[c.a].fit.unique())
      fail(ErrorKind::internal, "alternative_model: certify and least squares disagree on the rank");
    for (std::size_t i = 0; i < W_alt.cols(); ++i) W_alt(c.a, i) += c.kernel_vector[i];
    out.differences.push_back({c.a, *c.distinguishing_input, Rational(0), Rational(0)});
  }
  out.base = heads_from_weights(fit.W, ds.causal);      // checked: weights(base) == W (H1)
  out.alternative = heads_from_weights(W_alt, ds.causal);
  progress.update(2, "heads recovered");
  // The two models on the training data, through their weights: heads_from_weights checked
  // weights(model) == W resp. W_alt (Lemma H1), and a model's output is <w_a, phi> (Lemma L1),
  // so this is their exact evaluation, at O(D) integer products per observed entry instead of
  // evaluating H heads of large rationals. Row a of W over one denominator: W_a = Wi_a / den_a;
  // the alternative's difference v_a as a primitive integer vector.
  const std::size_t D = feature_dim(ds.d);
  std::vector<std::vector<Integer>> Wi(ds.d), Vi(ds.d);
  std::vector<Integer> den(ds.d, Integer(1));
  for (std::size_t a = 0; a < ds.d; ++a) {
    for (std::size_t i = 0; i < D; ++i) den[a] = lcm(den[a], denominator(fit.W(a, i)));
    Wi[a].resize(D);
    for (std::size_t i = 0; i < D; ++i) Wi[a][i] = numerator(fit.W(a, i)) * (den[a] / denominator(fit.W(a, i)));
  }
  for (const CoordinateCertificate& c : cert.coordinates)
    if (c.observed && !c.identifiable) Vi[c.a] = vector_primitive_integer(c.kernel_vector);
  Rational loss = 0;
  std::vector<std::size_t> positions;
  for (const Sample& s : ds.samples) {
    if (s.targets.empty()) continue;
    positions.clear();
    for (const Target& t : s.targets) positions.push_back(t.position);
    const ScaledIntegerMatrix phi = feature_rows_scaled(s.Z, positions, ds.causal);
    for (std::size_t r = 0; r < positions.size(); ++r) {
      const Integer* u = phi.numerators.row(r);
      for (std::size_t a = 0; a < ds.d; ++a) {
        if (!s.targets[r].y[a]) continue;
        Integer dot = 0, diff = 0;
        for (std::size_t i = 0; i < D; ++i)
          if (u[i] != 0) {
            dot += Wi[a][i] * u[i];
            if (!Vi[a].empty()) diff += Vi[a][i] * u[i];
          }
        if (diff != 0) fail(ErrorKind::internal, "alternative_model: the two models differ on a training entry");
        const Rational e = Rational(dot, den[a] * phi.denominator) - *s.targets[r].y[a];
        loss += e * e;
      }
    }
  }
  out.base_loss = loss;
  out.alternative_loss = loss;  // the outputs agree on every observed entry (checked above)
  if (out.base_loss != fit.loss) fail(ErrorKind::internal, "alternative_model: base model loss differs from the fit");
  progress.update(3, "both models checked on the data");
  for (AlternativeDifference& diff : out.differences) {
    const std::size_t b = diff.input.position;
    diff.base_output = evaluate_exact(out.base, diff.input.Z)(diff.a, b);
    diff.alternative_output = evaluate_exact(out.alternative, diff.input.Z)(diff.a, b);
    if (diff.alternative_output - diff.base_output != diff.input.value || diff.input.value == 0)
      fail(ErrorKind::internal, "alternative_model: the models do not differ by <v, phi> at the distinguishing input");
  }
  return out;
}

}  // namespace mhla
