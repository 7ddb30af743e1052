// SPDX-License-Identifier: MIT
// The independent checker (checker/verify_certificate.hpp) and `mhla verify`.
// Valid certificates are built here with the ENGINE (rank_certified, design_matrix, features),
// which the checker itself never uses: a certificate made one way must pass the check made the
// other way. Then every field is corrupted in turn and must be rejected (INVALID, exit 1), and
// malformed files must give exit 2 with one line on standard error.
#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "cli/cli_harness.hpp"
#include "mhla/checker/verify_certificate.hpp"
#include "mhla/features/dataset.hpp"
#include "mhla/features/features.hpp"
#include "mhla/io/dataset_file.hpp"
#include "mhla/io/files.hpp"
#include "mhla/io/json_output.hpp"
#include "mhla/linalg/rank_certified.hpp"

namespace {

using namespace mhla;
using mhla_test::TempDir;

// det over Q by plain fraction Gaussian elimination (an oracle independent of both mod-p paths).
Rational det_rational(Matrix<Rational> M) {
  const std::size_t n = M.rows();
  Rational det = 1;
  for (std::size_t c = 0; c < n; ++c) {
    std::size_t r = c;
    while (r < n && M(r, c) == 0) ++r;
    if (r == n) return 0;
    if (r != c) {
      for (std::size_t j = 0; j < n; ++j) std::swap(M(r, j), M(c, j));
      det = -det;
    }
    det *= M(c, c);
    for (std::size_t i = c + 1; i < n; ++i) {
      const Rational f = M(i, c) / M(c, c);
      for (std::size_t j = c; j < n; ++j) M(i, j) -= f * M(c, j);
    }
  }
  return det;
}

std::string mod_p_string(const Rational& q, std::uint64_t prime) {
  const Integer p(prime);
  Integer num = numerator(q) % p, den = denominator(q) % p;
  if (num < 0) num += p;
  return to_string(Integer(num * powm(den, p - 2, p) % p));
}

Dataset random_dataset(std::mt19937_64& rng, std::size_t d, std::size_t samples, std::size_t n, bool causal,
                       bool rational = false) {
  std::uniform_int_distribution<int> entry(-3, 3), den(1, 3);
  Dataset ds{d, causal, {}};
  for (std::size_t s = 0; s < samples; ++s) {
    Sample sample{Matrix<Rational>(d, n), {}};
    for (Rational& x : sample.Z.data()) x = rational ? Rational(Integer(entry(rng)), Integer(den(rng))) : Rational(entry(rng));
    sample.targets.push_back({n - 1, std::vector<std::optional<Rational>>(d, Rational(1))});
    ds.samples.push_back(std::move(sample));
  }
  return ds;
}

std::string text_of(const Dataset& ds) { return render_json(dataset_json(ds)); }

// A certificate for the dataset text, made by the engine.
OrderedJson engine_certificate(const std::string& text) {
  const Dataset ds = parse_dataset_text(text, "dataset");
  const std::size_t D = feature_dim(ds.d);
  OrderedJson cert{{"format", "mhla-certificate"}, {"version", 1}, {"dataset_sha256", sha256_hex(text)},
                   {"d", ds.d},                    {"feature_dim", D},  {"identifiable", true}};
  cert["coordinates"] = OrderedJson::array();
  std::mt19937_64 rng(7);
  for (std::size_t a = 0; a < ds.d; ++a) {
    const DesignMatrix dm = design_matrix(ds, a);
    if (dm.rows.empty()) {
      cert["coordinates"].push_back({{"a", a}, {"observed", false}});
      continue;
    }
    const RankCertified rc = rank_certified(dm.phi);
    REQUIRE(rc.assurance == Assurance::certified);
    OrderedJson c{{"a", a}, {"rows", dm.rows.size()}, {"rank", rc.rank}};
    if (rc.status == RankStatus::full_column_rank) {
      Matrix<Rational> sub(D, D);
      for (std::size_t i = 0; i < D; ++i)
        for (std::size_t j = 0; j < D; ++j) sub(i, j) = dm.phi(rc.pivot_rows[i], j);
      c["identifiable"] = true;
      c["witness"] = {{"type", "nonzero-minor"},
                      {"prime", std::to_string(rc.prime)},
                      {"rows", rc.pivot_rows},
                      {"minor_mod_prime", mod_p_string(det_rational(sub), rc.prime)}};
    } else {
      REQUIRE(rc.status == RankStatus::deficient);
      const std::vector<Rational>& v = rc.kernel.at(0);
      c["identifiable"] = false;
      cert["identifiable"] = false;
      OrderedJson vj = OrderedJson::array();
      for (const Rational& x : v) vj.push_back(to_string(x));
      c["witness"] = {{"type", "kernel-vector"}, {"vector", vj}};
      // The rank's proof (Lemma C6): the pivot minor over Q reduced mod the witness prime
      // (rational oracle), and D - r kernel vectors or the row count as the upper bound.
      Matrix<Rational> sub(rc.rank, rc.rank);
      for (std::size_t i = 0; i < rc.rank; ++i)
        for (std::size_t j = 0; j < rc.rank; ++j) sub(i, j) = dm.phi(rc.pivot_rows[i], rc.pivot_cols[j]);
      const std::uint64_t p = rc.prime;
      REQUIRE(p != 0);
      REQUIRE(mod_p_string(det_rational(sub), p) != "0");  // rank_certified's witness (integer data here)
      OrderedJson rw{{"rank_minor", {{"prime", std::to_string(p)},
                                     {"rows", rc.pivot_rows},
                                     {"columns", rc.pivot_cols},
                                     {"minor_mod_prime", mod_p_string(det_rational(sub), p)}}}};
      if (rc.rank == dm.rows.size()) {
        rw["upper_bound"] = "rows";
      } else {
        rw["upper_bound"] = "kernel-basis";
        OrderedJson basis = OrderedJson::array();
        for (const auto& k : rc.kernel) {
          OrderedJson kj = OrderedJson::array();
          for (const Rational& x : k) kj.push_back(to_string(x));
          basis.push_back(kj);
        }
        rw["kernel_basis"] = basis;
      }
      c["rank_witness"] = rw;
      std::uniform_int_distribution<int> entry(-2, 2);
      for (;;) {  // a small integer input on which <v, phi> != 0
        Matrix<Rational> Z(ds.d, ds.d + 1);
        for (Rational& x : Z.data()) x = entry(rng);
        const Matrix<Rational> f = feature_rows_exact(Z, {ds.d}, ds.causal);
        Rational s = 0;
        for (std::size_t j = 0; j < D; ++j) s += f(0, j) * v[j];
        if (s != 0) {
          c["distinguishing_input"] = {{"Z", exact_matrix_json(Z)}, {"position", ds.d}};
          break;
        }
      }
    }
    cert["coordinates"].push_back(c);
  }
  return cert;
}

// det of Phi_a on the given rows, mod prime, by the engine's design matrix and a rational oracle.
std::string minor_mod(const std::string& text, std::size_t a, const std::vector<std::size_t>& rows, std::uint64_t prime) {
  const DesignMatrix dm = design_matrix(parse_dataset_text(text, "dataset"), a);
  Matrix<Rational> sub(rows.size(), dm.phi.cols());
  for (std::size_t i = 0; i < rows.size(); ++i)
    for (std::size_t j = 0; j < dm.phi.cols(); ++j) sub(i, j) = dm.phi(rows[i], j);
  return mod_p_string(det_rational(sub), prime);
}

checker::CheckResult check_text(const std::string& ds, const OrderedJson& cert) {
  return checker::verify_certificate_text(ds, "dataset.json", cert.dump(), "cert.json");
}

// Library and binary agree: VALID (exit 0) or INVALID with the reason containing `why` (exit 1).
void expect_verdict(const std::string& ds, const OrderedJson& cert, bool valid, const std::string& why = "") {
  const checker::CheckResult r = check_text(ds, cert);
  INFO(cert.dump() << "\nreason: " << r.reason);
  CHECK(r.valid == valid);
  if (!valid) CHECK(r.reason.find(why) != std::string::npos);
  TempDir dir;
  const mhla_test::RunResult run = mhla_test::run_mhla(
      {"--quiet", "verify", "--dataset", dir.write("ds.json", ds), "--certificate", dir.write("c.json", cert.dump())});
  CHECK(run.status == (valid ? 0 : 1));
  CHECK(run.out == (valid ? std::string("VALID\n") : "INVALID: " + r.reason + "\n"));
  CHECK(run.err.empty());
}

// Exit 2 with one line on standard error naming the file; nothing on standard output.
void expect_malformed(const std::string& ds, const std::string& cert_text, const std::string& why) {
  CHECK_THROWS_AS(checker::verify_certificate_text(ds, "dataset.json", cert_text, "cert.json"), mhla::Error);
  TempDir dir;
  const std::string c = dir.write("c.json", cert_text);
  const mhla_test::RunResult run = mhla_test::run_mhla({"verify", "--dataset", dir.write("ds.json", ds), "--certificate", c});
  INFO(run.err);
  CHECK(run.status == 2);
  CHECK(run.out.empty());
  CHECK(std::count(run.err.begin(), run.err.end(), '\n') == 1);
  CHECK(run.err.find(c) != std::string::npos);
  CHECK(run.err.find(why) != std::string::npos);
}

}  // namespace

