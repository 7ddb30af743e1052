// SPDX-License-Identifier: MIT
// A rigorous enclosure lower <= lambda_min(Lambda_a) <= upper of the smallest eigenvalue of the
// uncentred second moment Lambda_a = Phi_a^T Phi_a / rows (math.md), with rational endpoints.
// Informational only (issue 3, item 4): the margin of the paper's Figure 2. It never decides a
// verdict; identifiability is decided by exact rank (certify.hpp).
//
// Method (proofs-notes/05-certificates.md, Lemma C5). Floats (binary64) only choose candidates;
// both inequalities are proven by exact integer/rational arithmetic on Lambda itself:
//   * upper: for any nonzero rational x, lambda_min <= x^T Lambda x / x^T x (Rayleigh). x is a
//     binary64 inverse-iteration eigenvector estimate, rounded to an integer vector; the
//     quotient is computed exactly.
//   * lower: for a dyadic mu and any rational lower-triangular L, with E = Lambda - mu I - L L^T
//     computed exactly, lambda_min(Lambda) >= mu + lambda_min(L L^T) + lambda_min(E)
//     >= mu - max_i sum_j |E_ij| (Weyl's inequality, L L^T PSD, Gershgorin). L is a binary64
//     Cholesky factor of Lambda - mu I rounded to fixed point, mu slightly below the binary64
//     threshold where that Cholesky still succeeds (found by galloping + bisection).
//   * Lambda is a Gram matrix, hence PSD: a lower end below 0 is replaced by 0. When
//     rank(Phi_a) < D is proven by a kernel vector v (Phi_a v = 0, rechecked here exactly),
//     or rows < D, the enclosure is [0, 0].
// Both ends are finally rounded outward to dyadic rationals of 48 significant bits (still
// proven bounds, short to print).
// Cost: the exact Gram matrix, rows * nnz(row)^2 / 2 multiply-adds (Int128 when the bound
// allows, GMP otherwise); a few dozen binary64 Cholesky factorisations (D^3/3 each); O(D^3)
// Int128 and O(D^2) GMP operations for the exact checks. Above max_dim it is skipped.
//
// Per dataset coordinate (lambda_min_of_coordinate) the default is the truncated-feature form
// (Lemma B4, proofs-notes/10-baseline.md): every feature truncated to a multiple of 2^-bits, the
// exact second moment of the truncated rows (one power-of-two denominator: linear in the rows,
// where the exact Lambda_a of rows with many denominators costs quadratically) enclosed as
// above and widened by delta = D eps (2 B + 2 eps). When that lower end is 0 but the rank is
// proven D (LambdaMinOptions::full_rank_rows: the D rows of the certificate's nonzero minor),
// the lower end is raised to the exact determinant bound of Lemma C14,
//   lambda_min >= det(Phi_S)^2 / (rows * (||Phi_S||_F^2 / (D - 1))^(D - 1)) > 0,
// (S the minor's rows), positive but usually tiny; computed for D <= max_det_dim only.
// The Rayleigh vector x of the upper end is returned (upper_vector) so that a checker can
// recompute x^T Lambda x / x^T x <= upper exactly.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "mhla/arith/scalar.hpp"
#include "mhla/features/dataset.hpp"
#include "mhla/linalg/matrix.hpp"

namespace mhla {

enum class LambdaMinMethod { truncated, exact };

struct LambdaMinOptions {
  std::size_t max_dim = 600;  // skipped (with a reason) above this feature dimension
  LambdaMinMethod method = LambdaMinMethod::truncated;  // lambda_min_of_coordinate only
  unsigned bits = 128;        // truncated: features truncated to multiples of 2^-bits (Lemma B4)
  // The D rows (indices into Phi_a) of a nonzero D x D minor, when the certificate proves
  // rank D: then a lower end of 0 is raised by Lemma C14 (for D <= max_det_dim).
  std::vector<std::size_t> full_rank_rows;
  std::size_t max_det_dim = 120;
};

struct LambdaMinEnclosure {
  bool computed = false;       // false: skipped, see skipped_reason
  std::string skipped_reason;
  Rational lower, upper;       // proven: lower <= lambda_min <= upper
  double estimate = 0;         // the binary64 estimate (not proven; for reading)
  std::string method;
  double seconds = 0;
  // x with upper >= x^T Lambda x / x^T x (exact; for a singular coordinate the kernel vector
  // scaled to integers); empty when not computed.
  std::vector<Integer> upper_vector;
  double scale = 0;            // binary64 reading of max_i Lambda_ii (>= lambda_max / D)
  // lambda_min is tiny: upper <= 1e-12 * scale although the rank is full (identifiable by a
  // margin binary64 methods cannot resolve; Lemma A.7's bound is then weak). Informational.
  bool tiny = false;
};

// A symmetric matrix A = G / den with G integer and den >= 1 (how the exact checks see Lambda).
struct ScaledSymmetric {
  Matrix<Integer> G;
  Integer den{1};
};

// lambda_min of a symmetric rational matrix A (checked symmetric). psd_known: A is known to be
// positive semidefinite (a Gram matrix), so 0 is a valid lower end. @proof C5
LambdaMinEnclosure enclose_lambda_min(const Matrix<Rational>& A, bool psd_known, const LambdaMinOptions& options = {});
LambdaMinEnclosure enclose_lambda_min(const ScaledSymmetric& A, bool psd_known, const LambdaMinOptions& options = {});

// Lambda_a = Phi_a^T Phi_a / rows exactly, as G / den. Precondition: coordinate a is observed
// in at least one target.
ScaledSymmetric second_moment(const Dataset& ds, std::size_t a);

// The enclosure for coordinate a of a dataset. kernel_vector: the certificate's kernel
// witness when rank(Phi_a) < D (empty otherwise); it is rechecked exactly here. @proof C5
LambdaMinEnclosure lambda_min_of_coordinate(const Dataset& ds, std::size_t a, const std::vector<Rational>& kernel_vector,
                                            const LambdaMinOptions& options = {});

// The truncated-feature enclosure of Lemma B4 (what lambda_min_of_coordinate uses by default):
// features truncated to multiples of 2^-options.bits, the exact second moment of the truncated
// rows enclosed by enclose_lambda_min, widened by D eps (2 B + 2 eps) >= ||Lambda - Lambda~||_F.
// Kernel vector (rechecked) or rows < D: [0, 0]. @proof B4
LambdaMinEnclosure lambda_min_truncated(const Dataset& ds, std::size_t a, const std::vector<Rational>& kernel_vector,
                                        const LambdaMinOptions& options = {});

// Lemma C14: det(Phi_S)^2 / (N (||Phi_S||_F^2 / (D - 1))^(D - 1)) rounded down, a proven lower
// bound of lambda_min(Lambda_a), N = rows of Phi_a, S = rows (D indices into Phi_a's rows, in
// file order); 0 when det(Phi_S) = 0. Cost: one exact D x D Bareiss determinant. @proof C14
Rational lambda_min_lower_from_minor(const Dataset& ds, std::size_t a, const std::vector<std::size_t>& rows);

}  // namespace mhla
