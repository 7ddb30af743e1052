// SPDX-License-Identifier: MIT
// alternative_model (alternative_model.hpp).
#include "mhla/cert/alternative_model.hpp"

#include "mhla/features/exact_fast.hpp"
#include "mhla/heads/heads.hpp"
#include "mhla/learn/least_squares.hpp"
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
  out.base_loss = empirical_risk(ds, out.base);
  out.alternative_loss = empirical_risk(ds, out.alternative);
  if (out.base_loss != fit.loss) fail(ErrorKind::internal, "alternative_model: base model loss differs from the fit");
  if (out.alternative_loss != out.base_loss)
    fail(ErrorKind::internal, "alternative_model: the alternative does not fit as well as the base");
  for (const Sample& s : ds.samples) {
    if (s.targets.empty()) continue;
    const Matrix<Rational> Y = evaluate_exact(out.base, s.Z), Y2 = evaluate_exact(out.alternative, s.Z);
    for (const Target& t : s.targets)
      for (std::size_t a = 0; a < ds.d; ++a)
        if (t.y[a] && Y(a, t.position) != Y2(a, t.position))
          fail(ErrorKind::internal, "alternative_model: the two models differ on a training entry");
  }
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
