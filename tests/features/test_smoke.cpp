// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>
#include "mhla/features/dataset.hpp"
TEST_CASE("feature_dim matches math.md's table") {
  using mhla::feature_dim;
  CHECK(feature_dim(2) == 6); CHECK(feature_dim(4) == 40); CHECK(feature_dim(8) == 288);
  CHECK(feature_dim(12) == 936); CHECK(feature_dim(16) == 2176); CHECK(feature_dim(20) == 4200);
  CHECK(feature_dim(32) == 16896);
}
