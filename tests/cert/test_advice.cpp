// SPDX-License-Identifier: MIT
// Advice on non-identifiable data (advice.hpp; proofs-notes Lemmas C13, C15): each case on data
// constructed to have it, the subspace bound of Lemma C13 against the exact rank, the explicit
// kernel vectors e_(j,k) (x) u, the distinguishing input built from the user's own samples
// (length n, verified), and the alternative model at d = 6..8 (fits equally, differs).
#include <catch2/catch.hpp>

#include <random>

#include "mhla/cert/advice.hpp"
#include "mhla/cert/alternative_model.hpp"
#include "mhla/cert/certify.hpp"
#include "mhla/features/exact_fast.hpp"
#include "mhla/features/features.hpp"
#include "mhla/learn/least_squares.hpp"
#include "mhla/linalg/rank_certified.hpp"

using namespace mhla;

namespace {

// N samples of n tokens in Q^d; token entries from make(sample, token, i); targets small integers
// at the last position, every coordinate observed.
template <class Make>
Dataset make_dataset(std::size_t d, std::size_t n, std::size_t N, std::mt19937_64& rng, Make make, bool causal = false) {
  std::uniform_int_distribution<int> y(-5, 5);
  Dataset ds{d, causal, {}};
  for (std::size_t s = 0; s < N; ++s) {
    Sample smp{Matrix<Rational>(d, n), {}};
    for (std::size_t t = 0; t < n; ++t)
      for (std::size_t i = 0; i < d; ++i) smp.Z(i, t) = make(s, t, i);
    Target tg{n - 1, {}};
    for (std::size_t a = 0; a < d; ++a) tg.y.emplace_back(Rational(y(rng)));
    smp.targets.push_back(std::move(tg));
    ds.samples.push_back(std::move(smp));
  }
  return ds;
}

bool has_case(const CoordinateAdvice& adv, const std::string& c) {
  return std::find(adv.cases.begin(), adv.cases.end(), c) != adv.cases.end();
}

Rational dot_phi(const std::vector<Rational>& v, const Matrix<Rational>& Z, std::size_t b, bool causal) {
  const ScaledIntegerMatrix phi = feature_rows_scaled(Z, {b}, causal);
  Rational s = 0;
  for (std::size_t i = 0; i < v.size(); ++i) s += v[i] * Rational(phi.numerators(0, i));
  return s / Rational(phi.denominator);
}

}  // namespace

TEST_CASE("advice: tokens in a subspace (Lemma C13): bound, basis, missing directions, kernel vectors", "[advice]") {
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<int> small(-4, 4);
  // d = 4, every token in U = span{(1, 1, 0, 0), (0, 1, 2, 1)} (k = 2): rank <= 2^2 3 / 2 = 6.
  const Dataset ds = make_dataset(4, 3, 60, rng, [&](std::size_t, std::size_t, std::size_t) { return Rational(0); });
  Dataset sub = ds;
  for (Sample& s : sub.samples)
    for (std::size_t t = 0; t < 3; ++t) {
      const int x = small(rng), y = small(rng);
      s.Z(0, t) = x, s.Z(1, t) = x + y, s.Z(2, t) = 2 * y, s.Z(3, t) = y;
    }
  const Certificate cert = certify(sub);
  const CoordinateCertificate& c = cert.coordinates[0];
  REQUIRE_FALSE(c.identifiable);
  const CoordinateAdvice adv = advise(sub, c);
  REQUIRE(has_case(adv, "token-subspace"));
  CHECK_FALSE(adv.more_such_samples_help);
  REQUIRE(adv.subspace);
  CHECK(adv.subspace->dimension == 2);
  CHECK(adv.subspace->rank_bound == 6);
  CHECK(c.rank <= adv.subspace->rank_bound);  // Lemma C13 against the exact rank
  CHECK(c.rank == 6);                         // and it is tight for generic tokens in U
  REQUIRE(adv.subspace->missing.size() == 2);
  // Every missing direction is orthogonal to every token; every e_(j,k) (x) u is in ker Phi_a.
  const DesignMatrix dm = design_matrix(sub, 0);
  for (const std::vector<Rational>& u : adv.subspace->missing) {
    for (const Sample& s : sub.samples)
      for (std::size_t t = 0; t < 3; ++t) {
        Rational dotu = 0;
        for (std::size_t i = 0; i < 4; ++i) dotu += u[i] * s.Z(i, t);
        CHECK(dotu == 0);
      }
    for (std::size_t j = 0; j < 4; ++j)
      for (std::size_t k = j; k < 4; ++k) {
        std::vector<Rational> v(feature_dim(4), Rational(0));
        for (std::size_t l = 0; l < 4; ++l) v[feature_index(4, j, k, l)] = u[l];
        for (std::size_t r = 0; r < dm.phi.rows(); ++r) {
          Rational s = 0;
          for (std::size_t i = 0; i < v.size(); ++i) s += dm.phi(r, i) * v[i];
          REQUIRE(s == 0);
        }
      }
  }
  // The basis is made of dataset tokens.
  for (const std::vector<Rational>& b : adv.subspace->basis) {
    bool found = false;
    for (const Sample& s : sub.samples)
      for (std::size_t t = 0; t < 3; ++t) {
        bool same = true;
        for (std::size_t i = 0; i < 4; ++i) same = same && s.Z(i, t) == b[i];
        found = found || same;
      }
    CHECK(found);
  }
  // The distinguishing input from the data: the user's length n = 3, verified, a dataset input
  // with one token moved along a missing direction.
  const auto own = distinguishing_input_from_data(sub, 0, c.kernel_vector, adv.subspace->missing);
  REQUIRE(own);
  CHECK(own->Z.cols() == 3);
  CHECK(own->value != 0);
  CHECK(dot_phi(c.kernel_vector, own->Z, own->position, false) == own->value);
  CHECK(adv.text.find("2-dimensional subspace") != std::string::npos);
}