TEST_CASE("is_prime_u64: deterministic Miller-Rabin agrees with trial division and knows the hard cases") {
  auto trial = [](std::uint64_t n) {
    if (n < 2) return false;
    for (std::uint64_t q = 2; q * q <= n; ++q)
      if (n % q == 0) return false;
    return true;
  };
  for (std::uint64_t n = 0; n < 20000; ++n) REQUIRE(checker::is_prime_u64(n) == trial(n));
  for (std::uint64_t c : {561ull, 1105ull, 3215031751ull, 3825123056546413051ull})
    CHECK_FALSE(checker::is_prime_u64(c));
  CHECK(checker::is_prime_u64(8388593));
  CHECK(checker::is_prime_u64(1152921504606846883ull));
  CHECK(checker::is_prime_u64(18446744073709551557ull));  // the largest prime below 2^64
  CHECK_FALSE(checker::is_prime_u64(18446744073709551615ull));
  CHECK_FALSE(checker::is_prime_u64(4294967291ull * 4294967279ull));
}

TEST_CASE("checker accepts engine certificates of full rank for d = 1, 2, 3") {
  std::mt19937_64 rng(1);
  for (auto [d, samples, n, causal, rational] :
       {std::tuple{1u, 3u, 2u, false, false}, {2u, 12u, 3u, false, false}, {2u, 12u, 3u, true, true},
        {3u, 40u, 4u, false, false}, {3u, 40u, 4u, true, true}}) {
    const std::string ds = text_of(random_dataset(rng, d, samples, n, causal, rational));
    const OrderedJson cert = engine_certificate(ds);
    REQUIRE(cert["identifiable"] == true);
    expect_verdict(ds, cert, true);
  }
}

