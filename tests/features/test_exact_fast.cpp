// SPDX-License-Identifier: MIT
// Lemma S1: the integer fast paths give exactly evaluate<Rational> and feature_rows<Rational>,
// on the Int128 path (small entries) and on the GMP path (entries too large for the bound).
#include <catch2/catch.hpp>

#include "mhla/features/exact_fast.hpp"
#include "support/random_exact.hpp"

using namespace mhla;

TEST_CASE("Lemma S1: integer-scaled evaluation and features equal the rational ones", "[features][S1]") {
  std::mt19937_64 rng(31337);
  for (std::size_t d = 1; d <= 5; ++d)
    for (int causal = 0; causal <= 1; ++causal)
      for (int rep = 0; rep < 12; ++rep) {
        // rep 0-5: integers; 6-8: small rationals (Int128 path); 9-11: 25-digit entries (GMP path).
        const unsigned nd = rep < 9 ? 3 : 25, dd = rep < 6 ? 0 : (rep < 9 ? 2 : 20);
        const std::size_t H = 1 + rng() % 3, n = 1 + rng() % 7;
        const Model<Rational> model = test::random_model(rng, d, H, causal == 1, nd, dd);
        const Matrix<Rational> Z = test::random_matrix(rng, d, n, nd, dd);
        REQUIRE(evaluate_exact(model, Z) == evaluate(model, Z));
        std::vector<std::size_t> positions;
        for (std::size_t b = 0; b < n; ++b) positions.push_back((b * 5 + 3) % n);
        REQUIRE(feature_rows_exact(Z, positions, causal == 1) == feature_rows(Z, positions, causal == 1));
      }
}

TEST_CASE("Lemma S1 at the edge of the Int128 bound", "[features][S1]") {
  // Entries of 2^40 - 1: features reach about 2^122 (n = 4), outputs overflow 2^126 and take
  // the GMP path. Both must still agree with the rational evaluation.
  const Integer big = (Integer(1) << 40) - 1;
  Matrix<Rational> Z(2, 4);
  for (auto& x : Z.data()) x = Rational(big);
  Z(1, 2) = Rational(-big);
  Model<Rational> m{2, false, {{Matrix<Rational>(2, 2, {Rational(big), 1, 2, 3}), Matrix<Rational>(2, 2, {1, Rational(big), 0, -1})}}};
  CHECK(evaluate_exact(m, Z) == evaluate(m, Z));
  m.causal = true;
  CHECK(evaluate_exact(m, Z) == evaluate(m, Z));
  CHECK(feature_rows_exact(Z, {0, 1, 2, 3}, true) == feature_rows(Z, {0, 1, 2, 3}, true));
  Matrix<Rational> Z2 = Z;
  Z2(0, 0) = Rational(Integer(1) << 100);
  CHECK(feature_rows_exact(Z2, {3}, false) == feature_rows(Z2, {3}, false));
}

TEST_CASE("to_int128 and to_integer are inverse on the whole Int128 range", "[arith]") {
  const Integer top = (Integer(1) << 127) - 1;
  for (const Integer& z : {Integer(0), Integer(1), Integer(-1), top, Integer(-top), Integer(1) << 64,
                           Integer(-(Integer(1) << 64) + 1), Integer("-98765432109876543210987654321")})
    CHECK(to_integer(to_int128(z)) == z);
  CHECK(bit_length(Integer(0)) == 0);
  CHECK(bit_length(Integer(-8)) == 4);
  CHECK(bit_length(top) == 127);
}
