// SPDX-License-Identifier: MIT
// The paper's associative-memory task with m = 2 pairs, for tests: d = 4, tokens [k1; v1],
// [k2; v2] and the query [k_q; zeta] with k_q one of the keys; only the value coordinates 2, 3
// are observed, with targets from the construction V = [[0,0],[0,I]], Q = [[I,0],[0,0]]
// (exact, including the ||q||^2 zeta term), plus noise/7 when noisy.
// orthonormal: keys and values are rotations/reflections of rational points of the unit circle
// (sign_flips: also negate each coordinate at random); else small integers.
#pragma once
#include <optional>
#include <random>
#include <utility>

#include "mhla/features/dataset.hpp"
#include "mhla/features/exact_fast.hpp"
#include "mhla/model/model.hpp"

namespace mhla::test {

inline Dataset assoc_task_dataset(std::mt19937_64& rng, std::size_t N, bool orthonormal, bool sign_flips, bool noisy) {
  const int triples[][3] = {{3, 4, 5}, {5, 12, 13}, {8, 15, 17}, {7, 24, 25}, {20, 21, 29}};
  std::uniform_int_distribution<int> pick(0, 4), coin(0, 1), small(-3, 3), zeta_num(-9, 9), zeta_den(1, 7);
  auto pair_of = [&](Rational out[2][2]) {
    if (orthonormal) {
      const int* t = triples[pick(rng)];
      Rational c(t[0], t[2]), s(t[1], t[2]);
      if (coin(rng)) std::swap(c, s);
      if (sign_flips && coin(rng)) c = -c;
      if (sign_flips && coin(rng)) s = -s;
      const int refl = coin(rng) ? 1 : -1;
      out[0][0] = c, out[0][1] = s;                  // u = (c, s)
      out[1][0] = -s * refl, out[1][1] = c * refl;  // u_perp, rotated or reflected
    } else {
      for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j) out[i][j] = small(rng);
    }
  };
  Model<Rational> model{4, false, {}};
  Head<Rational> h{Matrix<Rational>(4, 4), Matrix<Rational>(4, 4)};
  h.V(2, 2) = h.V(3, 3) = 1;
  h.Q(0, 0) = h.Q(1, 1) = 1;
  model.heads.push_back(h);
  Dataset ds{4, false, {}};
  for (std::size_t s = 0; s < N; ++s) {
    Rational keys[2][2], values[2][2];
    pair_of(keys);
    pair_of(values);
    Matrix<Rational> Z(4, 3);
    for (int t = 0; t < 2; ++t)
      for (int i = 0; i < 2; ++i) Z(i, t) = keys[t][i], Z(2 + i, t) = values[t][i];
    const int q = coin(rng);
    for (int i = 0; i < 2; ++i) Z(i, 2) = keys[q][i], Z(2 + i, 2) = Rational(zeta_num(rng), zeta_den(rng));
    const Matrix<Rational> Y = evaluate_exact(model, Z);
    const Rational e2 = noisy ? Rational(small(rng), 7) : Rational(0), e3 = noisy ? Rational(small(rng), 7) : Rational(0);
    ds.samples.push_back({Z, {Target{2, {std::nullopt, std::nullopt, Y(2, 2) + e2, Y(3, 2) + e3}}}});
  }
  return ds;
}

}  // namespace mhla::test
