// SPDX-License-Identifier: MIT
// lambda_min enclosures (Lemma C5): matrices of known spectrum (diagonal, and Q^T diag Q with a
// rational orthogonal Q from a Cayley transform) give [lo, hi] containing the known eigenvalue,
// checked exactly, and narrow; singular data give [0, 0]; full-rank data give lo > 0; the
// associative-memory task at embedding 4 (random keys: lo > 0; orthonormal keys: [0, 0]).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <random>

#include "cli/cli_harness.hpp"
#include "mhla/cert/certify.hpp"
#include "mhla/cert/lambda_min.hpp"
#include "mhla/features/dataset.hpp"
#include "mhla/features/exact_fast.hpp"
#include "mhla/io/dataset_file.hpp"
#include "mhla/io/json_output.hpp"

using namespace mhla;

namespace {

// Exact inverse by Gauss-Jordan over Q (small matrices only).
Matrix<Rational> inverse(Matrix<Rational> a) {
  const std::size_t n = a.rows();
  Matrix<Rational> inv = Matrix<Rational>::identity(n);
  for (std::size_t c = 0; c < n; ++c) {
    std::size_t p = c;
    while (a(p, c) == 0) ++p;
    for (std::size_t j = 0; j < n; ++j) std::swap(a(c, j), a(p, j)), std::swap(inv(c, j), inv(p, j));
    const Rational piv = a(c, c);
    for (std::size_t j = 0; j < n; ++j) a(c, j) /= piv, inv(c, j) /= piv;
    for (std::size_t r = 0; r < n; ++r)
      if (r != c && a(r, c) != 0) {
        const Rational f = a(r, c);
        for (std::size_t j = 0; j < n; ++j) a(r, j) -= f * a(c, j), inv(r, j) -= f * inv(c, j);
      }
  }
  return inv;
}

// Q = (I - S)(I + S)^{-1} with S skew-symmetric: exactly orthogonal.
Matrix<Rational> cayley(std::mt19937_64& rng, std::size_t n) {
  std::uniform_int_distribution<int> e(-4, 4), den(1, 5);
  Matrix<Rational> S(n, n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j) {
      S(i, j) = Rational(Integer(e(rng)), Integer(den(rng)));
      S(j, i) = -S(i, j);
    }
  Matrix<Rational> I = Matrix<Rational>::identity(n), minus(n, n), plus(n, n);
  for (std::size_t i = 0; i < n * n; ++i) minus.data()[i] = I.data()[i] - S.data()[i], plus.data()[i] = I.data()[i] + S.data()[i];
  return multiply(minus, inverse(plus));
}

Matrix<Rational> conjugated_diagonal(const Matrix<Rational>& Q, const std::vector<Rational>& diag) {
  Matrix<Rational> D(diag.size(), diag.size());
  for (std::size_t i = 0; i < diag.size(); ++i) D(i, i) = diag[i];
  return multiply(transpose(Q), multiply(D, Q));
}

void check_encloses(const LambdaMinEnclosure& e, const Rational& truth, double rel_width = 1e-6) {
  REQUIRE(e.computed);
  CHECK(e.lower <= truth);
  CHECK(truth <= e.upper);
  CHECK(e.upper - e.lower <= Rational(to_rational(rel_width)) * abs(truth));
}

Matrix<Rational> random_int_matrix(std::mt19937_64& rng, std::size_t r, std::size_t c, int bound) {
  std::uniform_int_distribution<int> e(-bound, bound);
  Matrix<Rational> m(r, c);
  for (Rational& x : m.data()) x = e(rng);
  return m;
}

// Inputs only matter for Lambda: targets observe every coordinate with value 0.
Dataset random_dataset(std::mt19937_64& rng, std::size_t d, std::size_t n, std::size_t N, bool rational_entries) {
  Dataset ds{d, false, {}};
  std::uniform_int_distribution<int> den(1, 4);
  for (std::size_t s = 0; s < N; ++s) {
    Matrix<Rational> Z = random_int_matrix(rng, d, n, 3);
    if (rational_entries)
      for (Rational& x : Z.data()) x /= den(rng);
    Target t{n - 1, std::vector<std::optional<Rational>>(d, Rational(0))};
    ds.samples.push_back({Z, {t}});
  }
  return ds;
}

// The paper's associative memory at embedding 4: tokens [k1; v1], [k2; v2] and the query
// [k_q; zeta]; value coordinates 2, 3 observed. orthonormal: keys and values from rational points
// of the unit circle (then rank < D exactly); else small random integers.
Dataset assoc(std::mt19937_64& rng, std::size_t N, bool orthonormal) {
  const int triples[][3] = {{3, 4, 5}, {5, 12, 13}, {8, 15, 17}, {7, 24, 25}};
  std::uniform_int_distribution<int> pick(0, 3), coin(0, 1), small(-3, 3), zeta(-9, 9);
  auto basis = [&](Rational out[2][2]) {
    if (orthonormal) {
      const int* t = triples[pick(rng)];
      Rational c(t[0], t[2]), s(t[1], t[2]);
      if (coin(rng)) c = -c;
      const int refl = coin(rng) ? 1 : -1;
      out[0][0] = c, out[0][1] = s, out[1][0] = -s * refl, out[1][1] = c * refl;
    } else {
      for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j) out[i][j] = small(rng);
    }
  };
  Dataset ds{4, false, {}};
  for (std::size_t s = 0; s < N; ++s) {
    Rational k[2][2], v[2][2];
    basis(k);
    basis(v);
    Matrix<Rational> Z(4, 3);
    for (int t = 0; t < 2; ++t)
      for (int i = 0; i < 2; ++i) Z(i, t) = k[t][i], Z(2 + i, t) = v[t][i];
    const int q = coin(rng);
    for (int i = 0; i < 2; ++i) Z(i, 2) = k[q][i], Z(2 + i, 2) = zeta(rng);
    Target t{2, {std::nullopt, std::nullopt, v[q][0], v[q][1]}};
    ds.samples.push_back({Z, {t}});
  }
  return ds;
}

}  // namespace

