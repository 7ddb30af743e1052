// SPDX-License-Identifier: MIT
// advise: for a non-identifiable coordinate, which case holds and what data would change it
// (issue 10 item 4; proofs-notes/05-certificates.md, Lemmas C3, C13, C15).
//
// Cases (several may hold; all are exact facts about the data):
//   * "single-token": every row of Phi_a depends on one token (n = 1, or causal position 0):
//     rank <= d(d+1)(d+2)/6 < D whatever the number of such samples (Lemma C3);
//   * "token-subspace": the tokens that enter the rows of Phi_a (all tokens of an observing
//     sample; when causal those up to its last observed position) span a subspace U of Q^d of
//     dimension k < d. Then rank(Phi_a) <= k^2(k+1)/2 < D, more such samples never help, and
//     e_(j,k) (x) u lies in ker Phi_a for every u in U^perp (Lemma C13). Reported: k, a basis
//     of U made of dataset tokens, an exact basis of U^perp (the missing directions, primitive
//     integer vectors), the bound;
//   * "features-never-occur": features (j,k,l) that are 0 on every row (one-hot or sparse data):
//     each such e_(j,k,l) is a kernel vector (Lemma C15); the list of indices;
//   * "rank-equals-rows": rank = rows < D: at least D - rank more rows are needed (each row adds
//     at most one to the rank), and D - rank rows in general position suffice unless another
//     case holds;
//   * "dependent-rows": none of the above explains it: rank < min(rows, D); at least D - rank
//     more independent rows are needed.
// Also: a distinguishing input built from the user's own samples (distinguishing_input.hpp:
// distinguishing_input_from_data), verified exactly.
// Preconditions: c = certify(ds).coordinates[a] observed and not identifiable (checked,
// Error(internal)). Cost: O(T d^2) for the token span (T tokens), O(rows D) for the zero
// features (exact row numerators, one sample at a time).
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "mhla/arith/scalar.hpp"
#include "mhla/cert/certify.hpp"

namespace mhla {

struct TokenSubspace {
  std::size_t dimension = 0;                      // k = dim U
  std::vector<std::vector<Rational>> basis;       // k dataset tokens spanning U
  std::vector<std::vector<Rational>> missing;     // d - k primitive integer vectors spanning U^perp
  std::size_t rank_bound = 0;                     // k^2 (k + 1) / 2
};

struct CoordinateAdvice {
  std::size_t a = 0;
  std::vector<std::string> cases;                 // in the order of the list above
  std::optional<TokenSubspace> subspace;          // "token-subspace"
  std::vector<std::size_t> zero_features;         // "features-never-occur": feature indices
  std::size_t more_rows_at_least = 0;             // D - rank (rank exact) or D - rank lower bound
  bool more_such_samples_help = true;             // false for single-token and token-subspace
  std::string text;                               // one human sentence (short decimals)
};

// The span of the tokens entering Phi_a's rows (k = d when they span Q^d). @proof C13
TokenSubspace token_subspace(const Dataset& ds, std::size_t a);

// @proof C13 @proof C15
CoordinateAdvice advise(const Dataset& ds, const CoordinateCertificate& c);

// "(j,k,l)" for a feature index (the canonical order of math.md).
std::string feature_name(std::size_t index, std::size_t d);

// The few largest entries of a kernel vector in short decimals, scaled so that the largest
// magnitude is 1: "12 of 40 entries nonzero; up to scale (0,1,2) 1, (1,1,3) -0.75, ...".
std::string kernel_vector_summary(const std::vector<Rational>& v, std::size_t d, std::size_t shown = 3);

}  // namespace mhla
