// SPDX-License-Identifier: MIT
// Exact empirical risk minimisation in the folded feature space (math.md, "Data and empirical
// risk"; proofs-notes/06-learner.md, Lemmas E1, E2, E3). The readable Bareiss/rational
// reference paths (primal: Phi; kernel: K = Phi Phi^T), and fit_dataset's dispatch between
// them and the fast modular path (least_squares_modular.hpp).
//
// Mathematics. For one output coordinate a, the risk of the weights w is ||Phi_a w - y_a||^2
// (Lemma L1), and with enough heads every w is reachable (Lemma E1), so the MHLA minimisers
// are exactly the least-squares solutions w. Lemma E2: w minimises iff
// Phi^T (Phi w - y) = 0 (the normal equations); the set of minimisers is w* + ker(Phi), of
// dimension D - rank(Phi); exactly one minimiser lies in the row space of Phi, the one of
// minimum norm. It is computed as
//   * rank(Phi) = D: the unique solution of Phi^T Phi w = Phi^T y;
//   * rank(Phi) = r < D: R = the r rows of Phi in its row rank profile (a basis of the row
//     space), w = R^T beta with beta the unique solution of the r x r nonsingular system
//     (R Phi^T Phi R^T) beta = R Phi^T y (the normal equations restricted to the row space).
// Before returning, the result is verified exactly: Phi^T (Phi w - y) = 0 over Q, the
// nullspace basis has D - r vectors each annihilated by Phi and orthogonal to w (so w is in the
// row space, hence of minimum norm). A failed check is a bug: Error(internal).
// Preconditions: y.size() == Phi.rows() (checked). Phi may have 0 rows (then w = 0).
// Cost: Bareiss rank profile and nullspace on the integer-scaled Phi (O(N D r) big-integer
// operations) plus the rational normal equations (O(N D r + r^3)): small sizes only.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "mhla/arith/scalar.hpp"
#include "mhla/features/dataset.hpp"
#include "mhla/linalg/matrix.hpp"

