// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>
#include <flint/nmod_mat.h>

#include "mhla/linalg/bareiss.hpp"
#include "mhla/linalg/echelon_mod_p.hpp"
#include "mhla/linalg/nullspace_multimodular.hpp"
#include "mhla/linalg/rank_certified.hpp"
#include "mhla/modp/reduce.hpp"
#include "planted.hpp"

using namespace mhla;
using namespace mhla::test;

namespace {

std::size_t flint_nmod_rank(const Matrix<std::int64_t>& A, const PrimeField& F) {
  nmod_mat_t M;
  nmod_mat_init(M, static_cast<slong>(A.rows()), static_cast<slong>(A.cols()), F.p);
  for (std::size_t i = 0; i < A.rows(); ++i)
    for (std::size_t j = 0; j < A.cols(); ++j) nmod_mat_entry(M, i, j) = F.from_int64(A(i, j));
  const slong r = nmod_mat_rank(M);
  nmod_mat_clear(M);
  return static_cast<std::size_t>(r);
}

void check_kernel_mod_p(const Matrix<std::int64_t>& A, const PrimeField& F, const std::vector<std::uint64_t>& v) {
  for (std::size_t i = 0; i < A.rows(); ++i) {
    std::uint64_t s = 0;
    for (std::size_t j = 0; j < A.cols(); ++j) s = F.add(s, F.mul(F.from_int64(A(i, j)), v[j]));
    REQUIRE(s == 0);
  }
}

}  // namespace

TEST_CASE("EchelonModP agrees with the reference elimination and FLINT nmod_mat_rank", "[linalg][modp]") {
  std::mt19937_64 rng(21);
  // Shapes across the kernel's blocks (128 rows, 128 basis rows, 24-column panels).
  const std::vector<std::tuple<std::size_t, std::size_t, std::size_t>> shapes = {
      {1, 1, 1}, {5, 3, 2}, {3, 5, 3}, {30, 25, 25}, {40, 23, 17}, {300, 170, 170}, {300, 170, 131}, {150, 290, 140}};
  const auto isa = GENERATE(KernelIsa::generic, KernelIsa::avx2, KernelIsa::avx512);
  if (!echelon_mod_p_select_kernel(isa)) return;  // the CPU lacks it
  for (auto [m, n, r] : shapes) {
    const Matrix<std::int64_t> A = planted_rank(m, n, r, rng, 50);
    for (std::uint64_t p : {3ull, 5ull, 7ull, 8388593ull, 8388587ull}) {
      PrimeField F(p);
      const RankProfileModP fast = rank_profile_mod_p(F, A);
      const RankProfileModP ref = rank_profile_mod_p_reference(F, A);
      INFO("m=" << m << " n=" << n << " r=" << r << " p=" << p << " isa=" << static_cast<int>(isa));
      CHECK(fast.rank == ref.rank);
      CHECK(fast.pivot_rows == ref.pivot_rows);
      CHECK(fast.pivot_cols == ref.pivot_cols);
      CHECK(fast.rank == flint_nmod_rank(A, F));
      CHECK(fast.rank <= r);  // rank mod p never exceeds rank over Q
    }
  }
  echelon_mod_p_select_kernel(KernelIsa::automatic);
}

