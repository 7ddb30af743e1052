// SPDX-License-Identifier: MIT
// alternative_model (cert/alternative_model.hpp): on the associative-memory task with exactly
// orthonormal rational keys and values (d = 4, coordinates 2, 3 observed; not identifiable)
// the alternative fits the data exactly as well as the least-squares base and differs at each
// distinguishing input; checked in-process against independent recomputation, and through the
// real binary (`mhla certify` writes it, `mhla eval` evaluates it).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <random>

#include "cli/cli_harness.hpp"
#include "support/assoc_task.hpp"
#include "mhla/cert/alternative_model.hpp"
#include "mhla/features/dataset.hpp"
#include "mhla/io/dataset_file.hpp"
#include "mhla/io/json_output.hpp"
#include "mhla/learn/least_squares.hpp"

using namespace mhla;

namespace {

// The task of test_certify.cpp: tokens [k1; v1], [k2; v2], query [k_q; zeta]; targets at the
// query of the construction V = [[0,0],[0,I]], Q = [[I,0],[0,0]], plus noise/7 when noisy.
// orthonormal: keys and values from rational points of the unit circle; else small integers.
Dataset assoc(std::mt19937_64& rng, std::size_t N, bool orthonormal, bool noisy) {
  return test::assoc_task_dataset(rng, N, orthonormal, false, noisy);
}

Rational exact_of(const nlohmann::json& j) {
  return j.is_string() ? Rational(j.get<std::string>()) : Rational(j.get<long long>());
}

// Independent checks of an alternative model against the dataset and its certificate.
void check_alternative(const Dataset& ds, const Certificate& cert, const AlternativeModel& alt) {
  const DatasetFit fit = fit_dataset(ds);
  CHECK(weights(alt.base) == fit.W);
  CHECK(alt.base_loss == fit.loss);
  CHECK(alt.alternative_loss == alt.base_loss);
  CHECK(empirical_risk(ds, alt.alternative) == empirical_risk(ds, alt.base));
  CHECK(alt.alternative.heads.size() <= ds.d * ds.d);
  const Matrix<Rational> Wb = weights(alt.base), Wa = weights(alt.alternative);
  std::size_t deficient = 0;
  for (const CoordinateCertificate& c : cert.coordinates) {
    INFO("a = " << c.a);
    std::vector<Rational> diff(Wa.cols());
    for (std::size_t i = 0; i < diff.size(); ++i) diff[i] = Wa(c.a, i) - Wb(c.a, i);
    if (!c.observed) {
      CHECK(Wb.row_vector(c.a) == std::vector<Rational>(Wb.cols(), Rational(0)));  // w_a = 0
      CHECK(Wa.row_vector(c.a) == Wb.row_vector(c.a));
      continue;
    }
    if (c.identifiable) {
      CHECK(diff == std::vector<Rational>(diff.size(), Rational(0)));
      continue;
    }
    ++deficient;
    CHECK(diff == c.kernel_vector);
    const DistinguishingInput& in = *c.distinguishing_input;
    const Rational yb = evaluate_exact(alt.base, in.Z)(c.a, in.position);
    const Rational ya = evaluate_exact(alt.alternative, in.Z)(c.a, in.position);
    CHECK(ya != yb);
    CHECK(ya - yb == dot(c.kernel_vector, features(in.Z, in.position, ds.causal)));
  }
  CHECK(alt.differences.size() == deficient);
  CHECK(deficient > 0);
}

std::string write_ds(const mhla_test::TempDir& dir, const std::string& name, const Dataset& ds) {
  return dir.write(name, render_json(dataset_json(ds)));
}

}  // namespace

TEST_CASE("alternative model: orthonormal associative memory fits exactly as well and differs at the distinguishing inputs") {
  std::mt19937_64 rng(41);
  for (bool noisy : {false, true}) {
    INFO("noisy = " << noisy);
    const Dataset ds = assoc(rng, 60, true, noisy);
    const Certificate cert = certify(ds);
    REQUIRE_FALSE(cert.identifiable);
    const std::optional<AlternativeModel> alt = alternative_model(ds, cert);
    REQUIRE(alt);
    check_alternative(ds, cert, *alt);
    if (noisy) CHECK(alt->base_loss > 0);
    else CHECK(alt->base_loss == 0);
    CHECK(alt->differences.size() == 2);
  }
}

TEST_CASE("alternative model: a certificate whose kernel vector is wrong is refused, not reported") {
  std::mt19937_64 rng(44);
  const Dataset ds = assoc(rng, 40, true, false);
  Certificate cert = certify(ds);
  REQUIRE_FALSE(cert.coordinates[2].identifiable);
  const Matrix<Rational> Phi = design_matrix(ds, 2).phi;
  std::size_t i = 0;
  while (Phi.column(i) == std::vector<Rational>(Phi.rows(), Rational(0))) ++i;
  cert.coordinates[2].kernel_vector[i] += 1;  // Phi_2 (v + e_i) = column i of Phi_2 != 0
  CHECK_THROWS_AS(alternative_model(ds, cert), Error);
}

