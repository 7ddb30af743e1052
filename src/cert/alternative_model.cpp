// SPDX-License-Identifier: MIT
// alternative_model (alternative_model.hpp).
#include "mhla/cert/alternative_model.hpp"

#include "mhla/features/exact_fast.hpp"
#include "mhla/heads/heads.hpp"
#include "mhla/learn/least_squares.hpp"

namespace mhla {

bool alternative_model_supported(const Dataset& ds) {
  std::size_t rows = 0;
  for (const Sample& s : ds.samples) rows += s.targets.size();
  return feature_dim(ds.d) != 0 && feature_dim(ds.d) <= alternative_model_max_feature_dim &&
         rows <= alternative_model_max_targets;
}

// @proof C1
std::optional<AlternativeModel> alternative_model(const Dataset& ds, const Certificate& cert) {
  if (cert.d != ds.d || cert.coordinates.size() != ds.d)
    fail(ErrorKind::internal, "alternative_model: certificate and dataset differ in d");
  bool deficient = false;
  for (const CoordinateCertificate& c : cert.coordinates) deficient = deficient || (c.observed && !c.identifiable);
  if (!deficient) return std::nullopt;

  const DatasetFit fit = fit_dataset(ds);  // verified least squares per coordinate (E2)
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
