// SPDX-License-Identifier: MIT
// Deterministic finite automata and their exact MHLA execution (the v2 abstract's finite automata; v4 gives no separate construction).
//
// A DFA has states 0..S-1, letters 0..A-1, start state 0 and delta[s][a] in [0, S). Its run on
// a word w of length l <= L is s^0 = 0, s^{t+1} = delta[s^t][w_t].
//
// Encoding (one-hot blocks, d = SA + S + LA + (L+1)S + LSA, in this order):
//   TK(s,a) = s A + a                      table key
//   TV(s')  = SA + s'                      table value
//   WTA(t,a) = SA + S + t A + a            word letter a at position t
//   ST(t,s) = SA + S + LA + t S + s        state s after t steps
//   PR(t,s,a) = SA + S + LA + (L+1)S + (t S + s) A + a   pair (state s, letter a) at step t
// Trace of w: the SA table tokens e_TK(s,a) + e_TV(delta[s][a]) (s outer, a inner), the l word
// tokens e_WTA(t, w_t), the start token e_ST(0, 0), then for t < l the pair token
// e_PR(t, s^t, w_t) and the state token e_ST(t+1, s^{t+1}).
//
// The model (one layer, non-causal, H = S + L heads; @proof T2):
//   pair head s (s < S):       Q = sum_{t,a} e_WTA(t,a) e_ST(t,s)^T,   V = sum_{t,a} e_PR(t,s,a) e_WTA(t,a)^T
//   transition head t (t < L): Q = sum_{s,a} e_TK(s,a) e_PR(t,s,a)^T,  V = sum_{s'} e_ST(t+1,s') e_TV(s')^T
// On every proper prefix of a trace that ends at or after the start token, the output at the
// last position is exactly the next token of the trace.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "mhla/features/dataset.hpp"
#include "mhla/io/json_output.hpp"
#include "mhla/model/model.hpp"
#include "mhla/tasks/rng.hpp"

namespace mhla::tasks {

struct Dfa {
  std::size_t states = 1, alphabet = 1;
  std::vector<std::vector<std::size_t>> delta;  // states x alphabet
};

inline constexpr const char* dfa_format_name = "mhla-dfa";

// Uniform delta (delta[0][0], delta[0][1], ..., row by row).
Dfa random_dfa(Rng& rng, std::size_t states, std::size_t alphabet);

// The DFA file document (interface.md) and its reader (Error(bad_input) naming file and path).
OrderedJson dfa_json(const Dfa& dfa);
Dfa read_dfa(const std::string& path);
Dfa parse_dfa_text(std::string_view text, const std::string& source_name);

// s^0, ..., s^l.
std::vector<std::size_t> run_dfa(const Dfa& dfa, const std::vector<std::size_t>& word);

// The block layout for (S, A, L).
struct DfaLayout {
  std::size_t S, A, L;
  std::size_t dim() const { return S * A + S + L * A + (L + 1) * S + L * S * A; }
  std::size_t tk(std::size_t s, std::size_t a) const { return s * A + a; }
  std::size_t tv(std::size_t s) const { return S * A + s; }
  std::size_t wta(std::size_t t, std::size_t a) const { return S * A + S + t * A + a; }
  std::size_t st(std::size_t t, std::size_t s) const { return S * A + S + L * A + t * S + s; }
  std::size_t pr(std::size_t t, std::size_t s, std::size_t a) const {
    return S * A + S + L * A + (L + 1) * S + (t * S + s) * A + a;
  }
};

// The trace tokens as coordinate sets (each token: the indices of its ones). Only the table
// tokens have two ones, so all other coordinate pairs never co-occur and their features vanish
// on every trace (@proof T3).
std::vector<std::vector<std::size_t>> dfa_trace_tokens(const Dfa& dfa, const DfaLayout& layout,
                                                       const std::vector<std::size_t>& word);
// Number of tokens before the start token's successor: SA + l + 1 (the prompt).
inline std::size_t dfa_prompt_length(const DfaLayout& layout, std::size_t word_length) {
  return layout.S * layout.A + word_length + 1;
}

// The tokens as a d x count 0/1 matrix of the first count tokens.
Matrix<Rational> tokens_matrix(const std::vector<std::vector<std::size_t>>& tokens, std::size_t d, std::size_t count);

// The exact model above. Precondition: dfa sizes >= 1. @proof T2
Model<Rational> dfa_model(const Dfa& dfa, std::size_t length);

// For each word, the 2l prefix samples: the prefix ending at the start token and at each later
// token but the last, with the next token as the target at the last position (all observed).
void append_dfa_samples(Dataset& ds, const Dfa& dfa, const DfaLayout& layout, const std::vector<std::size_t>& word);

// words: N uniform words of length L from Rng (after the DFA's draws, if any).
std::vector<std::vector<std::size_t>> random_words(Rng& rng, std::size_t alphabet, std::size_t length, std::size_t count);
// Every word of the given length, A^L of them, in lexicographic order (letter 0 first); the
// domain of valid traces of length L (`generate dfa --samples all`). Precondition: A^L fits the
// caller's memory (checked by the caller).
std::vector<std::vector<std::size_t>> every_word(std::size_t alphabet, std::size_t length);

// The paper's textual trace (v4 Appendix G.4), one line per word:
//   ( q0 a0 q1 ) ( q0 a1 q0 ) ... | a0 a1 ... | ( q0 a0 q1 ) ( q1 a1 q0 ) ...
// rules for s outer, a inner, then the word, then the history (s^t w_t s^{t+1}).
std::string dfa_text_line(const Dfa& dfa, const std::vector<std::size_t>& word);

}  // namespace mhla::tasks
