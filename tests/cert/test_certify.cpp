// SPDX-License-Identifier: MIT
// certify: verdicts and witnesses on data whose answer is known (random models with enough
// tokens: identifiable; one token: never; the associative-memory task with exactly orthonormal
// keys: not identifiable), witnesses recomputed independently (Bareiss over Q), a differential
// test against rank_bareiss, the tiny-prime hook, and the CLI's exit statuses.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <random>

#include "cli/cli_harness.hpp"
#include "support/assoc_task.hpp"
#include "mhla/cert/certify.hpp"
#include "mhla/cert/det_mod_p.hpp"
#include "mhla/features/dataset.hpp"
#include "mhla/io/dataset_file.hpp"
#include "mhla/io/files.hpp"
#include "mhla/linalg/bareiss.hpp"
#include "mhla/linalg/rows_scale_to_integer.hpp"
#include "mhla/modp/reduce.hpp"
#include "support/random_exact.hpp"

using namespace mhla;

namespace {

Matrix<Rational> random_int_matrix(std::mt19937_64& rng, std::size_t r, std::size_t c, int bound) {
  std::uniform_int_distribution<int> e(-bound, bound);
  Matrix<Rational> m(r, c);
  for (Rational& x : m.data()) x = e(rng);
  return m;
}

// Samples of n tokens from a random integer model; targets at the last position (or at every
// position when all_positions), every coordinate observed.
Dataset random_model_dataset(std::mt19937_64& rng, std::size_t d, std::size_t n, std::size_t N, bool causal,
                             bool all_positions = false) {
  const Model<Rational> model = test::random_model(rng, d, 2, causal, 1, 0);
  Dataset ds{d, causal, {}};
  for (std::size_t s = 0; s < N; ++s) {
    Sample sample{random_int_matrix(rng, d, n, 3), {}};
    const Matrix<Rational> Y = evaluate_exact(model, sample.Z);
    for (std::size_t b = all_positions ? 0 : n - 1; b < n; ++b) {
      Target t{b, {}};
      for (std::size_t a = 0; a < d; ++a) t.y.push_back(Y(a, b));
      sample.targets.push_back(std::move(t));
    }
    ds.samples.push_back(std::move(sample));
  }
  return ds;
}

Integer row_denominator_lcm(const Matrix<Rational>& m, std::size_t r) {
  Integer L = 1;
  for (std::size_t j = 0; j < m.cols(); ++j) L = lcm(L, denominator(m(r, j)));
  return L;
}

// The minor witness recomputed over Q by Bareiss: nonzero, and its residue is the one cited.
void check_minor_witness(const Dataset& ds, const CoordinateCertificate& c) {
  REQUIRE(c.minor);
  const std::size_t D = feature_dim(ds.d);
  REQUIRE(c.minor->rows.size() == D);
  const DesignMatrix Phi = design_matrix(ds, c.a);
  REQUIRE(Phi.rows.size() == c.rows);
  Matrix<Rational> sub(D, D);
  Integer scale = 1;
  for (std::size_t i = 0; i < D; ++i) {
    REQUIRE(c.minor->rows[i] < c.rows);
    std::copy(Phi.phi.row(c.minor->rows[i]), Phi.phi.row(c.minor->rows[i]) + D, sub.row(i));
    scale *= row_denominator_lcm(Phi.phi, c.minor->rows[i]);
  }
  const Integer det_int = det_bareiss(rows_scale_to_integer(sub));
  CHECK(det_int != 0);
  const PrimeField F(c.minor->prime);
  const std::optional<std::uint64_t> residue = reduce_mod(F, Rational(det_int, scale));
  REQUIRE(residue);
  CHECK(*residue == c.minor->minor_mod_prime);
  CHECK(c.minor->minor_mod_prime != 0);
}

// The kernel witness: v != 0, Phi_a v = 0 exactly, and the distinguishing input separates.
void check_kernel_witness(const Dataset& ds, const CoordinateCertificate& c) {
  const std::size_t D = feature_dim(ds.d);
  REQUIRE(c.kernel_vector.size() == D);
  bool nonzero = false;
  for (const Rational& x : c.kernel_vector) nonzero = nonzero || x != 0;
  CHECK(nonzero);
  const DesignMatrix Phi = design_matrix(ds, c.a);
  for (std::size_t r = 0; r < Phi.rows.size(); ++r) {
    Rational s = 0;
    for (std::size_t i = 0; i < D; ++i) s += Phi.phi(r, i) * c.kernel_vector[i];
    REQUIRE(s == 0);
  }
  REQUIRE(c.distinguishing_input);
  const std::vector<Rational> phi = features(c.distinguishing_input->Z, c.distinguishing_input->position, ds.causal);
  Rational s = 0;
  for (std::size_t i = 0; i < D; ++i) s += phi[i] * c.kernel_vector[i];
  CHECK(s != 0);
  CHECK(s == c.distinguishing_input->value);
}

void check_witnesses(const Dataset& ds, const Certificate& cert) {
  for (const CoordinateCertificate& c : cert.coordinates) {
    if (!c.observed) continue;
    INFO("a = " << c.a);
    if (c.identifiable) check_minor_witness(ds, c);
    else check_kernel_witness(ds, c);
  }
}

std::size_t bareiss_rank(const Dataset& ds, std::size_t a) {
  return rank_bareiss(rows_scale_to_integer(design_matrix(ds, a).phi));
}

// The associative-memory task of the paper with m = 2 pairs: d = 4, tokens [k1; v1], [k2; v2]
// and the query [k_q; zeta] with k_q one of the keys; only the value coordinates 2, 3 are
// observed, targets from the construction V = [[0,0],[0,I]], Q = [[I,0],[0,0]] (exact).
// orthonormal: keys and values are rotations/reflections of rational points of the unit
// circle; else random integers.
Dataset assoc_dataset(std::mt19937_64& rng, std::size_t N, bool orthonormal) {
  return test::assoc_task_dataset(rng, N, orthonormal, true, false);
}

}  // namespace

