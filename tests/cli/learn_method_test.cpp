// SPDX-License-Identifier: MIT
// mhla learn --method primal|kernel|auto --solver modular|reference through the real binary:
// every combination writes the same model (the minimum-norm minimiser is unique), the
// "learned" object records the method actually used and the sizes, tiny primes change
// nothing, bad option values exit 2 with one line and nothing written.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "cli/cli_harness.hpp"

namespace {

nlohmann::json learn(const std::vector<std::string>& extra, const std::string& dataset) {
  std::vector<std::string> args{"-q", "learn", "--dataset", dataset, "-o", "-"};
  args.insert(args.end(), extra.begin(), extra.end());
  const mhla_test::RunResult r = mhla_test::run_mhla(args);
  INFO("args: " << extra.size() << " extra; stderr: " << r.err);
  REQUIRE(r.status == 0);
  return nlohmann::json::parse(r.out);
}

// A generated dataset (random model, small integer entries) written into dir.
std::string generate(const mhla_test::TempDir& dir, const std::string& name, const std::vector<std::string>& opts) {
  std::vector<std::string> args{"-q", "generate", "random", "-o", dir.file(name)};
  args.insert(args.end(), opts.begin(), opts.end());
  const mhla_test::RunResult r = mhla_test::run_mhla(args);
  INFO("stderr: " << r.err);
  REQUIRE(r.status == 0);
  return dir.file(name);
}

}  // namespace

TEST_CASE("mhla learn: --method primal|kernel|auto and --solver modular|reference write the same model", "[cli][learn]") {
  const mhla_test::TempDir dir;
  // d = 3 (D = 18): 30 targets (rows > D, realisable), 8 targets (rows < D), single-token
  // inputs (rank-deficient), noisy targets (agnostic: big rationals).
  const std::vector<std::string> datasets{
      generate(dir, "full.json", {"--d", "3", "--heads", "2", "--tokens", "3", "--samples", "30", "--seed", "1", "--entries", "int:2"}),
      generate(dir, "few.json", {"--d", "3", "--heads", "1", "--tokens", "3", "--samples", "8", "--seed", "2"}),
      generate(dir, "single.json", {"--d", "3", "--heads", "1", "--tokens", "1", "--samples", "25", "--seed", "3"}),
      generate(dir, "noisy.json", {"--d", "3", "--heads", "1", "--tokens", "3", "--samples", "24", "--seed", "4", "--noise", "0.25"})};
  for (const std::string& data : datasets) {
    INFO("dataset " << data);
    const nlohmann::json ref = learn({"--method", "primal", "--solver", "reference"}, data);
    for (const char* method : {"primal", "kernel", "auto"})
      for (const char* solver : {"modular", "reference"}) {
        INFO("--method " << method << " --solver " << solver);
        const nlohmann::json m = learn({"--method", method, "--solver", solver}, data);
        CHECK(m["heads"] == ref["heads"]);
        CHECK(m["learned"]["training_loss"] == ref["learned"]["training_loss"]);
        CHECK(m["learned"]["unique"] == ref["learned"]["unique"]);
        CHECK(m["learned"]["solver"] == solver);
        CHECK(m["learned"]["method_requested"] == method);
        CHECK(m["learned"]["max_numerator_bits"] == ref["learned"]["max_numerator_bits"]);
        const std::size_t rows = m["learned"]["coordinates"][0]["rows"];
        const std::string used = m["learned"]["method"];
        if (std::string(method) == "auto")
          CHECK(used == (rows < 18 ? "kernel" : "primal"));
        else
          CHECK(used == method);
        for (std::size_t a = 0; a < 3; ++a) {
          CHECK(m["learned"]["coordinates"][a]["rank"] == ref["learned"]["coordinates"][a]["rank"]);
          CHECK(m["learned"]["coordinates"][a]["solution_dim"] == ref["learned"]["coordinates"][a]["solution_dim"]);
        }
      }
  }
  // Realisable with small integer weights: the modular path needs 1 prime; agnostic: many, and
  // large rationals.
  const nlohmann::json full = learn({}, datasets[0]);
  CHECK(full["learned"]["coordinates"][0]["path"] == "consistent");
  CHECK(full["learned"]["coordinates"][0]["primes"] == 1);
  CHECK(full["learned"]["training_loss"] == "0");
  const nlohmann::json noisy = learn({"--method", "primal"}, datasets[3]);
  CHECK(noisy["learned"]["coordinates"][0]["path"] == "normal-equations");
  CHECK(noisy["learned"]["max_denominator_bits"].get<std::size_t>() > 50);
}

TEST_CASE("mhla learn: modular and reference solvers agree under MHLA_TEST_TINY_PRIMES", "[cli][learn]") {
  const mhla_test::TempDir dir;
  const std::string data =
      generate(dir, "d.json", {"--d", "2", "--heads", "2", "--tokens", "3", "--samples", "12", "--seed", "5", "--noise", "0.5"});
  const std::string rational = dir.write(
      "r.json",
      R"({"format": "mhla-dataset", "version": 1, "d": 2, "causal": true, "samples": [
        {"Z": [["1/3", 2, -1], [0, "5/7", 1]], "targets": [{"position": 1, "y": ["1/2", null]}, {"position": 2, "y": [3, 1]}]},
        {"Z": [[2, 1], ["-1/2", 3]], "y": [1, "2/9"]},
        {"Z": [[1, 1, 1], [2, 0, "1/5"]], "targets": [{"position": 0, "y": [0, 1]}, {"position": 2, "y": [4, "-1/3"]}]}]})");
  for (const std::string& d : {data, rational}) {
    const nlohmann::json ref = learn({"--solver", "reference"}, d);
    ::setenv("MHLA_TEST_TINY_PRIMES", "1", 1);
    const nlohmann::json primal = learn({"--method", "primal"}, d);
    const nlohmann::json kernel = learn({"--method", "kernel"}, d);
    ::unsetenv("MHLA_TEST_TINY_PRIMES");
    CHECK(primal["heads"] == ref["heads"]);
    CHECK(kernel["heads"] == ref["heads"]);
    CHECK(primal["learned"]["training_loss"] == ref["learned"]["training_loss"]);
    CHECK(kernel["learned"]["training_loss"] == ref["learned"]["training_loss"]);
  }
}

TEST_CASE("mhla learn: a bad --method or --solver value exits 2 with one line and writes nothing", "[cli][learn]") {
  const mhla_test::TempDir dir;
  const std::string data = generate(dir, "d.json", {"--d", "2", "--tokens", "2", "--samples", "4", "--seed", "6"});
  for (const std::vector<std::string>& bad : {std::vector<std::string>{"--method", "dual"},
                                              std::vector<std::string>{"--solver", "flint"},
                                              std::vector<std::string>{"--method", ""}}) {
    std::vector<std::string> args{"learn", "--dataset", data, "-o", dir.file("out.json")};
    args.insert(args.end(), bad.begin(), bad.end());
    const mhla_test::RunResult r = mhla_test::run_mhla(args);
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(r.err.find(bad[0]) != std::string::npos);
    CHECK_FALSE(dir.exists("out.json"));
  }
}
