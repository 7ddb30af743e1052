// SPDX-License-Identifier: MIT
// The exact rank of a deficient coordinate and its proof (proofs-notes Lemma C6), and the
// Bareiss path for entries too large for the prime budget (Lemma A5): checked against
// rank_bareiss and against the rational minor recomputed from the design matrix.
#include <set>
#include <catch2/catch.hpp>

#include <random>

#include "mhla/cert/certify.hpp"
#include "mhla/features/dataset.hpp"
#include "mhla/linalg/bareiss.hpp"
#include "mhla/linalg/rank_certified.hpp"
#include "mhla/linalg/rows_scale_to_integer.hpp"

using namespace mhla;

namespace {

Dataset random_dataset(std::mt19937_64& rng, std::size_t d, std::size_t samples, std::size_t n, bool causal,
                       std::size_t targets_per_sample) {
  std::uniform_int_distribution<int> e(-3, 3);
  Dataset ds{d, causal, {}};
  for (std::size_t s = 0; s < samples; ++s) {
    Sample sample{Matrix<Rational>(d, n), {}};
    for (Rational& x : sample.Z.data()) x = e(rng);
    for (std::size_t t = 0; t < targets_per_sample; ++t)
      sample.targets.push_back({n - 1 - t % n, std::vector<std::optional<Rational>>(d, Rational(1))});
    ds.samples.push_back(std::move(sample));
  }
  return ds;
}

// det(Phi_a[rows, cols]) over Q by Bareiss on the rational submatrix, reduced mod p.
std::uint64_t rational_minor_mod(const Matrix<Rational>& phi, const std::vector<std::size_t>& rows,
                                 const std::vector<std::size_t>& cols, std::uint64_t p) {
  Matrix<Rational> sub(rows.size(), cols.size());
  for (std::size_t i = 0; i < rows.size(); ++i)
    for (std::size_t j = 0; j < cols.size(); ++j) sub(i, j) = phi(rows[i], cols[j]);
  Integer den = 1;
  for (const Rational& x : sub.data()) den = lcm(den, denominator(x));
  Matrix<Integer> S(rows.size(), cols.size());
  for (std::size_t i = 0; i < rows.size(); ++i)
    for (std::size_t j = 0; j < cols.size(); ++j) S(i, j) = numerator(sub(i, j) * den);
  // det(sub) = det(S) / den^r
  const Integer P(p);
  Integer num = det_bareiss(S) % P, dr = 1;
  for (std::size_t i = 0; i < rows.size(); ++i) dr = dr * den % P;
  if (num < 0) num += P;
  return static_cast<std::uint64_t>(num * powm(dr, P - 2, P) % P);
}

void check_rank_proof(const Dataset& ds, const CoordinateCertificate& c) {
  const std::size_t D = feature_dim(ds.d);
  const DesignMatrix dm = design_matrix(ds, c.a);
  const std::size_t exact = rank_bareiss(rows_scale_to_integer(dm.phi));
  INFO("a = " << c.a << ", rows " << c.rows << ", exact rank " << exact << ", D " << D);
  REQUIRE_FALSE(c.identifiable);
  CHECK(c.rank == exact);
  CHECK(c.rank_exact);
  REQUIRE(c.rank_minor.has_value());
  CHECK(c.rank_minor->rows.size() == c.rank);
  CHECK(c.rank_minor->minor_mod_prime != 0);
  CHECK(rational_minor_mod(dm.phi, c.rank_minor->rows, c.rank_minor->columns, c.rank_minor->prime) ==
        c.rank_minor->minor_mod_prime);
  using U = CoordinateCertificate::RankUpper;
  if (c.rank == c.rows) {
    CHECK(c.rank_upper == U::row_count);
    CHECK(c.kernel_basis.empty());  // one kernel vector is enough then
  } else if (c.rank_upper == U::row_space) {
    // Lemma C7: every row outside the minor's is listed once, equal to an earlier row or the
    // stated exact combination of the minor's rows.
    std::set<std::size_t> base(c.rank_minor->rows.begin(), c.rank_minor->rows.end()), listed;
    CHECK(c.row_space.size() + base.size() == c.rows);
    for (const RowCombination& e : c.row_space) {
      CHECK(listed.insert(e.row).second);
      CHECK(!base.count(e.row));
      for (std::size_t j = 0; j < D; ++j) {
        Rational s = 0;
        if (e.same_as) s = dm.phi(*e.same_as, j);
        for (const auto& [row, coef] : e.terms) {
          CHECK(base.count(row));
          s += coef * dm.phi(row, j);
        }
        CHECK(s == dm.phi(e.row, j));
      }
    }
  } else if (c.rank + 1 == D) {
    CHECK(c.rank_upper == U::kernel_vector);
  } else {
    REQUIRE(c.rank_upper == U::kernel_basis);
    CHECK(c.kernel_basis.size() == D - c.rank);
    for (const auto& v : c.kernel_basis) CHECK(multiply(dm.phi, v) == std::vector<Rational>(dm.phi.rows(), Rational(0)));
  }
}

}  // namespace