TEST_CASE("EchelonModP: streaming stops at full column rank; kernel vectors mod p", "[linalg][modp]") {
  std::mt19937_64 rng(22);
  PrimeField F(8388593);
  const Matrix<std::int64_t> A = planted_rank(400, 150, 150, rng, 20);
  EchelonModP E(F, 150);
  std::size_t added = 0;
  for (std::size_t i = 0; i < A.rows() && !E.saturated(); ++i, ++added)
    E.add_row(std::span<const std::int64_t>(A.row(i), 150));
  CHECK(E.rank() == 150);
  CHECK(E.pivot_rows().back() < added);
  CHECK(added == E.pivot_rows().back() + 1);  // saturation seen right at the last pivot row
  CHECK(E.nullspace().empty());

  const Matrix<std::int64_t> B = planted_rank(200, 170, 120, rng, 20);
  for (std::uint64_t p : {5ull, 8388593ull}) {
    PrimeField G(p);
    EchelonModP S(G, 170);
    S.add_rows(B);
    const auto N = S.nullspace();
    CHECK(N.size() == 170 - S.rank());
    for (const auto& v : N) check_kernel_mod_p(B, G, v);
  }
  CHECK_THROWS_AS(EchelonModP(PrimeField(8388617), 3), Error);  // prime above 2^23
  CHECK_THROWS_AS(E.add_row(std::vector<std::int64_t>(3, 0)), Error);
}

TEST_CASE("nullspace_multimodular equals the Bareiss nullspace", "[linalg][multimodular]") {
  std::mt19937_64 rng(23);
  for (auto [m, n, r] : std::vector<std::tuple<std::size_t, std::size_t, std::size_t>>{
           {6, 5, 4}, {12, 10, 7}, {20, 16, 15}, {14, 20, 9}}) {
    const Matrix<std::int64_t> A = planted_rank(m, n, r, rng, 4);
    const Matrix<Integer> Z = to_integer(A);
    const auto want = nullspace_bareiss(Z);
    for (bool tiny : {false, true}) {
      KernelOptions opt;
      opt.max_vectors = n;
      const KernelMultimodular k = nullspace_multimodular(A, tiny ? PrimeStream::tiny() : PrimeStream::standard(), opt);
      INFO("m=" << m << " n=" << n << " r=" << r << " tiny=" << tiny);
      REQUIRE(k.status == KernelStatus::found);
      CHECK(k.vectors == want);
      CHECK(k.rank_lower_bound == r);
      for (const auto& v : k.vectors) CHECK(annihilates_exactly(Z, v));
    }
  }
}

TEST_CASE("nullspace_multimodular with large kernel entries needs several primes", "[linalg][multimodular]") {
  // A random (n-1) x n matrix with entries in [-1000, 1000]: its kernel vector has entries
  // (n-1) x (n-1) minors of about 10 * (n-1) decimal digits.
  std::mt19937_64 rng(24);
  std::uniform_int_distribution<std::int64_t> d(-1000, 1000);
  const std::size_t n = 24;
  Matrix<std::int64_t> A(n - 1, n);
  for (auto& x : A.data()) x = d(rng);
  const KernelMultimodular k = nullspace_multimodular(A);
  REQUIRE(k.status == KernelStatus::found);
  CHECK(k.primes_used > 5);
  CHECK(annihilates_exactly(A, k.vectors[0]));
  CHECK(k.vectors[0] == nullspace_bareiss(to_integer(A))[0]);
}

