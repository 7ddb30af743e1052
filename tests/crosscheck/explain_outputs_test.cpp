// SPDX-License-Identifier: MIT
// Each common slip, constructed in binary64 (or rounded to a narrower format) from the exact
// outputs, is recognised by name (proofs-notes/09-crosscheck.md, Lemmas X2-X4).
#include <catch2/catch.hpp>

#include <cmath>

#include "crosscheck/crosscheck_support.hpp"
#include "mhla/crosscheck/explain_outputs.hpp"

using namespace mhla;

namespace {

bool mentions(const OrderedJson& list, const std::string& what) {
  for (const auto& e : list)
    if (e.get<std::string>().find(what) != std::string::npos) return true;
  return false;
}

// x rounded to nearest with p significand bits (ties to even; no exponent limits).
double round_to_bits(double x, int p) {
  if (x == 0) return 0;
  int e;
  std::frexp(x, &e);
  const double scale = std::ldexp(1.0, p - e);
  return std::nearbyint(x * scale) / scale;
}

crosscheck::TheirOutputs through(const std::vector<Matrix<Rational>>& Y, const std::function<double(const Rational&)>& f) {
  crosscheck::TheirOutputs t;
  t.dtype = "float64";
  for (Matrix<Rational> m : Y) {
    for (Rational& y : m.data()) y = to_rational(f(y));
    t.Y.push_back(std::move(m));
  }
  return t;
}

std::vector<Matrix<Rational>> exact_of(const Model<Rational>& model, const Dataset& inputs, crosscheck::Mask mask) {
  std::vector<Matrix<Rational>> Y;
  for (const Sample& s : inputs.samples) Y.push_back(crosscheck::masked_outputs(model, s.Z, mask)[0]);
  return Y;
}

}  // namespace

TEST_CASE("Lemma X2: a constant factor is found exactly, with every decomposition", "[crosscheck]") {
  std::mt19937_64 rng(21);
  // The authors' SGD forward pass: 1/(H sqrt(d)) with a causal mask, d = 4, H = 2; the model
  // file already holds 1/H, so their outputs are the model's times 1/sqrt(d) = 1/2 = 1/H.
  const Model<Rational> model = test::random_model(rng, 4, 2, true, 2, 1);
  const Dataset inputs = test::random_inputs(rng, 4, 5, 3);
  const std::vector<Matrix<Rational>> Y = exact_of(model, inputs, crosscheck::Mask::prefix);
  for (std::size_t i = 0; i < Y.size(); ++i)  // masked_outputs agrees with evaluate_exact (causal)
    CHECK(Y[i] == evaluate_exact(model, inputs.samples[i].Z));
  OrderedJson doc;
  const auto half = through(Y, [](const Rational& y) { return to_binary64(y) / 2; });
  CHECK(crosscheck::check_outputs(model, inputs, half, {}, doc).beyond > 0);
  INFO(doc["explanations"].dump());
  REQUIRE(doc.contains("constant_factor"));
  CHECK(doc["constant_factor"]["c"] == "1/2");
  CHECK(doc["constant_factor"]["exact"] == true);
  CHECK(doc["constant_factor"]["decompositions"] == OrderedJson::array({"1/H (H = 2)", "1/sqrt(d) (d = 4)"}));
  CHECK(!mentions(doc["explanations"], "divided by H"));
  // 1/(H sqrt(d)) = 1/4 with d_k = 16 given: three decompositions, two-factor ones included.
  OrderedJson q;
  const auto quarter = through(Y, [](const Rational& y) { return to_binary64(y) / 4; });
  crosscheck::check_outputs(model, inputs, quarter, {"auto", 10, "t", 16, std::nullopt, 0}, q);
  CHECK(q["constant_factor"]["c"] == "1/4");
  const OrderedJson& dec = q["constant_factor"]["decompositions"];
  CHECK(mentions(dec, "1/(H sqrt(d)) (H = 2, d = 4)"));
  CHECK(mentions(dec, "1/sqrt(d_k) (d_k = 16)"));
  // A factor that is no named product is still found, as a simple rational.
  OrderedJson r;
  const auto three_sevenths = through(Y, [](const Rational& y) { return to_binary64(y * 3 / 7); });
  crosscheck::check_outputs(model, inputs, three_sevenths, {}, r);
  CHECK(r["constant_factor"]["c"] == "3/7");
  CHECK(r["constant_factor"]["decompositions"].empty());
}

TEST_CASE("Lemma X2: an irrational 1/sqrt(d) is matched within the bound through an enclosure", "[crosscheck]") {
  std::mt19937_64 rng(8);
  const Model<Rational> model = test::random_model(rng, 3, 2, false, 2, 1);
  const Dataset inputs = test::random_inputs(rng, 3, 4, 3);
  const auto Y = exact_of(model, inputs, crosscheck::Mask::full);
  for (const bool f32 : {false, true}) {
    OrderedJson doc;
    const auto t = through(Y, [&](const Rational& y) {
      return f32 ? double(float(to_binary64(y)) / std::sqrt(3.0f)) : to_binary64(y) / std::sqrt(3.0);
    });
    crosscheck::check_outputs(model, inputs, t, {f32 ? "float32" : "float64", 10, "t", std::nullopt, std::nullopt, 0}, doc);
    INFO(doc["explanations"].dump());
    REQUIRE(doc.contains("constant_factor"));
    CHECK(doc["constant_factor"]["c"] == "1/sqrt(3)");
    CHECK(doc["constant_factor"]["exact"] == false);
    CHECK(doc["constant_factor"]["decompositions"] == OrderedJson::array({"1/sqrt(d) (d = 3)"}));
    CHECK(mentions(doc["explanations"], "never exactly"));
    // The enclosure really encloses 1/sqrt(3): lo^2 <= 1/3 <= hi^2.
    const Rational lo(doc["constant_factor"]["enclosure"][0].get<std::string>()),
        hi(doc["constant_factor"]["enclosure"][1].get<std::string>());
    CHECK(lo * lo <= Rational(1, 3));
    CHECK(hi * hi >= Rational(1, 3));
  }
}

