// SPDX-License-Identifier: MIT
// The multi-modular rank factorisation (heads/heads.hpp, proofs-notes/07-heads.md, Lemma H7):
// on rational matrices of planted rank scrambled by unimodular operations, it returns an exact
// factorisation U V^T == M with rank(M) columns (the rank computed another way: Bareiss, and the
// Gauss-Jordan reference), with the standard primes and with the tiny primes of the test hook
// (unlucky primes common); rank 0, full rank, huge entries; and heads_from_weights at d = 8.
// The factors are also compared with the Gauss-Jordan ones (Lemma H7(e): the kept candidate is the
// reduced row echelon form), a property of this implementation; callers rely only on U V^T == M.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <random>

#include "mhla/heads/heads.hpp"
#include "mhla/linalg/bareiss.hpp"
#include "mhla/linalg/rows_scale_to_integer.hpp"
#include "support/random_exact.hpp"

using namespace mhla;

namespace {

// Sets MHLA_TEST_TINY_PRIMES while it lives (PrimeStream::standard() then yields 3, 5, 7, ...).
struct TinyPrimes {
  explicit TinyPrimes(bool on) : on_(on) {
    if (on_) ::setenv("MHLA_TEST_TINY_PRIMES", "1", 1);
  }
  ~TinyPrimes() {
    if (on_) ::unsetenv("MHLA_TEST_TINY_PRIMES");
  }
  TinyPrimes(const TinyPrimes&) = delete;
  TinyPrimes& operator=(const TinyPrimes&) = delete;
  bool on_;
};

// A unimodular scramble of A: random integer row operations row_i += c row_j and swaps on the
// left, the same on columns on the right. Rank is unchanged; the pivot columns move about.
Matrix<Rational> scramble(std::mt19937_64& rng, Matrix<Rational> A) {
  std::uniform_int_distribution<int> coef(-2, 2);
  const std::size_t m = A.rows(), n = A.cols();
  for (int t = 0; t < 12; ++t) {
    const std::size_t i = rng() % m, j = rng() % m;
    if (i == j) continue;
    const int c = coef(rng);
    for (std::size_t k = 0; k < n; ++k) {
      if (t % 3 == 0) std::swap(A(i, k), A(j, k));
      else A(i, k) += c * A(j, k);
    }
  }
  for (int t = 0; t < 12; ++t) {
    const std::size_t i = rng() % n, j = rng() % n;
    if (i == j) continue;
    const int c = coef(rng);
    for (std::size_t k = 0; k < m; ++k) {
      if (t % 3 == 0) std::swap(A(k, i), A(k, j));
      else A(k, i) += c * A(k, j);
    }
  }
  return A;
}

void check_factorisation(const Matrix<Rational>& M, const RankFactorisation& f) {
  const std::size_t rank = rank_bareiss(rows_scale_to_integer(M));
  CHECK(f.rank == rank);
  CHECK(f.U.rows() == M.rows());
  CHECK(f.V.rows() == M.cols());
  CHECK(f.U.cols() == f.rank);
  CHECK(f.V.cols() == f.rank);
  CHECK(multiply(f.U, transpose(f.V)) == M);
}

}  // namespace

TEST_CASE("rank factorisation (modular): U V^T == M and the rank, on scrambled planted-rank matrices, standard and tiny primes") {
  for (bool tiny : {false, true}) {
    TinyPrimes hook(tiny);
    std::mt19937_64 rng(tiny ? 71 : 70);
    std::size_t modular_successes = 0, cases = 0;
    for (auto [m, n] : {std::pair<std::size_t, std::size_t>{5, 5}, {9, 9}, {7, 12}, {12, 7}, {16, 16}})
      for (std::size_t r = 0; r <= std::min(m, n); r += 2) {
        INFO("tiny = " << tiny << ", m = " << m << ", n = " << n << ", planted rank = " << r);
        const Matrix<Rational> M =
            scramble(rng, multiply(test::random_matrix(rng, m, r, 2, 1), test::random_matrix(rng, r, n, 2, 1)));
        const RankFactorisation f = rank_factorisation(M);
        check_factorisation(M, f);
        const RankFactorisation g = rank_factorisation_gauss_jordan(M);
        CHECK(g.rank == f.rank);
        CHECK(multiply(g.U, transpose(g.V)) == multiply(f.U, transpose(f.V)));
        // Lemma H7(e): the same factors as Gauss-Jordan (pivot columns, reduced echelon rows),
        // whichever primes were used.
        CHECK(f.U == g.U);
        CHECK(f.V == g.V);
        if (auto h = rank_factorisation_modular(M)) {
          check_factorisation(M, *h);
          ++modular_successes;
        }
        ++cases;
      }
    // With the standard primes the fast path answers every case itself (no fallback).
    // With the tiny primes (unlucky ones common) it must still answer some cases itself, else the
    // rank resets, CRT over small primes and reconstruction would go untested.
    if (!tiny) CHECK(modular_successes == cases);
    else CHECK(modular_successes > 0);
  }
}