TEST_CASE("det_mod_p agrees with Bareiss on random integer matrices") {
  std::mt19937_64 rng(11);
  for (std::size_t n : {0, 1, 2, 5, 17, 40, 200}) {
    Matrix<Integer> A(n, n);
    std::uniform_int_distribution<int> e(-50, 50);
    for (Integer& x : A.data()) x = e(rng);
    if (n > 3) std::copy(A.row(0), A.row(0) + n, A.row(n - 1));  // one singular case...
    if (n == 200) A(n - 1, 0) += 1;                              // ...and one barely not
    const PrimeField F(8388593);
    std::vector<std::uint64_t> a;
    for (const Integer& x : A.data()) a.push_back(reduce_mod(F, x));
    CHECK(det_mod_p(F, a, n) == reduce_mod(F, n == 0 ? Integer(1) : det_bareiss(A)));
  }
}

TEST_CASE("random integer models with n >= 2 tokens: identifiable, and the minor witness recomputes over Q") {
  std::mt19937_64 rng(1);
  for (std::size_t d : {1, 2, 3, 4}) {
    for (bool causal : {false, true}) {
      INFO("d = " << d << ", causal = " << causal);
      const Dataset ds = random_model_dataset(rng, d, 3, 2 * feature_dim(d), causal, causal);
      const Certificate cert = certify(ds);
      CHECK(cert.identifiable);
      CHECK(cert.feature_dim == feature_dim(d));
      for (const CoordinateCertificate& c : cert.coordinates) CHECK(c.rank == feature_dim(d));
      check_witnesses(ds, cert);
    }
  }
}

