// SPDX-License-Identifier: MIT
// mhla learn --heads exact|fewest|svd [--precision BITS] through the real binary: fewest heads
// recovers a 2-head generator's head count and an equivalent model; svd heads are labelled
// approximate with their exactly computed error within the stated bound; --precision without
// svd and unknown methods exit 2 with nothing written.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "cli/cli_harness.hpp"

namespace {

mhla_test::RunResult run(const std::vector<std::string>& args) { return mhla_test::run_mhla(args); }

// a <= b for two nonnegative decimal (or "p/q") strings.
bool at_most(const std::string& a, const std::string& b) {
  auto split = [](const std::string& s) {
    const auto slash = s.find('/');
    return std::pair<long double, long double>(std::stold(s.substr(0, slash)),
                                               slash == std::string::npos ? 1.0L : std::stold(s.substr(slash + 1)));
  };
  // Decimal strings of the exact errors: long double is enough to order them, as the bound is
  // about 10^4 times the error (proofs-notes Lemma H5); the exact check is inside mhla itself.
  const auto [an, ad] = split(a);
  const auto [bn, bd] = split(b);
  return an / ad <= bn / bd;
}

}  // namespace

TEST_CASE("mhla learn --heads fewest|svd|exact: head counts, equivalence, labels, bad usage", "[cli][learn][heads]") {
  const mhla_test::TempDir dir;
  const std::string data = dir.file("data.json"), generator = dir.file("generator.json");
  REQUIRE(run({"-q", "generate", "random", "--d", "3", "--heads", "2", "--tokens", "4", "--samples", "60", "--seed", "5",
               "--entries", "int:2", "--model-out", generator, "-o", data})
              .status == 0);

  const mhla_test::RunResult exact = run({"-q", "learn", "--dataset", data, "-o", dir.file("exact.json")});
  REQUIRE(exact.status == 0);
  const nlohmann::json e = nlohmann::json::parse(mhla_test::slurp(dir.file("exact.json")));
  CHECK(e["heads"].size() <= 9);  // rank(M) <= d^2 (Lemma H1)
  CHECK(e["heads"].size() >= 2);  // at least the generator's (Lemma H3's bound is 2 here)
  CHECK(e["learned"]["heads_recovery"]["method"].get<std::string>().rfind("exact", 0) == 0);
  CHECK(run({"-q", "equiv", "--model", dir.file("exact.json"), "--model", generator}).status == 0);

  const mhla_test::RunResult fewest = run({"-q", "learn", "--dataset", data, "--heads", "fewest", "-o", dir.file("fewest.json")});
  REQUIRE(fewest.status == 0);
  const nlohmann::json f = nlohmann::json::parse(mhla_test::slurp(dir.file("fewest.json")));
  CHECK(f["heads"].size() == 2);
  CHECK(f["learned"]["heads_recovery"]["minimal"] == true);
  CHECK(run({"-q", "equiv", "--model", dir.file("fewest.json"), "--model", generator}).status == 0);

  const mhla_test::RunResult svd =
      run({"-q", "learn", "--dataset", data, "--heads", "svd", "--precision", "64", "-o", dir.file("svd.json")});
  REQUIRE(svd.status == 0);
  const nlohmann::json s = nlohmann::json::parse(mhla_test::slurp(dir.file("svd.json")));
  CHECK(s["approximate"] == true);
  CHECK(s["precision_bits"].get<unsigned>() >= 64);
  const nlohmann::json& rec = s["learned"]["heads_recovery"];
  INFO(rec.dump());
  CHECK(rec["method"].get<std::string>().rfind("svd", 0) == 0);
  CHECK(at_most(rec["weight_error_max"].get<std::string>(), rec["weight_error_bound"].get<std::string>()));

  for (const std::vector<std::string>& bad :
       {std::vector<std::string>{"--precision", "64"}, {"--heads", "foo"}, {"--heads", "svd", "--precision", "3"}}) {
    std::vector<std::string> args{"learn", "--dataset", data, "-o", dir.file("bad.json")};
    args.insert(args.end(), bad.begin(), bad.end());
    const mhla_test::RunResult r = run(args);
    CHECK(r.status == 2);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK_FALSE(dir.exists("bad.json"));
  }
}
