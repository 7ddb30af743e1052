// SPDX-License-Identifier: MIT
#include "mhla/tasks/dfa.hpp"

#include <memory>

#include "mhla/io/files.hpp"
#include "mhla/io/json.hpp"
#include "mhla/io/json_scalars.hpp"

namespace mhla::tasks {

// Generous caps that keep S A and the layout's dimension far from overflow.
inline constexpr std::size_t max_dfa_size = 1'000'000;

Dfa random_dfa(Rng& rng, std::size_t states, std::size_t alphabet) {
  Dfa dfa{states, alphabet, std::vector<std::vector<std::size_t>>(states, std::vector<std::size_t>(alphabet))};
  for (auto& row : dfa.delta)
    for (std::size_t& next : row) next = rng.below(states);
  return dfa;
}

OrderedJson dfa_json(const Dfa& dfa) {
  OrderedJson doc;
  doc["format"] = dfa_format_name;
  doc["version"] = 1;
  doc["states"] = dfa.states;
  doc["alphabet"] = dfa.alphabet;
  doc["start"] = 0;
  OrderedJson delta = OrderedJson::array();
  for (const auto& row : dfa.delta) delta.push_back(row);
  doc["delta"] = std::move(delta);
  return doc;
}

Dfa parse_dfa_text(std::string_view text, const std::string& source_name) {
  const json::Value tree = json::parse_json(text, source_name);
  const json::Located root(tree, std::make_shared<const std::string>(source_name));
  check_format_header(root, dfa_format_name, 1);
  root.expect_keys({"format", "version", "states", "alphabet", "start", "delta"}, {"description", "comment"});
  Dfa dfa;
  dfa.states = root.member("states").as_size(1, max_dfa_size);
  dfa.alphabet = root.member("alphabet").as_size(1, max_dfa_size);
  if (dfa.states * dfa.alphabet > max_dfa_size)
    root.fail("states x alphabet = " + std::to_string(dfa.states * dfa.alphabet) + " exceeds " +
              std::to_string(max_dfa_size));
  if (const auto start = root.optional_member("start")) start->as_size(0, 0);
  const json::Located delta = root.member("delta");
  if (delta.array_size() != dfa.states)
    delta.fail("expected " + std::to_string(dfa.states) + " rows (one per state), got " + std::to_string(delta.array_size()));
  for (std::size_t s = 0; s < dfa.states; ++s) {
    const json::Located row = delta.element(s);
    if (row.array_size() != dfa.alphabet)
      row.fail("expected " + std::to_string(dfa.alphabet) + " next states (one per letter), got " +
               std::to_string(row.array_size()));
    std::vector<std::size_t> next;
    for (std::size_t a = 0; a < dfa.alphabet; ++a) next.push_back(row.element(a).as_size(0, dfa.states - 1));
    dfa.delta.push_back(std::move(next));
  }
  return dfa;
}

Dfa read_dfa(const std::string& path) { return parse_dfa_text(read_file_bytes(path), input_display_name(path)); }

std::vector<std::size_t> run_dfa(const Dfa& dfa, const std::vector<std::size_t>& word) {
  std::vector<std::size_t> states{0};
  for (std::size_t a : word) states.push_back(dfa.delta.at(states.back()).at(a));
  return states;
}

std::vector<std::vector<std::size_t>> dfa_trace_tokens(const Dfa& dfa, const DfaLayout& layout,
                                                       const std::vector<std::size_t>& word) {
  std::vector<std::vector<std::size_t>> tokens;
  for (std::size_t s = 0; s < dfa.states; ++s)
    for (std::size_t a = 0; a < dfa.alphabet; ++a) tokens.push_back({layout.tk(s, a), layout.tv(dfa.delta[s][a])});
  for (std::size_t t = 0; t < word.size(); ++t) tokens.push_back({layout.wta(t, word[t])});
  const std::vector<std::size_t> states = run_dfa(dfa, word);
  tokens.push_back({layout.st(0, 0)});
  for (std::size_t t = 0; t < word.size(); ++t) {
    tokens.push_back({layout.pr(t, states[t], word[t])});
    tokens.push_back({layout.st(t + 1, states[t + 1])});
  }
  return tokens;
}

Matrix<Rational> tokens_matrix(const std::vector<std::vector<std::size_t>>& tokens, std::size_t d, std::size_t count) {
  Matrix<Rational> Z(d, count);
  for (std::size_t t = 0; t < count; ++t)
    for (std::size_t i : tokens.at(t)) Z(i, t) = 1;
  return Z;
}

Model<Rational> dfa_model(const Dfa& dfa, std::size_t length) {  // @proof T2
  const DfaLayout lay{dfa.states, dfa.alphabet, length};
  const std::size_t d = lay.dim();
  Model<Rational> model{d, false, {}};
  for (std::size_t s = 0; s < lay.S; ++s) {  // pair heads
    Head<Rational> h{Matrix<Rational>(d, d), Matrix<Rational>(d, d)};
    for (std::size_t t = 0; t < lay.L; ++t)
      for (std::size_t a = 0; a < lay.A; ++a) {
        h.Q(lay.wta(t, a), lay.st(t, s)) = 1;
        h.V(lay.pr(t, s, a), lay.wta(t, a)) = 1;
      }
    model.heads.push_back(std::move(h));
  }
  for (std::size_t t = 0; t < lay.L; ++t) {  // transition heads
    Head<Rational> h{Matrix<Rational>(d, d), Matrix<Rational>(d, d)};
    for (std::size_t s = 0; s < lay.S; ++s)
      for (std::size_t a = 0; a < lay.A; ++a) h.Q(lay.tk(s, a), lay.pr(t, s, a)) = 1;
    for (std::size_t s = 0; s < lay.S; ++s) h.V(lay.st(t + 1, s), lay.tv(s)) = 1;
    model.heads.push_back(std::move(h));
  }
  return model;
}

void append_dfa_samples(Dataset& ds, const Dfa& dfa, const DfaLayout& layout, const std::vector<std::size_t>& word) {
  const auto tokens = dfa_trace_tokens(dfa, layout, word);
  const std::size_t d = layout.dim();
  for (std::size_t n = dfa_prompt_length(layout, word.size()); n < tokens.size(); ++n) {
    Target t{n - 1, std::vector<std::optional<Rational>>(d, Rational(0))};
    for (std::size_t i : tokens[n]) t.y[i] = Rational(1);
    ds.samples.push_back(Sample{tokens_matrix(tokens, d, n), {std::move(t)}});
  }
}

std::vector<std::vector<std::size_t>> random_words(Rng& rng, std::size_t alphabet, std::size_t length, std::size_t count) {
  std::vector<std::vector<std::size_t>> words(count, std::vector<std::size_t>(length));
  for (auto& w : words)
    for (std::size_t& a : w) a = rng.below(alphabet);
  return words;
}

std::string dfa_text_line(const Dfa& dfa, const std::vector<std::size_t>& word) {
  auto q = [](std::size_t s) { return "q" + std::to_string(s); };
  auto l = [](std::size_t a) { return "a" + std::to_string(a); };
  std::string line;
  for (std::size_t s = 0; s < dfa.states; ++s)
    for (std::size_t a = 0; a < dfa.alphabet; ++a) line += "( " + q(s) + " " + l(a) + " " + q(dfa.delta[s][a]) + " ) ";
  line += "|";
  for (std::size_t a : word) line += " " + l(a);
  line += " |";
  const std::vector<std::size_t> states = run_dfa(dfa, word);
  for (std::size_t t = 0; t < word.size(); ++t)
    line += " ( " + q(states[t]) + " " + l(word[t]) + " " + q(states[t + 1]) + " )";
  return line + "\n";
}

std::vector<std::vector<std::size_t>> every_word(std::size_t alphabet, std::size_t length) {
  std::vector<std::vector<std::size_t>> out;
  std::vector<std::size_t> w(length, 0);
  for (;;) {
    out.push_back(w);
    std::size_t t = length;
    while (t > 0 && w[t - 1] + 1 == alphabet) w[--t] = 0;
    if (t == 0) return out;
    ++w[t - 1];
  }
}

}  // namespace mhla::tasks