namespace mhla {

struct LeastSquares {
  std::vector<Rational> w;                       // the minimum-norm least-squares solution
  std::size_t rank = 0;                          // rank_Q(Phi)
  std::size_t solution_dim = 0;                  // D - rank: dimension of the set of minimisers
  std::vector<std::vector<Rational>> nullspace;  // a basis of {v : Phi v = 0} (solution_dim vectors)
  bool nullspace_computed = true;                // false: the path certified the rank without it
  Rational loss;                                 // ||Phi w - y||^2, the minimum, exact
  bool unique() const { return solution_dim == 0; }
};

// primal: systems in the feature space (size <= D); kernel: systems over the rows (size <= N)
// with K = Phi Phi^T from Lemma K1 and w = Phi^T alpha (Lemma E3).
enum class LearnMethod { primal, kernel };
enum class LearnSolver { modular, reference };
std::string to_string(LearnMethod m);
std::string to_string(LearnSolver s);
// The rule of --method auto: kernel when rows < D (the N x N kernel system is the smaller),
// else primal.
inline LearnMethod automatic_method(std::size_t rows, std::size_t D) {
  return rows < D ? LearnMethod::kernel : LearnMethod::primal;
}
inline constexpr const char* kAutomaticMethodRule = "kernel when rows < feature_dim, else primal";

// Which path produced a result, and its sizes (reported in the "learned" object).
struct SolveReport {
  LearnMethod method = LearnMethod::primal;
  LearnSolver solver = LearnSolver::modular;
  bool fell_back = false;       // the modular path did not verify; the reference path solved it
  std::string path;             // "consistent", "normal-equations", "reference", "no-rows"
  std::size_t primes_used = 0;  // good primes whose images were combined (all attempts)
  std::size_t unlucky_primes = 0;
  std::size_t max_numerator_bits = 0, max_denominator_bits = 0;  // of the entries of w
  // The square-system solver of the modular path: "crt" (one elimination per prime, CRT and
  // reconstruction) or "dixon" (one inverse mod p, p-adic lifting; dixon_lift.hpp); empty
  // for the reference path and for no rows.
  std::string kernel;
  std::size_t lifting_steps = 0;   // dixon: lifting steps
  // Normal equations: 2 log2 H, H the Hadamard bound of the square system (an upper bound on
  // bits(numerator) + bits(denominator) of its solution, Lemma A7 (c)); 0 on the other paths.
  std::size_t estimated_bits = 0;
};

// One row of Phi in kernel form: the Gram matrix G (G_b when causal) and the token z_b, so
// that phi = features_from_gram(G, Z, b) and K(i, i') = kernel_folded(G_i, z_i, G_i', z_i').
struct KernelRow {
  Matrix<Rational> G;
  std::vector<Rational> z;
};
// The kernel rows of Phi_a (targets observing coordinate a, file order).
std::vector<KernelRow> kernel_rows(const Dataset& ds, std::size_t a);

// The same least-squares problem in the dual (kernel) form, exact (Bareiss on K, rationals):
// K = Phi Phi^T from Lemma K1 (never forming Phi), R = the row rank profile of K (= that of
// Phi), alpha = K^{-1} y when K is nonsingular, otherwise alpha = scatter_R(beta) with
// (K[R,:] K[:,R]) beta = K[R,:] y; w = Phi^T alpha = sum_i alpha_i phi_i. Verified before it
// returns: K (Phi w - y) = 0 (the normal equations, as ker K = ker Phi^T) and w = Phi^T alpha by
// construction (row space: minimum norm). rank = rank(K) = rank(Phi); nullspace not computed.
// Cost: N^2 O(d^2) kernel entries, Bareiss on N x N, O(N D) for w. @proof E3
LeastSquares least_squares_kernel(const std::vector<KernelRow>& rows, const std::vector<Rational>& y);

// The least-squares problem min_w ||Phi w - y||^2 over Q, solved and verified exactly. @proof E2
LeastSquares least_squares_exact(const Matrix<Rational>& Phi, const std::vector<Rational>& y);

// True iff Phi^T (Phi w - y) = 0 exactly (w is a least-squares solution; Lemma E2).
bool satisfies_normal_equations(const Matrix<Rational>& Phi, const std::vector<Rational>& y,
                                const std::vector<Rational>& w);

// ||Phi w - y||^2 exactly.
Rational squared_residual(const Matrix<Rational>& Phi, const std::vector<Rational>& y, const std::vector<Rational>& w);

struct CoordinateFit {
  std::size_t a = 0;
  bool observed = false;  // some target observes y[a]; otherwise w_a = 0 and fit is empty
  std::size_t rows = 0;   // rows of Phi_a
  LeastSquares fit;
  SolveReport report;     // method, solver and path used, primes, sizes of w
};

struct DatasetFit {
  Matrix<Rational> W;  // d x feature_dim(d); row a = w_a (0 for an unobserved coordinate)
  std::vector<CoordinateFit> coordinates;  // a = 0..d-1
  Rational loss;       // the empirical risk of W: sum of the coordinates' minimum losses
  bool unique() const;  // every observed coordinate has a unique minimiser
};

// The exact ERM of a dataset, one least-squares problem per output coordinate (Lemma E1):
// W minimises the empirical risk over all weight matrices, hence (with rank(M) heads,
// heads.hpp) over all MHLA with at least d^2 heads. @proof E1
DatasetFit fit_dataset(const Dataset& ds);

// The same minimiser (bit for bit: the minimum-norm solution is unique) by a chosen method and
// solver. method nullopt = automatic_method(number of targets, D), one choice for the dataset.
// modular: least_squares_modular, falling back to the reference path of the same method when
// it does not verify (report.fell_back). reference: least_squares_exact (primal, with the
// nullspace) or least_squares_kernel. @proof E1
struct FitOptions {
  std::optional<LearnMethod> method;  // nullopt: auto
  LearnSolver solver = LearnSolver::modular;
};
DatasetFit fit_dataset(const Dataset& ds, const FitOptions& options);
// The method fit_dataset(ds, options) uses.
LearnMethod fit_method(const Dataset& ds, const FitOptions& options);
// A rough upper estimate of the bytes fit_dataset(ds, options) holds at once, for
// check_memory_estimate: N rows, D = feature_dim.
double fit_memory_estimate(std::size_t rows, std::size_t D, LearnMethod method, LearnSolver solver);

// The empirical risk of math.md for a model: the sum over observed entries of
// (Y[a][b] - y[a])^2, with Y evaluated exactly by the model (evaluate_exact, not features).
Rational empirical_risk(const Dataset& ds, const Model<Rational>& model);

}  // namespace mhla