TEST_CASE("advice: rank = rows, single token, one-hot features, dependent rows", "[advice]") {
  std::mt19937_64 rng(12);
  std::uniform_int_distribution<int> small(-4, 4);
  auto random_entry = [&](std::size_t, std::size_t, std::size_t) { return Rational(small(rng)); };
  {  // 5 random samples, d = 3 (D = 18): rank = rows = 5
    const Dataset ds = make_dataset(3, 3, 5, rng, random_entry);
    const Certificate cert = certify(ds);
    const CoordinateAdvice adv = advise(ds, cert.coordinates[1]);
    CHECK(cert.coordinates[1].rank == 5);
    CHECK(adv.cases == std::vector<std::string>{"rank-equals-rows"});
    CHECK(adv.more_rows_at_least == 13);
    CHECK(adv.more_such_samples_help);
    CHECK(adv.text.find("at least 13 more rows") != std::string::npos);
    const auto own = distinguishing_input_from_data(ds, 1, cert.coordinates[1].kernel_vector, {});
    REQUIRE(own);
    CHECK(own->Z.cols() == 3);
    CHECK(dot_phi(cert.coordinates[1].kernel_vector, own->Z, own->position, false) == own->value);
    CHECK(own->value != 0);
  }
  {  // one token per input: single-token (Lemma C3)
    const Dataset ds = make_dataset(2, 1, 20, rng, random_entry);
    const Certificate cert = certify(ds);
    const CoordinateAdvice adv = advise(ds, cert.coordinates[0]);
    CHECK(has_case(adv, "single-token"));
    CHECK_FALSE(adv.more_such_samples_help);
  }
  {  // one-hot tokens: the Gram matrix is diagonal, the features (j, k, l) with j < k never occur
    std::uniform_int_distribution<int> hot(0, 2);
    std::vector<int> which(3 * 2 * 200);
    for (int& w : which) w = hot(rng);
    const Dataset ds = make_dataset(3, 2, 200, rng, [&](std::size_t s, std::size_t t, std::size_t i) {
      return Rational(which[s * 2 + t] == static_cast<int>(i) ? 1 : 0);
    });
    const Certificate cert = certify(ds);
    const CoordinateAdvice adv = advise(ds, cert.coordinates[2]);
    REQUIRE(has_case(adv, "features-never-occur"));
    CHECK_FALSE(has_case(adv, "token-subspace"));
    // Exactly the features (j < k, l): 3 pairs x 3 = 9.
    CHECK(adv.zero_features.size() == 9);
    for (std::size_t i : adv.zero_features) CHECK(feature_name(i, 3)[1] != feature_name(i, 3)[3]);
  }
  {  // 3 random samples, each repeated 4 times: rank 3 < rows 12
    Dataset base = make_dataset(3, 3, 3, rng, random_entry);
    Dataset ds{3, false, {}};
    for (int r = 0; r < 4; ++r)
      for (const Sample& s : base.samples) ds.samples.push_back(s);
    const Certificate cert = certify(ds);
    const CoordinateAdvice adv = advise(ds, cert.coordinates[0]);
    CHECK(cert.coordinates[0].rank == 3);
    CHECK(adv.cases == std::vector<std::string>{"dependent-rows"});
    CHECK(adv.more_rows_at_least == 15);
  }
}

TEST_CASE("kernel_vector_summary: largest entries in short decimals, up to scale", "[advice]") {
  std::vector<Rational> v(feature_dim(2), Rational(0));
  v[0] = Rational(Integer("123456789012345678901234567890"), Integer(7));
  v[3] = -v[0] / 2;
  const std::string s = kernel_vector_summary(v, 2);
  CHECK(s.find("2 of 6 entries nonzero") != std::string::npos);
  CHECK(s.find("(0,0,0) 1") != std::string::npos);
  CHECK(s.find("(0,1,1) -5e-1") != std::string::npos);
  CHECK(s.size() < 120);
}

TEST_CASE("alternative model at d = 6, 7, 8 by the modular path: fits equally, differs at the input", "[advice]") {
  std::mt19937_64 rng(13);
  std::uniform_int_distribution<int> small(-3, 3);
  for (std::size_t d : {6, 7, 8}) {
    INFO("d = " << d);
    const Dataset ds = make_dataset(d, 3, 12, rng, [&](std::size_t, std::size_t, std::size_t) { return Rational(small(rng)); });
    const Certificate cert = certify(ds);
    REQUIRE_FALSE(cert.identifiable);
    const std::optional<AlternativeModel> alt = alternative_model(ds, cert);
    REQUIRE(alt);
    CHECK(empirical_risk(ds, alt->base) == empirical_risk(ds, alt->alternative));
    CHECK(alt->base_loss == alt->alternative_loss);
    REQUIRE(alt->differences.size() == d);
    for (const AlternativeDifference& diff : alt->differences) {
      const Rational yb = evaluate_exact(alt->base, diff.input.Z)(diff.a, diff.input.position);
      const Rational ya = evaluate_exact(alt->alternative, diff.input.Z)(diff.a, diff.input.position);
      CHECK(yb == diff.base_output);
      CHECK(ya == diff.alternative_output);
      CHECK(yb != ya);
    }
  }
}
