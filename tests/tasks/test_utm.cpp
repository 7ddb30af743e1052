// SPDX-License-Identifier: MIT
// The universal Turing machine as one exact MHLA layer (Lemmas T6-T9): sampled machines of
// the class, the sparse run against dense exact evaluation, the simulator on hand-checked runs.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "mhla/features/exact_fast.hpp"
#include "mhla/tasks/utm.hpp"

using namespace mhla;
using namespace mhla::tasks;

namespace {

std::vector<std::size_t> input_by_index(std::size_t S, std::size_t n, std::size_t code) {
  std::vector<std::size_t> x(n);
  for (std::size_t i = 0; i < n; ++i, code /= S) x[i] = code % S;
  return x;
}

// The model's autoregressive run from the prompt equals the history, then emits 0.
void check_history(const SparseIntModel& sm, const UtmLayout& lay, const Tm& tm, const std::vector<std::size_t>& x) {
  const auto tokens = utm_history_tokens(tm, lay, x);
  REQUIRE(tokens.size() == lay.history_length());
  const std::vector<std::vector<std::size_t>> prompt(tokens.begin(), tokens.begin() + static_cast<long>(lay.prompt_length()));
  bool exact = false;
  const auto emitted = run_autoregressive_sparse(sm, prompt, tokens.size() - prompt.size() + 1, exact);
  REQUIRE(exact);
  REQUIRE(emitted.size() == tokens.size() - prompt.size() + 1);
  for (std::size_t k = 0; k + 1 < emitted.size(); ++k) {
    std::vector<std::size_t> want = tokens[prompt.size() + k];
    std::sort(want.begin(), want.end());
    REQUIRE(emitted[k] == want);
  }
  REQUIRE(emitted.back().empty());
}

}  // namespace

TEST_CASE("Lemma T6: run_tm follows delta, writes, moves and stays on cell 0 for L", "[tasks][utm]") {
  // q0: a0 -> (q1, a1, R); a1 -> (q0, a0, L).  q1: a0 -> (q0, a1, L); a1 -> (q1, a1, R).
  Tm tm{2, 2, {{TmRule{1, 1, 1}, TmRule{0, 0, 0}}, {TmRule{0, 1, 0}, TmRule{1, 1, 1}}}};
  const auto c = run_tm(tm, {0, 1}, 4);
  REQUIRE(c.size() == 5);
  CHECK(c[0].tape == std::vector<std::size_t>{0, 1, 0, 0, 0, 0});
  CHECK((c[1].tape == std::vector<std::size_t>{1, 1, 0, 0, 0, 0} && c[1].head == 1 && c[1].state == 1));
  CHECK((c[2].tape == std::vector<std::size_t>{1, 1, 0, 0, 0, 0} && c[2].head == 2 && c[2].state == 1));
  CHECK((c[3].tape == std::vector<std::size_t>{1, 1, 1, 0, 0, 0} && c[3].head == 1 && c[3].state == 0));
  CHECK((c[4].tape == std::vector<std::size_t>{1, 0, 1, 0, 0, 0} && c[4].head == 0 && c[4].state == 0));
  const auto c5 = run_tm(tm, {0, 1}, 5);  // q0 on a1 at cell 0 moves L: stays on cell 0
  CHECK((c5[5].tape == std::vector<std::size_t>{0, 0, 1, 0, 0, 0, 0} && c5[5].head == 0 && c5[5].state == 0));
  CHECK(utm_text_line(tm, {0, 1}, 1) ==
        "( q0 a0 q1 a1 R ) ( q0 a1 q0 a0 L ) ( q1 a0 q0 a1 L ) ( q1 a1 q1 a1 R ) | a0 a1 | [q0]a0 a1 a0 # a1 [q1]a1 a0\n");
  // machine_by_index is a bijection onto the class: distinct indices give distinct tables.
  CHECK(machine_count(2, 2) == 4096);
  std::set<std::vector<std::size_t>> seen;
  for (std::uint64_t k = 0; k < 4096; ++k) {
    const Tm m = machine_by_index(2, 2, k);
    std::vector<std::size_t> codes;
    const UtmLayout lay{2, 2, 1, 1};
    for (const auto& row : m.delta)
      for (const TmRule& r : row) codes.push_back(lay.code(r));
    seen.insert(codes);
  }
  CHECK(seen.size() == 4096);
}

TEST_CASE("Lemma T7: the universal model emits the history of sampled machines exactly", "[tasks][utm]") {
  struct Size {
    std::size_t Q, S, n, T, machines;
  };
  Rng rng(14);
  std::size_t runs = 0;
  for (const Size z : {Size{2, 2, 1, 1, 4096}, Size{2, 2, 3, 4, 40}, Size{2, 2, 2, 3, 60}, Size{3, 2, 2, 3, 20}, Size{2, 3, 2, 2, 20}}) {
    const UtmLayout lay{z.Q, z.S, z.n, z.T};
    const Model<Rational> model = utm_model(lay);
    REQUIRE(model.d == lay.dim());
    REQUIRE(model.heads.size() == lay.heads());
    const SparseIntModel sm = sparse_int_model(model);
    std::size_t inputs = 1;
    for (std::size_t i = 0; i < z.n; ++i) inputs *= z.S;
    for (std::size_t k = 0; k < z.machines; ++k) {
      const Tm tm = z.machines == machine_count(z.Q, z.S) ? machine_by_index(z.Q, z.S, k) : random_tm(rng, z.Q, z.S);
      for (std::size_t code = 0; code < inputs; ++code) {
        check_history(sm, lay, tm, input_by_index(z.S, z.n, code));
        ++runs;
      }
    }
  }
  CHECK(runs == 4096 * 2 + 40 * 8 + 60 * 4 + 20 * 4 + 20 * 9);
}

