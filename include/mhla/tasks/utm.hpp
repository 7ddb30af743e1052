// SPDX-License-Identifier: MIT
// A universal Turing machine with bounded computation history as ONE exact MHLA layer (the
// paper's third example: Lemma B.1, Defs. C.1-C.4 and F.2, Algorithms 3-7; proofs-notes
// Lemmas T6-T9). A simpler exact construction than the paper's, within its orders.
//
// Machines (the class Delta(Q, S, n, T)): states 0..Q-1, start 0, letters 0..S-1, blank 0,
// delta[q][a] = (q', w', m) with m in {L = 0, R = 1}; no halting states (a halting state is a
// state that loops). The tape has W = n + T cells 0..W-1 (the head can reach at most cell T);
// the input occupies cells 0..n-1, the head starts on cell 0; a move L on cell 0 stays on cell 0
// (the usual one-sided tape). Configuration t = (tape, head p_t, state q_t), t = 0..T.
//
// Encoding (attribute blocks of one-hot coordinates, Def. G.1; d = sum of the block sizes, in
// this order; r = (q' S + w') 2 + m codes a transition, R = 2QS of them):
//   TK(q,a)      [QS]            table key          TV(r)     [R]            table value
//   L(t,i,a)     [(T+1) W S]     letter a in cell i of configuration t
//   Hd(t,i,h)    [(T+1) W (Q+1)] head mark of cell i in configuration t: h = 0 no head, h = q+1 head in state q
//   P(t,p,q,a)   [T W Q S]       step t reads (state q, letter a) at head position p
//   D(t,r)       [T R]           step t's transition r = delta(q, a)
//   E(t,p,r)     [T W R]         step t's transition with the position
// Tokens: the prompt is the QS table tokens e_TK(q,a) + e_TV(delta(q,a)) (q outer, a inner) and
// the W cell tokens e_L(0,i,x_i) + e_Hd(0,i,[i=0]) of configuration 0; then for t < T the
// history appends e_P(t,p_t,q_t,a_t), e_D(t,r_t), e_E(t,p_t,r_t) and the W cell tokens
// e_L(t+1,i,.) + e_Hd(t+1,i,.) of configuration t+1. So Phi = T (W + 3) emitted tokens, and
// every emitted token has exactly one 1 in each of its attribute blocks (1 or 2 blocks).
//
// The model (non-causal, H = max(W, T, 2QS, Q+1) heads; head indices shared by lookup groups
// that touch disjoint coordinates; @proof T6, T7, T8):
//   read heads q < Q (if-then on the head mark): Q[Hd(t,p,q+1), L(t,W-1,a')] = 1, V[P(t,p,q,a), L(t,p,a)] = 1
//   table heads t < T (table lookup):            Q[TK(q,a), P(t,p,q,a)] = 1,   V[D(t,r), TV(r)] = 1
//   position heads r < R (copy with the value):  Q[P(t,p,q,a), D(t,r)] = 1,    V[E(t,p,r), P(t,p,q,a)] = 1
//   cell heads i < W:  Q[E(t,p,r), x] = 1 for x in X(t,i),
//                      V[Hd(t+1,i,h'), E(t,p,r)] = 1 and, if i = p, V[L(t+1,i,w'), E(t,p,r)] = 1
//   copy head (index Q): Q[Hd(t,i,0), x] = 1 for x in X(t,i), V[L(t+1,i,a), L(t,i,a)] = 1
// where X(t,0) = {E(t,p,r)} and X(t,i) = {L(t+1,i-1,a)} (the previous emitted token), and h' =
// q'+1 if i is the new head position (p+1 for R, max(p-1,0) for L), else 0.
// On every prefix of a history that ends at the last prompt token or later, the output at the
// last position is exactly the next token; after the last cell of configuration T it is 0.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "mhla/features/dataset.hpp"
#include "mhla/model/model.hpp"
#include "mhla/tasks/rng.hpp"