TEST_CASE("lambda_min of diagonal matrices: the smallest entry, enclosed exactly") {
  Matrix<Rational> A(5, 5);
  const std::vector<Rational> diag = {Rational(3), Rational(1, 7), Rational(5, 2), Rational(1, 3), Rational(2)};
  for (std::size_t i = 0; i < 5; ++i) A(i, i) = diag[i];
  check_encloses(enclose_lambda_min(A, true), Rational(1, 7));
  check_encloses(enclose_lambda_min(A, false), Rational(1, 7));
  // Negative eigenvalues when PSD is not claimed.
  A(3, 3) = Rational(-9, 4);
  check_encloses(enclose_lambda_min(A, false), Rational(-9, 4));
}

TEST_CASE("lambda_min of Q^T diag Q with rational orthogonal Q (Cayley): contains the known value") {
  std::mt19937_64 rng(11);
  for (std::size_t n : {2, 4, 7, 12}) {
    const Matrix<Rational> Q = cayley(rng, n);
    REQUIRE(multiply(transpose(Q), Q) == Matrix<Rational>::identity(n));
    std::vector<Rational> diag;
    for (std::size_t i = 0; i < n; ++i) diag.push_back(Rational(Integer(3 + static_cast<int>(i)), Integer(2)));
    diag[n / 2] = Rational(1, 1000);  // the smallest, well separated
    const LambdaMinEnclosure e = enclose_lambda_min(conjugated_diagonal(Q, diag), true);
    INFO("n = " << n << " lower " << to_string(e.lower) << " upper " << to_string(e.upper));
    check_encloses(e, Rational(1, 1000));
    // A cluster of two nearly equal smallest eigenvalues, and an indefinite matrix.
    diag[0] = Rational(1001, 1000000);
    check_encloses(enclose_lambda_min(conjugated_diagonal(Q, diag), true), Rational(1, 1000));
    diag[n - 1] = Rational(-5, 3);
    check_encloses(enclose_lambda_min(conjugated_diagonal(Q, diag), false), Rational(-5, 3));
  }
}

TEST_CASE("lambda_min: exactly singular PSD matrices give lower 0 and a tiny upper end") {
  std::mt19937_64 rng(12);
  const Matrix<Rational> Q = cayley(rng, 6);
  const LambdaMinEnclosure e = enclose_lambda_min(conjugated_diagonal(Q, {1, 2, 0, 3, 4, 5}), true);
  REQUIRE(e.computed);
  CHECK(e.lower == 0);
  CHECK(e.upper >= 0);
  CHECK(e.upper < Rational(1, 1000000000));
}

