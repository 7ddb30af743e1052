// SPDX-License-Identifier: MIT
// The binary64-rounded model and its output bound (features/rounded_model.hpp; proofs-notes
// 02-model.md, Lemma F2), checked exactly on random inputs, including inputs at the norm limit.
#include <catch2/catch.hpp>

#include <random>

#include "mhla/features/exact_fast.hpp"
#include "mhla/features/rounded_model.hpp"
#include "support/random_exact.hpp"

using namespace mhla;

TEST_CASE("Lemma F2: the rounded model's outputs stay within Delta n rho^3, checked exactly on random inputs", "[heads][rounded]") {
  std::mt19937_64 rng(77);
  std::size_t checked = 0;
  for (std::size_t d = 1; d <= 4; ++d)
    for (bool causal : {false, true})
      for (int trial = 0; trial < 4; ++trial) {
        // Entries p/q with q up to 10^3: not binary64 values, so rounding moves them.
        const Model<Rational> A = mhla::test::random_model(rng, d, 2, causal, 3, 3);
        const Model<Rational> B = round_model_binary64(A);
        for (const Head<Rational>& h : B.heads)
          for (const Rational& x : h.V.data()) CHECK(to_rational(to_binary64(x)) == x);  // binary64 values
        const Rational delta = weight_l1_difference(A, B);
        CHECK(delta > 0);
        CHECK(delta < Rational(1, 1000000));  // a binary64 rounding of numbers below 10^3
        for (std::size_t n : {1u, 3u, 6u}) {
          const Rational rho = mhla::test::random_rational(rng, 2, 1) + 1;
          const Rational rho_abs = rho < 0 ? Rational(-rho) : rho;
          const Rational bound = output_difference_bound(delta, n, rho_abs);
          for (int k = 0; k < 5; ++k) {
            Matrix<Rational> Z(d, n);
            for (Rational& x : Z.data()) {
              // Entries in [-rho, rho], some exactly at +-rho.
              const long r = static_cast<long>(rng() % 2001) - 1000;
              x = k == 0 ? (r < 0 ? Rational(-rho_abs) : rho_abs) : rho_abs * Rational(r, 1000);
            }
            const Matrix<Rational> ya = evaluate_exact(A, Z), yb = evaluate_exact(B, Z);
            for (std::size_t i = 0; i < ya.data().size(); ++i) {
              CHECK(abs(ya.data()[i] - yb.data()[i]) <= bound);
              ++checked;
            }
          }
        }
      }
  CHECK(checked > 1000);
  // The bound is zero exactly when the weights agree.
  const Model<Rational> A = mhla::test::random_model(rng, 3, 1, false, 2, 0);  // integer entries: binary64 already
  CHECK(weight_l1_difference(A, round_model_binary64(A)) == 0);
}
