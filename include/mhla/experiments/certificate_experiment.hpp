// SPDX-License-Identifier: MIT
// `mhla experiment certificate`: the paper's Figure 2 (v4 Section 4.2): does certifiable
// identifiability predict generalisation? The associative memory at embedding d = 2m (m = 2: d = 4,
// D = 40), N samples whose keys/values are exactly orthogonal rational matrices with probability p
// and unit-norm ("normalized", the authors' branch) otherwise (tasks/assoc.hpp, mixture:P), for p
// from 0.95 to 1.00. Per p:
//   - the exact verdict (certify) and rank of Phi_a for the first value coordinate a = m
//     (all value coordinates observe the same rows);
//   - the rigorous enclosure of lambda_min(Lambda_a) (cert/lambda_min.hpp), and the smallest
//     eigenvalue a binary64 pipeline reports for the binary64 Lambda_a built from the binary64
//     data (uncentred, and centred as the authors' torch.cov): APPROXIMATE, labelled;
//   - the distance ||p(true) - p(learned)||_F over the observed (value) coordinates, where p(Theta)
//     is the paper's folded parameter vector (Corollary A.4) = our weights w_a(Theta) (math.md) up
//     to a fixed permutation of the features, which leaves the Frobenius norm unchanged. For exact
//     Algorithm 1 (the minimum-norm empirical risk minimiser, Lemma E2) it is computed exactly
//     (Lemma B3); for binary64 Adam with H heads (heads averaged, as the authors) in binary64.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "mhla/arith/scalar.hpp"
#include "mhla/cert/lambda_min.hpp"
#include "mhla/experiments/report.hpp"
#include "mhla/features/dataset.hpp"

namespace mhla::experiments {

struct CertificateOptions {
  std::size_t pairs = 2;        // m; embedding d = 2m
  std::size_t samples = 16384;  // N = 2^14, as the paper
  std::vector<Rational> p_list;  // default 95/100, 96/100, ..., 100/100
  std::vector<std::size_t> heads_list{1, 2, 4, 8};
  std::size_t epochs = 100;  // the authors: at most 100 (with early stopping)
  double learning_rate = 0.01;
  std::size_t batch = 32;
  std::uint64_t seed = 0;
  CertificateOptions();
};

// --quick: N = 160, p in {9/10, 1}, H in {1, 2}, 20 epochs (a smoke test, about a second).
CertificateOptions quick_certificate_options();

// The exact Algorithm 1's distance (Lemma B3): w* = the minimum-norm minimiser, computed and
// verified exactly; distance_squared = sum over observed a of ||w_true_a - w*_a||^2.
struct ExactDistance {
  Matrix<Rational> W;  // w*
  Rational distance_squared;
  std::size_t kernel_dim = 0;  // D - rank for the observed coordinates (0 when identifiable)
};
// Precondition (checked, Error(internal)): the targets are exactly truth's outputs (realizable).
// @proof B3
ExactDistance exact_minimum_norm_distance(const Dataset& ds, const Model<Rational>& truth);

// lambda_min(Lambda_a): the enclosure of `mhla certify` (cert/lambda_min.hpp: lambda_min_of_coordinate,
// the truncated-feature form of Lemma B4 by default).

// The smallest eigenvalue of the symmetric matrix A (n x n row-major) by cyclic Jacobi, binary64.
double jacobi_lambda_min(std::vector<double> A, std::size_t n);

// lambda_min of the binary64 Lambda_a = Phi^T Phi / rows from binary64 features (uncentred), and of
// the centred covariance (Phi - mean)^T (Phi - mean) / (rows - 1) (the authors' torch.cov).
struct FloatLambda {
  double uncentred = 0, centred = 0;
};
FloatLambda float_lambda_min(const Dataset& ds, std::size_t a);

struct LearnerDistance {
  std::string learner;  // "exact-algorithm-1" or "sgd"
  std::size_t heads = 0;
  double distance = 0;          // binary64 reading (exact learner: of the exact value)
  std::string distance_squared_exact;  // exact learner only
  double train_mse = 0;         // sgd: binary64 MSE after the last epoch; exact: exact risk / observed, read
  double seconds = 0;
};

struct CertificatePoint {
  Rational p;
  std::size_t samples = 0, orthogonal_samples = 0;
  bool identifiable = false;
  std::size_t rank = 0, feature_dim = 0;
  LambdaMinEnclosure lambda;
  FloatLambda float_lambda;
  std::vector<LearnerDistance> learners;
};

struct CertificateResult {
  std::vector<CertificatePoint> points;
};

CertificateResult run_certificate_experiment(const CertificateOptions& options,
                                             const std::function<void(const std::string&)>& progress);

// One row per (p, learner): p,samples,orthogonal_samples,identifiable,rank,feature_dim,
// lambda_min_lower,lambda_min_upper (binary64 readings of the proven ends), lambda_min_lower_exact,
// lambda_min_upper_exact, float_lambda_min, float_lambda_min_centred, minimiser_set_dim (D - rank:
// the dimension of the set of exact minimisers per value coordinate), learner,heads,distance,
// distance_squared_exact,train_mse,seconds.
CsvTable certificate_csv(const CertificateResult& result);

std::string certificate_summary(const CertificateResult& result, const CertificateOptions& options,
                                const std::string& plot_message);

// argv[1] = certificate.csv, argv[2] = PNG: distance vs p per learner, lambda_min (exact enclosure
// and binary64) vs p, and distance vs lambda_min (the paper's Figure 2a axes).
extern const char* const certificate_plot_script;

}  // namespace mhla::experiments
