// SPDX-License-Identifier: MIT
// Experiment `certificate` (the paper's Figure 2): the exact minimum-norm distance against
// fit_dataset, the binary64 Jacobi eigenvalues on known spectra, and a --quick smoke run of the
// command (not identifiable at p = 1 with orthogonal keys, identifiable at p < 1).
#include <catch2/catch.hpp>

#include <map>
#include <sstream>

#include "cli/cli_harness.hpp"
#include "mhla/experiments/certificate_experiment.hpp"
#include "mhla/learn/least_squares.hpp"
#include "mhla/tasks/assoc.hpp"
#include "mhla/tasks/random_task.hpp"

using namespace mhla;
using namespace mhla::experiments;

namespace {

Rational squared_distance_observed(const Matrix<Rational>& A, const Matrix<Rational>& B, std::size_t first_row) {
  Rational s = 0;
  for (std::size_t a = first_row; a < A.rows(); ++a)
    for (std::size_t k = 0; k < A.cols(); ++k) s += (A(a, k) - B(a, k)) * (A(a, k) - B(a, k));
  return s;
}

std::vector<std::map<std::string, std::string>> read_csv(const std::string& text) {
  std::vector<std::map<std::string, std::string>> out;
  std::stringstream in(text);
  std::string line;
  std::vector<std::string> header;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::stringstream l(line);
    std::string f;
    while (std::getline(l, f, ',')) fields.push_back(f);
    if (!line.empty() && line.back() == ',') fields.push_back("");
    if (header.empty()) {
      header = fields;
      continue;
    }
    REQUIRE(fields.size() == header.size());
    std::map<std::string, std::string> row;
    for (std::size_t i = 0; i < fields.size(); ++i) row[header[i]] = fields[i];
    out.push_back(row);
  }
  return out;
}

}  // namespace

TEST_CASE("exact_minimum_norm_distance equals the distance of fit_dataset's minimiser", "[certificate]") {
  SECTION("orthogonal associative memory (not identifiable)") {
    const Dataset ds = tasks::generate_assoc(2, tasks::KeySpec{tasks::KeyKind::orthogonal, 1}, 40, 4);
    const Model<Rational> truth = tasks::assoc_model(2);
    const ExactDistance e = exact_minimum_norm_distance(ds, truth);
    const DatasetFit fit = fit_dataset(ds);
    CHECK(e.kernel_dim == 4);
    CHECK(e.W == fit.W);
    CHECK(e.distance_squared == squared_distance_observed(weights(truth), fit.W, 2));
  }
  SECTION("single-token random data (rank-deficient, the generator not in the row space)") {
    tasks::RandomTaskOptions o;
    o.d = 2;
    o.tokens = 1;  // rows depend on one token: rank <= 4 < D = 6 (Lemma C3)
    o.samples = 20;
    o.seed = 8;
    const tasks::RandomTask task = tasks::generate_random(o);
    const ExactDistance e = exact_minimum_norm_distance(task.dataset, task.model);
    const DatasetFit fit = fit_dataset(task.dataset);
    CHECK(e.kernel_dim == 2);
    CHECK(e.W == fit.W);
    CHECK(e.distance_squared == squared_distance_observed(weights(task.model), fit.W, 0));
    CHECK(e.distance_squared > 0);
  }
  SECTION("identifiable data: distance exactly 0") {
    const Dataset ds = tasks::generate_assoc(2, tasks::KeySpec{tasks::KeyKind::gaussian, 0}, 60, 5);
    const ExactDistance e = exact_minimum_norm_distance(ds, tasks::assoc_model(2));
    CHECK(e.kernel_dim == 0);
    CHECK(e.distance_squared == 0);
    CHECK(e.W == weights(tasks::assoc_model(2)));
  }
  SECTION("targets that are not the model's outputs are refused") {
    Dataset ds = tasks::generate_assoc(1, tasks::KeySpec{tasks::KeyKind::gaussian, 0}, 10, 5);
    *ds.samples[0].targets[0].y[1] += 1;
    CHECK_THROWS_AS(exact_minimum_norm_distance(ds, tasks::assoc_model(1)), Error);
  }
}

