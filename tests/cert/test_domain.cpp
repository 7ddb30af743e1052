// SPDX-License-Identifier: MIT
// certify --domain (cert/domain.hpp, Lemma C4): one-hot data are globally rank-deficient but
// identifiable on a domain of the same one-hot family once enough samples are present, and not
// on a domain with a new token pattern; full-rank data are identifiable on any domain; n = 1
// data on single-token domains. Every verdict and domain_rank is compared with an independent
// oracle: the Bareiss rank of Phi_a stacked on the domain rows. Witnesses are re-checked
// exactly. Then the CLI: exit statuses 0/1 by the domain verdict, bad domain files exit 2.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <random>

#include "cli/cli_harness.hpp"
#include "mhla/cert/certify.hpp"
#include "mhla/cert/domain.hpp"
#include "mhla/features/dataset.hpp"
#include "mhla/io/dataset_file.hpp"
#include "mhla/io/json_output.hpp"
#include "mhla/linalg/bareiss.hpp"
#include "mhla/linalg/rows_scale_to_integer.hpp"
#include "mhla/support/error.hpp"

using namespace mhla;

namespace {

// Z whose column t is the standard basis vector e_{tokens[t]} (one-hot tokens).
Matrix<Rational> one_hot(std::size_t d, const std::vector<std::size_t>& tokens) {
  Matrix<Rational> Z(d, tokens.size());
  for (std::size_t t = 0; t < tokens.size(); ++t) Z(tokens[t], t) = 1;
  return Z;
}

Sample training_sample(Matrix<Rational> Z, std::size_t position) {
  const std::size_t d = Z.rows();
  std::vector<std::optional<Rational>> y;
  for (std::size_t a = 0; a < d; ++a) y.emplace_back(Rational(static_cast<long>(a + position)));
  return Sample{std::move(Z), {Target{position, std::move(y)}}};
}

// Every sequence of n one-hot tokens over d symbols, the target at the last position; the
// first `limit` of them.
Dataset one_hot_family(std::size_t d, std::size_t n, std::size_t limit, bool targets = true) {
  Dataset ds{d, false, {}};
  std::vector<std::size_t> tokens(n, 0);
  for (std::size_t count = 0; count < limit; ++count) {
    Matrix<Rational> Z = one_hot(d, tokens);
    ds.samples.push_back(targets ? training_sample(std::move(Z), n - 1) : Sample{std::move(Z), {}});
    std::size_t i = 0;  // next sequence (odometer)
    while (i < n && ++tokens[i] == d) tokens[i++] = 0;
    if (i == n) break;
  }
  return ds;
}

// The oracle: rank([Phi_a; Phi_S]) by Bareiss over the integers (rows scaled), independent of
// the kernel-based engine.
std::size_t stacked_rank(const Dataset& ds, const Dataset& domain, std::size_t a) {
  const Matrix<Rational> phi = design_matrix(ds, a).phi;
  std::vector<std::vector<Rational>> rows;
  for (std::size_t i = 0; i < phi.rows(); ++i) rows.emplace_back(phi.row(i), phi.row(i) + phi.cols());
  for (const auto& [s, b] : domain_points(domain)) {
    const Matrix<Rational> f = feature_rows_exact(domain.samples[s].Z, {b}, ds.causal);
    rows.emplace_back(f.row(0), f.row(0) + f.cols());
  }
  Matrix<Rational> M(rows.size(), feature_dim(ds.d));
  for (std::size_t i = 0; i < rows.size(); ++i) std::copy(rows[i].begin(), rows[i].end(), M.row(i));
  return rank_bareiss(rows_scale_to_integer(M));
}

// certify + certify_domain, and every observed coordinate checked against the oracle and its
// witness re-checked exactly. Returns identifiable_on_domain.
bool certify_and_check(const Dataset& ds, const Dataset& domain, PrimeStream primes = PrimeStream::standard()) {
  CertifyOptions options;
  options.primes = primes;
  Certificate cert = certify(ds, options);
  const bool on_domain = certify_domain(ds, domain, cert, primes);
  const std::size_t D = feature_dim(ds.d);
  bool all = true;
  for (const CoordinateCertificate& c : cert.coordinates) {
    if (!c.observed) {
      CHECK(!c.domain);
      continue;
    }
    REQUIRE(c.domain);
    const DomainCertificate& dc = *c.domain;
    const Matrix<Rational> phi = design_matrix(ds, c.a).phi;
    const std::size_t r = rank_bareiss(rows_scale_to_integer(phi));
    CHECK(c.rank == r);
    CHECK(c.rank_exact);
    CHECK(dc.rank == r);
    const std::size_t stacked = stacked_rank(ds, domain, c.a);
    if (dc.domain_rank_exact) CHECK(dc.domain_rank == stacked);
    else CHECK((dc.domain_rank > r && dc.domain_rank <= stacked));
    CHECK(dc.identifiable_on_domain == (stacked == r));
    all = all && dc.identifiable_on_domain;
    auto annihilates = [&](const std::vector<Rational>& v) {
      for (std::size_t i = 0; i < phi.rows(); ++i) {
        Rational s = 0;
        for (std::size_t j = 0; j < D; ++j) s += phi(i, j) * v[j];
        if (s != 0) return false;
      }
      return true;
    };
    const auto points = domain_points(domain);
    if (dc.type == DomainWitnessType::full_rank) {
      CHECK(c.identifiable);
      CHECK(dc.domain_rank == D);
    } else if (dc.type == DomainWitnessType::row_combinations) {
      // Every domain row is exactly the stated combination of rows of Phi_a (Lemma C11).
      REQUIRE(dc.points.size() == points.size());
      for (std::size_t i = 0; i < points.size(); ++i) {
        const RowCombination& e = dc.points[i].same_as ? dc.points.at(*dc.points[i].same_as) : dc.points[i];
        REQUIRE(!e.same_as);
        const Matrix<Rational> f = feature_rows_exact(domain.samples.at(points[i].first).Z, {points[i].second}, ds.causal);
        for (std::size_t j = 0; j < D; ++j) {
          Rational s = 0;
          for (const auto& [row, coef] : e.terms) s += coef * phi(row, j);
          CHECK(s == f(0, j));
        }
      }
    } else if (dc.type == DomainWitnessType::domain_row_outside) {
      REQUIRE(dc.outside_minor);
      CHECK(dc.outside_minor->rows.size() == r);
      CHECK(dc.outside_minor->columns.size() == r + 1);
      CHECK(dc.outside_minor->minor_mod_prime != 0);
    } else {
      CHECK(annihilates(dc.vector));
      const Matrix<Rational> f = feature_rows_exact(domain.samples.at(dc.sample).Z, {dc.position}, ds.causal);
      Rational s = 0;
      for (std::size_t j = 0; j < D; ++j) s += f(0, j) * dc.vector[j];
      CHECK(s != 0);
    }
  }
  CHECK(on_domain == all);
  return on_domain;
}

}  // namespace