TEST_CASE("checker accepts engine certificates of deficiency") {
  std::mt19937_64 rng(2);
  SECTION("n = 1: symmetric features never reach rank D") {
    const std::string ds = text_of(random_dataset(rng, 2, 20, 1, false));
    const OrderedJson cert = engine_certificate(ds);
    REQUIRE(cert["identifiable"] == false);
    CHECK(cert["coordinates"][0]["rank"] == 4);  // d(d+1)(d+2)/6
    expect_verdict(ds, cert, true);
  }
  SECTION("duplicated rows: too few distinct rows") {
    Dataset data = random_dataset(rng, 2, 3, 3, true);
    for (int i = 0; i < 3; ++i) data.samples.push_back(data.samples[static_cast<std::size_t>(i)]);
    const std::string ds = text_of(data);
    const OrderedJson cert = engine_certificate(ds);
    REQUIRE(cert["identifiable"] == false);
    expect_verdict(ds, cert, true);
  }
  SECTION("a coordinate never observed is listed as such and does not spoil the verdict") {
    Dataset data = random_dataset(rng, 2, 12, 3, false);
    for (Sample& s : data.samples) s.targets[0].y[1] = std::nullopt;
    const std::string ds = text_of(data);
    const OrderedJson cert = engine_certificate(ds);
    REQUIRE(cert["coordinates"][1]["observed"] == false);
    REQUIRE(cert["identifiable"] == true);
    expect_verdict(ds, cert, true);
    OrderedJson bad = cert;
    bad["coordinates"][1]["observed"] = true;
    CHECK_THROWS_AS(check_text(ds, bad), mhla::Error);  // an observed coordinate must carry its claims
    bad = cert;
    bad["coordinates"][0]["observed"] = false;
    bad["coordinates"][0].erase("witness");
    expect_verdict(ds, bad, false, "coordinate 0: \"observed\" is false but 12 rows observe it");
  }
}