TEST_CASE("n = 1 data is never identifiable (d >= 2): an exact kernel vector and a distinguishing input") {
  std::mt19937_64 rng(2);
  for (std::size_t d : {2, 3, 4}) {
    INFO("d = " << d);
    const Dataset ds = random_model_dataset(rng, d, 1, 3 * feature_dim(d), false);
    const Certificate cert = certify(ds);
    CHECK_FALSE(cert.identifiable);
    for (const CoordinateCertificate& c : cert.coordinates) {
      CHECK_FALSE(c.identifiable);
      CHECK(c.single_token_rows);
      CHECK(c.rank_exact);
      CHECK(c.rank == d * (d + 1) * (d + 2) / 6);  // Lemma C3: generic single tokens reach the bound
      CHECK(c.same_rows_as == 0);
    }
    check_witnesses(ds, cert);
  }
  // d = 1: the symmetric space is all of R^1, so one token suffices.
  const Dataset ds1 = random_model_dataset(rng, 1, 1, 3, false);
  CHECK(certify(ds1).identifiable);
}

TEST_CASE("differential: certify's rank and verdict agree with rank_bareiss on small datasets") {
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<int> tokens(1, 3), extra(-4, 4);
  for (int trial = 0; trial < 40; ++trial) {
    const std::size_t d = 1 + trial % 3, D = feature_dim(d);
    const bool causal = trial % 2 == 1;
    const std::size_t N = std::max<int>(1, static_cast<int>(D) + extra(rng));
    Dataset ds = random_model_dataset(rng, d, tokens(rng), N, causal, trial % 4 == 1);
    // Hide some observations so that coordinates have different rows.
    for (Sample& s : ds.samples)
      for (Target& t : s.targets)
        if (rng() % 5 == 0) t.y[rng() % d].reset();
    INFO("trial " << trial << ", d = " << d);
    const Certificate cert = certify(ds);
    bool all = true;
    for (const CoordinateCertificate& c : cert.coordinates) {
      if (!c.observed) continue;
      const std::size_t r = bareiss_rank(ds, c.a);
      CHECK(c.rank_exact);
      CHECK(c.rank == r);
      CHECK(c.identifiable == (r == D));
      all = all && c.identifiable;
    }
    CHECK(cert.identifiable == all);
    check_witnesses(ds, cert);
  }
}

TEST_CASE("associative memory, exactly orthonormal rational keys and values: not identifiable") {
  std::mt19937_64 rng(4);
  const Dataset ds = assoc_dataset(rng, 200, true);
  const Certificate cert = certify(ds);
  CHECK_FALSE(cert.identifiable);
  CHECK_FALSE(cert.coordinates[0].observed);
  CHECK_FALSE(cert.coordinates[1].observed);
  for (std::size_t a : {2, 3}) {
    const CoordinateCertificate& c = cert.coordinates[a];
    CHECK(c.observed);
    CHECK_FALSE(c.identifiable);
    CHECK_FALSE(c.single_token_rows);
    CHECK(c.rank == bareiss_rank(ds, a));
  }
  CHECK(cert.coordinates[3].same_rows_as == 2);
  check_witnesses(ds, cert);
}

TEST_CASE("associative memory, random integer keys and values: identifiable") {
  std::mt19937_64 rng(5);
  const Dataset ds = assoc_dataset(rng, 200, false);
  const Certificate cert = certify(ds);
  CHECK(cert.identifiable);
  for (std::size_t a : {2, 3}) CHECK(cert.coordinates[a].rank == 40);
  check_witnesses(ds, cert);
}

TEST_CASE("tiny primes (unlucky on purpose) never change a verdict or a rank") {
  std::mt19937_64 rng(6);
  std::vector<Dataset> cases;
  cases.push_back(random_model_dataset(rng, 2, 2, 12, false));
  cases.push_back(random_model_dataset(rng, 3, 3, 40, true, true));
  cases.push_back(random_model_dataset(rng, 3, 1, 30, false));
  cases.push_back(assoc_dataset(rng, 120, true));
  cases.push_back(assoc_dataset(rng, 120, false));
  for (std::size_t i = 0; i < cases.size(); ++i) {
    INFO("case " << i);
    const Certificate standard = certify(cases[i]);
    CertifyOptions tiny;
    tiny.primes = PrimeStream::tiny();
    const Certificate small = certify(cases[i], tiny);
    CHECK(small.identifiable == standard.identifiable);
    for (std::size_t a = 0; a < cases[i].d; ++a) {
      CHECK(small.coordinates[a].identifiable == standard.coordinates[a].identifiable);
      CHECK(small.coordinates[a].rank == standard.coordinates[a].rank);
    }
    check_witnesses(cases[i], small);
  }
}

