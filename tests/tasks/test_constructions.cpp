// SPDX-License-Identifier: MIT
// The associative-memory and DFA constructions (Lemmas T1, T2) and the rank deficiency of
// one-hot traces (Lemma T3).
#include <catch2/catch.hpp>

#include "mhla/features/dataset.hpp"
#include "mhla/features/exact_fast.hpp"
#include "mhla/features/features.hpp"
#include "mhla/tasks/assoc.hpp"
#include "mhla/tasks/dfa.hpp"
#include "mhla/tasks/random_task.hpp"

using namespace mhla;
using namespace mhla::tasks;

namespace {

bool orthonormal_columns(const Matrix<Rational>& Z, std::size_t m, std::size_t row0) {
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < m; ++j) {
      Rational s = 0;
      for (std::size_t r = 0; r < m; ++r) s += Z(row0 + r, i) * Z(row0 + r, j);
      if (s != (i == j ? 1 : 0)) return false;
    }
  return true;
}

}  // namespace

TEST_CASE("Lemma T1: assoc targets are the construction's exact outputs, with the |q|^2 zeta term", "[tasks][assoc]") {
  for (const char* keys : {"orthogonal", "gaussian", "normalized", "mixture:1/2"}) {
    for (std::size_t m = 1; m <= 3; ++m) {
      INFO(keys << ", m = " << m);
      const KeySpec spec = parse_key_spec(keys);
      const Dataset ds = generate_assoc(m, spec, 40, 9);
      REQUIRE(ds.d == 2 * m);
      const Model<Rational> model = assoc_model(m);
      int orthogonal_samples = 0;
      for (const Sample& s : ds.samples) {
        REQUIRE(s.Z.rows() == 2 * m);
        REQUIRE(s.Z.cols() == m + 1);
        REQUIRE(s.targets.size() == 1);
        const Target& t = s.targets[0];
        REQUIRE(t.position == m);
        const Matrix<Rational> Y = evaluate_exact(model, s.Z);
        // q is one of the keys.
        bool q_is_key = false;
        for (std::size_t j = 0; j < m; ++j) {
          bool same = true;
          for (std::size_t i = 0; i < m; ++i) same = same && s.Z(i, j) == s.Z(i, m);
          q_is_key = q_is_key || same;
        }
        CHECK(q_is_key);
        // The formula of Lemma T1, computed independently of the model.
        Rational q2 = 0;
        for (std::size_t i = 0; i < m; ++i) q2 += s.Z(i, m) * s.Z(i, m);
        for (std::size_t a = 0; a < 2 * m; ++a) {
          if (a < m) {
            CHECK(!t.y[a]);
            CHECK(Y(a, m) == 0);
            continue;
          }
          Rational expected = q2 * s.Z(a, m);
          for (std::size_t j = 0; j < m; ++j) {
            Rational qk = 0;
            for (std::size_t i = 0; i < m; ++i) qk += s.Z(i, m) * s.Z(i, j);
            expected += qk * s.Z(a, j);
          }
          REQUIRE(t.y[a]);
          CHECK(*t.y[a] == Y(a, m));
          CHECK(*t.y[a] == expected);
        }
        if (orthonormal_columns(s.Z, m, 0) && orthonormal_columns(s.Z, m, m)) ++orthogonal_samples;
      }
      const std::string k = keys;
      if (k == "orthogonal") CHECK(orthogonal_samples == 40);
      if (k == "gaussian" || (k == "normalized" && m > 1)) CHECK(orthogonal_samples == 0);
      if (k == "mixture:1/2" && m > 1) {
        CHECK(orthogonal_samples > 5);
        CHECK(orthogonal_samples < 35);
      }
    }
  }
  CHECK_THROWS_AS(parse_key_spec("foo"), Error);
  CHECK_THROWS_AS(parse_key_spec("mixture:3/2"), Error);
  CHECK_THROWS_AS(parse_key_spec("mixture:x"), Error);
}

