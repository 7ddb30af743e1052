// SPDX-License-Identifier: MIT
// The fast exact least-squares solver: prime-field elimination, Chinese remaindering and
// rational reconstruction with early termination, every result verified exactly over Q before
// it is returned (proofs-notes/06-learner.md, Lemmas E3, E4).
//
// Mathematics (notation of math.md and least_squares.hpp). Row i of Phi_a is
// phi_i = num_i / den_i with num_i[(j,k,l)] = Gp_i[(j,k)] z_i[l]: Gp_i the Gram matrix (prefix
// Gram matrix when causal) of the integer-scaled input L_i Z_i on the pairs j <= k, z_i the
// scaled token L_i z_b, den_i = L_i^3 (Lemma S1). The N x D matrix Phi_a is never stored: rows
// and the kernel K'[i][i'] = <num_i, num_i'> = <Gp_i, Gp_i'> <z_i, z_i'> (Lemma K1 on the pairs)
// are formed on the fly. The returned w is the minimum-norm least-squares solution (Lemma E2):
//   * consistent data (y in the column space of Phi, e.g. realisable data): w = Phi_R^T-form
//     interpolant on a row basis R; scaling a row of [Phi | y] changes neither the solution set
//     nor the row space, so the integer rows [num_i | den_i y_i] are used. primal with
//     |R| = D: the D x D system num_R w = (den y)_R; otherwise (and always for the kernel method)
//     K'_RR g = (den y)_R and w = num_R^T g (Lemma E3);
//   * otherwise the normal equations over Q with P = L Phi (L = lcm den_i) integer and
//     y = Yn / Ly: primal with rank D: Ly P^T P w = L P^T Yn; otherwise with A = P P_R^T
//     (primal: dot products; kernel: K' scaled) Ly A^T A b = L^2 A^T Yn and w = P_R^T b / L
//     (Lemma E2(d), E3).
// Each square system is solved mod p by EchelonModP on [A | -b] (the kernel vector with a 1 in
// the last column), the images are combined by CRT and reconstructed, and every candidate that
// reconstruction yields is checked at once (a wrong one fails at its first violated row, so
// checking early is cheap; small exact solutions are accepted after one prime).
// Large answers (agnostic data: noisy or float-rounded targets; Lemma E5): the normal matrix
// S = B^T B and T = L^e B^T Yn are formed exactly from the integer rows (binary64 while a bound
// proves every partial sum exact, GMP beyond), and when the Hadamard estimate of the system
// exceeds ModularOptions::dixon_min_bits it is solved by p-adic lifting (dixon_lift.hpp: one
// inverse mod p for all right-hand sides, O(D^2 k) per step, early reconstruction with a
// common denominator, exact check A num = den T); primal with rank D needs no further check
// (S x = T is the normal equations) and its loss is ||y||^2 - w . Phi^T y. Lifting that gives
// up falls back to the CRT loop below. SolveReport: kernel "dixon" / "crt", lifting_steps,
// estimated_bits.
// Verification (Lemma E4): the candidate solves its square system exactly; then Phi w = y on
// every row (consistent path) or the normal equations Phi^T (Phi w - y) = 0 (primal) resp.
// K (Phi w - y) = 0 (kernel; ker K = ker Phi^T), with w formed from the candidate exactly (so
// w is in the row space by construction). Unlucky primes (a denominator or a pivot minor
// divisible by p) are skipped; a prime whose rank is too low yields a system whose verified
// solution fails the global check, and the next attempt uses a fresh prime. Termination: a
// system whose solution does not verify is abandoned once the modulus exceeds twice its Hadamard
// bound; after max_attempts the caller falls back to the Bareiss reference path.
// Rank: rank_Q >= |R| by the nonzero minor mod p; equal when |R| = min(N, D), otherwise
// certified by rank_certified (exact kernel vectors), and when that gives up: nullopt.
// Preconditions: rows.y.size() == rows of gram_pairs/tokens/den (checked, Error(internal)).
// Cost (consistent, full rank, small weights): one elimination of the rows up to rank D mod p
// (about D^3/3), one of the D x D system with the k right-hand sides, and an O(k N D) exact check.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "mhla/arith/scalar.hpp"
#include "mhla/features/dataset.hpp"
#include "mhla/learn/least_squares.hpp"
#include "mhla/modp/prime_stream.hpp"

namespace mhla {

// Phi_a in compact integer form (see above), rows in design-matrix order, with one target
// vector per right-hand side: coordinates observed on exactly the same targets share Phi_a and
// are solved together (one elimination for all of them).
struct CompactRows {
  std::size_t d = 0;
  Matrix<Integer> gram_pairs;            // N x d(d+1)/2: Gp_i on the pairs (j, k), j <= k
  Matrix<Integer> tokens;                // N x d: z_i
  std::vector<Integer> den;              // N: den_i = L_i^3 >= 1
  std::vector<std::vector<Rational>> y;  // k right-hand sides of N targets each
  std::size_t rows() const noexcept { return den.size(); }
};

// The compact rows of the targets observing coordinates[0] (file order) and, per listed
// coordinate, its targets. Precondition (checked, Error(internal)): every listed coordinate
// is observed on exactly those targets.
CompactRows compact_rows(const Dataset& ds, const std::vector<std::size_t>& coordinates);
// phi_i = num_i / den_i as a rational N x D matrix (the design matrix; tests and cross-checks).
Matrix<Rational> design_from_compact(const CompactRows& rows);

struct ModularOptions {
  PrimeStream primes = PrimeStream::standard();
  std::size_t max_attempts = 4;
  // Normal equations whose answer-size estimate (2 log2 H, SolveReport::estimated_bits)
  // exceeds this many bits are solved by Dixon lifting (dixon_lift.hpp), the others by CRT
  // (one elimination per prime). Tests set 0 (always Dixon) or a huge value (always CRT).
  double dixon_min_bits = 256;
};

// For each right-hand side y of rows, the minimum-norm least-squares solution of
// min ||Phi w - y||^2, by the method's formulation over prime fields, verified exactly
// (Lemma E4); nullopt for a right-hand side without a verified result within the attempts (the
// caller falls back to the reference path). reports[k] describes right-hand side k.
// nullspace_computed is true only when a deficiency had to be certified by kernel vectors.
// @proof E4 @proof E5
std::vector<std::optional<LeastSquares>> least_squares_modular(const CompactRows& rows, LearnMethod method,
                                                               std::vector<SolveReport>& reports,
                                                               ModularOptions options = {});

// Bits of the largest numerator and denominator among the entries of w (0 for w = 0).
void record_sizes(const std::vector<Rational>& w, SolveReport& report);

}  // namespace mhla
