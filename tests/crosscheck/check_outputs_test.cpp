// SPDX-License-Identifier: MIT
// The crosscheck library (proofs-notes/09-crosscheck.md): outputs rounded to binary64 pass
// against the Lemma X1 bound; slipped outputs are flagged and explained.
#include <catch2/catch.hpp>

#include "crosscheck/crosscheck_support.hpp"

using namespace mhla;

namespace {

bool mentions(const OrderedJson& list, const std::string& what) {
  for (const auto& e : list)
    if (e.get<std::string>().find(what) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("Lemma X1: library check_outputs passes rounded outputs and flags a transposed Q", "[crosscheck]") {
  std::mt19937_64 rng(5);
  for (bool causal : {false, true}) {
    const Model<Rational> model = test::random_model(rng, 3, 2, causal, 2, 1);
    const Dataset inputs = test::random_inputs(rng, 3, 4, 3);
    OrderedJson doc;
    const crosscheck::CheckCounts c = crosscheck::check_outputs(model, inputs, test::rounded_outputs(model, inputs), {}, doc);
    CHECK(c.checked == 3 * 4 * 3);
    CHECK(c.beyond == 0);
    CHECK(doc["dtype"] == "float64");
    Model<Rational> tq = model;
    for (Head<Rational>& h : tq.heads) h.Q = transpose(h.Q);
    OrderedJson bad;
    const crosscheck::CheckCounts b = crosscheck::check_outputs(model, inputs, test::rounded_outputs(tq, inputs), {}, bad);
    CHECK(b.beyond > 0);
    INFO(bad["explanations"].dump());
    CHECK(mentions(bad["explanations"], "transposed Q"));
  }
}
