// SPDX-License-Identifier: MIT
// The binary64 SGD baseline: gradients against central finite differences and against the
// direct per-head formulas (Lemma B1), causal prefixes honoured, loss decreasing on a tiny
// realizable problem, determinism by seed, the reproducible normal source.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "mhla/baseline/sgd.hpp"

using namespace mhla;
using namespace mhla::baseline;

namespace {

// Z entries k/4 (|k| <= 4), targets k/8, some entries unobserved; targets at several positions.
Dataset random_dataset(std::size_t d, std::size_t n, std::size_t samples, bool causal, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto small = [&rng](long den) { return Rational(static_cast<long>(rng() % 9) - 4, den); };
  Dataset ds{d, causal, {}};
  for (std::size_t s = 0; s < samples; ++s) {
    Sample sample{Matrix<Rational>(d, n), {}};
    for (Rational& x : sample.Z.data()) x = small(4);
    for (std::size_t b = 0; b < n; ++b) {
      if (rng() % 3 == 0) continue;
      Target t{b, std::vector<std::optional<Rational>>(d)};
      for (std::size_t a = 0; a < d; ++a)
        if (rng() % 4 != 0) t.y[a] = small(8);
      sample.targets.push_back(std::move(t));
    }
    ds.samples.push_back(std::move(sample));
  }
  return ds;
}

std::vector<std::size_t> all_samples(const FloatData& f) {
  std::vector<std::size_t> v(f.samples());
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = i;
  return v;
}

double loss_at(const Model<double>& m, double scale, const FloatData& f) {
  return loss_gradient_direct(m, scale, f, all_samples(f)).loss;
}

double max_abs(const Gradient& g) {
  double x = 0;
  for (const Head<double>& h : g.heads)
    for (const Matrix<double>* M : {&h.V, &h.Q})
      for (double v : M->data()) x = std::max(x, std::abs(v));
  return x;
}

}  // namespace

TEST_CASE("loss_gradient agrees with central finite differences (relative error <= 1e-6)", "[baseline]") {
  // The loss is a polynomial of degree 4 in the parameters; central differences with step
  // h = 1e-5 have truncation error O(h^2) and rounding error O(u L / h) ~ 1e-11 here.
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    const std::size_t d = 1 + seed % 3, n = 2 + seed % 4;
    const bool causal = seed % 2 == 0;
    const Dataset ds = random_dataset(d, n, 5, causal, seed);
    const FloatData f = to_float_data(ds);
    SgdOptions o;
    o.heads = 1 + seed % 3;
    o.average_heads = seed % 3 == 1;
    o.scale_sqrt_d = seed % 4 == 2;
    NormalSource rng(seed);
    Model<double> m = initial_model(d, causal, o, rng);
    const double s = output_scale(o, d);
    const Gradient g = loss_gradient(m, s, f, all_samples(f));
    const double bound = 1e-6 * std::max(1.0, max_abs(g));
    INFO("seed " << seed << " d " << d << " heads " << o.heads << " causal " << causal);
    for (std::size_t h = 0; h < m.heads.size(); ++h)
      for (int part = 0; part < 2; ++part)
        for (std::size_t i = 0; i < d * d; ++i) {
          double& p = part ? m.heads[h].Q.data()[i] : m.heads[h].V.data()[i];
          const double keep = p, step = 1e-5;
          p = keep + step;
          const double up = loss_at(m, s, f);
          p = keep - step;
          const double down = loss_at(m, s, f);
          p = keep;
          const double fd = (up - down) / (2 * step);
          const double analytic = part ? g.heads[h].Q.data()[i] : g.heads[h].V.data()[i];
          CHECK(std::abs(fd - analytic) <= bound);
        }
  }
}

