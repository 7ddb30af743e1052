// SPDX-License-Identifier: MIT
// The float baseline (issue 5 item 5): MHLA with H heads trained by Adam in binary64 on a
// dataset. APPROXIMATE by design: every number here is a binary64 value; nothing decides a
// verdict. Used to reproduce the paper's SGD curves next to the exact learner.
//
// Model trained (math.md, scaled by s): for a target at position b of input Z,
//   yhat_b = s * sum_h V_h G Q_h z_b,   s = (1/H if average_heads) * (1/sqrt(d) if scale_sqrt_d),
// G = G_b = sum_{t<=b} z_t z_t^T when the dataset is causal, else G = Z Z^T (all tokens).
// (The authors' released code: heads averaged, scores divided by sqrt(d).)
// Loss on a set B of targets (a batch, or all of them): the mean over the m_B observed entries
//   L = (1/m_B) sum_{(row, a) observed} (yhat[a] - y[a])^2.
// Gradients (proofs-notes/10-baseline.md, Lemma B1): through the folded weights w_a (math.md),
// yhat[a] = s <w_a, phi(Z, b)> (Lemma L1), so with e[a] = 2 s (yhat[a] - y[a]) / m_B on observed
// entries (0 elsewhere):
//   dL/dw_a = sum_rows e[a] phi(Z, b)                                   (=: Gamma_a)
//   dL/dV_h[a][j] = sum_{k,l} Gamma~_a[j][k][l] Q_h[k][l],   dL/dQ_h[k][l] = sum_{a,j} Gamma~_a[j][k][l] V_h[a][j],
// Gamma~_a[j][k][l] = Gamma_a[(min(j,k), max(j,k), l)]. Equivalently per row (the direct form,
// Lemma B1 too): dV_h += e (G Q_h z)^T, dQ_h += G V_h^T e z^T.
// Cost per row O(d_obs D), D = feature_dim(d), independent of H, plus O(H d^4) per batch.
//
// Determinism: the same options and data give the same bits. Random numbers come from
// std::mt19937_64's raw outputs only (its sequence is fixed by the standard); the
// initialisation is N(0, init_scale^2) by the polar method with MPFR's correctly rounded log, the
// shuffle is Fisher-Yates with rejection sampling, and the cosine schedule uses MPFR's cos.
#pragma once
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "mhla/features/dataset.hpp"
#include "mhla/model/model.hpp"

namespace mhla::baseline {

// The dataset in binary64 (each rational rounded to nearest): per target row its Gram matrix
// (prefix Gram when causal), its token z_b, its targets and which entries are observed.
struct FloatData {
  std::size_t d = 0;
  std::vector<std::size_t> sample_begin;  // rows of sample s: [sample_begin[s], sample_begin[s + 1])
  std::vector<double> gram;               // rows x d*d, row-major G
  std::vector<double> token;              // rows x d
  std::vector<double> features;           // rows x feature_dim(d): phi(Z, b) in binary64 from G and z
  std::vector<double> target;             // rows x d (0 where not observed)
  std::vector<unsigned char> observed;    // rows x d
  std::size_t observed_count = 0;
  std::size_t samples() const { return sample_begin.empty() ? 0 : sample_begin.size() - 1; }
  std::size_t rows() const { return d == 0 ? 0 : token.size() / d; }
};

FloatData to_float_data(const Dataset& ds);

struct SgdOptions {
  std::size_t heads = 1;
  bool average_heads = false;  // multiply the output by 1/H (the authors' mean over heads)
  bool scale_sqrt_d = false;   // multiply the output by 1/sqrt(d) (the authors' score scaling)
  double init_scale = 0;       // standard deviation of the initial entries; 0 means 1/sqrt(d) (the authors')
  double learning_rate = 0.01;
  std::size_t batch = 32;      // samples per step (all their targets)
  std::size_t epochs = 100;
  std::uint64_t seed = 0;
  bool cosine_schedule = false;  // linear warmup over 10% of steps from 1e-5, then cosine to lr/100 (the authors')
  double clip_norm = 0;          // clip the global gradient norm to this (0: no clipping; the authors: 5)
  double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
};

// s of the model above.
double output_scale(const SgdOptions& options, std::size_t d);

// Mean squared error over all observed entries of the rows (0 when none is observed).
double mean_squared_error(const Model<double>& model, double scale, const FloatData& data);

struct Gradient {
  std::vector<Head<double>> heads;  // dL/dV_h, dL/dQ_h
  double loss = 0;                  // L on the rows, before the step
};

// L and its gradient on the rows of the given samples, through Gamma (see above). @proof B1
Gradient loss_gradient(const Model<double>& model, double scale, const FloatData& data,
                       const std::vector<std::size_t>& samples);
// The same by the direct per-row, per-head formulas (the readable reference; O(H d^2) per row). @proof B1
Gradient loss_gradient_direct(const Model<double>& model, double scale, const FloatData& data,
                              const std::vector<std::size_t>& samples);

// The reproducible random numbers described above.
class NormalSource {
 public:
  explicit NormalSource(std::uint64_t seed) : engine_(seed) {}
  std::uint64_t below(std::uint64_t n);  // uniform in [0, n), n >= 1
  double uniform_open01();               // (2k + 1) / 2^53, k uniform 52-bit
  double normal();                       // N(0, 1)
 private:
  std::mt19937_64 engine_;
  bool has_spare_ = false;
  double spare_ = 0;
};

// H heads with independent N(0, init_scale^2) entries (V_0, Q_0, V_1, ..., row-major).
Model<double> initial_model(std::size_t d, bool causal, const SgdOptions& options, NormalSource& rng);

struct SgdResult {
  Model<double> parameters;        // the trained V_h, Q_h (the scale s not applied)
  Model<double> model;             // the model file's heads: V_h replaced by fl(s V_h) (math.md has no scale)
  double scale = 1;
  std::vector<double> train_loss;  // [e] = MSE on the training data after e epochs (e = 0: initial)
  std::vector<double> validation_loss;  // the same on the validation data (empty without one)
  std::size_t steps = 0;
  bool diverged = false;  // a non-finite value appeared: stopped, the last finite parameters kept
};

// Adam on the training data; batches of `batch` samples, reshuffled every epoch.
// Preconditions (Error(usage)): heads >= 1, batch >= 1, learning rate > 0 and finite,
// validation (when given) of the same d and causal flag.
SgdResult train_sgd(const Dataset& train, const Dataset* validation, const SgdOptions& options);

// fl(s V_h) for every head (Q_h unchanged): the model whose unscaled output is s times the
// parameters' output, up to one rounding per V entry.
Model<double> fold_scale(const Model<double>& parameters, double scale);

// The exact value of a finite binary64 x as a decimal string ("-0.15625", "3", "1e-3" never:
// always plain digits with a point), which reads back as exactly x under exact semantics
// (interface.md). A binary64 m 2^e (m odd, e < 0) has exactly -e digits after the point.
// Precondition (Error(internal)): x finite.
std::string exact_decimal_string(double x);

// The model with every entry taken exactly as a rational (precondition: all entries finite).
Model<Rational> exact_model(const Model<double>& m);

}  // namespace mhla::baseline
