// SPDX-License-Identifier: MIT
// The checker's informational checks (verify_informational.hpp, proofs-notes Lemma C16): a
// certificate from `mhla certify` passes; every mutation of a lambda_min, alternative_model or
// advice claim is caught.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <random>
#include <string>

#include "cli/cli_harness.hpp"
#include "mhla/checker/verify_certificate.hpp"
#include "mhla/io/dataset_file.hpp"
#include "mhla/io/json_output.hpp"

using namespace mhla;

namespace {

Dataset constructed(std::size_t N, bool subspace, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> small(-4, 4);
  Dataset ds{3, false, {}};
  for (std::size_t s = 0; s < N; ++s) {
    Sample smp{Matrix<Rational>(3, 3), {}};
    for (std::size_t t = 0; t < 3; ++t)
      for (std::size_t i = 0; i < 3; ++i) smp.Z(i, t) = (subspace && i == 2) ? 0 : small(rng);
    smp.targets.push_back(Target{2, {Rational(small(rng)), Rational(small(rng)), Rational(small(rng))}});
    ds.samples.push_back(std::move(smp));
  }
  return ds;
}

struct Case {
  std::string dataset;
  nlohmann::json cert;
};

Case certified(const mhla_test::TempDir& dir, const std::string& name, const Dataset& ds) {
  const std::string text = render_json(dataset_json(ds));
  const std::string path = dir.write(name, text);
  const mhla_test::RunResult r = mhla_test::run_mhla({"--quiet", "certify", "--dataset", path});
  REQUIRE((r.status == 0 || r.status == 1));
  return {text, nlohmann::json::parse(r.out)};
}

checker::CheckResult check(const Case& c, const nlohmann::json& cert) {
  return checker::verify_certificate_text(c.dataset, "ds.json", cert.dump(), "cert.json");
}

}  // namespace

TEST_CASE("verify rejects mutated lambda_min, alternative_model and advice fields", "[informational]") {
  mhla_test::TempDir dir;
  const Case deficient = certified(dir, "sub.json", constructed(40, true, 3));
  const Case full = certified(dir, "full.json", constructed(60, false, 4));
  REQUIRE(deficient.cert["identifiable"] == false);
  REQUIRE(full.cert["identifiable"] == true);
  CHECK(check(deficient, deficient.cert).valid);
  CHECK(check(full, full.cert).valid);
  auto invalid = [&](const Case& c, const std::function<void(nlohmann::json&)>& mutate, const std::string& reason_part) {
    nlohmann::json m = c.cert;
    mutate(m);
    const checker::CheckResult r = check(c, m);
    CHECK_FALSE(r.valid);
    CHECK(r.reason.find(reason_part) != std::string::npos);
  };
  // lambda_min: a forged [5, 6] on a deficient coordinate; an upper end below the Rayleigh
  // quotient of its vector; a lower end above some Lambda_ii; lower > upper.
  invalid(deficient, [](nlohmann::json& m) { m["coordinates"][0]["lambda_min"]["lower"] = "5", m["coordinates"][0]["lambda_min"]["upper"] = "6"; },
          "lower end > 0");
  const Rational upper(full.cert["coordinates"][0]["lambda_min"]["upper"].get<std::string>());
  invalid(full, [&](nlohmann::json& m) {
    m["coordinates"][0]["lambda_min"]["lower"] = "0";
    m["coordinates"][0]["lambda_min"]["upper"] = to_string(upper / 2);
  }, "Rayleigh");
  invalid(full, [&](nlohmann::json& m) {
    m["coordinates"][0]["lambda_min"]["lower"] = "1000000000";
    m["coordinates"][0]["lambda_min"]["upper"] = "1000000000";
  }, "Lambda_ii");
  invalid(full, [&](nlohmann::json& m) { m["coordinates"][0]["lambda_min"]["lower"] = to_string(upper * 2); }, "lower <= upper");
  invalid(full, [&](nlohmann::json& m) {
    for (auto& x : m["coordinates"][0]["lambda_min"]["upper_vector"]) x = "0";
  }, "upper_vector is zero");
  invalid(full, [&](nlohmann::json& m) { m["coordinates"][0]["lambda_min"]["upper_vector"].erase(0); }, "feature_dim entries");
  // alternative_model: the zero model, a changed loss, a changed output, a missing entry, one
  // on identifiable data; junk is malformed.
  invalid(deficient, [](nlohmann::json& m) { m["alternative_model"]["heads"] = nlohmann::json::array(); }, "alternative_model");
  invalid(deficient, [](nlohmann::json& m) { m["alternative_model"]["base_loss"] = "12345"; }, "base_loss");
  invalid(deficient, [](nlohmann::json& m) { m["alternative_model"]["differs_at"][0]["alternative_output"] = "77/3"; }, "stated outputs");
  invalid(deficient, [](nlohmann::json& m) { m["alternative_model"]["differs_at"].erase(0); }, "not in differs_at");
  invalid(full, [&](nlohmann::json& m) { m["alternative_model"] = deficient.cert["alternative_model"]; }, "identifiable dataset");
  {
    nlohmann::json m = deficient.cert;
    m["alternative_model"] = nlohmann::json{{"junk", 1}};
    CHECK_THROWS(check(deficient, m));
  }
  // advice: the subspace's missing direction, its dimension, a feature that does occur, the
  // number of rows needed, an unknown case.
  invalid(deficient, [](nlohmann::json& m) { m["coordinates"][1]["advice"]["token_subspace"]["missing_directions"][0] = {"0", "1", "1"}; },
          "orthogonal");
  invalid(deficient, [](nlohmann::json& m) { m["coordinates"][1]["advice"]["token_subspace"]["dimension"] = 1; }, "advice");
  invalid(deficient, [](nlohmann::json& m) { m["coordinates"][1]["advice"]["token_subspace"]["basis"][0] = {"1", "1", "1"}; }, "advice");
  invalid(deficient, [](nlohmann::json& m) { m["coordinates"][1]["advice"]["token_subspace"]["rank_bound"] = 5; }, "rank_bound");
  invalid(deficient, [](nlohmann::json& m) { m["coordinates"][1]["advice"]["features_never_occurring"].push_back(0); }, "claimed never to occur");
  invalid(deficient, [](nlohmann::json& m) { m["coordinates"][1]["advice"]["more_rows_at_least"] = 1; }, "more_rows_at_least");
  invalid(deficient, [](nlohmann::json& m) { m["coordinates"][1]["advice"]["cases"].push_back("magic"); }, "unknown case");
  // A claimed subspace that misses a token: tokens with z_2 != 0 exist in the full data.
  {
    nlohmann::json m = full.cert;
    nlohmann::json forged = deficient.cert["coordinates"][0]["advice"];
    m["coordinates"][0]["identifiable"] = false;  // (the verdict check fails first: still INVALID)
    m["coordinates"][0]["advice"] = forged;
    CHECK_FALSE(check(full, m).valid);
  }
}