TEST_CASE("the Gamma form and the direct per-head form of the gradient agree", "[baseline]") {
  for (std::uint64_t seed = 20; seed < 30; ++seed) {
    const std::size_t d = 2 + seed % 3;
    const Dataset ds = random_dataset(d, 4, 6, seed % 2 == 1, seed);
    const FloatData f = to_float_data(ds);
    SgdOptions o;
    o.heads = 1 + seed % 4;
    NormalSource rng(seed);
    const Model<double> m = initial_model(d, ds.causal, o, rng);
    std::vector<std::size_t> batch{1, 3, 4};
    const Gradient a = loss_gradient(m, 0.75, f, batch), b = loss_gradient_direct(m, 0.75, f, batch);
    CHECK(a.loss == Approx(b.loss).epsilon(1e-12));
    const double scale = std::max(max_abs(a), 1e-300);
    for (std::size_t h = 0; h < o.heads; ++h)
      for (std::size_t i = 0; i < d * d; ++i) {
        CHECK(std::abs(a.heads[h].V.data()[i] - b.heads[h].V.data()[i]) <= 1e-12 * scale);
        CHECK(std::abs(a.heads[h].Q.data()[i] - b.heads[h].Q.data()[i]) <= 1e-12 * scale);
      }
  }
}

TEST_CASE("causal data use prefix Gram matrices: later tokens do not move the gradient", "[baseline]") {
  Dataset ds = random_dataset(3, 5, 4, true, 7);
  for (Sample& s : ds.samples) {  // one target at position 2 in every sample
    s.targets = {Target{2, {Rational(1, 2), std::nullopt, Rational(-1)}}};
  }
  Dataset changed = ds;
  for (Sample& s : changed.samples)
    for (std::size_t i = 0; i < 3; ++i) s.Z(i, 4) += Rational(3);  // token 4 comes after position 2
  SgdOptions o;
  o.heads = 2;
  NormalSource rng(3);
  const Model<double> m = initial_model(3, true, o, rng);
  const FloatData f = to_float_data(ds), fc = to_float_data(changed);
  const Gradient g = loss_gradient(m, 1, f, all_samples(f)), gc = loss_gradient(m, 1, fc, all_samples(fc));
  CHECK(g.loss == gc.loss);
  for (std::size_t h = 0; h < 2; ++h) {
    CHECK(g.heads[h].V == gc.heads[h].V);
    CHECK(g.heads[h].Q == gc.heads[h].Q);
  }
  // The stored Gram matrix is exactly G_2 (small dyadic entries: exact in binary64).
  const Matrix<Rational>& Z = ds.samples[0].Z;
  for (std::size_t j = 0; j < 3; ++j)
    for (std::size_t k = 0; k < 3; ++k) {
      Rational g2 = 0;
      for (std::size_t t = 0; t <= 2; ++t) g2 += Z(j, t) * Z(k, t);
      CHECK(f.gram[j * 3 + k] == to_binary64(g2));
    }
  // Non-causal data see every token: the same change moves the gradient.
  ds.causal = changed.causal = false;
  const FloatData fn = to_float_data(ds), fnc = to_float_data(changed);
  CHECK(loss_gradient(m, 1, fn, all_samples(fn)).loss != loss_gradient(m, 1, fnc, all_samples(fnc)).loss);
}

TEST_CASE("Adam drives the loss down on a tiny realizable problem", "[baseline]") {
  // Targets of a one-head model with dyadic entries; train with 2 heads.
  Model<Rational> truth{2, true, {{Matrix<Rational>(2, 2, {Rational(1, 2), 0, Rational(-1, 4), 1}),
                                   Matrix<Rational>(2, 2, {1, Rational(1, 2), 0, Rational(-1, 2)})}}};
  auto make = [&truth](std::uint64_t seed) {
    Dataset ds = random_dataset(2, 4, 64, true, seed);
    for (Sample& s : ds.samples) {
      const Matrix<Rational> Y = evaluate(truth, s.Z);
      for (Target& t : s.targets)
        for (std::size_t a = 0; a < 2; ++a)
          if (t.y[a]) t.y[a] = Y(a, t.position);
    }
    return ds;
  };
  const Dataset train = make(1), valid = make(2);
  SgdOptions o;
  o.heads = 2;
  o.epochs = 150;
  o.batch = 8;
  o.learning_rate = 0.02;
  o.seed = 5;
  const SgdResult r = train_sgd(train, &valid, o);
  REQUIRE(r.train_loss.size() == 151);
  REQUIRE(r.validation_loss.size() == 151);
  CHECK_FALSE(r.diverged);
  CHECK(r.train_loss.back() < 1e-3 * r.train_loss.front());
  CHECK(r.validation_loss.back() < 1e-2 * r.validation_loss.front());
  CHECK(r.steps == 150 * 8);
  // The folded model (scale 1 here) reproduces the recorded loss.
  CHECK(mean_squared_error(r.model, 1, to_float_data(train)) == r.train_loss.back());
}

