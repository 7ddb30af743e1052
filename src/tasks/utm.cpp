// SPDX-License-Identifier: MIT
// The universal Turing machine as one exact MHLA layer: tokens of a history and the model
// (tasks/utm.hpp; proofs-notes Lemmas T6-T8).
#include <algorithm>

#include "mhla/support/error.hpp"
#include "mhla/tasks/utm.hpp"

namespace mhla::tasks {

std::size_t UtmLayout::heads() const { return std::max({W(), T, R(), Q + 1}); }

std::vector<std::vector<std::size_t>> utm_history_tokens(const Tm& tm, const UtmLayout& lay,
                                                         const std::vector<std::size_t>& input) {  // @proof T6
  if (tm.states != lay.Q || tm.alphabet != lay.S || input.size() != lay.n)
    fail(ErrorKind::internal, "utm_history_tokens: machine or input does not match the layout");
  const std::vector<TmConfig> configs = run_tm(tm, input, lay.T);
  std::vector<std::vector<std::size_t>> tokens;
  for (std::size_t q = 0; q < lay.Q; ++q)
    for (std::size_t a = 0; a < lay.S; ++a) tokens.push_back({lay.tk(q, a), lay.tv(lay.code(tm.delta[q][a]))});
  auto cells = [&](std::size_t t) {
    const TmConfig& c = configs[t];
    for (std::size_t i = 0; i < lay.W(); ++i)
      tokens.push_back({lay.l(t, i, c.tape[i]), lay.hd(t, i, i == c.head ? c.state + 1 : 0)});
  };
  cells(0);
  for (std::size_t t = 0; t < lay.T; ++t) {
    const TmConfig& c = configs[t];
    const std::size_t a = c.tape[c.head], r = lay.code(tm.delta[c.state][a]);
    tokens.push_back({lay.p(t, c.head, c.state, a)});
    tokens.push_back({lay.dr(t, r)});
    tokens.push_back({lay.e(t, c.head, r)});
    cells(t + 1);
  }
  return tokens;
}

Model<Rational> utm_model(const UtmLayout& lay) {  // @proof T7 @proof T8
  if (lay.Q == 0 || lay.S == 0 || lay.n == 0 || lay.T == 0) fail(ErrorKind::usage, "utm_model: every size must be >= 1");
  const std::size_t d = lay.dim(), H = lay.heads(), W = lay.W(), R = lay.R();
  Model<Rational> model{d, false, {}};
  for (std::size_t h = 0; h < H; ++h) model.heads.push_back({Matrix<Rational>(d, d), Matrix<Rational>(d, d)});
  auto head = [&](std::size_t h) -> Head<Rational>& { return model.heads.at(h); };
  // X(t, i): the query coordinates of the token just before cell i of configuration t + 1.
  auto for_queries = [&](std::size_t t, std::size_t i, auto&& f) {
    if (i == 0) {
      for (std::size_t p = 0; p < W; ++p)
        for (std::size_t r = 0; r < R; ++r) f(lay.e(t, p, r));
    } else {
      for (std::size_t a = 0; a < lay.S; ++a) f(lay.l(t + 1, i - 1, a));
    }
  };
  for (std::size_t t = 0; t < lay.T; ++t) {
    // Read heads q (Lemma T8(a), if-then): the last cell of configuration t finds the head cell.
    for (std::size_t q = 0; q < lay.Q; ++q)
      for (std::size_t p = 0; p < W; ++p) {
        for (std::size_t a = 0; a < lay.S; ++a) {
          head(q).Q(lay.hd(t, p, q + 1), lay.l(t, W - 1, a)) = 1;
          head(q).V(lay.p(t, p, q, a), lay.l(t, p, a)) = 1;
        }
      }
    // Table head t (Lemma T8(b), table lookup): P(t,p,q,a) finds the table token (q,a).
    for (std::size_t p = 0; p < W; ++p)
      for (std::size_t q = 0; q < lay.Q; ++q)
        for (std::size_t a = 0; a < lay.S; ++a) head(t).Q(lay.tk(q, a), lay.p(t, p, q, a)) = 1;
    for (std::size_t r = 0; r < R; ++r) head(t).V(lay.dr(t, r), lay.tv(r)) = 1;
    // Position heads r (Lemma T8(c), copy): D(t,r) finds P(t,p,.,.) and writes E(t,p,r).
    for (std::size_t r = 0; r < R; ++r)
      for (std::size_t p = 0; p < W; ++p)
        for (std::size_t q = 0; q < lay.Q; ++q)
          for (std::size_t a = 0; a < lay.S; ++a) {
            head(r).Q(lay.p(t, p, q, a), lay.dr(t, r)) = 1;
            head(r).V(lay.e(t, p, r), lay.p(t, p, q, a)) = 1;
          }
    for (std::size_t i = 0; i < W; ++i) {
      // Cell head i (Lemma T8(d)): the transition's effect on cell i of configuration t + 1.
      for (std::size_t p = 0; p < W; ++p)
        for (std::size_t r = 0; r < R; ++r) {
          const std::size_t e = lay.e(t, p, r), next = r / 2 / lay.S, write = (r / 2) % lay.S, move = r % 2;
          const std::size_t new_pos = move == 1 ? p + 1 : (p > 0 ? p - 1 : 0);
          for_queries(t, i, [&](std::size_t x) { head(i).Q(e, x) = 1; });
          head(i).V(lay.hd(t + 1, i, i == new_pos ? next + 1 : 0), e) = 1;
          if (i == p) head(i).V(lay.l(t + 1, i, write), e) = 1;
        }
      // Copy head (index Q; Lemma T8(e)): the letter of cell i if the head is not there.
      for_queries(t, i, [&](std::size_t x) { head(lay.Q).Q(lay.hd(t, i, 0), x) = 1; });
      for (std::size_t a = 0; a < lay.S; ++a) head(lay.Q).V(lay.l(t + 1, i, a), lay.l(t, i, a)) = 1;
    }
  }
  return model;
}

void append_utm_samples(Dataset& ds, const Tm& tm, const UtmLayout& layout, const std::vector<std::size_t>& input) {
  const auto tokens = utm_history_tokens(tm, layout, input);
  const std::size_t d = layout.dim();
  Matrix<Rational> Z(d, 0);
  for (std::size_t n = layout.prompt_length(); n < tokens.size(); ++n) {
    Target t{n - 1, std::vector<std::optional<Rational>>(d, Rational(0))};
    for (std::size_t i : tokens[n]) t.y[i] = Rational(1);
    Matrix<Rational> Zn(d, n);
    for (std::size_t c = 0; c < n; ++c)
      for (std::size_t i : tokens[c]) Zn(i, c) = 1;
    ds.samples.push_back(Sample{std::move(Zn), {std::move(t)}});
  }
}

}  // namespace mhla::tasks