TEST_CASE("Lemma T1: with orthonormal keys the lookup returns the chosen value plus |q|^2 zeta", "[tasks][assoc]") {
  const Dataset ds = generate_assoc(3, parse_key_spec("orthogonal"), 20, 5);
  for (const Sample& s : ds.samples) {
    std::size_t chosen = 3;
    for (std::size_t j = 0; j < 3; ++j)
      if (s.Z(0, j) == s.Z(0, 3) && s.Z(1, j) == s.Z(1, 3) && s.Z(2, j) == s.Z(2, 3)) chosen = j;
    REQUIRE(chosen < 3);
    for (std::size_t a = 3; a < 6; ++a) CHECK(*s.targets[0].y[a] == s.Z(a, chosen) + s.Z(a, 3));  // |q|^2 = 1
  }
}

TEST_CASE("generate random: targets are the model's exact outputs at the chosen positions", "[tasks][random]") {
  for (bool causal : {false, true})
    for (bool all : {false, true}) {
      RandomTaskOptions o;
      o.d = 3;
      o.heads = 2;
      o.tokens = 4;
      o.samples = 5;
      o.causal = causal;
      o.all_positions = all;
      o.seed = 11;
      const RandomTask task = generate_random(o);
      CHECK(task.model.causal == causal);
      CHECK(task.dataset.causal == causal);
      for (const Sample& s : task.dataset.samples) {
        const Matrix<Rational> Y = evaluate_exact(task.model, s.Z);
        REQUIRE(s.targets.size() == (all ? 4u : 1u));
        for (const Target& t : s.targets)
          for (std::size_t a = 0; a < 3; ++a) CHECK(*t.y[a] == Y(a, t.position));
        for (const Rational& z : s.Z.data()) CHECK((z >= -3 && z <= 3 && denominator(z) == 1));
      }
      // Noise moves every target, by binary64 values.
      o.noise = 0.5;
      const RandomTask noisy = generate_random(o);
      const Matrix<Rational> Y = evaluate_exact(noisy.model, noisy.dataset.samples[0].Z);
      CHECK(*noisy.dataset.samples[0].targets[0].y[0] != Y(0, noisy.dataset.samples[0].targets[0].position));
    }
  CHECK_THROWS_AS(parse_entry_spec("int:-1"), Error);
  CHECK_THROWS_AS(parse_entry_spec("int:"), Error);
  CHECK(parse_entry_spec("int:0").range == 0);
}

namespace {

// Autoregressive run of the constructed model on the prompt of w (integer arithmetic: the model
// and the tokens are 0/1, so Int128 evaluation is exact); checks each emitted token.
void check_autoregressive(const Dfa& dfa, std::size_t L, const Model<Int128>& model, const std::vector<std::size_t>& w,
                          bool also_rational, const Model<Rational>& exact_model) {
  const DfaLayout lay{dfa.states, dfa.alphabet, L};
  const auto tokens = dfa_trace_tokens(dfa, lay, w);
  const std::size_t d = lay.dim(), prompt = dfa_prompt_length(lay, w.size());
  REQUIRE(tokens.size() == prompt + 2 * w.size());
  Matrix<Int128> Z = convert<Int128>(tokens_matrix(tokens, d, prompt), [](const Rational& x) { return static_cast<Int128>(x == 1); });
  for (std::size_t step = 0; step <= 2 * w.size(); ++step) {
    const std::vector<Int128> y = output_column(model, gram(Z), Z, Z.cols() - 1);
    std::vector<Int128> expected(d, 0);
    if (step < 2 * w.size())
      for (std::size_t i : tokens[prompt + step]) expected[i] = 1;
    REQUIRE(y == expected);  // after the last state token: the zero vector
    if (also_rational) {
      const Matrix<Rational> Zr = convert<Rational>(Z, [](Int128 x) { return Rational(static_cast<long long>(x)); });
      const Matrix<Rational> Y = evaluate_exact(exact_model, Zr);
      for (std::size_t a = 0; a < d; ++a) REQUIRE(Y(a, Z.cols() - 1) == Rational(static_cast<long long>(expected[a])));
    }
    Matrix<Int128> next(d, Z.cols() + 1);
    for (std::size_t i = 0; i < d; ++i) {
      for (std::size_t t = 0; t < Z.cols(); ++t) next(i, t) = Z(i, t);
      next(i, Z.cols()) = y[i];
    }
    Z = std::move(next);
  }
}

}  // namespace