TEST_CASE("domain: one-hot data are globally deficient but identifiable on their own family", "[cert][domain]") {
  const std::size_t d = 3;
  const Dataset train = one_hot_family(d, 2, 1000);  // all 9 pairs
  const Certificate cert = certify(train);
  CHECK_FALSE(cert.identifiable);
  // A domain of longer one-hot sequences (3 tokens, every position): inside the row space.
  const Dataset domain = one_hot_family(d, 3, 1000, false);
  CHECK(certify_and_check(train, domain));
  // With too few samples the family is not yet covered.
  CHECK_FALSE(certify_and_check(one_hot_family(d, 2, 4), domain));
  // A new token pattern (two symbols active in one token) leaves the row space.
  Dataset fresh{d, false, {}};
  Matrix<Rational> Z = one_hot(d, {0, 1});
  Z(2, 1) = 1;
  fresh.samples.push_back({Z, {}});
  CHECK_FALSE(certify_and_check(train, fresh));
}

TEST_CASE("domain: causal one-hot data and positions named by targets", "[cert][domain]") {
  Dataset train = one_hot_family(2, 3, 1000);
  train.causal = true;
  for (Sample& s : train.samples) s.targets.push_back(s.targets.front()), s.targets.back().position = 0;
  Dataset domain = one_hot_family(2, 4, 1000, false);
  CHECK(certify_and_check(train, domain));
  // Targets in a domain name the positions: only position 0 of a non-one-hot input, which the
  // causal model sees as a single token, fine for one-hot training data only when one-hot.
  Dataset named{2, true, {}};
  Matrix<Rational> Z(2, 2);
  Z(0, 0) = 1, Z(1, 1) = 5, Z(0, 1) = 7;
  named.samples.push_back(training_sample(Z, 0));
  CHECK(certify_and_check(train, named));
  named.samples.back().targets.front().position = 1;
  CHECK_FALSE(certify_and_check(train, named));
}

TEST_CASE("domain: full-rank data are identifiable on any domain", "[cert][domain]") {
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<int> e(-4, 4);
  const std::size_t d = 2, D = feature_dim(d);
  Dataset train{d, false, {}}, domain{d, false, {}};
  for (std::size_t s = 0; s < 3 * D; ++s) {
    Matrix<Rational> Z(d, 3);
    for (Rational& x : Z.data()) x = e(rng);
    train.samples.push_back(training_sample(Z, 2));
  }
  for (std::size_t s = 0; s < 5; ++s) {
    Matrix<Rational> Z(d, 4);
    for (Rational& x : Z.data()) x = Rational(e(rng), 3);
    domain.samples.push_back({Z, {}});
  }
  REQUIRE(certify(train).identifiable);
  CHECK(certify_and_check(train, domain));
}