namespace mhla::tasks {

struct TmRule {
  std::size_t next = 0, write = 0, move = 0;  // move 0 = L, 1 = R
};

struct Tm {
  std::size_t states = 1, alphabet = 1;
  std::vector<std::vector<TmRule>> delta;  // states x alphabet
};

struct TmConfig {
  std::vector<std::size_t> tape;  // W cells
  std::size_t head = 0, state = 0;
};

// Number of machines with Q states and S letters: (2QS)^(QS) (nullopt-free: refused by the
// caller when it overflows 64 bits, see machine_count_fits).
bool machine_count_fits(std::size_t Q, std::size_t S);
std::uint64_t machine_count(std::size_t Q, std::size_t S);
// Machine number `index` in [0, machine_count): entry (q,a) (q outer, a inner) is digit
// q S + a of index in base 2QS, read as r = (q' S + w') 2 + m.
Tm machine_by_index(std::size_t Q, std::size_t S, std::uint64_t index);
// Uniform machine (each entry uniform among the 2QS transitions).
Tm random_tm(Rng& rng, std::size_t Q, std::size_t S);

// Configurations 0..T of M on the input (|input| = n >= 1, letters < S; checked), tape
// W = n + T, by the definition above. Cost O(T (n + T)). @proof T6
std::vector<TmConfig> run_tm(const Tm& tm, const std::vector<std::size_t>& input, std::size_t T);

// The block layout for (Q, S, n, T).
struct UtmLayout {
  std::size_t Q, S, n, T;
  std::size_t W() const { return n + T; }
  std::size_t R() const { return 2 * Q * S; }
  std::size_t code(const TmRule& r) const { return (r.next * S + r.write) * 2 + r.move; }
  std::size_t tk(std::size_t q, std::size_t a) const { return q * S + a; }
  std::size_t tv(std::size_t r) const { return Q * S + r; }
  std::size_t l0() const { return Q * S + R(); }
  std::size_t l(std::size_t t, std::size_t i, std::size_t a) const { return l0() + (t * W() + i) * S + a; }
  std::size_t h0() const { return l0() + (T + 1) * W() * S; }
  std::size_t hd(std::size_t t, std::size_t i, std::size_t h) const { return h0() + (t * W() + i) * (Q + 1) + h; }
  std::size_t p0() const { return h0() + (T + 1) * W() * (Q + 1); }
  std::size_t p(std::size_t t, std::size_t pos, std::size_t q, std::size_t a) const {
    return p0() + ((t * W() + pos) * Q + q) * S + a;
  }
  std::size_t d0() const { return p0() + T * W() * Q * S; }
  std::size_t dr(std::size_t t, std::size_t r) const { return d0() + t * R() + r; }
  std::size_t e0() const { return d0() + T * R(); }
  std::size_t e(std::size_t t, std::size_t pos, std::size_t r) const { return e0() + (t * W() + pos) * R() + r; }
  std::size_t dim() const { return e0() + T * W() * R(); }
  std::size_t heads() const;
  std::size_t prompt_length() const { return Q * S + W(); }
  std::size_t history_length() const { return prompt_length() + T * (W() + 3); }
};

// The tokens (each: the indices of its ones) of the prompt and the T-step history, as listed
// above. Precondition (checked): tm and input match the layout's Q, S, n. Cost O(T W).
// @proof T6
std::vector<std::vector<std::size_t>> utm_history_tokens(const Tm& tm, const UtmLayout& layout,
                                                         const std::vector<std::size_t>& input);

// The exact universal model above: it depends on (Q, S, n, T) only, never on a machine; its
// autoregressive run reproduces every history of the class (Lemma T7). Precondition (checked):
// all sizes >= 1. Cost: 2 H d^2 dense rationals (the model file format is dense). @proof T7
Model<Rational> utm_model(const UtmLayout& layout);

// For each history, the T (W + 3) prefix samples (cost O(T W d (QS + W + T W)) rationals) (prefix ending at the last prompt token or
// later, next token as the target at the last position; all coordinates observed).
void append_utm_samples(Dataset& ds, const Tm& tm, const UtmLayout& layout, const std::vector<std::size_t>& input);

// The paper's textual history (Def. F.2 order: the machine, then the input, then the
// configurations), one line per (machine, input):
//   ( q0 a0 q1 a1 R ) ... | a0 a1 a0 | [q0]a0 a1 a0 a0 a0 # a1 [q1]a1 a0 a0 a0 # ...
// rules (q, a, q', w', move) for q outer, a inner; then each configuration's W cells (the blank
// is a0), the head cell prefixed by its state.
std::string utm_text_line(const Tm& tm, const std::vector<std::size_t>& input, std::size_t T);

// A model with integer entries stored sparsely (per head, the nonzeros of each column of V and
// Q), for fast exact autoregressive runs on 0/1 tokens. Precondition (checked): every entry is
// an integer of absolute value <= 1 (Error(bad_input) otherwise).
struct SparseIntModel {
  std::size_t d = 0;
  struct Column {
    std::vector<std::pair<std::size_t, long long>> entries;  // (row, value)
  };
  std::vector<std::vector<Column>> V, Q;  // [head][column]
};
// Cost O(H d^2). @proof T9
SparseIntModel sparse_int_model(const Model<Rational>& model);

// The autoregressive run (Def. C.1, non-causal): from the prompt tokens, `steps` times compute
// the last output column y = sum_h V_h G Q_h z_n exactly (integers) and append it as the next
// token. Returns the emitted tokens as index sets; stops early (and sets `exact` false) when an
// output has an entry outside {0, 1}. Equal to output_column of the dense model (@proof T9);
// cost O(H * nnz) per step. Precondition (checked): the prompt's tokens are 0/1.
std::vector<std::vector<std::size_t>> run_autoregressive_sparse(const SparseIntModel& model,
                                                                const std::vector<std::vector<std::size_t>>& prompt,
                                                                std::size_t steps, bool& exact);

}  // namespace mhla::tasks
