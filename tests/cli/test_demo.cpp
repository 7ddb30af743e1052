// SPDX-License-Identifier: MIT
// `mhla demo` runs on its bundled data (compiled into the binary: ctest runs this from the
// build directory, where data/demo/ does not exist) and reports the checks it made.
#include <catch2/catch.hpp>

#include "cli_harness.hpp"

TEST_CASE("mhla demo runs on its bundled data", "[cli][demo]") {
  const mhla_test::RunResult r = mhla_test::run_mhla({"demo"});
  CHECK(r.status == 0);
  CHECK(r.err.empty());
  CHECK(r.out.find("y = (23/26, 23/39)  equals the target exactly") != std::string::npos);
  CHECK(r.out.find("y = (21, 3)  equals the target exactly") != std::string::npos);
  CHECK(r.out.find("12 of 12 (sample, coordinate) pairs agree") != std::string::npos);
}