TEST_CASE("rank_certified: full rank, deficiency, rational input", "[linalg][certified][flint]") {
  std::mt19937_64 rng(25);
  for (bool tiny : {false, true}) {
    for (auto [m, n, r] : std::vector<std::tuple<std::size_t, std::size_t, std::size_t>>{
             {40, 20, 20}, {40, 20, 17}, {10, 12, 10}, {16, 9, 9}, {16, 9, 1}, {5, 4, 0}}) {
      const Matrix<std::int64_t> A = planted_rank(m, n, r, rng, 6);
      const RankCertified c = rank_certified(A, tiny ? PrimeStream::tiny() : PrimeStream::standard());
      INFO("m=" << m << " n=" << n << " r=" << r << " tiny=" << tiny << " p=" << c.prime);
      CHECK(c.assurance == Assurance::certified);
      CHECK(c.rank == r);
      CHECK(c.rank == flint_rank(to_integer(A)));
      CHECK(c.status == (r == n ? RankStatus::full_column_rank : RankStatus::deficient));
      // The witness minor is nonzero mod the prime (and so over Z).
      REQUIRE(c.pivot_rows.size() == c.rank);
      Matrix<Integer> M(c.rank, c.rank);
      for (std::size_t i = 0; i < c.rank; ++i)
        for (std::size_t j = 0; j < c.rank; ++j) M(i, j) = A(c.pivot_rows[i], c.pivot_cols[j]);
      CHECK(reduce_mod(PrimeField(c.prime), det_bareiss(M)) != 0);
      CHECK(c.kernel.size() == n - r);
      for (const auto& v : c.kernel) CHECK(annihilates_exactly(A, v));
    }
  }
  // Rational rows: scaled to integers; rank unchanged.
  Matrix<Rational> Q(3, 3, {Rational(1, 2), Rational(1, 3), Rational(1, 4), Rational(1, 3), Rational(1, 4),
                            Rational(1, 5), Rational(1, 4), Rational(1, 5), Rational(1, 6)});
  CHECK(rank_certified(Q).rank == 3);
  Matrix<Rational> Q2(2, 2, {Rational(1, 7), Rational(2, 7), Rational(1, 3), Rational(2, 3)});
  const RankCertified c2 = rank_certified(Q2, PrimeStream::tiny());
  CHECK(c2.rank == 1);
  CHECK(c2.assurance == Assurance::certified);
  CHECK(c2.kernel[0] == std::vector<Rational>{Rational(-2), Rational(1)});
}

TEST_CASE("forced tiny primes never give a wrong certified rank", "[linalg][certified][unlucky]") {
  // Matrices whose minors are divisible by small primes: diag(3, 5, 7, ...) scrambled, and
  // rank-deficient ones with a multiple of 3 * 5 * 7 in the pivot minor.
  std::mt19937_64 rng(26);
  for (int it = 0; it < 20; ++it) {
    const std::size_t n = 6 + it % 5, r = n - (it % 3);
    Matrix<std::int64_t> A = planted_rank(n + 3, n, r, rng, 3);
    for (std::size_t j = 0; j < n; ++j) A(0, j) *= 105;  // every minor using row 0 is 0 mod 3, 5, 7
    for (std::size_t j = 0; j < n; ++j) A(1, j) *= 11;
    const std::size_t truth = flint_rank(to_integer(A));
    const RankCertified c = rank_certified(A, PrimeStream::tiny());
    CHECK(c.assurance == Assurance::certified);
    CHECK(c.rank == truth);
    for (const auto& v : c.kernel) CHECK(annihilates_exactly(A, v));
    RankOptions one;
    one.exact_rank = false;
    const RankCertified d = rank_certified(A, PrimeStream::tiny(), one);
    CHECK(d.rank <= truth);
    CHECK((d.status == RankStatus::full_column_rank) == (truth == n));
    if (truth < n) {
      REQUIRE(d.kernel.size() == 1);
      CHECK(annihilates_exactly(A, d.kernel[0]));
    }
  }
}

TEST_CASE("unlucky primes 3, 5, 7 divide the determinant: the next prime decides", "[linalg][certified][unlucky]") {
  std::mt19937_64 rng(27);
  for (int it = 0; it < 10; ++it) {
    const std::size_t n = 5 + it;
    Matrix<std::int64_t> A = planted_rank(n, n, n, rng, 2);  // unimodular-scrambled identity core
    for (std::size_t j = 0; j < n; ++j) A(it % n, j) *= 105;   // det = +-105 * det(before)
    const Integer det = det_bareiss(to_integer(A));
    REQUIRE(det != 0);
    REQUIRE(det % 105 == 0);
    const RankCertified c = rank_certified(A, PrimeStream::tiny());
    CHECK(c.status == RankStatus::full_column_rank);
    CHECK(c.assurance == Assurance::certified);
    CHECK(c.rank == n);
    CHECK(c.prime > 7);
    CHECK(c.primes_used >= 4);  // 3, 5 and 7 were tried and found unlucky
  }
}