TEST_CASE("Lemma T2: the DFA construction emits exactly the pair and state tokens, exhaustively", "[tasks][dfa]") {
  struct Config {
    std::size_t S, A, L;
  };
  Rng rng(2024);
  std::size_t words_checked = 0;
  for (const Config c : {Config{2, 2, 3}, Config{3, 2, 4}}) {
    for (int family = 0; family < 6; ++family) {
      const Dfa dfa = random_dfa(rng, c.S, c.A);
      const Model<Rational> model = dfa_model(dfa, c.L);
      REQUIRE(model.heads.size() == c.S + c.L);
      REQUIRE(model.d == c.S * c.A + c.S + c.L * c.A + (c.L + 1) * c.S + c.L * c.S * c.A);
      const Model<Int128> m128 =
          convert_model<Int128>(model, [](const Rational& x) { return static_cast<Int128>(static_cast<long long>(x)); });
      for (std::size_t l = 0; l <= c.L; ++l) {
        std::size_t count = 1;
        for (std::size_t i = 0; i < l; ++i) count *= c.A;
        for (std::size_t code = 0; code < count; ++code) {
          std::vector<std::size_t> w(l);
          for (std::size_t i = 0, x = code; i < l; ++i, x /= c.A) w[i] = x % c.A;
          check_autoregressive(dfa, c.L, m128, w, family == 0, model);
          ++words_checked;
        }
      }
    }
  }
  CHECK(words_checked == 6 * (1 + 2 + 4 + 8) + 6 * (1 + 2 + 4 + 8 + 16));
}

TEST_CASE("Lemma T2: a wrong transition table is caught by the autoregressive check", "[tasks][dfa]") {
  // The model built for one DFA, run on the trace of another: some emitted state differs.
  const Dfa right{2, 2, {{1, 0}, {0, 1}}}, wrong{2, 2, {{1, 0}, {1, 1}}};
  const Model<Rational> model = dfa_model(right, 3);
  const DfaLayout lay{2, 2, 3};
  const std::vector<std::size_t> w{0, 0, 1};
  const auto expected = dfa_trace_tokens(wrong, lay, w);  // what the wrong DFA would do
  const auto actual = dfa_trace_tokens(right, lay, w);
  CHECK(expected != actual);
  // Prompt of the right DFA; the model's next tokens follow the right DFA.
  Matrix<Rational> Z = tokens_matrix(actual, lay.dim(), actual.size() - 1);
  const Matrix<Rational> Y = evaluate_exact(model, Z);
  for (std::size_t a = 0; a < lay.dim(); ++a) {
    const bool one = std::find(actual.back().begin(), actual.back().end(), a) != actual.back().end();
    CHECK(Y(a, Z.cols() - 1) == (one ? 1 : 0));
  }
}

