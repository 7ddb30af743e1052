// SPDX-License-Identifier: MIT
// The seeded RNG (fixed mapping of mt19937_64's raw outputs) and the exact orthogonal and unit
// matrices of the associative-memory task (Lemma T4).
#include <catch2/catch.hpp>

#include <cmath>
#include <set>

#include "mhla/tasks/orthogonal.hpp"
#include "mhla/tasks/rng.hpp"

using namespace mhla;
using namespace mhla::tasks;

namespace {

Rational determinant(Matrix<Rational> A) {
  const std::size_t n = A.rows();
  Rational det = 1;
  for (std::size_t c = 0; c < n; ++c) {
    std::size_t p = c;
    while (p < n && A(p, c) == 0) ++p;
    if (p == n) return 0;
    if (p != c) {
      for (std::size_t j = 0; j < n; ++j) std::swap(A(p, j), A(c, j));
      det = -det;
    }
    det *= A(c, c);
    for (std::size_t i = c + 1; i < n; ++i) {
      const Rational f = A(i, c) / A(c, c);
      for (std::size_t j = c; j < n; ++j) A(i, j) -= f * A(c, j);
    }
  }
  return det;
}

}  // namespace

TEST_CASE("Rng: mt19937_64 raw outputs are the standard's, and the mappings are fixed", "[tasks][rng]") {
  Rng standard(5489);  // [rand.predef]: the 10000th output of a default-constructed mt19937_64
  std::uint64_t x = 0;
  for (int i = 0; i < 10000; ++i) x = standard.next();
  CHECK(x == 9981545732273789042ULL);

  Rng a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const double ga = a.gaussian(), gb = b.gaussian(), gc = c.gaussian();
    CHECK(std::isfinite(ga));
    CHECK(ga == gb);
    differs = differs || ga != gc;
  }
  CHECK(differs);
  // below() covers its range and nothing else; uniform_open01 stays inside (0, 1).
  std::set<std::uint64_t> seen;
  double mean = 0;
  for (int i = 0; i < 2000; ++i) {
    const std::uint64_t k = a.below(7);
    CHECK(k < 7);
    seen.insert(k);
    const double u = a.uniform_open01();
    CHECK(u > 0);
    CHECK(u < 1);
    const std::int64_t z = a.between(-3, 3);
    CHECK(z >= -3);
    CHECK(z <= 3);
    mean += a.gaussian();
  }
  CHECK(seen.size() == 7);
  CHECK(std::abs(mean / 2000) < 0.1);  // N(0,1) mean: standard error 0.022
}

TEST_CASE("Lemma T4: random_orthogonal is exactly orthogonal, with reflections and rotations", "[tasks][orthogonal]") {
  for (std::size_t m = 1; m <= 4; ++m) {
    Rng rng(1000 + m);
    int rotations = 0, reflections = 0;
    std::set<std::string> distinct;
    for (int draw = 0; draw < 60; ++draw) {
      const Matrix<Rational> Q = random_orthogonal(rng, m);
      const Matrix<Rational> QtQ = multiply(transpose(Q), Q);
      REQUIRE(QtQ.data() == Matrix<Rational>::identity(m).data());
      const Rational det = determinant(Q);
      REQUIRE((det == 1 || det == -1));
      (det == 1 ? rotations : reflections)++;
      std::string key;
      for (const Rational& x : Q.data()) key += to_string(x) + ",";
      distinct.insert(key);
    }
    INFO("m = " << m);
    CHECK(rotations > 10);
    CHECK(reflections > 10);
    CHECK(distinct.size() > (m == 1 ? 1u : 30u));
  }
}

TEST_CASE("Lemma T4: Cayley transform of a skew-symmetric matrix is orthogonal; others are refused", "[tasks][orthogonal]") {
  Matrix<Rational> A(3, 3);
  A(0, 1) = Rational(2, 3);
  A(1, 0) = Rational(-2, 3);
  A(0, 2) = 5;
  A(2, 0) = -5;
  A(1, 2) = Rational(-1, 7);
  A(2, 1) = Rational(1, 7);
  const Matrix<Rational> C = cayley(A);
  CHECK(multiply(transpose(C), C).data() == Matrix<Rational>::identity(3).data());
  CHECK(determinant(C) == 1);
  A(2, 1) = 1;  // no longer skew-symmetric
  CHECK_THROWS_AS(cayley(A), Error);
}

TEST_CASE("Lemma T4: normalized columns have norm exactly 1 and lie near g/|g|", "[tasks][orthogonal]") {
  for (std::size_t m = 1; m <= 5; ++m) {
    Rng rng(77 + m);
    for (int draw = 0; draw < 40; ++draw) {
      const Matrix<Rational> M = random_unit_columns(rng, m);
      for (std::size_t j = 0; j < m; ++j) {
        Rational norm2 = 0;
        for (std::size_t i = 0; i < m; ++i) norm2 += M(i, j) * M(i, j);
        REQUIRE(norm2 == 1);
      }
    }
    // Closeness: a fixed direction and its exact unit image.
    std::vector<double> g(m);
    for (std::size_t i = 0; i < m; ++i) g[i] = (i % 2 ? -1.0 : 1.0) * static_cast<double>(i + 1);
    double n2 = 0;
    for (double v : g) n2 += v * v;
    const std::vector<Rational> x = unit_vector_near(g);
    for (std::size_t i = 0; i < m; ++i) CHECK(std::abs(to_binary64(x[i]) - g[i] / std::sqrt(n2)) < 1e-4);
    // Both poles: a last coordinate of either sign.
    g[m - 1] = -g[m - 1];
    Rational norm2 = 0;
    for (const Rational& v : unit_vector_near(g)) norm2 += v * v;
    CHECK(norm2 == 1);
  }
  // inverse_stereographic by hand: s = (1/2) from the south pole gives (4/5, 3/5).
  const std::vector<Rational> x = inverse_stereographic({Rational(1, 2)}, true);
  CHECK(x == std::vector<Rational>{Rational(4, 5), Rational(3, 5)});
  CHECK(inverse_stereographic({Rational(1, 2)}, false) == std::vector<Rational>{Rational(4, 5), Rational(-3, 5)});
}