TEST_CASE("domain: single-token training data on single-token domains", "[cert][domain]") {
  std::mt19937_64 rng(5);
  std::uniform_int_distribution<int> e(-5, 5);
  const std::size_t d = 2;
  Dataset train{d, false, {}}, single{d, false, {}}, pair{d, false, {}};
  for (std::size_t s = 0; s < 12; ++s) {
    Matrix<Rational> Z(d, 1);
    for (Rational& x : Z.data()) x = e(rng);
    train.samples.push_back(training_sample(Z, 0));
  }
  for (std::size_t s = 0; s < 6; ++s) {
    Matrix<Rational> Z(d, 1);
    for (Rational& x : Z.data()) x = Rational(e(rng), 7);
    single.samples.push_back({Z, {}});
  }
  Matrix<Rational> Z2(d, 2);
  Z2(0, 0) = 1, Z2(1, 1) = 1;
  pair.samples.push_back({Z2, {}});
  const Certificate cert = certify(train);
  CHECK_FALSE(cert.identifiable);
  CHECK(cert.coordinates[0].single_token_rows);
  CHECK(certify_and_check(train, single));
  CHECK_FALSE(certify_and_check(train, pair));
}

TEST_CASE("domain: random low-rank data against the stacked-rank oracle, also with tiny primes", "[cert][domain]") {
  std::mt19937_64 rng(2026);
  std::uniform_int_distribution<int> e(-2, 2), count(1, 6);
  for (int trial = 0; trial < 12; ++trial) {
    const std::size_t d = 2;
    Dataset train{d, trial % 2 == 1, {}}, domain{d, false, {}};
    const int N = count(rng);
    for (int s = 0; s < N; ++s) {
      Matrix<Rational> Z(d, 2);
      for (Rational& x : Z.data()) x = e(rng);
      Sample sample = training_sample(Z, 1);
      if (trial % 3 == 0) sample.targets.front().y[1].reset();  // coordinates with different rows
      train.samples.push_back(std::move(sample));
    }
    for (int s = 0; s < 2; ++s) {
      Matrix<Rational> Z(d, 2);
      for (Rational& x : Z.data()) x = e(rng);
      domain.samples.push_back({Z, {}});
    }
    const bool standard = certify_and_check(train, domain);
    CHECK(certify_and_check(train, domain, PrimeStream::tiny()) == standard);
  }
}

TEST_CASE("domain: a domain of another dimension is bad input", "[cert][domain]") {
  const Dataset train = one_hot_family(2, 2, 1000);
  Certificate cert = certify(train);
  const Dataset other = one_hot_family(3, 1, 1000, false);
  try {
    certify_domain(train, other, cert);
    FAIL("no error");
  } catch (const Error& err) {
    CHECK(err.kind() == ErrorKind::bad_input);
  }
}

TEST_CASE("certify --domain: exit status by the domain verdict; bad domain files exit 2", "[cert][domain][cli]") {
  mhla_test::TempDir dir;
  const std::string train = dir.write("train.json", render_json(dataset_json(one_hot_family(3, 2, 1000))));
  const std::string inside = dir.write("inside.json", render_json(dataset_json(one_hot_family(3, 3, 1000, false))));
  Dataset fresh{3, false, {}};
  Matrix<Rational> Z = one_hot(3, {0, 1});
  Z(2, 1) = 1;
  fresh.samples.push_back({Z, {}});
  const std::string outside = dir.write("outside.json", render_json(dataset_json(fresh)));

  auto run = mhla_test::run_mhla({"certify", "--dataset", train});
  CHECK(run.status == 1);  // globally not identifiable
  run = mhla_test::run_mhla({"certify", "--dataset", train, "--domain", inside, "-o", dir.file("c_in.json")});
  CHECK(run.status == 0);
  CHECK(run.err.find("on the domain: identifiable") != std::string::npos);
  const auto doc = nlohmann::json::parse(mhla_test::slurp(dir.file("c_in.json")));
  CHECK(doc["identifiable"] == false);
  CHECK(doc["identifiable_on_domain"] == true);
  CHECK(doc.contains("domain_sha256"));
  CHECK(doc["coordinates"][0]["domain_witness"]["type"] == "row-combinations");
  CHECK(doc["coordinates"][0]["domain_rank"] == doc["coordinates"][0]["rank"]);
  run = mhla_test::run_mhla({"certify", "--dataset", train, "--domain", outside, "-o", dir.file("c_out.json")});
  CHECK(run.status == 1);
  CHECK(run.err.find("on the domain: not identifiable") != std::string::npos);
  const auto out = nlohmann::json::parse(mhla_test::slurp(dir.file("c_out.json")));
  CHECK(out["coordinates"][0]["domain_witness"]["type"] == "domain-row-outside");
  CHECK(out["coordinates"][0]["domain_witness"]["sample"] == 0);

  for (const std::string& bad : {std::string("{\"format\": \"mhla-dataset\""),
                                 render_json(dataset_json(one_hot_family(2, 2, 3, false)))}) {
    const std::string path = dir.write("bad.json", bad);
    run = mhla_test::run_mhla({"certify", "--dataset", train, "--domain", path, "-o", dir.file("never.json")});
    CHECK(run.status == 2);
    CHECK(run.out.empty());
    CHECK(std::count(run.err.begin(), run.err.end(), '\n') == 1);
    CHECK_FALSE(dir.exists("never.json"));
  }
  run = mhla_test::run_mhla({"certify", "--dataset", train, "--domain", dir.file("missing.json")});
  CHECK(run.status == 2);
}
