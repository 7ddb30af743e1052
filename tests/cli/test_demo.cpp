// SPDX-License-Identifier: MIT
// `mhla demo` runs on its bundled data (compiled into the binary: ctest runs this from the
// build directory, where data/demo/ does not exist) and reports the paper's two verdicts, each
// certificate re-verified, and the generator recovered from the identifiable data.
#include <catch2/catch.hpp>

#include "cli_harness.hpp"

TEST_CASE("mhla demo runs on its bundled data", "[cli][demo]") {
  const mhla_test::RunResult r = mhla_test::run_mhla({"demo"});
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(r.err.empty());
  CHECK(r.out.find("NOT IDENTIFIABLE: coordinates 2 and 3 have rank 36 < feature_dim 40") != std::string::npos);
  CHECK(r.out.find("IDENTIFIABLE: coordinates 2 and 3 have rank 40 = feature_dim 40") != std::string::npos);
  CHECK(r.out.find("distinguishing input Z = ") != std::string::npos);
  CHECK(r.out.find("lambda_min(Lambda_2) exactly 0") != std::string::npos);
  CHECK(r.out.find("equivalent to the generator: yes") != std::string::npos);
  // Both certificates pass the independent checker.
  std::size_t valid = 0;
  for (std::size_t at = r.out.find("verify   VALID"); at != std::string::npos; at = r.out.find("verify   VALID", at + 1)) ++valid;
  CHECK(valid == 2);
}