TEST_CASE("generate dfa: every sample's target is the construction's output on the prefix", "[tasks][dfa]") {
  Rng rng(7);
  const Dfa dfa = random_dfa(rng, 3, 2);
  const DfaLayout lay{3, 2, 3};
  Dataset ds{lay.dim(), false, {}};
  for (const auto& w : random_words(rng, 2, 3, 4)) append_dfa_samples(ds, dfa, lay, w);
  REQUIRE(ds.samples.size() == 4 * 6);
  const Model<Rational> model = dfa_model(dfa, 3);
  for (const Sample& s : ds.samples) {
    const Matrix<Rational> Y = evaluate_exact(model, s.Z);
    REQUIRE(s.targets.size() == 1);
    REQUIRE(s.targets[0].position == s.Z.cols() - 1);
    for (std::size_t a = 0; a < lay.dim(); ++a) CHECK(*s.targets[0].y[a] == Y(a, s.Z.cols() - 1));
  }
  // The textual format: rules, word, history.
  const Dfa small{2, 2, {{1, 0}, {0, 1}}};
  CHECK(dfa_text_line(small, {0, 1}) ==
        "( q0 a0 q1 ) ( q0 a1 q0 ) ( q1 a0 q0 ) ( q1 a1 q1 ) | a0 a1 | ( q0 a0 q1 ) ( q1 a1 q1 )\n");
  // The DFA file round trip, and refusals.
  const Dfa back = parse_dfa_text(render_json(dfa_json(dfa)), "dfa.json");
  CHECK(back.delta == dfa.delta);
  CHECK_THROWS_AS(parse_dfa_text(R"({"format":"mhla-dfa","version":1,"states":2,"alphabet":1,"delta":[[0],[2]]})", "x"), Error);
  CHECK_THROWS_AS(parse_dfa_text(R"({"format":"mhla-dfa","version":1,"states":2,"alphabet":1,"delta":[[0]]})", "x"), Error);
  CHECK_THROWS_AS(parse_dfa_text(R"({"format":"mhla-dfa","version":1,"states":1,"alphabet":1,"start":1,"delta":[[0]]})", "x"), Error);
}

TEST_CASE("Lemma T3: one-hot traces leave every feature of a never-co-occurring pair zero", "[tasks][dfa]") {
  Rng rng(3);
  const Dfa dfa = random_dfa(rng, 2, 2);
  const DfaLayout lay{2, 2, 2};
  const std::size_t d = lay.dim();
  Dataset ds{d, false, {}};
  for (std::size_t l0 = 0; l0 < 2; ++l0)
    for (std::size_t l1 = 0; l1 < 2; ++l1) append_dfa_samples(ds, dfa, lay, {l0, l1});
  // Pairs (j, k), j < k, that occur together in some token: only TK(s,a) with TV(delta(s,a)).
  std::vector<std::vector<bool>> together(d, std::vector<bool>(d, false));
  for (std::size_t s = 0; s < 2; ++s)
    for (std::size_t a = 0; a < 2; ++a) {
      const std::size_t j = lay.tk(s, a), k = lay.tv(dfa.delta[s][a]);
      together[std::min(j, k)][std::max(j, k)] = true;
    }
  const DesignMatrix X = design_matrix(ds);
  std::size_t zero_columns = 0;
  for (std::size_t j = 0; j < d; ++j)
    for (std::size_t k = j + 1; k < d; ++k)
      for (std::size_t l = 0; l < d; ++l) {
        const std::size_t col = feature_index(d, j, k, l);
        bool all_zero = true;
        for (std::size_t r = 0; r < X.phi.rows(); ++r) all_zero = all_zero && X.phi(r, col) == 0;
        if (!together[j][k]) {
          REQUIRE(all_zero);
          ++zero_columns;
        }
      }
  // At least one co-occurring pair feature is nonzero (the check above is not vacuous).
  bool some_pair_nonzero = false;
  for (std::size_t r = 0; r < X.phi.rows(); ++r)
    for (std::size_t l = 0; l < d; ++l)
      some_pair_nonzero = some_pair_nonzero || X.phi(r, feature_index(d, lay.tk(0, 0), lay.tv(dfa.delta[0][0]), l)) != 0;
  CHECK(some_pair_nonzero);
  CHECK(zero_columns == (d * (d - 1) / 2 - 4) * d);  // so rank(Phi) <= D - zero_columns < D
}