TEST_CASE("Lemma X3: an off-by-one causal mask, a transposed V, swapped V and Q are named", "[crosscheck]") {
  std::mt19937_64 rng(13);
  const Model<Rational> model = test::random_model(rng, 3, 2, true, 2, 1);
  const Dataset inputs = test::random_inputs(rng, 3, 5, 3);
  auto named = [&](const Model<Rational>& theirs_model, crosscheck::Mask mask, const std::string& what) {
    OrderedJson doc;
    const auto t = through(exact_of(theirs_model, inputs, mask), [](const Rational& y) { return to_binary64(y); });
    CHECK(crosscheck::check_outputs(model, inputs, t, {}, doc).beyond > 0);
    INFO(doc["explanations"].dump());
    CHECK(mentions(doc["explanations"], what));
  };
  named(model, crosscheck::Mask::strict_prefix, "a causal mask off by one");
  named(model, crosscheck::Mask::full, "full-sequence Gram");
  Model<Rational> tv = model, sw = model;
  for (Head<Rational>& h : tv.heads) h.V = transpose(h.V);
  for (Head<Rational>& h : sw.heads) std::swap(h.V, h.Q);
  named(tv, crosscheck::Mask::prefix, "a transposed V");
  named(sw, crosscheck::Mask::prefix, "V and Q swapped");
}

TEST_CASE("Lemma X4: lower precision saved as float64, and isolated wrong entries, are named", "[crosscheck]") {
  std::mt19937_64 rng(17);
  const Model<Rational> model = test::random_model(rng, 3, 2, false, 2, 1);
  const Dataset inputs = test::random_inputs(rng, 3, 6, 4);
  const auto Y = exact_of(model, inputs, crosscheck::Mask::full);
  const struct {
    int bits;
    const char* name;
    const char* dtype;
  } formats[] = {{24, "float32", "float32"}, {11, "float16 or TF32", "float16"}, {8, "bfloat16", "bfloat16"}};
  for (const auto& f : formats) {
    const auto t = through(Y, [&](const Rational& y) { return round_to_bits(to_binary64(y), f.bits); });
    OrderedJson doc;
    CHECK(crosscheck::check_outputs(model, inputs, t, {}, doc).beyond > 0);
    INFO(doc["explanations"].dump());
    CHECK(mentions(doc["explanations"], std::string("within the ") + f.name + " rounding bound"));
    CHECK(mentions(doc["explanations"], std::string("exactly a ") + f.name + " number"));
    OrderedJson as_declared;  // with --dtype naming the format, every entry passes
    CHECK(crosscheck::check_outputs(model, inputs, t, {f.dtype, 10, "t", std::nullopt, std::nullopt, 0}, as_declared).beyond == 0);
    CHECK(as_declared["unit_roundoff"] == "2^-" + std::to_string(f.bits));
  }
  CHECK(crosscheck::precision_bits("tf32") == 11);
  CHECK(crosscheck::precision_bits("bfloat16") == 8);
  // Two entries wrong by 1%: listed with their places.
  auto t = through(Y, [](const Rational& y) { return to_binary64(y); });
  t.Y[2](1, 4) *= Rational(101, 100);
  t.Y[3](0, 0) += 1;
  OrderedJson doc;
  CHECK(crosscheck::check_outputs(model, inputs, t, {}, doc).beyond == 2);
  INFO(doc["explanations"].dump());
  REQUIRE(!doc["explanations"].empty());
  CHECK(doc["explanations"][0].get<std::string>().find("a few isolated wrong entries (2 of 72") != std::string::npos);
  CHECK(mentions(doc["explanations"], "sample 2 position 4 a 1, sample 3 position 0 a 0"));
  CHECK(!doc.contains("constant_factor"));
}

TEST_CASE("Lemma X2: named_decompositions lists every product and representable is exact", "[crosscheck]") {
  const crosscheck::NamedSizes s{4, 2, 8, 16};
  // 1/16: every product with square 1/256 (H = 2, n = 8, sqrt(d) = 2, sqrt(d_k) = 4).
  const auto dec = crosscheck::named_decompositions(Rational(1, 256), s);
  CHECK(std::find(dec.begin(), dec.end(), "1/(H n) (H = 2, n = 8)") != dec.end());
  CHECK(std::find(dec.begin(), dec.end(), "1/(H sqrt(d) sqrt(d_k)) (H = 2, d = 4, d_k = 16)") != dec.end());
  CHECK(std::find(dec.begin(), dec.end(), "1/(n sqrt(d)) (n = 8, d = 4)") != dec.end());
  CHECK(crosscheck::named_decompositions(Rational(1, 9), s).empty());
  CHECK(crosscheck::representable(Rational(3, 8), 2));
  CHECK(!crosscheck::representable(Rational(5, 8), 2));
  CHECK(!crosscheck::representable(Rational(1, 3), 53));
  CHECK(crosscheck::representable(to_rational(0.1), 53));
  CHECK(!crosscheck::representable(to_rational(0.1), 24));
}