TEST_CASE("lambda_min of datasets: full rank gives lower > 0, a kernel vector or too few rows give [0, 0]") {
  std::mt19937_64 rng(13);
  for (bool rational_entries : {false, true}) {
    const Dataset ds = random_dataset(rng, 3, 3, 60, rational_entries);  // D = 18
    const Certificate cert = certify(ds);
    REQUIRE(cert.identifiable);
    const LambdaMinEnclosure e = lambda_min_of_coordinate(ds, 0, {});
    REQUIRE(e.computed);
    INFO(to_string(e.lower) << " .. " << to_string(e.upper) << " " << e.method);
    CHECK(e.lower > 0);
    CHECK(e.lower <= e.upper);
    CHECK(e.upper - e.lower <= Rational(1, 1000000) * e.upper);
    // Against an independent exact Rayleigh quotient: e_0^T Lambda e_0 = Lambda_00 >= lambda_min.
    const DesignMatrix dm = design_matrix(ds, 0);
    Rational l00 = 0;
    for (std::size_t r = 0; r < dm.phi.rows(); ++r) l00 += dm.phi(r, 0) * dm.phi(r, 0);
    CHECK(e.upper <= l00 / static_cast<unsigned long>(dm.phi.rows()));
    // second_moment equals Phi^T Phi / rows computed over Q.
    const ScaledSymmetric sm = second_moment(ds, 0);
    CHECK(Rational(sm.G(0, 0), sm.den) == l00 / static_cast<unsigned long>(dm.phi.rows()));
  }
  const Dataset few = random_dataset(rng, 3, 3, 10, false);  // 10 rows < D = 18
  const LambdaMinEnclosure z = lambda_min_of_coordinate(few, 1, {});
  REQUIRE(z.computed);
  CHECK(z.lower == 0);
  CHECK(z.upper == 0);
  // One token: never full rank; the certificate's kernel vector proves lambda_min = 0.
  const Dataset one = random_dataset(rng, 3, 1, 60, false);
  const Certificate c1 = certify(one);
  REQUIRE_FALSE(c1.coordinates[0].identifiable);
  const LambdaMinEnclosure k = lambda_min_of_coordinate(one, 0, c1.coordinates[0].kernel_vector);
  REQUIRE(k.computed);
  CHECK(k.lower == 0);
  CHECK(k.upper == 0);
  // Without the kernel vector: still a valid enclosure, lower end 0.
  const LambdaMinEnclosure k2 = lambda_min_of_coordinate(one, 0, {});
  REQUIRE(k2.computed);
  CHECK(k2.lower == 0);
  CHECK(k2.upper < Rational(1, 1000000));
  // Unobserved coordinates and the size limit are skips with a reason.
  Dataset unobserved = random_dataset(rng, 2, 3, 5, false);
  for (Sample& s : unobserved.samples) s.targets[0].y[1] = std::nullopt;
  CHECK_FALSE(lambda_min_of_coordinate(unobserved, 1, {}).computed);
  LambdaMinOptions tiny;
  tiny.max_dim = 10;
  const LambdaMinEnclosure sk = lambda_min_of_coordinate(few, 0, {}, tiny);
  CHECK_FALSE(sk.computed);
  CHECK(sk.skipped_reason.find("feature_dim 18 > 10") != std::string::npos);
}

TEST_CASE("lambda_min, associative memory at embedding 4: random keys lower > 0, orthonormal keys [0, 0]") {
  std::mt19937_64 rng(14);
  const Dataset random_keys = assoc(rng, 200, false);
  const Certificate cr = certify(random_keys);
  REQUIRE(cr.identifiable);
  for (std::size_t a : {2, 3}) {
    const LambdaMinEnclosure e = lambda_min_of_coordinate(random_keys, a, {});
    REQUIRE(e.computed);
    INFO(to_string(e.lower) << " .. " << to_string(e.upper) << " (" << e.estimate << ", " << e.seconds << " s)");
    CHECK(e.lower > 0);
    CHECK(e.upper - e.lower <= Rational(1, 1000000) * e.upper);
  }
  const Dataset unit_keys = assoc(rng, 200, true);
  const Certificate cu = certify(unit_keys);
  REQUIRE_FALSE(cu.identifiable);
  for (std::size_t a : {2, 3}) {
    const LambdaMinEnclosure e = lambda_min_of_coordinate(unit_keys, a, cu.coordinates[a].kernel_vector);
    REQUIRE(e.computed);
    CHECK(e.lower == 0);
    CHECK(e.upper == 0);
  }
}

TEST_CASE("mhla certify: lambda_min per observed coordinate, informational only; --no-lambda-min omits it") {
  mhla_test::TempDir dir;
  std::mt19937_64 rng(15);
  const Dataset ds = assoc(rng, 120, false);
  const std::string path = dir.write("am.json", render_json(dataset_json(ds)));
  const mhla_test::RunResult with = mhla_test::run_mhla({"--quiet", "certify", "--dataset", path});
  const mhla_test::RunResult without = mhla_test::run_mhla({"--quiet", "certify", "--dataset", path, "--no-lambda-min"});
  CHECK(with.status == 0);
  CHECK(without.status == with.status);
  nlohmann::json c = nlohmann::json::parse(with.out), c2 = nlohmann::json::parse(without.out);
  CHECK(c["coordinates"][0].count("lambda_min") == 0);  // not observed
  for (std::size_t a : {2, 3}) {
    const nlohmann::json& l = c["coordinates"][a]["lambda_min"];
    const Rational lo(l["lower"].get<std::string>()), hi(l["upper"].get<std::string>());
    CHECK(lo > 0);
    CHECK(lo <= hi);
    CHECK(l["lower_decimal"].is_string());
    CHECK(l["method"].get<std::string>().find("Lemma B4") == 0);
    // The same ends as the library call.
    const LambdaMinEnclosure e = lambda_min_of_coordinate(ds, a, {});
    CHECK(lo == e.lower);
    CHECK(hi == e.upper);
    c["coordinates"][a].erase("lambda_min");
  }
  CHECK(c == c2);  // nothing else changes
}
