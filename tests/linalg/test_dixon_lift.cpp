// SPDX-License-Identifier: MIT
// dixon_solve (dixon_lift.hpp): p-adic lifting with early rational reconstruction equals
// Bareiss (solve_bareiss) and FLINT's fmpq_mat_solve_fmpz_mat_dixon exactly on random
// nonsingular integer systems with several right-hand sides, with standard and tiny primes;
// singular systems give no answer (Lemmas A6, A7).
#include <catch2/catch.hpp>
#include <flint/fmpq_mat.h>

#include <random>

#include "mhla/linalg/bareiss.hpp"
#include "mhla/linalg/dixon_lift.hpp"
#include "support/random_exact.hpp"

using namespace mhla;

namespace {

Matrix<Integer> random_int_matrix(std::mt19937_64& rng, std::size_t r, std::size_t c, unsigned digits) {
  Matrix<Integer> m(r, c);
  for (std::size_t i = 0; i < r; ++i)
    for (std::size_t j = 0; j < c; ++j) m(i, j) = test::random_integer(rng, digits);
  return m;
}

// FLINT's exact solution of A X = B, entry (i, t) as a Rational.
std::vector<Rational> flint_solve(const Matrix<Integer>& A, const Matrix<Integer>& B) {
  const slong n = static_cast<slong>(A.rows()), k = static_cast<slong>(B.cols());
  fmpz_mat_t FA, FB;
  fmpq_mat_t X;
  fmpz_mat_init(FA, n, n);
  fmpz_mat_init(FB, n, k);
  fmpq_mat_init(X, n, k);
  for (slong i = 0; i < n; ++i) {
    for (slong j = 0; j < n; ++j) fmpz_set_str(fmpz_mat_entry(FA, i, j), A(i, j).str().c_str(), 10);
    for (slong t = 0; t < k; ++t) fmpz_set_str(fmpz_mat_entry(FB, i, t), B(i, t).str().c_str(), 10);
  }
  REQUIRE(fmpq_mat_solve_fmpz_mat_dixon(X, FA, FB));
  std::vector<Rational> out;
  for (slong i = 0; i < n; ++i)
    for (slong t = 0; t < k; ++t) {
      char* s = fmpq_get_str(nullptr, 10, fmpq_mat_entry(X, i, t));
      out.emplace_back(std::string(s));
      flint_free(s);
    }
  fmpq_mat_clear(X);
  fmpz_mat_clear(FA);
  fmpz_mat_clear(FB);
  return out;
}

void check_against_references(const Matrix<Integer>& A, const Matrix<Integer>& B, PrimeStream primes) {
  const std::size_t n = A.rows(), k = B.cols();
  const std::optional<DixonSolution> sol = dixon_solve(A, B, primes, 1e6);
  REQUIRE(sol);
  CHECK(sol->den >= 1);
  const std::vector<Rational> fl = flint_solve(A, B);
  for (std::size_t t = 0; t < k; ++t) {
    std::vector<Integer> b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = B(i, t);
    const SolveResult ref = solve_bareiss(A, b);
    REQUIRE(ref.status == SolveStatus::unique);
    for (std::size_t i = 0; i < n; ++i) {
      const Rational x(sol->num[i * k + t], sol->den);
      CHECK(x == ref.x[i]);
      CHECK(x == fl[i * k + t]);
    }
  }
}

}  // namespace

TEST_CASE("dixon_solve equals Bareiss and FLINT on random nonsingular systems (Lemmas A6, A7)") {
  std::mt19937_64 rng(2026);
  for (std::size_t n : {1, 2, 5, 12, 30})
    for (unsigned digits : {1u, 6u, 40u})
      for (std::size_t k : {1, 3}) {
        INFO("n " << n << ", digits " << digits << ", k " << k);
        Matrix<Integer> A = random_int_matrix(rng, n, n, digits);
        for (std::size_t i = 0; i < n; ++i) A(i, i) += 1;  // singular is unlikely; Bareiss says if so
        const Matrix<Integer> B = random_int_matrix(rng, n, k, digits + 3);
        std::vector<Integer> probe(n, Integer(1));
        if (solve_bareiss(A, probe).status != SolveStatus::unique) continue;
        check_against_references(A, B, PrimeStream::standard());
        check_against_references(A, B, PrimeStream::tiny());  // p = 3, 5, ...: singular mod p is common
      }
}

TEST_CASE("dixon_solve: a Gram matrix P^T P with a large-entry right-hand side, and integer solutions") {
  std::mt19937_64 rng(5);
  const Matrix<Integer> P = random_int_matrix(rng, 40, 20, 2);
  Matrix<Integer> A(20, 20), B(20, 2);
  for (std::size_t a = 0; a < 20; ++a)
    for (std::size_t b = 0; b < 20; ++b)
      for (std::size_t i = 0; i < 40; ++i) A(a, b) += P(i, a) * P(i, b);
  for (std::size_t a = 0; a < 20; ++a) B(a, 0) = test::random_integer(rng, 60);
  // Column 1: B = A x for an integer x, so the solution is x itself (denominator 1).
  std::vector<Integer> x(20);
  for (Integer& v : x) v = test::random_integer(rng, 3);
  for (std::size_t a = 0; a < 20; ++a)
    for (std::size_t b = 0; b < 20; ++b) B(a, 1) += A(a, b) * x[b];
  check_against_references(A, B, PrimeStream::standard());
  PrimeStream primes = PrimeStream::standard();
  Matrix<Integer> B1(20, 1);
  for (std::size_t a = 0; a < 20; ++a) B1(a, 0) = B(a, 1);
  const std::optional<DixonSolution> sol = dixon_solve(A, B1, primes, 1e6);
  REQUIRE(sol);
  CHECK(sol->den == 1);
  for (std::size_t a = 0; a < 20; ++a) CHECK(sol->num[a] == x[a]);
}

TEST_CASE("dixon_solve: a singular system gives no answer, and the give-up bound is honoured") {
  std::mt19937_64 rng(9);
  Matrix<Integer> A = random_int_matrix(rng, 6, 6, 3);
  for (std::size_t j = 0; j < 6; ++j) A(5, j) = A(0, j) + A(1, j);  // rank 5
  const Matrix<Integer> B = random_int_matrix(rng, 6, 1, 3);
  PrimeStream primes = PrimeStream::standard();
  CHECK_FALSE(dixon_solve(A, B, primes, 1e6));
  // A nonsingular system whose answer needs more bits than allowed: no (unverified) answer.
  Matrix<Integer> A2 = random_int_matrix(rng, 8, 8, 30);
  for (std::size_t i = 0; i < 8; ++i) A2(i, i) += 1;
  const Matrix<Integer> B2 = random_int_matrix(rng, 8, 1, 30);
  CHECK_FALSE(dixon_solve(A2, B2, primes, 64));
}