TEST_CASE("checker rejects every corrupted field of a full-rank certificate") {
  std::mt19937_64 rng(3);
  const std::string ds = text_of(random_dataset(rng, 2, 12, 3, false));
  const OrderedJson good = engine_certificate(ds);
  REQUIRE(good["identifiable"] == true);
  expect_verdict(ds, good, true);
  const std::uint64_t p = std::stoull(good["coordinates"][0]["witness"]["prime"].get<std::string>());
  auto mutated = [&](auto&& change) {
    OrderedJson c = good;
    change(c, c["coordinates"][0], c["coordinates"][0]["witness"]);
    return c;
  };
  using J = OrderedJson;
  expect_verdict(ds, mutated([](J&, J&, J& w) { w["rows"][2] = 12; }), false, "coordinate 0: row index 12 out of range");
  expect_verdict(ds, mutated([](J&, J&, J& w) { w["rows"][2] = w["rows"][1]; }), false, "cited twice");
  expect_verdict(ds, mutated([](J&, J&, J& w) { w["rows"].erase(5); }), false, "minor cites 5 rows");
  expect_verdict(ds, mutated([](J&, J&, J& w) { w["prime"] = "561"; }), false, "prime 561 is not prime");
  expect_verdict(ds, mutated([](J&, J&, J& w) { w["prime"] = "3215031751"; }), false, "prime 3215031751 is not prime");
  expect_verdict(ds, mutated([](J&, J&, J& w) { w["prime"] = "18446744073709551629"; }), false, "not an integer in");
  expect_verdict(ds, mutated([](J&, J&, J& w) { w["prime"] = "1/2"; }), false, "not an integer in");
  expect_verdict(ds, mutated([&](J&, J&, J& w) {
                   w["minor_mod_prime"] = std::to_string((std::stoull(w["minor_mod_prime"].get<std::string>()) + 1) % p);
                 }),
                 false, "coordinate 0: minor_mod_prime is");
  expect_verdict(ds, mutated([](J&, J&, J& w) { w["minor_mod_prime"] = "0"; }), false, "minor_mod_prime is 0");
  expect_verdict(ds, mutated([](J& c, J&, J&) { c["dataset_sha256"] = std::string(64, '0'); }), false, "dataset_sha256");
  expect_verdict(ds, mutated([](J& c, J&, J&) { c["d"] = 3; }), false, "d = 3 but the dataset has d = 2");
  expect_verdict(ds, mutated([](J& c, J&, J&) { c["feature_dim"] = 8; }), false, "feature_dim = 8");
  expect_verdict(ds, mutated([](J& c, J&, J&) { c["identifiable"] = false; }), false, "identifiable is false but the AND");
  expect_verdict(ds, mutated([](J&, J& a, J&) { a["identifiable"] = false; }), false, "coordinate 0: identifiable is false");
  expect_verdict(ds, mutated([](J&, J& a, J&) { a["rank"] = 5; }), false, "coordinate 0: rank = 5");
  expect_verdict(ds, mutated([](J&, J& a, J&) { a["rows"] = 11; }), false, "coordinate 0: rows = 11");
  expect_verdict(ds, mutated([](J&, J& a, J&) { a["a"] = 1; }), false, "coordinate 1: listed twice");
  expect_verdict(ds, mutated([](J&, J& a, J&) { a["a"] = 2; }), false, "coordinate 2: a is out of range");
  expect_verdict(ds, mutated([](J& c, J&, J&) { c["coordinates"].erase(1); }), false, "coordinate 1 is not listed");
  expect_verdict(ds, mutated([](J&, J& a, J&) { a["distinguishing_input"] = {{"Z", {{1}, {1}}}, {"position", 0}}; }),
                 false, "distinguishing_input given for a full-rank coordinate");
  // The second coordinate cites the same rows; its own claims are still checked.
  expect_verdict(ds, mutated([](J& c, J&, J&) { c["coordinates"][1]["witness"]["minor_mod_prime"] = "1"; }), false,
                 "coordinate 1: minor_mod_prime is 1");
  // A different dataset with the same shape: the hash catches it first; with the hash forged,
  // the minor does.
  const std::string other = text_of(random_dataset(rng, 2, 12, 3, false));
  expect_verdict(other, good, false, "dataset_sha256");
  expect_verdict(other, mutated([&](J& c, J&, J&) { c["dataset_sha256"] = sha256_hex(other); }), false, "minor");
}

