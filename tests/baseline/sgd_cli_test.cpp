// SPDX-License-Identifier: MIT
// mhla sgd: the model file holds exactly binary64 values, the reported empirical risk is the
// exact risk of that model (recomputed here by exact evaluation), runs are byte-identical by
// seed, and bad input exits 2 writing nothing.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "cli/cli_harness.hpp"
#include "mhla/features/exact_fast.hpp"
#include "mhla/io/dataset_file.hpp"
#include "mhla/io/model_file.hpp"

using namespace mhla;

namespace {

Rational exact_risk(const Dataset& ds, const Model<Rational>& m) {
  Rational risk = 0;
  for (const Sample& s : ds.samples) {
    const Matrix<Rational> Y = evaluate_exact(m, s.Z);
    for (const Target& t : s.targets)
      for (std::size_t a = 0; a < ds.d; ++a)
        if (t.y[a]) risk += (Y(a, t.position) - *t.y[a]) * (Y(a, t.position) - *t.y[a]);
  }
  return risk;
}

}  // namespace

TEST_CASE("mhla sgd writes exact binary64 values and the exact risk of that model", "[baseline][cli]") {
  mhla_test::TempDir dir;
  const std::string data = dir.file("data.json");
  REQUIRE(mhla_test::run_mhla({"generate", "random", "--d", "2", "--heads", "1", "--tokens", "4", "--samples", "30",
                               "--causal", "--positions", "all", "--entries", "int:1", "--seed", "4", "-o", data})
              .status == 0);
  const std::vector<std::string> args{"sgd", "--dataset", data, "--heads", "4", "--epochs", "40", "--lr", "0.05",
                                      "--batch", "5", "--seed", "3", "--average-heads", "--cosine", "--clip", "5",
                                      "--validation", data, "-o"};
  std::vector<std::string> a1 = args, a2 = args;
  a1.push_back(dir.file("m1.json"));
  a2.push_back(dir.file("m2.json"));
  const mhla_test::RunResult r1 = mhla_test::run_mhla(a1), r2 = mhla_test::run_mhla(a2);
  REQUIRE(r1.status == 0);
  REQUIRE(r2.status == 0);
  CHECK(r1.err.find("approximate") != std::string::npos);
  const std::string text = mhla_test::slurp(dir.file("m1.json"));
  CHECK(text == mhla_test::slurp(dir.file("m2.json")));  // deterministic by seed

  const Model<Rational> m = read_model(dir.file("m1.json"));
  REQUIRE(m.heads.size() == 4);
  CHECK(m.causal);
  for (const Head<Rational>& h : m.heads)
    for (const Matrix<Rational>* M : {&h.V, &h.Q})
      for (const Rational& x : M->data()) CHECK(to_rational(to_binary64(x)) == x);  // exactly a binary64 value

  const nlohmann::json doc = nlohmann::json::parse(text);
  const nlohmann::json& t = doc["trained"];
  CHECK(t["method"] == "binary64 Adam (approximate)");
  CHECK(t["loss_curve"]["train_mse"].size() == 41);
  CHECK(t["loss_curve"]["validation_mse"].size() == 41);
  CHECK(std::stod(t["loss_curve"]["train_mse"][40].get<std::string>()) <
        std::stod(t["loss_curve"]["train_mse"][0].get<std::string>()));
  const Dataset ds = read_dataset(data);
  const Rational risk = exact_risk(ds, m);
  CHECK(t["empirical_risk"] == to_string(risk));
  CHECK(t["observed_entries"] == 30 * 4 * 2);
  // The binary64 curve agrees with the exact risk of the written model up to rounding.
  CHECK(std::stod(t["loss_curve"]["train_mse"][40].get<std::string>()) == Approx(to_binary64(risk) / 240).epsilon(1e-9));
}

TEST_CASE("mhla sgd refuses bad input with exit 2 and writes nothing", "[baseline][cli]") {
  mhla_test::TempDir dir;
  const std::string bad = dir.write("bad.json", "{\"format\": \"mhla-dataset\", \"version\": 1, \"d\": 2, \"samples\": [{\"Z\": [[1]]}]}");
  const mhla_test::RunResult r = mhla_test::run_mhla({"sgd", "--dataset", bad, "-o", dir.file("out.json")});
  CHECK(r.status == 2);
  CHECK(r.err.find("bad.json") != std::string::npos);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK_FALSE(dir.exists("out.json"));
  const std::string good = dir.write("good.json", "{\"format\": \"mhla-dataset\", \"version\": 1, \"d\": 1, \"samples\": [{\"Z\": [[1, 2]], \"y\": [3]}]}");
  CHECK(mhla_test::run_mhla({"sgd", "--dataset", good, "--heads", "0", "-o", dir.file("out.json")}).status == 2);
  CHECK(mhla_test::run_mhla({"sgd", "--dataset", good, "--lr", "-1", "-o", dir.file("out.json")}).status == 2);
  CHECK_FALSE(dir.exists("out.json"));
}