TEST_CASE("alternative model: none for identifiable data (random integer keys and values)") {
  std::mt19937_64 rng(42);
  const Dataset ds = assoc(rng, 100, false, false);
  const Certificate cert = certify(ds);
  REQUIRE(cert.identifiable);
  CHECK_FALSE(alternative_model(ds, cert));
}

TEST_CASE("mhla certify writes an alternative_model that mhla eval evaluates to the training targets") {
  mhla_test::TempDir dir;
  std::mt19937_64 rng(43);
  const Dataset ds = assoc(rng, 50, true, false);
  const std::string ds_path = write_ds(dir, "assoc.json", ds);
  const mhla_test::RunResult r = mhla_test::run_mhla({"--quiet", "certify", "--dataset", ds_path, "-o", dir.file("c.json")});
  INFO(r.err);
  REQUIRE(r.status == 1);
  const nlohmann::json c = nlohmann::json::parse(mhla_test::slurp(dir.file("c.json")));
  REQUIRE(c.contains("alternative_model"));
  const nlohmann::json& m = c["alternative_model"];
  CHECK(m["format"] == "mhla-model");
  CHECK(m["version"] == 1);
  CHECK(m["d"] == 4);
  CHECK(m["causal"] == false);
  CHECK(m["head_count"] == m["heads"].size());
  CHECK(m["heads"].size() >= 1);
  CHECK(m["base_loss"] == "0");
  CHECK(m["alternative_loss"] == "0");
  REQUIRE(m["differs_at"].size() == 2);
  const std::string model_path = dir.write("alt.json", m.dump());

  // On the training inputs the alternative reproduces every observed target exactly (loss 0).
  const mhla_test::RunResult e = mhla_test::run_mhla({"--quiet", "eval", "--model", model_path, "--input", ds_path});
  INFO(e.err);
  REQUIRE(e.status == 0);
  const nlohmann::json out = nlohmann::json::parse(e.out);
  REQUIRE(out["outputs"].size() == ds.samples.size());
  for (std::size_t s = 0; s < ds.samples.size(); ++s)
    for (std::size_t a : {2, 3})
      CHECK(exact_of(out["outputs"][s]["Y"][a][2]) == *ds.samples[s].targets[0].y[a]);

  // At each coordinate's distinguishing input, eval gives the stated alternative output, and it
  // differs from the base (the minimum-norm least-squares solution, recomputed here).
  const DatasetFit fit = fit_dataset(ds);
  for (const nlohmann::json& diff : m["differs_at"]) {
    const std::size_t a = diff["a"];
    const nlohmann::json& in = c["coordinates"][a]["distinguishing_input"];
    REQUIRE(in["position"] == diff["position"]);
    const std::string in_path = dir.write("in.json", nlohmann::json{{"format", "mhla-dataset"}, {"version", 1}, {"d", 4},
                                                                   {"samples", {{{"Z", in["Z"]}}}}}.dump());
    const mhla_test::RunResult ev = mhla_test::run_mhla({"--quiet", "eval", "--model", model_path, "--input", in_path});
    REQUIRE(ev.status == 0);
    const std::size_t b = in["position"];
    const Rational alt_out = exact_of(nlohmann::json::parse(ev.out)["outputs"][0]["Y"][a][b]);
    CHECK(alt_out == exact_of(diff["alternative_output"]));
    Matrix<Rational> Z(4, in["Z"][0].size());
    for (std::size_t i = 0; i < 4; ++i)
      for (std::size_t t = 0; t < Z.cols(); ++t) Z(i, t) = exact_of(in["Z"][i][t]);
    const Rational base_out = dot(fit.W.row_vector(a), features(Z, b, false));
    CHECK(base_out == exact_of(diff["base_output"]));
    CHECK(alt_out != base_out);
  }

  // The independent checker still accepts the certificate with the added object.
  const mhla_test::RunResult v =
      mhla_test::run_mhla({"--quiet", "verify", "--dataset", ds_path, "--certificate", dir.file("c.json")});
  CHECK(v.status == 0);

  // Sizes the old reference path refused (over 600 targets): the modular path gives the model.
  Dataset big{2, false, {}};
  for (std::size_t s = 0; s <= 600; ++s)
    big.samples.push_back({Matrix<Rational>(2, 1, {Rational(int(s % 7)), Rational(int(s % 5))}),
                           {Target{0, {Rational(int(s % 3)), Rational(1)}}}});
  const mhla_test::RunResult bg = mhla_test::run_mhla({"--quiet", "certify", "--dataset", write_ds(dir, "big.json", big)});
  REQUIRE(bg.status == 1);
  CHECK(nlohmann::json::parse(bg.out)["alternative_model"].contains("heads"));
  CHECK(nlohmann::json::parse(bg.out)["alternative_model"].contains("base"));

  // Identifiable data: no alternative_model.
  const std::string good = write_ds(dir, "good.json", assoc(rng, 80, false, false));
  const mhla_test::RunResult g = mhla_test::run_mhla({"--quiet", "certify", "--dataset", good});
  REQUIRE(g.status == 0);
  CHECK_FALSE(nlohmann::json::parse(g.out).contains("alternative_model"));
}
