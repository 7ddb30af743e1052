// SPDX-License-Identifier: MIT
// Design matrices (math.md, "Data and empirical risk"): Phi_a stacks phi(Z, b) over the
// (sample, target) pairs whose y[a] is observed, samples in order, targets in listed order.
#include <catch2/catch.hpp>

#include "mhla/features/dataset.hpp"
#include "support/random_exact.hpp"

using namespace mhla;

TEST_CASE("design_matrix keeps file order and skips unobserved coordinates", "[features][dataset]") {
  std::mt19937_64 rng(4);
  for (int causal = 0; causal <= 1; ++causal) {
    Dataset ds{3, causal == 1, {}};
    for (int s = 0; s < 4; ++s) {
      Sample sample{test::random_matrix(rng, 3, 2 + s, 2, 2), {}};
      for (std::size_t b : {std::size_t(1 + s), std::size_t(0), std::size_t(1)}) {  // targets out of position order
        Target t{b, {Rational(s), std::nullopt, Rational(b)}};
        if (s == 2) t.y[0] = std::nullopt;
        sample.targets.push_back(t);
      }
      ds.samples.push_back(sample);
    }
    const DesignMatrix all = design_matrix(ds);
    const DesignMatrix phi0 = design_matrix(ds, 0), phi1 = design_matrix(ds, 1);
    CHECK(all.rows.size() == 12);
    CHECK(phi0.rows.size() == 9);  // sample 2's targets lack y[0]
    CHECK(phi1.rows.size() == 0);
    CHECK(phi1.phi.cols() == feature_dim(3));
    std::size_t r0 = 0;
    for (std::size_t r = 0; r < all.rows.size(); ++r) {
      const DesignRow& row = all.rows[r];
      CHECK(row.sample == r / 3);
      CHECK(row.target == r % 3);
      const std::vector<Rational> phi = features(ds.samples[row.sample].Z, row.position, ds.causal);
      CHECK(all.phi.row_vector(r) == phi);
      if (row.sample != 2) {
        CHECK(phi0.phi.row_vector(r0) == phi);
        CHECK(phi0.rows[r0].sample == row.sample);
        ++r0;
      }
    }
  }
}
