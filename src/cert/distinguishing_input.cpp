// SPDX-License-Identifier: MIT
#include "mhla/cert/distinguishing_input.hpp"

#include <algorithm>
#include <random>

#include "mhla/features/exact_fast.hpp"
#include "mhla/features/features.hpp"
#include "mhla/linalg/rows_scale_to_integer.hpp"
#include "mhla/support/error.hpp"

namespace mhla {

// @proof C1
std::optional<DistinguishingInput> distinguishing_input_search(const std::vector<Rational>& v, std::size_t d,
                                                               bool causal, std::size_t max_candidates) {
  const std::size_t D = feature_dim(d);
  if (v.size() != D) fail(ErrorKind::internal, "distinguishing_input_search: vector has the wrong length");
  // <v, phi> != 0 iff <c v, phi> != 0 for the primitive integer multiple c v: integer arithmetic.
  const std::vector<Integer> w = vector_primitive_integer(v);
  bool nonzero = false;
  for (const Integer& x : w) nonzero = nonzero || x != 0;
  if (!nonzero) fail(ErrorKind::internal, "distinguishing_input_search: the vector is zero");
  std::mt19937_64 rng(0x6d686c61);  // fixed seed: the same certificate every run
  std::uniform_int_distribution<int> entry(-2, 2);
  for (std::size_t candidate = 0; candidate < max_candidates; ++candidate) {
    const std::size_t n = candidate < max_candidates / 2 ? 2 : 3;
    Matrix<Int128> Z(d, n);
    for (Int128& x : Z.data()) x = entry(rng);
    std::vector<std::size_t> positions(n);
    for (std::size_t b = 0; b < n; ++b) positions[b] = n - 1 - b;  // last position first
    const Matrix<Int128> phi = feature_rows(Z, positions, causal);  // |entries| <= 8 n: exact
    for (std::size_t r = 0; r < n; ++r) {
      Integer s = 0;
      for (std::size_t i = 0; i < D; ++i)
        if (phi(r, i) != 0) s += w[i] * static_cast<long long>(phi(r, i));
      if (s == 0) continue;
      // Recompute with the rational v itself: the reported value is exact and nonzero.
      Rational value = 0;
      for (std::size_t i = 0; i < D; ++i) value += v[i] * Rational(static_cast<long long>(phi(r, i)));
      if (value == 0) fail(ErrorKind::internal, "distinguishing_input_search: integer and rational values disagree");
      Matrix<Rational> Zq(d, n);
      for (std::size_t i = 0; i < d * n; ++i) Zq.data()[i] = Rational(static_cast<long long>(Z.data()[i]));
      return DistinguishingInput{std::move(Zq), positions[r], value};
    }
  }
  return std::nullopt;
}

// @proof C1
std::optional<DistinguishingInput> distinguishing_input_from_data(const Dataset& ds, std::size_t a,
                                                                  const std::vector<Rational>& v,
                                                                  const std::vector<std::vector<Rational>>& directions,
                                                                  std::size_t max_candidates) {
  const std::size_t d = ds.d, D = feature_dim(d);
  if (v.size() != D || std::all_of(v.begin(), v.end(), [](const Rational& x) { return x == 0; }))
    fail(ErrorKind::internal, "distinguishing_input_from_data: the vector has the wrong length or is zero");
  std::vector<std::vector<Rational>> steps = directions;
  for (std::size_t l = 0; l < d; ++l) {
    std::vector<Rational> e(d, Rational(0));
    e[l] = 1;
    steps.push_back(std::move(e));
  }
  std::mt19937_64 rng(0x6d686c62);
  std::uniform_int_distribution<int> entry(-2, 2);
  for (int r = 0; r < 4; ++r) {
    std::vector<Rational> e(d);
    for (Rational& x : e) x = entry(rng);
    steps.push_back(std::move(e));
  }
  std::size_t candidates = 0, used_samples = 0;
  for (const Sample& s : ds.samples) {
    std::optional<std::size_t> b;
    for (const Target& t : s.targets)
      if (t.y.at(a)) b = std::max(b.value_or(0), t.position);
    if (!b) continue;
    if (++used_samples > 16) break;
    const std::size_t n = s.Z.cols();
    std::vector<std::size_t> columns{*b};
    for (std::size_t t = 0; t < n; ++t)
      if (t != *b) columns.push_back(t);
    for (const std::vector<Rational>& u : steps)
      for (std::size_t t : columns) {
        if (candidates++ >= max_candidates) return std::nullopt;
        Matrix<Rational> Z = s.Z;
        for (std::size_t i = 0; i < d; ++i) Z(i, t) += u[i];
        const ScaledIntegerMatrix phi = feature_rows_scaled(Z, {*b}, ds.causal);
        Rational value = 0;
        for (std::size_t i = 0; i < D; ++i)
          if (v[i] != 0 && phi.numerators(0, i) != 0) value += v[i] * Rational(phi.numerators(0, i));
        if (value == 0) continue;
        value /= Rational(phi.denominator);
        return DistinguishingInput{std::move(Z), *b, value};
      }
  }
  return std::nullopt;
}

}  // namespace mhla
