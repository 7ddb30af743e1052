// SPDX-License-Identifier: MIT
// The default lambda_min enclosure of `mhla certify` (Lemma B4: truncated features; Lemma C14:
// the determinant lower bound when rank D is proven): agrees with the exact enclosure of
// Lemma C5 on small cases, is positive when the certificate proves rank D, and its upper
// vector reproduces the upper end exactly.
#include <catch2/catch.hpp>

#include "mhla/cert/certify.hpp"
#include "mhla/cert/lambda_min.hpp"
#include "mhla/features/exact_fast.hpp"
#include "support/assoc_task.hpp"

#include <random>

using namespace mhla;

namespace {

// x^T Lambda_a x / x^T x exactly, from the design matrix (a second, plain computation).
Rational rayleigh_of(const Dataset& ds, std::size_t a, const std::vector<Integer>& x) {
  const DesignMatrix dm = design_matrix(ds, a);
  Rational num = 0, xx = 0;
  for (const Integer& v : x) xx += Rational(v * v);
  for (std::size_t r = 0; r < dm.phi.rows(); ++r) {
    Rational s = 0;
    for (std::size_t j = 0; j < x.size(); ++j) s += dm.phi(r, j) * Rational(x[j]);
    num += s * s;
  }
  return num / (Rational(static_cast<unsigned long long>(dm.phi.rows())) * xx);
}

}  // namespace

TEST_CASE("truncated lambda_min overlaps the exact enclosure and is as tight", "[lambda_min]") {
  std::mt19937_64 rng(6);
  const Dataset ds = mhla::test::assoc_task_dataset(rng, 80, false, false, false);
  LambdaMinOptions exact_options;
  exact_options.method = LambdaMinMethod::exact;
  const LambdaMinEnclosure exact = lambda_min_of_coordinate(ds, 2, {}, exact_options);
  const LambdaMinEnclosure truncated = lambda_min_of_coordinate(ds, 2, {});
  REQUIRE(exact.computed);
  REQUIRE(truncated.computed);
  CHECK(truncated.lower > 0);
  CHECK(truncated.lower <= truncated.upper);
  CHECK(std::max(exact.lower, truncated.lower) <= std::min(exact.upper, truncated.upper));
  CHECK(truncated.upper - truncated.lower <= (exact.upper - exact.lower) + Rational(1, 1000000) * exact.upper);
  CHECK(truncated.method.find("Lemma B4") != std::string::npos);
  // The upper end is proven by its vector, recomputed here from the design matrix.
  REQUIRE(truncated.upper_vector.size() == feature_dim(4));
  CHECK(rayleigh_of(ds, 2, truncated.upper_vector) <= truncated.upper);
  CHECK(rayleigh_of(ds, 2, exact.upper_vector) <= exact.upper);
  // Coarse truncation widens the enclosure but keeps it valid.
  LambdaMinOptions coarse_options;
  coarse_options.bits = 8;
  const LambdaMinEnclosure coarse = lambda_min_truncated(ds, 2, {}, coarse_options);
  CHECK(coarse.lower <= exact.upper);
  CHECK(coarse.upper >= exact.lower);
  CHECK(coarse.upper - coarse.lower > truncated.upper - truncated.lower);
  // Singular data: [0, 0] exactly.
  const Dataset orth = mhla::test::assoc_task_dataset(rng, 10, true, true, false);
  const LambdaMinEnclosure zero = lambda_min_of_coordinate(orth, 2, {});  // 10 rows < D = 40
  CHECK(zero.lower == 0);
  CHECK(zero.upper == 0);
}

TEST_CASE("lambda_min is positive whenever the certificate proves rank D (Lemma C14)", "[lambda_min]") {
  // A nearly singular full-rank design: random-key samples, all but the first scaled by 2^-40 in
  // every token (their rows by 2^-120): rank D stays, lambda_min falls far below what a binary64
  // Cholesky resolves next to the first sample's entries of size 1.
  std::mt19937_64 rng(7);
  Dataset ds = mhla::test::assoc_task_dataset(rng, 80, false, false, false);
  const Rational tiny = Rational(Integer(1), Integer(1) << 40);
  for (std::size_t i = 1; i < ds.samples.size(); ++i)
    for (Rational& z : ds.samples[i].Z.data()) z *= tiny;
  const Certificate cert = certify(ds);
  const CoordinateCertificate& c = cert.coordinates[2];
  REQUIRE(c.identifiable);
  REQUIRE(c.minor);
  LambdaMinOptions options;
  options.full_rank_rows = c.minor->rows;
  const LambdaMinEnclosure e = lambda_min_of_coordinate(ds, 2, {}, options);
  REQUIRE(e.computed);
  CHECK(e.lower > 0);
  CHECK(e.lower <= e.upper);
  CHECK(e.tiny);
  CHECK(e.method.find("Lemma C14") != std::string::npos);
  // The determinant bound alone, against the exact enclosure of Lemma C5.
  const Rational det_bound = lambda_min_lower_from_minor(ds, 2, c.minor->rows);
  CHECK(det_bound > 0);
  LambdaMinOptions exact_options;
  exact_options.method = LambdaMinMethod::exact;
  const LambdaMinEnclosure exact = lambda_min_of_coordinate(ds, 2, {}, exact_options);
  REQUIRE(exact.computed);
  CHECK(det_bound <= exact.upper);
  // A dependent choice of rows (a repeated row) has determinant 0: no bound.
  std::vector<std::size_t> rows = c.minor->rows;
  CHECK_THROWS(lambda_min_lower_from_minor(ds, 2, std::vector<std::size_t>(rows.size(), rows[0])));
}