TEST_CASE("checker rejects a prime dividing a denominator of a cited row") {
  std::mt19937_64 rng(4);
  Dataset data = random_dataset(rng, 1, 3, 2, false);
  data.samples[0].Z(0, 1) = Rational(1, 3);  // the last token of sample 0: phi = G * z has denominator 27
  const std::string ds = text_of(data);
  OrderedJson cert = engine_certificate(ds);
  expect_verdict(ds, cert, true);
  cert["coordinates"][0]["witness"]["rows"] = {0};
  cert["coordinates"][0]["witness"]["prime"] = "3";
  expect_verdict(ds, cert, false, "coordinate 0: prime 3 divides a denominator of row 0");
}

TEST_CASE("checker rejects every corrupted field of a deficiency certificate") {
  std::mt19937_64 rng(5);
  const std::string ds = text_of(random_dataset(rng, 2, 20, 1, true));
  const OrderedJson good = engine_certificate(ds);
  REQUIRE(good["identifiable"] == false);
  expect_verdict(ds, good, true);
  using J = OrderedJson;
  auto mutated = [&](auto&& change) {
    OrderedJson c = good;
    change(c, c["coordinates"][1], c["coordinates"][1]["witness"]["vector"]);
    return c;
  };
  // Entry 0 multiplies G[0][0] z_0 in features that are all nonzero for generic data.
  expect_verdict(ds, mutated([](J&, J&, J& v) { v[0] = "12345/7"; }), false,
                 "coordinate 1: kernel vector does not annihilate row");
  expect_verdict(ds, mutated([](J&, J&, J& v) {
                   for (auto& x : v) x = "0";
                 }),
                 false, "coordinate 1: kernel vector is zero");
  expect_verdict(ds, mutated([](J&, J&, J& v) { v.erase(0); }), false, "kernel vector has 5 entries");
  expect_verdict(ds, mutated([](J&, J& a, J&) { a["distinguishing_input"]["Z"] = {{0, 0, 0}, {0, 0, 0}}; }), false,
                 "coordinate 1: distinguishing_input: <v, phi(Z, position)> = 0");
  expect_verdict(ds, mutated([](J&, J& a, J&) { a["distinguishing_input"]["position"] = 7; }), false,
                 "position 7 out of range");
  expect_verdict(ds, mutated([](J&, J& a, J&) { a["distinguishing_input"]["Z"] = {{1, 2}}; }), false,
                 "Z has 1 rows; expected d = 2");
  expect_verdict(ds, mutated([](J&, J& a, J&) { a["identifiable"] = true; }), false, "coordinate 1: identifiable is true");
  expect_verdict(ds, mutated([](J&, J& a, J&) { a["rank"] = 6; }), false, "coordinate 1: rank = 6");
  expect_verdict(ds, mutated([](J& c, J&, J&) { c["identifiable"] = true; }), false, "identifiable is true but the AND");
  expect_verdict(ds, mutated([](J&, J& a, J&) { a.erase("distinguishing_input"); }), true);
  // The rank claim (Lemma C6): rank 4 = d(d+1)(d+2)/6 of 20 rows needs D - 4 = 2 kernel vectors.
  REQUIRE(good["coordinates"][1]["rank"] == 4);
  REQUIRE(good["coordinates"][1]["rank_witness"]["upper_bound"] == "kernel-basis");
  expect_verdict(ds, mutated([](J&, J& a, J&) { a["rank"] = 3; }), false, "coordinate 1: rank = 3 but rank_minor cites 4");
  expect_verdict(ds, mutated([](J&, J& a, J&) { a["rank"] = 5; }), false, "coordinate 1: rank = 5 but rank_minor cites 4");
  expect_verdict(ds, mutated([](J&, J& a, J&) { a.erase("rank_witness"); }), false, "without a rank_witness");
  expect_verdict(ds, mutated([](J&, J& a, J&) { a["rank_witness"]["kernel_basis"].erase(1); }), false,
                 "kernel_basis has 1 vectors; expected D - rank = 2");
  expect_verdict(ds, mutated([](J&, J& a, J&) { a["rank_witness"]["kernel_basis"][1] = a["rank_witness"]["kernel_basis"][0]; }),
                 false, "linearly dependent");
  expect_verdict(ds, mutated([](J&, J& a, J&) { a["rank_witness"]["kernel_basis"][1][0] = "7"; }), false,
                 "kernel_basis vector 1 does not annihilate");
  expect_verdict(ds, mutated([](J&, J& a, J&) { a["rank_witness"]["upper_bound"] = "rows"; }), false,
                 "upper_bound \"rows\" but rank 4 < rows 20");
  expect_verdict(ds, mutated([](J&, J& a, J&) { a["rank_witness"]["upper_bound"] = "kernel-vector"; }), false,
                 "proves rank <= D - 1");
  expect_verdict(ds, mutated([](J&, J& a, J&) { a["rank_witness"]["rank_minor"]["minor_mod_prime"] = "0"; }), false,
                 "rank_minor minor_mod_prime is 0");
  expect_verdict(ds, mutated([](J&, J& a, J&) { a["rank_witness"]["rank_minor"]["columns"][0] = 6; }), false,
                 "rank_minor column 6 out of range");
  // A lower bound only: allowed when the stated upper bound holds for any deficient coordinate.
  expect_verdict(ds, mutated([](J& c, J&, J&) {
                   for (J& a : c["coordinates"]) a["rank_witness"]["upper_bound"] = "none", a["rank_upper_bound"] = 5;
                 }),
                 true);
  expect_verdict(ds, mutated([](J&, J& a, J&) { a["rank_witness"]["upper_bound"] = "none", a["rank_upper_bound"] = 4; }),
                 false, "rank_upper_bound = 4 is not implied");
  // Out-of-range numbers where indices belong are false claims (exit 1), not unreadable files.
  expect_verdict(ds, mutated([](J&, J& a, J&) { a["rank_witness"]["rank_minor"]["rows"][0] = -1; }), false,
                 "rank_minor row index <not an integer in [0, 2^63)> out of range");
  expect_verdict(ds, mutated([](J&, J& a, J&) { a["rank_witness"]["rank_minor"]["rows"][0] = "1000000000000000000000000000000"; }),
                 false, "out of range");
  expect_verdict(ds, mutated([](J&, J& a, J&) { a["a"] = -1; }), false, "a is out of range");
}