TEST_CASE("jacobi_lambda_min finds the smallest eigenvalue of known spectra", "[certificate]") {
  CHECK(jacobi_lambda_min({2, 1, 1, 2}, 2) == Approx(1).epsilon(1e-14));
  CHECK(jacobi_lambda_min({5}, 1) == 5);
  // A = R diag(3, -0.5, 7, 1e-9) R^T with R an exact rational rotation (3-4-5 in two planes).
  const double c = 0.6, s = 0.8;
  const std::vector<double> R{c, -s, 0, 0, s, c, 0, 0, 0, 0, c, -s, 0, 0, s, c};
  const std::vector<double> lambda{3, -0.5, 7, 1e-9};
  std::vector<double> A(16, 0.0);
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t j = 0; j < 4; ++j)
      for (std::size_t k = 0; k < 4; ++k) A[i * 4 + j] += R[i * 4 + k] * lambda[k] * R[j * 4 + k];
  CHECK(jacobi_lambda_min(A, 4) == Approx(-0.5).epsilon(1e-13));
  CHECK(jacobi_lambda_min({1, 0, 0, 1e-9}, 2) == 1e-9);
}

TEST_CASE("mhla experiment certificate --quick: not identifiable at p = 1, identifiable at p = 9/10", "[certificate][cli]") {
  mhla_test::TempDir dir;
  const mhla_test::RunResult r = mhla_test::run_mhla({"experiment", "certificate", "--quick", "--out-dir", dir.file("out")});
  REQUIRE(r.status == 0);
  const auto rows = read_csv(mhla_test::slurp(dir.file("out/certificate.csv")));
  REQUIRE(rows.size() == 2 * 3);  // p in {0.9, 1} x {exact, SGD H = 1, SGD H = 2}
  for (const auto& row : rows) {
    const bool one = row.at("p") == "1";
    CHECK(row.at("identifiable") == (one ? "false" : "true"));
    CHECK(row.at("rank") == (one ? "36" : "40"));
    CHECK(row.at("minimiser_set_dim") == (one ? "4" : "0"));
    if (one) {
      CHECK(row.at("orthogonal_samples") == "160");
      CHECK(row.at("lambda_min_upper_exact") == "0");  // proven lambda_min = 0
      CHECK(row.at("float_lambda_min") != "0");         // binary64 sees a rounding-level number instead
      CHECK(std::abs(std::stod(row.at("float_lambda_min"))) < 1e-10);
    } else {
      CHECK(std::stod(row.at("lambda_min_lower")) > 0);  // proven positive
      CHECK(std::stoi(row.at("orthogonal_samples")) < 160);
    }
    if (row.at("learner") == "exact-algorithm-1" && !one) CHECK(row.at("distance_squared_exact") == "0");
    if (row.at("learner") == "sgd") CHECK(std::stod(row.at("distance")) > 0);
  }
  const std::string md = mhla_test::slurp(dir.file("out/certificate.md"));
  CHECK(md.find("NOT identifiable") != std::string::npos);
  CHECK(r.out.find("\"format\": \"mhla-experiment-certificate\"") != std::string::npos);
  if (std::system("/usr/bin/python3 -c 'import matplotlib' >/dev/null 2>&1") == 0)
    CHECK(mhla_test::slurp(dir.file("out/certificate.png")).substr(1, 3) == "PNG");
  else
    CHECK(md.find("plot skipped") != std::string::npos);
}

TEST_CASE("mhla experiment certificate refuses a p outside [0, 1] with exit 2", "[certificate][cli]") {
  mhla_test::TempDir dir;
  const mhla_test::RunResult r =
      mhla_test::run_mhla({"experiment", "certificate", "--p-list", "0.5,1.5", "--out-dir", dir.file("out")});
  CHECK(r.status == 2);
  CHECK(r.err.find("--p-list") != std::string::npos);
  CHECK_FALSE(dir.exists("out"));
}

