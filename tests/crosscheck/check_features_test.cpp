// SPDX-License-Identifier: MIT
// Their design matrix against the exact features (Lemma X1 (b)) and its slips (Lemmas X2-X4),
// each constructed here from an independent computation of phi rounded to binary64.
#include <catch2/catch.hpp>

#include <cmath>

#include "crosscheck/crosscheck_support.hpp"
#include "mhla/crosscheck/check_features.hpp"
#include "mhla/features/features.hpp"
#include "mhla/support/error.hpp"

using namespace mhla;

namespace {

// Folded features phi[(j <= k, l)] = s(j, k) G[j][k] z_b[l] with G over tokens [0, last(b)),
// through f (a rounding) into an npz array of their values.
npz::Array their_features(const Dataset& ds, std::function<std::size_t(std::size_t b, std::size_t n)> last,
                          std::function<double(std::size_t j, std::size_t k, const Rational& phi)> f) {
  npz::Array a;
  a.descr = "<f8";
  const std::size_t d = ds.d;
  std::size_t rows = 0;
  for (const Sample& s : ds.samples)
    for (std::size_t b = 0; b < s.Z.cols(); ++b) {
      ++rows;
      for (std::size_t j = 0; j < d; ++j)
        for (std::size_t k = j; k < d; ++k)
          for (std::size_t l = 0; l < d; ++l) {
            Rational g = 0;
            for (std::size_t m = 0; m < last(b, s.Z.cols()); ++m) g += s.Z(j, m) * s.Z(k, m);
            a.values.push_back(to_rational(f(j, k, g * s.Z(l, b))));
          }
    }
  a.shape = {rows, feature_dim(d)};
  return a;
}

bool mentions(const OrderedJson& list, const std::string& what) {
  for (const auto& e : list)
    if (e.get<std::string>().find(what) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("Lemma X3: feature slips (doubled off-diagonal, masks, 1/n, lower precision, isolated) are named", "[crosscheck]") {
  std::mt19937_64 rng(4);
  Dataset ds = test::random_inputs(rng, 3, 5, 3);
  ds.causal = true;
  auto prefix = [](std::size_t b, std::size_t) { return b + 1; };
  auto plain = [](std::size_t, std::size_t, const Rational& p) { return to_binary64(p); };
  OrderedJson ok;
  CHECK(crosscheck::check_features(ds, their_features(ds, prefix, plain), {}, ok).beyond == 0);
  CHECK(ok["entries"] == 3 * 5 * 18);
  auto named = [&](const npz::Array& a, const std::string& what) {
    OrderedJson doc;
    CHECK(crosscheck::check_features(ds, a, {}, doc).beyond > 0);
    INFO(doc["explanations"].dump());
    CHECK(mentions(doc["explanations"], what));
  };
  named(their_features(ds, prefix, [](std::size_t j, std::size_t k, const Rational& p) { return to_binary64(j == k ? p : 2 * p); }),
        "off-diagonal terms (j != k) are doubled");
  named(their_features(ds, prefix, [](std::size_t j, std::size_t k, const Rational& p) { return to_binary64(j == k ? p : p / 2); }),
        "off-diagonal terms (j != k) are halved");
  named(their_features(ds, [](std::size_t, std::size_t n) { return n; }, plain), "the full-sequence Gram");
  named(their_features(ds, [](std::size_t b, std::size_t) { return b; }, plain), "a causal mask off by one");
  named(their_features(ds, prefix, [](std::size_t, std::size_t, const Rational& p) { return to_binary64(p) / 5; }),
        "c = 1/5 (2e-1), found exactly; c = 1/n (n = 5)");
  named(their_features(ds, prefix, [](std::size_t, std::size_t, const Rational& p) { return double(float(to_binary64(p))); }),
        "within the float32 rounding bound");
  npz::Array one = their_features(ds, prefix, plain);
  one.values[40] += 1;
  named(one, "a few isolated wrong entries (1 of 270, every other entry within its bound): row 2 column 4");
  // One row per sample against a dataset whose targets are every position: the reason is said.
  npz::Array last = one;
  last.shape = {3, 18};
  last.values.resize(3 * 18);
  OrderedJson doc;
  try {
    crosscheck::check_features(ds, last, {"auto", 10, "phi.npz"}, doc);
    FAIL("accepted a wrong shape");
  } catch (const Error& e) {
    const std::string m = e.what();
    CHECK(m.find("phi.npz: Phi: got shape (3, 18); expected (15, 18) or (15, 27)") != std::string::npos);
    CHECK(m.find("one per target position") != std::string::npos);
    CHECK(m.find("--positions last") != std::string::npos);
  }
}