namespace {

std::string write_dataset(const mhla_test::TempDir& dir, const std::string& name, const Dataset& ds) {
  return dir.write(name, render_json(dataset_json(ds)));
}

}  // namespace

TEST_CASE("mhla certify: exit 0 identifiable, 1 not, 2 bad input; the certificate file") {
  mhla_test::TempDir dir;
  std::mt19937_64 rng(7);
  const Dataset good = random_model_dataset(rng, 2, 2, 12, false);
  const std::string good_path = write_dataset(dir, "good.json", good);
  {
    const mhla_test::RunResult r = mhla_test::run_mhla({"certify", "--dataset", good_path, "-o", dir.file("c.json")});
    INFO(r.err);
    CHECK(r.status == 0);
    CHECK(r.err.find("mhla certify: identifiable: 2 of 2") == 0);
    const nlohmann::json c = nlohmann::json::parse(mhla_test::slurp(dir.file("c.json")));
    CHECK(c["format"] == "mhla-certificate");
    CHECK(c["version"] == 1);
    CHECK(c["dataset_sha256"] == sha256_file_hex(good_path));
    CHECK(c["feature_dim"] == 6);
    CHECK(c["identifiable"] == true);
    CHECK(c["coordinates"][0]["witness"]["type"] == "nonzero-minor");
    CHECK(c["coordinates"][0]["witness"]["prime"].is_string());
    CHECK(c["coordinates"][0]["witness"]["minor_mod_prime"].is_string());
    CHECK(c["coordinates"][0]["witness"]["rows"].size() == 6);
  }
  Dataset bad = random_model_dataset(rng, 2, 1, 12, false);
  bad.samples[0].targets[0].y[1].reset();  // coordinates see different rows
  for (Sample& s : bad.samples) s.targets[0].y[0].reset();
  const std::string bad_path = write_dataset(dir, "bad.json", bad);
  {
    const mhla_test::RunResult r = mhla_test::run_mhla({"--quiet", "certify", "--dataset", bad_path});
    CHECK(r.status == 1);
    CHECK(r.err.empty());
    const nlohmann::json c = nlohmann::json::parse(r.out);
    CHECK(c["identifiable"] == false);
    CHECK(c["coordinates"][0]["observed"] == false);
    CHECK(c["coordinates"][1]["rows"] == 11);
    CHECK(c["coordinates"][1]["witness"]["type"] == "kernel-vector");
    CHECK(c["coordinates"][1]["distinguishing_input"]["Z"].size() == 2);
    CHECK(c["coordinates"][1]["note"] == single_token_note);
  }
  {
    ::setenv("MHLA_TEST_TINY_PRIMES", "1", 1);
    const mhla_test::RunResult r = mhla_test::run_mhla({"certify", "--dataset", good_path});
    ::unsetenv("MHLA_TEST_TINY_PRIMES");
    CHECK(r.status == 0);
    CHECK(nlohmann::json::parse(r.out)["identifiable"] == true);
  }
  const std::string broken = dir.write("broken.json", "{\"format\": \"mhla-dataset\", \"version\": 1, \"d\": 2");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"certify", "--dataset", broken, "-o", dir.file("x.json")},
        std::vector<std::string>{"certify", "--dataset", dir.file("missing.json"), "-o", dir.file("x.json")},
        std::vector<std::string>{"certify", "-o", dir.file("x.json")}}) {
    const mhla_test::RunResult r = mhla_test::run_mhla(args);
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK_FALSE(dir.exists("x.json"));
  }
}
