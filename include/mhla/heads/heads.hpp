// SPDX-License-Identifier: MIT
// Head recovery (math.md, "Head recovery"; Algorithm 1, second half; proofs-notes/06-learner.md,
// Lemma H1): weight vectors w_0..w_{d-1} -> the d^2 x d^2 matrix M of the even split -> an exact
// rational rank factorisation M = U V^T -> a model with r = rank(M) <= d^2 heads
//   V_h[a][j] = U[(a,j)][h],  Q_h[k][l] = V[(k,l)][h],   (a,j) -> a d + j, (k,l) -> k d + l,
// whose weight vectors (Lemma L1) are exactly w. Exact over Q: no square roots, no SVD.
// Preconditions (checked, Error(internal)): W is d x feature_dim(d) with d >= 1.
// Cost: M has d^4 entries; the factorisation is multi-modular (Lemma H7, a few mod-p
// eliminations of the d^2 x d^2 matrix when M has full rank), with Gauss-Jordan over Q,
// O(d^6 r) rational operations, as the fallback.
//
// Beyond the paper (proofs-notes/07-heads.md):
//   * fewest_heads: searches the split space (every M whose pairwise sums are W computes the same
//     function) for a member of lower rank: an exact one-head solve, a proven lower bound on the
//     head count of every model with weights W, and a float search whose proposal is rounded to
//     rationals and kept only when its exact rank factorisation has weights exactly W;
//   * svd_heads: orthogonal heads V_h = sqrt(s_h) u_h, Q_h = sqrt(s_h) v_h from an SVD of M in
//     MPFR at a stated precision (approximate; the error is computed exactly and checked against
//     the bound of Lemma H5).
// recover_heads dispatches on HeadsMethod.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mhla/arith/scalar.hpp"
#include "mhla/features/features.hpp"
#include "mhla/linalg/matrix.hpp"
#include "mhla/model/model.hpp"

