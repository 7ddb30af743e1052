// SPDX-License-Identifier: MIT
// Model equivalence (the paper's Corollary A.4; proofs-notes/03-features.md, Lemma Q1): two
// models A, B of the same d and the same causal flag compute the same function on every input
// iff their weight vectors are equal, w_a(A) = w_a(B) for every a. A causal and a non-causal
// model compute the same function only when both compute zero (all weights zero).
// When they differ, a distinguishing input is searched among small integer inputs (a fixed
// seed, n = 2 then 3 tokens, entries in {-2..2}) and returned only after both models were
// evaluated on it exactly (evaluate_exact) and found to differ at that position.
// Preconditions (checked, Error(internal)): A.d == B.d.
// Cost: weights O(H d^4) per model; each candidate input O(H d^3 + d^2 n) exact operations,
// and a handful of candidates in practice (Schwartz-Zippel, as in distinguishing_input.hpp).
#pragma once
#include <cstddef>
#include <optional>
#include <random>
#include <vector>

#include "mhla/features/exact_fast.hpp"

namespace mhla {

struct DistinguishingPoint {
  Matrix<Rational> Z;  // d x n, small integers
  std::size_t position = 0;
  std::vector<Rational> output_a, output_b;  // the two models' outputs at that position, different
};

struct Equivalence {
  bool equivalent = false;
  std::optional<DistinguishingPoint> distinguishing;  // set when !equivalent
};

namespace detail {

inline bool all_zero(const Matrix<Rational>& m) {
  for (const Rational& x : m.data())
    if (x != 0) return false;
  return true;
}

}  // namespace detail

// Decides A ~ B exactly; a negative answer carries a verified distinguishing input. @proof Q1
inline Equivalence decide_equivalence(const Model<Rational>& A, const Model<Rational>& B,
                                      std::size_t max_candidates = 100000) {
  if (A.d != B.d) fail(ErrorKind::internal, "decide_equivalence: the models have different d");
  const Matrix<Rational> wa = weights(A), wb = weights(B);
  const bool same = A.causal == B.causal ? wa == wb : detail::all_zero(wa) && detail::all_zero(wb);
  if (same) return {true, std::nullopt};
  std::mt19937_64 rng(20241010);  // raw outputs only: the same inputs on every platform
  for (std::size_t candidate = 0; candidate < max_candidates; ++candidate) {
    const std::size_t n = candidate < max_candidates / 2 ? 2 : 3;
    Matrix<Rational> Z(A.d, n);
    for (Rational& x : Z.data()) x = Rational(static_cast<long>(rng() % 5) - 2);
    const Matrix<Rational> ya = evaluate_exact(A, Z), yb = evaluate_exact(B, Z);
    for (std::size_t b = n; b-- > 0;) {
      const std::vector<Rational> ca = ya.column(b), cb = yb.column(b);
      if (ca != cb) return {false, DistinguishingPoint{Z, b, ca, cb}};
    }
  }
  fail(ErrorKind::internal, "decide_equivalence: no distinguishing input among the candidates (a bug)");
}

}  // namespace mhla