TEST_CASE("checker: one Gram matrix per sample gives the same features as the plain formula (causal, many targets)") {
  // Rows of one sample at several positions, in a scrambled order and repeated: the prefix
  // Gram path must cite exactly the rows the certificate names.
  std::mt19937_64 rng(11);
  for (const bool causal : {false, true}) {
    Dataset data = random_dataset(rng, 2, 2, 8, causal);
    for (Sample& s : data.samples) {
      s.targets.clear();
      for (std::size_t b : {5, 1, 7, 3, 0, 6, 2, 4, 5})
        s.targets.push_back({b, std::vector<std::optional<Rational>>(2, Rational(1))});
    }
    const std::string ds = text_of(data);
    const OrderedJson cert = engine_certificate(ds);
    INFO("causal " << causal);
    expect_verdict(ds, cert, true);
    if (cert["coordinates"][0]["witness"]["type"] == "nonzero-minor") {
      OrderedJson bad = cert;
      auto& rows = bad["coordinates"][0]["witness"]["rows"];
      std::swap(rows[0], rows[1]);  // a swapped row order negates the minor: still nonzero, value differs
      const std::string v = bad["coordinates"][0]["witness"]["minor_mod_prime"].get<std::string>();
      const std::uint64_t p = std::stoull(bad["coordinates"][0]["witness"]["prime"].get<std::string>());
      bad["coordinates"][0]["witness"]["minor_mod_prime"] = std::to_string((p - std::stoull(v)) % p);
      bad["coordinates"][1]["witness"] = bad["coordinates"][0]["witness"];
      expect_verdict(ds, bad, true);
    }
  }
}

