// SPDX-License-Identifier: MIT
#include "mhla/tasks/assoc.hpp"

#include "mhla/arith/scalar_text.hpp"
#include "mhla/features/exact_fast.hpp"
#include "mhla/tasks/orthogonal.hpp"

namespace mhla::tasks {

KeySpec parse_key_spec(const std::string& text) {
  if (text == "orthogonal") return {KeyKind::orthogonal, 1};
  if (text == "gaussian") return {KeyKind::gaussian, 0};
  if (text == "normalized") return {KeyKind::normalized, 0};
  if (text.rfind("mixture:", 0) == 0) {
    const ScalarParse p = parse_exact_scalar(std::string_view(text).substr(8));
    if (!p) fail(ErrorKind::usage, "--keys " + text + ": P is not a number (" + p.reason + ")");
    if (*p.value < 0 || *p.value > 1) fail(ErrorKind::usage, "--keys " + text + ": P must be in [0, 1]");
    return {KeyKind::mixture, *p.value};
  }
  fail(ErrorKind::usage, "--keys " + text + ": expected orthogonal, gaussian, normalized or mixture:P");
}

Model<Rational> assoc_model(std::size_t m) {  // @proof T1
  Head<Rational> h{Matrix<Rational>(2 * m, 2 * m), Matrix<Rational>(2 * m, 2 * m)};
  for (std::size_t i = 0; i < m; ++i) {
    h.V(m + i, m + i) = 1;
    h.Q(i, i) = 1;
  }
  return Model<Rational>{2 * m, false, {h}};
}

namespace {

Matrix<Rational> gaussian_matrix(Rng& rng, std::size_t m) {
  Matrix<Rational> M(m, m);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < m; ++j) M(i, j) = to_rational(rng.gaussian());
  return M;
}

Matrix<Rational> draw(Rng& rng, std::size_t m, KeyKind kind) {
  switch (kind) {
    case KeyKind::orthogonal: return random_orthogonal(rng, m);
    case KeyKind::gaussian: return gaussian_matrix(rng, m);
    case KeyKind::normalized: return random_unit_columns(rng, m);
    case KeyKind::mixture: break;
  }
  fail(ErrorKind::internal, "assoc: unresolved key kind");
}

}  // namespace

Sample assoc_sample(Rng& rng, std::size_t m, const KeySpec& spec) {
  KeyKind kind = spec.kind;
  if (kind == KeyKind::mixture) kind = rng.bernoulli(spec.p) ? KeyKind::orthogonal : KeyKind::normalized;
  const Matrix<Rational> K = draw(rng, m, kind), Vv = draw(rng, m, kind);
  const std::size_t query = rng.below(m);
  Matrix<Rational> Z(2 * m, m + 1);
  for (std::size_t j = 0; j < m; ++j)
    for (std::size_t i = 0; i < m; ++i) {
      Z(i, j) = K(i, j);
      Z(m + i, j) = Vv(i, j);
    }
  for (std::size_t i = 0; i < m; ++i) {
    Z(i, m) = K(i, query);
    Z(m + i, m) = to_rational(rng.gaussian());
  }
  const Matrix<Rational> Y = evaluate_exact(assoc_model(m), Z);
  Target t{m, std::vector<std::optional<Rational>>(2 * m)};
  for (std::size_t a = m; a < 2 * m; ++a) t.y[a] = Y(a, m);
  return Sample{std::move(Z), {std::move(t)}};
}

Dataset generate_assoc(std::size_t m, const KeySpec& spec, std::size_t samples, std::uint64_t seed) {
  Rng rng(seed);
  Dataset ds{2 * m, false, {}};
  ds.samples.reserve(samples);
  for (std::size_t s = 0; s < samples; ++s) ds.samples.push_back(assoc_sample(rng, m, spec));
  return ds;
}

}  // namespace mhla::tasks
