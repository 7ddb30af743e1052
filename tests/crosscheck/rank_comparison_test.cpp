// SPDX-License-Identifier: MIT
// Float rank tests beside the exact rank (Lemma X6): an ill-conditioned but nonsingular design
// matrix that NumPy's rule calls deficient, and an exactly singular one where both agree.
#include <catch2/catch.hpp>

#include "crosscheck/crosscheck_support.hpp"
#include "mhla/crosscheck/rank_comparison.hpp"

using namespace mhla;

namespace {

Dataset last_position_dataset(std::mt19937_64& rng, std::size_t d, std::size_t n, std::size_t N, const Rational& row1_scale) {
  Dataset ds = test::random_inputs(rng, d, n, N);
  for (Sample& s : ds.samples) {
    for (std::size_t t = 0; t < n; ++t) s.Z(1, t) *= row1_scale;
    s.targets.push_back(Target{n - 1, std::vector<std::optional<Rational>>(d, Rational(1))});
  }
  return ds;
}

}  // namespace

TEST_CASE("Lemma X6: float says deficient where the exact rank is full (ill-conditioned), and agrees on a singular one",
          "[crosscheck]") {
  std::mt19937_64 rng(3);
  // Row 1 of every Z scaled by 10^-6: features with that index three times scale by 10^-18.
  const Dataset ill = last_position_dataset(rng, 2, 3, 12, Rational(1, 1000000));
  const auto r = crosscheck::compare_ranks(ill);
  REQUIRE(r.size() == 2);
  for (const auto& c : r) {
    CHECK(c.D == 6);
    CHECK(c.exact_rank == 6);
    CHECK(c.identifiable);
    CHECK(c.f64.rank < 6);
    CHECK(c.f32.rank < 6);
    REQUIRE(c.sigma_enclosed);
    CHECK(c.sigma_min_sq_lower >= 0);  // nonsingular is proven by the exact rank; the enclosure is tiny
    CHECK(c.sigma_min_sq_upper > 0);
    CHECK(c.sigma_min_sq_upper < Rational(1, 1000000));
    CHECK(c.sigma_min_sq_lower <= c.sigma_min_sq_upper);
    REQUIRE(c.disagreements.size() == 2);
    CHECK(c.disagreements[0].find("float too pessimistic") != std::string::npos);
  }
  // Well-conditioned: all agree, no disagreement.
  const auto w = crosscheck::compare_ranks(last_position_dataset(rng, 2, 3, 12, Rational(1)));
  for (const auto& c : w) {
    CHECK(c.identifiable);
    CHECK(c.f64.rank == 6);
    CHECK(c.disagreements.empty());
  }
  // Exactly singular (fewer rows than D): exact and float both say deficient; sigma_min = 0.
  const auto s = crosscheck::compare_ranks(last_position_dataset(rng, 2, 3, 4, Rational(1)));
  for (const auto& c : s) {
    CHECK(!c.identifiable);
    CHECK(c.f64.rank == c.exact_rank);
    CHECK(c.sigma_min_sq_upper == 0);
  }
}