TEST_CASE("malformed certificates and unreadable files exit 2 with one line naming the file and place") {
  std::mt19937_64 rng(6);
  const std::string ds = text_of(random_dataset(rng, 2, 12, 3, false));
  const OrderedJson good = engine_certificate(ds);
  const OrderedJson kernel = engine_certificate(text_of(random_dataset(rng, 2, 20, 1, false)));
  expect_malformed(ds, "{not json", "syntax error");
  expect_malformed(ds, "", "");
  OrderedJson c = good;
  c["format"] = "mhla-model";
  expect_malformed(ds, c.dump(), "$.format");
  c = good;
  c["version"] = 2;
  expect_malformed(ds, c.dump(), "$.version");
  c = good;
  c["coordinates"][0]["witness"]["rows"] = "0,1,2";
  expect_malformed(ds, c.dump(), "$.coordinates[0].witness.rows");
  c = good;
  c["coordinates"][0]["witness"]["rows"][1] = true;
  expect_malformed(ds, c.dump(), "$.coordinates[0].witness.rows[1]");
  c = kernel;
  c["coordinates"][0]["rank_witness"]["upper_bound"] = "trust-me";
  expect_malformed(ds, c.dump(), "$.coordinates[0].rank_witness.upper_bound");
  c = good;
  c["coordinates"][0]["witness"]["type"] = "trust-me";
  expect_malformed(ds, c.dump(), "$.coordinates[0].witness.type");
  c = good;
  c["coordinates"][1].erase("rank");
  expect_malformed(ds, c.dump(), "$.coordinates[1]");
  c = good;
  c.erase("dataset_sha256");
  expect_malformed(ds, c.dump(), "dataset_sha256");
  c = kernel;
  c["coordinates"][0]["witness"]["vector"][2] = "1/0";
  expect_malformed(ds, c.dump(), "$.coordinates[0].witness.vector[2]");
  c = kernel;
  c["coordinates"][0]["witness"]["vector"][2] = "x";
  expect_malformed(ds, c.dump(), "$.coordinates[0].witness.vector[2]");

  TempDir dir;  // a missing certificate or dataset file
  const mhla_test::RunResult run =
      mhla_test::run_mhla({"verify", "--dataset", dir.write("ds.json", ds), "--certificate", dir.file("missing.json")});
  CHECK(run.status == 2);
  CHECK(run.out.empty());
  CHECK(run.err.find("missing.json") != std::string::npos);
  const mhla_test::RunResult run2 = mhla_test::run_mhla(
      {"verify", "--dataset", dir.file("nothing.json"), "--certificate", dir.write("c.json", good.dump())});
  CHECK(run2.status == 2);
  CHECK(run2.err.find("nothing.json") != std::string::npos);
}

TEST_CASE("checker handles primes up to 2^64 (128-bit products) and on both sides of 2^32 (Barrett)") {
  std::mt19937_64 rng(8);
  const std::string ds = text_of(random_dataset(rng, 3, 40, 4, true, true));
  const OrderedJson good = engine_certificate(ds);
  const std::vector<std::size_t> rows = good["coordinates"][0]["witness"]["rows"].get<std::vector<std::size_t>>();
  for (std::uint64_t p : {4294967291ull, 4294967311ull, 1152921504606846883ull, 18446744073709551557ull}) {
    const std::string minor = minor_mod(ds, 0, rows, p);
    REQUIRE(minor != "0");
    OrderedJson c = good;
    for (auto& coordinate : c["coordinates"]) {
      coordinate["witness"]["prime"] = std::to_string(p);
      coordinate["witness"]["minor_mod_prime"] = minor;
    }
    expect_verdict(ds, c, true);
    c["coordinates"][2]["witness"]["minor_mod_prime"] = std::to_string(std::stoull(minor) ^ 1);
    expect_verdict(ds, c, false, "coordinate 2: minor_mod_prime is");
  }
}