TEST_CASE("rank factorisation (modular): rank 0, full rank, one row, huge entries") {
  std::mt19937_64 rng(72);
  for (bool tiny : {false, true}) {
    TinyPrimes hook(tiny);
    INFO("tiny = " << tiny);
    for (auto [m, n] : {std::pair<std::size_t, std::size_t>{1, 1}, {3, 5}, {6, 6}}) {
      const Matrix<Rational> Z(m, n);
      const RankFactorisation z = rank_factorisation(Z);
      CHECK(z.rank == 0);
      CHECK(z.U.rows() == m);
      CHECK(z.V.rows() == n);
      CHECK(z.U.cols() == 0);
    }
    // Full rank, square: one prime with rank n certifies it; U = M, V = I.
    const Matrix<Rational> F = test::random_matrix(rng, 20, 20, 3, 2);
    REQUIRE(rank_bareiss(rows_scale_to_integer(F)) == 20);
    check_factorisation(F, rank_factorisation(F));
    // Full column rank, tall; full row rank, wide.
    const Matrix<Rational> tall = test::random_matrix(rng, 9, 4, 2, 1);
    check_factorisation(tall, rank_factorisation(tall));
    const Matrix<Rational> wide = test::random_matrix(rng, 4, 9, 2, 1);
    check_factorisation(wide, rank_factorisation(wide));
    // One nonzero row.
    Matrix<Rational> one(4, 6);
    for (std::size_t j = 0; j < 6; ++j) one(2, j) = Rational(Integer(int(j) - 2), Integer(3));
    check_factorisation(one, rank_factorisation(one));
    // Huge entries (30-digit numerators, 20-digit denominators): beyond int64 and Int128, the
    // residues and the exact check go through GMP.
    const Matrix<Rational> H =
        scramble(rng, multiply(test::random_matrix(rng, 10, 4, 30, 20), test::random_matrix(rng, 4, 10, 30, 20)));
    check_factorisation(H, rank_factorisation(H));
  }
}

TEST_CASE("rank factorisation (modular): heads_from_weights at d = 8 has weights exactly W") {
  std::mt19937_64 rng(73);
  for (bool tiny : {false, true}) {
    TinyPrimes hook(tiny);
    for (std::size_t H : {1, 3}) {
      INFO("tiny = " << tiny << ", H = " << H);
      const Model<Rational> model = test::random_model(rng, 8, H, false, 2, 1);
      const Matrix<Rational> W = weights(model);
      const Model<Rational> rec = heads_from_weights(W, false);
      CHECK(weights(rec) == W);
      CHECK(rec.heads.size() == rank_bareiss(rows_scale_to_integer(even_split(W))));
    }
  }
  // A low-rank split at d = 8: W folded from a planted rank-5 matrix (its even split's rank is
  // what Bareiss says; the heads reproduce W exactly).
  const Matrix<Rational> P = multiply(test::random_matrix(rng, 64, 5, 2, 1), test::random_matrix(rng, 5, 64, 2, 1));
  const Matrix<Rational> W = fold_split(P, 8);
  const Model<Rational> rec = heads_from_weights(W, true);
  CHECK(weights(rec) == W);
  CHECK(rec.heads.size() == rank_bareiss(rows_scale_to_integer(even_split(W))));
}