TEST_CASE("certify: a deficient coordinate's rank is exact, with a minor below and rows, D - 1 or a basis above") {
  std::mt19937_64 rng(21);
  SECTION("fewer rows than features: rank = rows, a single kernel vector (d = 3, 4)") {
    for (std::size_t d : {3, 4}) {
      const Dataset ds = random_dataset(rng, d, 5, 4, false, 1);
      const Certificate cert = certify(ds);
      for (const CoordinateCertificate& c : cert.coordinates) check_rank_proof(ds, c);
    }
  }
  SECTION("n = 1 with many rows: rank d(d+1)(d+2)/6 < rows, the whole basis") {
    const Dataset ds = random_dataset(rng, 2, 20, 1, true, 1);
    const Certificate cert = certify(ds);
    CHECK(cert.coordinates[0].rank == 4);
    for (const CoordinateCertificate& c : cert.coordinates) check_rank_proof(ds, c);
  }
  SECTION("--kernel-basis: the rank by D - r kernel vectors") {
    const Dataset ds = random_dataset(rng, 2, 20, 1, true, 1);
    CertifyOptions options;
    options.kernel_basis = true;
    const Certificate cert = certify(ds, options);
    CHECK(cert.coordinates[0].rank_upper == CoordinateCertificate::RankUpper::kernel_basis);
    for (const CoordinateCertificate& c : cert.coordinates) check_rank_proof(ds, c);
  }
  SECTION("one row short of D (rank D - 1)") {
    Dataset ds = random_dataset(rng, 2, 5, 3, false, 1);
    const Certificate cert = certify(ds);
    for (const CoordinateCertificate& c : cert.coordinates) check_rank_proof(ds, c);
  }
  SECTION("repeated rows and a causal dataset with several targets per sample") {
    Dataset ds = random_dataset(rng, 2, 3, 3, true, 3);
    for (int i = 0; i < 3; ++i) ds.samples.push_back(ds.samples[static_cast<std::size_t>(i)]);
    const Certificate cert = certify(ds);
    for (const CoordinateCertificate& c : cert.coordinates)
      if (!c.identifiable) check_rank_proof(ds, c);
  }
  SECTION("d = 20, a single row: rank 1 at once, no 4199-vector basis") {
    Dataset ds = random_dataset(rng, 20, 1, 2, false, 1);
    for (std::size_t a = 1; a < 20; ++a) ds.samples[0].targets[0].y[a] = std::nullopt;
    const Certificate cert = certify(ds);
    const CoordinateCertificate& c = cert.coordinates[0];
    CHECK(c.rank == 1);
    CHECK(c.rank_upper == CoordinateCertificate::RankUpper::row_count);
    CHECK(c.kernel_basis.empty());
    CHECK(c.kernel_vector.size() == feature_dim(20));
  }
}

TEST_CASE("rank_certified: entries beyond the prime budget go to Bareiss and agree with it (Lemma A5)") {
  std::mt19937_64 rng(22);
  // Integers of about 3000 bits: Hadamard's bound for the 4 x 4 minors needs ~ 12000 bits,
  // i.e. far more than a budget of 16 primes of 22 bits.
  const Integer big = pow(Integer(3), 1900);
  std::uniform_int_distribution<int> e(-5, 5);
  for (int trial = 0; trial < 4; ++trial) {
    Matrix<Integer> A(6, 5);
    for (std::size_t i = 0; i < 4; ++i)
      for (std::size_t j = 0; j < 5; ++j) A(i, j) = big * e(rng) + e(rng);
    for (std::size_t j = 0; j < 5; ++j) {  // rows 4, 5: combinations, so rank <= 4
      A(4, j) = A(0, j) * 2 - A(1, j) * 3;
      A(5, j) = A(2, j) + A(3, j) * 7;
    }
    RankOptions small;
    small.max_primes = 16;
    const RankCertified rc = rank_certified(A, PrimeStream::standard(), small);
    const RankProfile oracle = rank_profile_bareiss(A);
    CHECK(rc.rank == oracle.rank);
    CHECK(rc.assurance == Assurance::certified);
    REQUIRE(rc.status == RankStatus::deficient);
    CHECK(rc.kernel.size() == 5 - oracle.rank);
    Matrix<Rational> Aq(6, 5);
    for (std::size_t i = 0; i < 6; ++i)
      for (std::size_t j = 0; j < 5; ++j) Aq(i, j) = Rational(A(i, j));
    for (const auto& v : rc.kernel) CHECK(multiply(Aq, v) == std::vector<Rational>(6, Rational(0)));
    // The same answer as the multimodular path with the default budget.
    const RankCertified modular = rank_certified(A);
    CHECK(modular.rank == rc.rank);
    CHECK(modular.kernel == rc.kernel);
  }
}