namespace mhla {

// The even split: M[(a,j),(k,l)] = w_a[(j,j,l)] if j == k, else w_a[(min,max,l)] / 2. @proof H1
Matrix<Rational> even_split(const Matrix<Rational>& W);

// The folded weights of a d^2 x d^2 split matrix: w_a[(j,k,l)] = M[(a,j),(k,l)] + M[(a,k),(j,l)]
// for j < k and M[(a,j),(j,l)] for j == k (the pairwise sums; inverse of even_split).
Matrix<Rational> fold_split(const Matrix<Rational>& M, std::size_t d);

// M = U V^T with U (m x r), V (n x r), r = rank_Q(M), exact over Q. U = M[:, C], the columns of
// M on its column rank profile C, and V^T = the nonzero rows of the reduced row echelon form of
// M (X with X[:, C] = I: the coefficients of every column of M on the columns C). Both paths
// below return this same factorisation (Lemma H7(e)); callers should still rely only on
// U V^T == M and r = rank (any exact factorisation gives a valid model, Lemma H1(b)).
// Verified exactly before returning.
struct RankFactorisation {
  Matrix<Rational> U, V;
  std::size_t rank = 0;
};
// The fast path first, the Gauss-Jordan reference when it gives up. Cost (fast path): one
// mod-p elimination per prime, O(n^3); full rank needs one lucky prime and no solve.
RankFactorisation rank_factorisation(const Matrix<Rational>& M);
// Multi-modular (proofs-notes/07-heads.md, Lemma H7): M scaled to an integer matrix A row by row;
// per prime p (PrimeStream::standard()), the rank r_p and column rank profile C_p of A mod p and
// X mod p from the kernel vectors; images of the best (rank, C) seen are combined by CRT and
// rationally reconstructed (attempts at 1, 2, 3, 4, 6, 9, ... primes), and a candidate is kept
// only if it is in row echelon form and delta_f A[:, f] == sum_h (delta_f X[c_h, f]) A[:, c_h] holds exactly for every
// non-pivot column f (Int128 when bounded below 2^126, GMP otherwise). r = n needs no solve
// (X = I). nullopt when a prime budget (from Hadamard's bound) runs out: the caller falls back.
// A returned factorisation has U V^T == M and rank == rank_Q(M) (proved, Lemma H7). @proof H7
std::optional<RankFactorisation> rank_factorisation_modular(const Matrix<Rational>& M);
// The reference: Gauss-Jordan over Q to the reduced row echelon form E; U = the pivot columns of
// M, V^T = the nonzero rows of E; U V^T == M checked. O(m n r) rational operations.
RankFactorisation rank_factorisation_gauss_jordan(const Matrix<Rational>& M);

// The model of a factorisation of a d^2 x d^2 matrix: head h from column h of U and of V.
Model<Rational> model_from_factorisation(const RankFactorisation& f, std::size_t d, bool causal);

// w -> even split -> rank factorisation -> model with rank(M) heads; weights(model) == W exactly
// (Error(internal) otherwise), checked as fold_split(M) == W plus the factorisation's exact
// U V^T == M (Lemma H1(b), H7), and for d <= 8 also by evaluating weights(model). The zero W
// gives the zero model (no heads). @proof H1 @proof H7
Model<Rational> heads_from_weights(const Matrix<Rational>& W, bool causal);

// ---- Fewer heads (proofs-notes/07-heads.md) ----

// Sigma_c[a][l] = sum_{j <= k} c_j c_k w_a[(j,k,l)] = sum_h (V_h c)[a] (Q_h^T c)[l] for every model
// with weights W: the d x d map z -> y of the single-token input c (G = c c^T). @proof H3
Matrix<Rational> single_token_map(const Matrix<Rational>& W, const std::vector<Rational>& c);

// A proven lower bound on the number of heads of every model with weights W: the largest
// rank(Sigma_c) over c = the unit vectors, the all-ones vector and a few fixed-seed small integer
// vectors (<= d). Every such rank is a lower bound (Lemma H3). @proof H3
std::size_t head_count_lower_bound(const Matrix<Rational>& W);

// The one-head model with weights W, when the exact one-head solve of Lemma H4 finds it (every
// diagonal block D_j = [w_a[(j,j,l)]]_{a,l} of rank one, the ratios of the pair blocks solved
// exactly); nullopt otherwise. A returned model always has weights(model) == W (checked).
// Guaranteed to succeed when W are the weights of a one-head model whose V has no zero column,
// whose Q has no zero row, and with no j < k such that both V[:,j] || V[:,k] and Q[j,:] || Q[k,:].
// @proof H4
std::optional<Model<Rational>> one_head_from_weights(const Matrix<Rational>& W, bool causal);

// The split with pair offsets t: M = even_split(W) + sum_{a,l,j<k} t[a][l][j][k]
// (E_{(a,j),(k,l)} - E_{(a,k),(j,l)}), the offsets read off a proposal X (any d^2 x d^2 matrix) as
// t = (X[(a,j),(k,l)] - X[(a,k),(j,l)]) / 2. fold_split of the result is W, for every X. @proof H2
Matrix<Rational> split_nearest(const Matrix<Rational>& W, const Matrix<Rational>& X);

struct FewestHeadsOptions {
  std::uint64_t seed = 1;        // the float search's random starts
  std::size_t restarts = 6;      // random starts per target rank
  std::size_t extra_ranks = 2;   // target ranks tried: lower_bound .. lower_bound + extra_ranks
  std::size_t max_search_d = 8;  // no float search above this d (its Jacobian has d D x 2 r d^2 entries)
};

struct FewestHeads {
  Model<Rational> model;            // weights(model) == W exactly (checked)
  std::size_t even_split_rank = 0;  // rank(even_split(W)): the paper's head count
  std::size_t lower_bound = 0;      // every model with weights W has at least this many heads
  std::string found_by;             // "zero weights", "even split", "one-head solve",
                                    // "float search, rounded split", "float search, rounded V and exact Q"
  bool minimal() const { return model.heads.size() == lower_bound; }
};

// The fewest heads this method finds (never more than rank(even_split(W))): the zero model for
// W = 0; else the one-head solve; else, for target ranks r from the lower bound up, a float
// search (alternating least squares and Levenberg-Marquardt over r heads, binary64) whose
// proposal is made exact in two ways: (1) its split offsets rounded to the simplest nearby
// rationals, then the exact split's rank factorisation; (2) its V's, in a gauge-free normal form,
// rounded likewise, then the Q's solved exactly (linear once the V's are fixed). A candidate is
// kept when it has fewer heads; else the even split. The float search runs for d <= max_search_d
// only (above it: zero, even split or one-head solve). Exact: floats only propose; the result has
// weights exactly W, checked. @proof H2 @proof H3 @proof H4 @proof H6
FewestHeads fewest_heads(const Matrix<Rational>& W, bool causal, const FewestHeadsOptions& options = {});

// ---- Orthogonal heads by an SVD in MPFR (approximate; proofs-notes/07-heads.md, Lemma H5) ----

struct SvdHeads {
  Model<Rational> model;                   // entries: the exact values of MPFR numbers (dyadic rationals)
  unsigned precision_bits = 0;             // p, the MPFR precision used (>= the requested bits)
  std::vector<Rational> singular_values;   // all d^2 computed s_0 >= s_1 >= ..., exact MPFR values
  Matrix<Rational> U, V;                   // d^2 x heads: the kept singular vectors, exact MPFR values
  Rational threshold;                      // a singular value is kept iff s_h > threshold
  Rational weight_error_bound;             // B_w of Lemma H5
  Rational orthonormality_bound;           // B_o of Lemma H5
  Rational weight_error;                   // exact ||weights(model) - W||_max  (<= B_w, checked)
  Rational orthonormality_error;           // exact max(||U^T U - I||_max, ||V^T V - I||_max)  (<= B_o, checked)
};

// M = even_split(W) rounded to p bits, Eigen's JacobiSVD in MPFR, heads V_h = sqrt(s_h) u_h,
// Q_h = sqrt(s_h) v_h (reshaped as in model_from_factorisation) for the s_h > threshold, with
// n = d^2, u = 2^-p, m = ||M||_max:
//   threshold = 2^8 n^2 u m,   B_w = 2^10 n^3 u m,   B_o = 2^10 n^2 u.
// The errors are computed exactly over Q from the exact values; exceeding a bound is
// Error(internal). Precondition (checked, Error(usage)): 16 <= requested_bits <= 65536. @proof H5
SvdHeads svd_heads(const Matrix<Rational>& W, bool causal, unsigned requested_bits);

// The exact decimal expansion of a rational whose denominator has no prime factor but 2 and 5
// (every binary floating-point value), all digits written out, no exponent: "-0.15625", "3".
// Precondition (checked, Error(internal)): such a denominator.
std::string exact_decimal_string(const Rational& q);

// ---- One entry point ----

enum class HeadsMethod { rank_factorisation, fewest, svd };

struct RecoveredHeads {
  Model<Rational> model;
  HeadsMethod method = HeadsMethod::rank_factorisation;
  std::size_t even_split_rank = 0;             // exact rank(even_split(W))
  std::optional<FewestHeads> fewest;           // the details, set for HeadsMethod::fewest
  std::optional<SvdHeads> svd;                 // the details, set for HeadsMethod::svd
  bool approximate() const { return method == HeadsMethod::svd; }
};

// Heads for W by the chosen method; precision_bits is used by svd only. Exact methods return a
// model with weights exactly W (checked); svd a model within the bound of Lemma H5 (checked).
RecoveredHeads recover_heads(const Matrix<Rational>& W, bool causal, HeadsMethod method, unsigned precision_bits = 128);

}  // namespace mhla
