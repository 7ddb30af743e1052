// SPDX-License-Identifier: MIT
// Orthogonal heads from an MPFR SVD (heads/heads.hpp; proofs-notes/07-heads.md, Lemma H5): the
// weights of the approximate model, computed exactly from the exact values of its entries, are
// within the stated bound of W; the singular vectors are orthonormal within the stated bound;
// the decimal strings are the exact values.
#include <catch2/catch.hpp>

#include <random>

#include "mhla/heads/heads.hpp"
#include "support/random_exact.hpp"

using namespace mhla;

namespace {

Rational max_abs(const Matrix<Rational>& A) {
  Rational m = 0;
  for (const Rational& x : A.data()) m = std::max(m, abs(x));
  return m;
}

Rational two_to(unsigned e) {
  Integer p = 1;
  p <<= e;
  return Rational(p);
}

// The value of a decimal string "-12.0345" (no exponent), exactly.
Rational parse_decimal(const std::string& s) {
  const bool negative = !s.empty() && s[0] == '-';
  std::string digits = s.substr(negative ? 1 : 0);
  const std::size_t point = digits.find('.');
  std::size_t scale = 0;
  if (point != std::string::npos) {
    scale = digits.size() - point - 1;
    digits.erase(point, 1);
  }
  Integer ten = 1, value = 0;
  for (std::size_t i = 0; i < scale; ++i) ten *= 10;
  for (const char ch : digits) value = value * 10 + (ch - '0');
  const Rational v(value, ten);
  return negative ? -v : v;
}

}  // namespace

TEST_CASE("svd heads: weights within the bound of Lemma H5 at 64 and 256 bits, orthonormal singular vectors") {
  std::mt19937_64 rng(21);
  for (unsigned bits : {64u, 256u})
    for (std::size_t d = 1; d <= 4; ++d) {
      INFO("bits = " << bits << ", d = " << d);
      const Model<Rational> model = test::random_model(rng, d, 2, false, 2, 1);
      const Matrix<Rational> W = weights(model);
      const SvdHeads s = svd_heads(W, false, bits);
      REQUIRE(s.precision_bits >= bits);
      REQUIRE(s.precision_bits <= bits + 3);
      // The bound, recomputed here from p, n and m = ||M||_max.
      const std::size_t n = d * d;
      const Rational u = 1 / two_to(s.precision_bits), m = max_abs(even_split(W)), nn(static_cast<long>(n));
      CHECK(s.weight_error_bound == 1024 * nn * nn * nn * u * m);
      CHECK(s.orthonormality_bound == 1024 * nn * nn * u);
      CHECK(s.threshold == 256 * nn * nn * u * m);
      // ||weights(model) - W||_max, exactly, from the model's entries.
      Matrix<Rational> E = weights(s.model);
      for (std::size_t i = 0; i < E.data().size(); ++i) E.data()[i] -= W.data()[i];
      CHECK(max_abs(E) == s.weight_error);
      CHECK(max_abs(E) <= s.weight_error_bound);
      // Singular vectors orthonormal within B_o; singular values decreasing, kept ones above the threshold.
      for (const Matrix<Rational>* A : {&s.U, &s.V}) {
        Matrix<Rational> G = multiply(transpose(*A), *A);
        for (std::size_t i = 0; i < G.rows(); ++i) G(i, i) -= 1;
        CHECK(max_abs(G) <= s.orthonormality_bound);
      }
      REQUIRE(s.singular_values.size() == n);
      for (std::size_t h = 0; h + 1 < n; ++h) CHECK(s.singular_values[h] >= s.singular_values[h + 1]);
      REQUIRE(s.model.heads.size() == s.U.cols());
      for (std::size_t h = 0; h < s.model.heads.size(); ++h) CHECK(s.singular_values[h] > s.threshold);
      // The heads are orthogonal: <vec V_h, vec V_g> = sqrt(s_h s_g) <u_h, u_g>, small for h != g.
      for (std::size_t h = 0; h < s.model.heads.size(); ++h)
        for (std::size_t g = h + 1; g < s.model.heads.size(); ++g) {
          Rational ip = 0;
          for (std::size_t i = 0; i < n; ++i) ip += s.model.heads[h].V.data()[i] * s.model.heads[g].V.data()[i];
          CHECK(abs(ip) <= 4 * s.singular_values[0] * s.orthonormality_bound);
        }
      // The decimal strings are the exact values.
      for (const Head<Rational>& h : s.model.heads)
        for (const Rational& x : h.V.data()) CHECK(parse_decimal(exact_decimal_string(x)) == x);
    }
  // More bits, smaller error: at 256 bits the bound is below 2^-180 ||M||_max.
  const Matrix<Rational> W = weights(test::random_model(rng, 2, 3, false, 2, 1));
  const SvdHeads fine = svd_heads(W, false, 256);
  CHECK(fine.weight_error <= max_abs(even_split(W)) / two_to(180));
  // The zero weights: no heads, no error.
  const SvdHeads zero = svd_heads(Matrix<Rational>(2, 6), false, 64);
  CHECK(zero.model.heads.empty());
  CHECK(zero.weight_error == 0);
  CHECK_THROWS_AS(svd_heads(W, false, 8), Error);
}

TEST_CASE("exact decimal strings of dyadic rationals") {
  CHECK(exact_decimal_string(Rational(1, 8)) == "0.125");
  CHECK(exact_decimal_string(-Rational(3, 20)) == "-0.15");
  CHECK(exact_decimal_string(Rational(5)) == "5");
  CHECK(exact_decimal_string(Rational(0)) == "0");
  CHECK(exact_decimal_string(-Rational(1025, 1024)) == "-1.0009765625");
  CHECK(exact_decimal_string(Rational(Integer(1), Integer(1) << 70)) ==
        "0.0000000000000000000008470329472543003390683225006796419620513916015625");
  CHECK_THROWS_AS(exact_decimal_string(Rational(1, 3)), Error);
  std::mt19937_64 rng(22);
  for (int t = 0; t < 50; ++t) {
    const Integer p = test::random_integer(rng, 20);
    const unsigned e = static_cast<unsigned>(rng() % 80);
    const Rational q(p, Integer(1) << e);
    const std::string s = exact_decimal_string(q);
    CHECK(parse_decimal(s) == q);
  }
}

TEST_CASE("recover_heads: each method's model and details") {
  std::mt19937_64 rng(23);
  const Model<Rational> model = test::random_model(rng, 3, 1, true, 2, 0);
  const Matrix<Rational> W = weights(model);
  const RecoveredHeads exact = recover_heads(W, true, HeadsMethod::rank_factorisation);
  CHECK(weights(exact.model) == W);
  CHECK(exact.model.heads.size() == exact.even_split_rank);
  CHECK_FALSE(exact.approximate());
  const RecoveredHeads fewest = recover_heads(W, true, HeadsMethod::fewest);
  REQUIRE(fewest.fewest.has_value());
  CHECK(weights(fewest.model) == W);
  CHECK(fewest.model.heads.size() <= exact.model.heads.size());
  CHECK(fewest.even_split_rank == exact.even_split_rank);
  const RecoveredHeads svd = recover_heads(W, true, HeadsMethod::svd, 80);
  REQUIRE(svd.svd.has_value());
  CHECK(svd.approximate());
  CHECK(svd.model.causal);
  CHECK(svd.svd->precision_bits >= 80);
  CHECK(svd.svd->weight_error <= svd.svd->weight_error_bound);
  CHECK(svd.even_split_rank == exact.even_split_rank);
}