TEST_CASE("training is deterministic by seed; the scale is folded into V", "[baseline]") {
  const Dataset ds = random_dataset(2, 3, 20, false, 11);
  SgdOptions o;
  o.heads = 4;
  o.epochs = 5;
  o.batch = 3;
  o.average_heads = true;
  o.scale_sqrt_d = true;
  o.cosine_schedule = true;
  o.clip_norm = 5;
  o.seed = 9;
  const SgdResult a = train_sgd(ds, nullptr, o), b = train_sgd(ds, nullptr, o);
  CHECK(a.train_loss == b.train_loss);
  for (std::size_t h = 0; h < 4; ++h) {
    CHECK(a.parameters.heads[h].V == b.parameters.heads[h].V);
    CHECK(a.model.heads[h].Q == b.model.heads[h].Q);
  }
  o.seed = 10;
  const SgdResult c = train_sgd(ds, nullptr, o);
  CHECK(c.train_loss != a.train_loss);
  CHECK(a.scale == 0.25 / std::sqrt(2.0));
  CHECK(a.model.heads[1].V(0, 1) == a.scale * a.parameters.heads[1].V(0, 1));
  CHECK(mean_squared_error(a.model, 1, to_float_data(ds)) == Approx(a.train_loss.back()).epsilon(1e-12));
}

TEST_CASE("train_sgd refuses bad options", "[baseline]") {
  const Dataset ds = random_dataset(2, 3, 4, false, 1);
  SgdOptions o;
  o.heads = 0;
  CHECK_THROWS_AS(train_sgd(ds, nullptr, o), Error);
  o.heads = 1;
  o.learning_rate = -1;
  CHECK_THROWS_AS(train_sgd(ds, nullptr, o), Error);
  o.learning_rate = 0.01;
  Dataset other = random_dataset(3, 3, 4, false, 1);
  CHECK_THROWS_AS(train_sgd(ds, &other, o), Error);
}

TEST_CASE("NormalSource: standard normal moments; uniform below(n)", "[baseline]") {
  NormalSource rng(42);
  double sum = 0, sum2 = 0;
  const int n = 40000;
  for (int i = 0; i < n; ++i) {
    const double x = rng.normal();
    sum += x;
    sum2 += x * x;
  }
  CHECK(std::abs(sum / n) < 0.03);            // standard error 0.005
  CHECK(std::abs(sum2 / n - 1) < 0.05);       // standard error 0.007
  std::vector<int> counts(5, 0);
  for (int i = 0; i < 5000; ++i) ++counts[rng.below(5)];
  for (int c : counts) CHECK(std::abs(c - 1000) < 150);
  NormalSource again(42);
  CHECK(again.normal() == NormalSource(42).normal());
}

TEST_CASE("exact_decimal_string writes the exact value of a binary64", "[baseline]") {
  CHECK(exact_decimal_string(0.0) == "0");
  CHECK(exact_decimal_string(3.0) == "3");
  CHECK(exact_decimal_string(-0.15625) == "-0.15625");
  CHECK(exact_decimal_string(0x1p70) == "1180591620717411303424");
  CHECK(exact_decimal_string(0.1) == "0.1000000000000000055511151231257827021181583404541015625");
  std::mt19937_64 rng(3);
  for (int i = 0; i < 200; ++i) {
    const double x = std::ldexp(static_cast<double>(rng() >> 11) - 0x1p52, static_cast<int>(rng() % 200) - 150);
    const std::string s = exact_decimal_string(x);
    // Read back: digits / 10^k must equal x exactly.
    const std::size_t point = s.find('.');
    std::string digits = s;
    std::size_t k = 0;
    if (point != std::string::npos) {
      digits.erase(point, 1);
      k = s.size() - point - 1;
    }
    const bool negative = digits[0] == '-';
    if (negative) digits.erase(0, 1);
    digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size() - 1));  // no octal reading
    if (negative) digits.insert(0, "-");
    Integer ten = 1;
    for (std::size_t j = 0; j < k; ++j) ten *= 10;
    CHECK(Rational(Integer(digits), ten) == to_rational(x));
  }
}