TEST_CASE("Lemma T9: the sparse run equals dense exact evaluation on every prefix", "[tasks][utm]") {
  const UtmLayout lay{2, 2, 1, 2};
  const Model<Rational> model = utm_model(lay);
  const SparseIntModel sm = sparse_int_model(model);
  // Entries are 0/1 integers and so are the tokens: Int128 output_column is exact (Lemma M1).
  const Model<Int128> m128 =
      convert_model<Int128>(model, [](const Rational& x) { return static_cast<Int128>(static_cast<long long>(x)); });
  Rng rng(5);
  for (int k = 0; k < 4; ++k) {
    const Tm tm = random_tm(rng, 2, 2);
    const std::vector<std::size_t> x{static_cast<std::size_t>(k % 2)};
    const auto tokens = utm_history_tokens(tm, lay, x);
    for (std::size_t n = lay.prompt_length(); n <= tokens.size(); ++n) {
      Matrix<Int128> Z(lay.dim(), n);
      for (std::size_t c = 0; c < n; ++c)
        for (std::size_t i : tokens[c]) Z(i, c) = 1;
      const std::vector<Int128> y = output_column(m128, gram(Z), Z, n - 1);
      const std::vector<std::vector<std::size_t>> prefix(tokens.begin(), tokens.begin() + static_cast<long>(n));
      bool exact = false;
      const auto next = run_autoregressive_sparse(sm, prefix, 1, exact);
      REQUIRE(exact);
      for (std::size_t a = 0; a < lay.dim(); ++a) {
        const bool one = std::find(next[0].begin(), next[0].end(), a) != next[0].end();
        REQUIRE(y[a] == (one ? 1 : 0));
        if (n < tokens.size()) {
          const bool want = std::find(tokens[n].begin(), tokens[n].end(), a) != tokens[n].end();
          REQUIRE(one == want);
        }
      }
      if (k == 0 && (n == lay.prompt_length() + 4 || n == tokens.size() - 1)) {  // the Rational path too
        const Matrix<Rational> Y = evaluate_exact(model, convert<Rational>(Z, [](Int128 v) { return Rational(static_cast<long long>(v)); }));
        for (std::size_t a = 0; a < lay.dim(); ++a) REQUIRE(Y(a, n - 1) == Rational(static_cast<long long>(y[a])));
      }
    }
  }
  // A non-0/1 output is reported, not rounded: two copies of the same table token double a score.
  bool exact = true;
  auto tokens = utm_history_tokens(machine_by_index(2, 2, 7), lay, {0});
  std::vector<std::vector<std::size_t>> prompt(tokens.begin(), tokens.begin() + static_cast<long>(lay.prompt_length()));
  prompt.insert(prompt.begin(), tokens[0]);
  prompt.insert(prompt.begin(), tokens[1]);
  prompt.insert(prompt.begin(), tokens[2]);
  prompt.insert(prompt.begin(), tokens[3]);
  (void)run_autoregressive_sparse(sm, prompt, 3, exact);
  CHECK(!exact);
  Model<Rational> bad = model;
  bad.heads[0].V(0, 0) = Rational(1, 2);
  CHECK_THROWS_AS(sparse_int_model(bad), Error);
}

TEST_CASE("Lemma T7: the table is read from the tokens: another table gives another history", "[tasks][utm]") {
  const UtmLayout lay{2, 2, 2, 3};
  const SparseIntModel sm = sparse_int_model(utm_model(lay));
  const Tm a = machine_by_index(2, 2, 100), b = machine_by_index(2, 2, 101);  // differ in entry (q0, a0)
  const auto ta = utm_history_tokens(a, lay, {0, 0}), tb = utm_history_tokens(b, lay, {0, 0});
  CHECK(ta != tb);
  check_history(sm, lay, a, {0, 0});
  check_history(sm, lay, b, {0, 0});
}

TEST_CASE("generate utm: every sample's target is the construction's output on the prefix", "[tasks][utm]") {
  const UtmLayout lay{2, 2, 2, 2};
  Rng rng(3);
  const Tm tm = random_tm(rng, 2, 2);
  Dataset ds{lay.dim(), false, {}};
  append_utm_samples(ds, tm, lay, {1, 0});
  REQUIRE(ds.samples.size() == lay.T * (lay.W() + 3));
  const SparseIntModel sm = sparse_int_model(utm_model(lay));
  for (const Sample& s : ds.samples) {
    std::vector<std::vector<std::size_t>> prefix;
    for (std::size_t c = 0; c < s.Z.cols(); ++c) {
      std::vector<std::size_t> z;
      for (std::size_t i = 0; i < lay.dim(); ++i)
        if (s.Z(i, c) == 1) z.push_back(i);
      prefix.push_back(z);
    }
    bool exact = false;
    const auto next = run_autoregressive_sparse(sm, prefix, 1, exact);
    REQUIRE(exact);
    REQUIRE(s.targets[0].position == s.Z.cols() - 1);
    for (std::size_t a = 0; a < lay.dim(); ++a) {
      const bool one = std::find(next[0].begin(), next[0].end(), a) != next[0].end();
      REQUIRE(*s.targets[0].y[a] == (one ? 1 : 0));
    }
  }
}
