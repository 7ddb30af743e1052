// SPDX-License-Identifier: MIT
#include "mhla/baseline/sgd.hpp"

#include <mpfr.h>

#include <algorithm>
#include <cmath>

#include "mhla/features/features.hpp"
#include "mhla/support/error.hpp"

namespace mhla::baseline {
namespace {

// f(x) correctly rounded to binary64 through MPFR at 128 bits (one more rounding: the result
// is the same on every machine, unlike libm's).
template <class F>
double mpfr_apply(double x, F f) {
  mpfr_t t;
  mpfr_init2(t, 128);
  mpfr_set_d(t, x, MPFR_RNDN);
  f(t);
  const double r = mpfr_get_d(t, MPFR_RNDN);
  mpfr_clear(t);
  return r;
}

double reproducible_log(double x) {
  return mpfr_apply(x, [](mpfr_t t) { mpfr_log(t, t, MPFR_RNDN); });
}

double reproducible_cos_pi(double x) {  // cos(pi x)
  return mpfr_apply(x, [](mpfr_t t) {
    mpfr_t pi;
    mpfr_init2(pi, 128);
    mpfr_const_pi(pi, MPFR_RNDN);
    mpfr_mul(t, t, pi, MPFR_RNDN);
    mpfr_cos(t, t, MPFR_RNDN);
    mpfr_clear(pi);
  });
}

// The folded weights w_a (math.md) of the parameters, d x D row-major.
std::vector<double> folded_weights(const Model<double>& model) { return weights(model).data(); }

// Gamma~_a[j][k][l] = Gamma_a[(min(j,k), max(j,k), l)]: the folded gradient spread over all (j, k).
// dL/dV_h[a][j] = sum_{k,l} Gamma~_a[j][k][l] Q_h[k][l],  dL/dQ_h[k][l] = sum_{a,j} Gamma~_a[j][k][l] V_h[a][j].
void chain_to_heads(const Model<double>& model, const std::vector<double>& Gamma, Gradient& g) {
  const std::size_t d = model.d, D = feature_dim(d);
  std::vector<double> unfolded(d * d * d * d);  // [(a, j), (k, l)]
  for (std::size_t a = 0; a < d; ++a)
    for (std::size_t j = 0; j < d; ++j)
      for (std::size_t k = 0; k < d; ++k)
        for (std::size_t l = 0; l < d; ++l)
          unfolded[((a * d + j) * d + k) * d + l] = Gamma[a * D + feature_index(d, std::min(j, k), std::max(j, k), l)];
  const std::size_t d2 = d * d;
  for (std::size_t h = 0; h < model.heads.size(); ++h) {
    const std::vector<double>& V = model.heads[h].V.data();
    const std::vector<double>& Q = model.heads[h].Q.data();
    std::vector<double>& dV = g.heads[h].V.data();
    std::vector<double>& dQ = g.heads[h].Q.data();
    for (std::size_t r = 0; r < d2; ++r)
      for (std::size_t c = 0; c < d2; ++c) {
        dV[r] += unfolded[r * d2 + c] * Q[c];
        dQ[c] += unfolded[r * d2 + c] * V[r];
      }
  }
}

std::size_t observed_in(const FloatData& data, const std::vector<std::size_t>& samples) {
  std::size_t m = 0;
  for (std::size_t s : samples)
    for (std::size_t i = data.sample_begin[s] * data.d; i < data.sample_begin[s + 1] * data.d; ++i) m += data.observed[i];
  return m;
}

Gradient zero_gradient(const Model<double>& model) {
  Gradient g;
  for (std::size_t h = 0; h < model.heads.size(); ++h)
    g.heads.push_back({Matrix<double>(model.d, model.d), Matrix<double>(model.d, model.d)});
  return g;
}

bool all_finite(const Model<double>& m) {
  for (const Head<double>& h : m.heads)
    for (const Matrix<double>* M : {&h.V, &h.Q})
      for (double x : M->data())
        if (!std::isfinite(x)) return false;
  return true;
}

// The learning rate at step t of total (cosine schedule with warmup; see the header).
double scheduled_rate(const SgdOptions& o, std::size_t t, std::size_t total) {
  if (!o.cosine_schedule) return o.learning_rate;
  const double start = 1e-5, floor = o.learning_rate / 100;
  const std::size_t warmup = total / 10;
  if (t < warmup) return start + (o.learning_rate - start) * static_cast<double>(t) / static_cast<double>(warmup);
  const double progress = static_cast<double>(t - warmup) / static_cast<double>(std::max<std::size_t>(total - warmup, 1));
  return floor + 0.5 * (o.learning_rate - floor) * (1 + reproducible_cos_pi(progress));
}

}  // namespace

FloatData to_float_data(const Dataset& ds) {
  const std::size_t d = ds.d, d2 = d * d;
  FloatData f;
  f.d = d;
  f.sample_begin.push_back(0);
  for (const Sample& s : ds.samples) {
    const Matrix<double> Z = convert<double>(s.Z, [](const Rational& q) { return to_binary64(q); });
    // Gram matrices at the positions asked for: G (non-causal) or G_b (causal).
    std::vector<Matrix<double>> grams;
    std::size_t last = 0;
    for (const Target& t : s.targets) last = std::max(last, t.position + 1);
    if (ds.causal) {
      Matrix<double> G(d, d);
      for (std::size_t b = 0; b < last; ++b) {
        add_token_to_gram(G, Z, b);
        grams.push_back(G);
      }
    }
    const Matrix<double> full = ds.causal ? Matrix<double>() : gram(Z);
    for (const Target& t : s.targets) {
      const Matrix<double>& G = ds.causal ? grams[t.position] : full;
      f.gram.insert(f.gram.end(), G.data().begin(), G.data().begin() + static_cast<std::ptrdiff_t>(d2));
      for (std::size_t i = 0; i < d; ++i) f.token.push_back(Z(i, t.position));
      f.features.resize(f.features.size() + feature_dim(d));
      features_from_gram(G, Z, t.position, f.features.data() + f.features.size() - feature_dim(d));
      for (std::size_t a = 0; a < d; ++a) {
        f.target.push_back(t.y[a] ? to_binary64(*t.y[a]) : 0.0);
        f.observed.push_back(t.y[a] ? 1 : 0);
        f.observed_count += t.y[a] ? 1 : 0;
      }
    }
    f.sample_begin.push_back(f.sample_begin.back() + s.targets.size());
  }
  return f;
}

double output_scale(const SgdOptions& options, std::size_t d) {
  double s = 1;
  if (options.average_heads) s /= static_cast<double>(options.heads);
  if (options.scale_sqrt_d) s /= std::sqrt(static_cast<double>(d));
  return s;
}

double mean_squared_error(const Model<double>& model, double scale, const FloatData& data) {
  if (data.observed_count == 0) return 0;
  const std::size_t d = data.d, D = feature_dim(d);
  const std::vector<double> w = folded_weights(model);
  double sum = 0;
  for (std::size_t row = 0; row < data.rows(); ++row) {
    const double* phi = data.features.data() + row * D;
    for (std::size_t a = 0; a < d; ++a) {
      if (!data.observed[row * d + a]) continue;
      double y = 0;
      for (std::size_t i = 0; i < D; ++i) y += w[a * D + i] * phi[i];
      const double r = scale * y - data.target[row * d + a];
      sum += r * r;
    }
  }
  return sum / static_cast<double>(data.observed_count);
}

Gradient loss_gradient(const Model<double>& model, double scale, const FloatData& data,
                       const std::vector<std::size_t>& samples) {
  const std::size_t d = data.d, D = feature_dim(d);
  Gradient g = zero_gradient(model);
  const std::size_t m = observed_in(data, samples);
  if (m == 0) return g;
  const std::vector<double> w = folded_weights(model);
  std::vector<double> Gamma(d * D, 0.0);  // dL/dw_a (Lemma B1)
  double sum = 0;
  for (std::size_t s : samples)
    for (std::size_t row = data.sample_begin[s]; row < data.sample_begin[s + 1]; ++row) {
      const double* phi = data.features.data() + row * D;
      for (std::size_t a = 0; a < d; ++a) {
        if (!data.observed[row * d + a]) continue;
        double y = 0;
        for (std::size_t i = 0; i < D; ++i) y += w[a * D + i] * phi[i];
        const double r = scale * y - data.target[row * d + a];
        sum += r * r;
        const double e = 2 * scale * r / static_cast<double>(m);
        for (std::size_t i = 0; i < D; ++i) Gamma[a * D + i] += e * phi[i];
      }
    }
  g.loss = sum / static_cast<double>(m);
  chain_to_heads(model, Gamma, g);
  return g;
}

Gradient loss_gradient_direct(const Model<double>& model, double scale, const FloatData& data,
                              const std::vector<std::size_t>& samples) {
  const std::size_t d = data.d, H = model.heads.size();
  Gradient g = zero_gradient(model);
  const std::size_t m = observed_in(data, samples);
  if (m == 0) return g;
  double sum = 0;
  for (std::size_t s : samples)
    for (std::size_t row = data.sample_begin[s]; row < data.sample_begin[s + 1]; ++row) {
      const Matrix<double> G(d, d, std::vector<double>(data.gram.begin() + static_cast<std::ptrdiff_t>(row * d * d),
                                                       data.gram.begin() + static_cast<std::ptrdiff_t>((row + 1) * d * d)));
      const std::vector<double> z(data.token.begin() + static_cast<std::ptrdiff_t>(row * d),
                                  data.token.begin() + static_cast<std::ptrdiff_t>((row + 1) * d));
      std::vector<std::vector<double>> u(H);  // u_h = G Q_h z
      std::vector<double> y(d, 0.0);
      for (std::size_t h = 0; h < H; ++h) {
        u[h] = multiply(G, multiply(model.heads[h].Q, z));
        const std::vector<double> v = multiply(model.heads[h].V, u[h]);
        for (std::size_t a = 0; a < d; ++a) y[a] += v[a];
      }
      std::vector<double> e(d, 0.0);  // dL/d(unscaled output) = 2 s r / m on observed entries
      for (std::size_t a = 0; a < d; ++a)
        if (data.observed[row * d + a]) {
          const double r = scale * y[a] - data.target[row * d + a];
          sum += r * r;
          e[a] = 2 * scale * r / static_cast<double>(m);
        }
      for (std::size_t h = 0; h < H; ++h) {
        const std::vector<double> p = multiply(G, multiply(transpose(model.heads[h].V), e));  // G V_h^T e
        for (std::size_t i = 0; i < d; ++i)
          for (std::size_t j = 0; j < d; ++j) {
            g.heads[h].V(i, j) += e[i] * u[h][j];
            g.heads[h].Q(i, j) += p[i] * z[j];
          }
      }
    }
  g.loss = sum / static_cast<double>(m);
  return g;
}

std::uint64_t NormalSource::below(std::uint64_t n) {
  if (n == 0) fail(ErrorKind::internal, "NormalSource::below(0)");
  const std::uint64_t limit = n * (~std::uint64_t(0) / n);
  for (;;) {
    const std::uint64_t k = engine_();
    if (k < limit) return k % n;
  }
}

double NormalSource::uniform_open01() { return static_cast<double>(2 * (engine_() >> 12) + 1) * 0x1p-53; }

double NormalSource::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  for (;;) {  // Marsaglia's polar method: (u, v) uniform in the unit disc
    const double u = 2 * uniform_open01() - 1, v = 2 * uniform_open01() - 1;
    const double r2 = u * u + v * v;
    if (r2 >= 1 || r2 == 0) continue;
    const double f = std::sqrt(-2 * reproducible_log(r2) / r2);
    spare_ = v * f;
    has_spare_ = true;
    return u * f;
  }
}

Model<double> initial_model(std::size_t d, bool causal, const SgdOptions& options, NormalSource& rng) {
  const double sigma = options.init_scale > 0 ? options.init_scale : 1 / std::sqrt(static_cast<double>(d));
  Model<double> m{d, causal, {}};
  for (std::size_t h = 0; h < options.heads; ++h) {
    Head<double> head{Matrix<double>(d, d), Matrix<double>(d, d)};
    for (double& x : head.V.data()) x = sigma * rng.normal();
    for (double& x : head.Q.data()) x = sigma * rng.normal();
    m.heads.push_back(std::move(head));
  }
  return m;
}

Model<double> fold_scale(const Model<double>& parameters, double scale) {
  Model<double> m = parameters;
  for (Head<double>& h : m.heads)
    for (double& x : h.V.data()) x *= scale;
  return m;
}

std::string exact_decimal_string(double x) {
  if (!std::isfinite(x)) fail(ErrorKind::internal, "exact_decimal_string: non-finite binary64 value");
  if (x == 0) return "0";
  int exponent = 0;
  const double fraction = std::frexp(std::abs(x), &exponent);  // |x| = fraction 2^exponent, fraction in [1/2, 1)
  auto mantissa = static_cast<std::uint64_t>(std::ldexp(fraction, 64 - 11));  // exact: 53 bits
  long e = exponent - (64 - 11);
  while (mantissa % 2 == 0) {
    mantissa /= 2;
    ++e;
  }
  std::string digits;
  std::size_t after_point = 0;
  if (e >= 0) {
    digits = to_string(Integer(mantissa) << static_cast<unsigned>(e));
  } else {
    Integer five = 1;
    for (long i = 0; i < -e; ++i) five *= 5;  // m 2^e = m 5^-e / 10^-e
    digits = to_string(Integer(mantissa) * five);
    after_point = static_cast<std::size_t>(-e);
    if (digits.size() <= after_point) digits.insert(0, after_point + 1 - digits.size(), '0');
    digits.insert(digits.size() - after_point, ".");
  }
  return (x < 0 ? "-" : "") + digits;
}

Model<Rational> exact_model(const Model<double>& m) {
  return convert_model<Rational>(m, [](double x) { return to_rational(x); });
}

SgdResult train_sgd(const Dataset& train, const Dataset* validation, const SgdOptions& o) {
  if (o.heads == 0) fail(ErrorKind::usage, "sgd: --heads must be at least 1");
  if (o.batch == 0) fail(ErrorKind::usage, "sgd: --batch must be at least 1");
  if (!(o.learning_rate > 0) || !std::isfinite(o.learning_rate))
    fail(ErrorKind::usage, "sgd: --lr must be a positive finite number");
  if (!(o.init_scale >= 0) || !std::isfinite(o.init_scale)) fail(ErrorKind::usage, "sgd: --init-scale must be >= 0");
  if (!(o.clip_norm >= 0) || !std::isfinite(o.clip_norm)) fail(ErrorKind::usage, "sgd: --clip must be >= 0");
  if (validation && (validation->d != train.d || validation->causal != train.causal))
    fail(ErrorKind::usage, "sgd: the validation data differ from the training data in d or in the causal flag");
  const std::size_t d = train.d;
  const FloatData data = to_float_data(train);
  const FloatData valid = validation ? to_float_data(*validation) : FloatData{};
  NormalSource rng(o.seed);
  SgdResult result;
  result.scale = output_scale(o, d);
  Model<double> theta = initial_model(d, train.causal, o, rng);
  Gradient m1 = zero_gradient(theta), m2 = zero_gradient(theta);  // Adam's moments
  auto record = [&] {
    result.train_loss.push_back(mean_squared_error(theta, result.scale, data));
    if (validation) result.validation_loss.push_back(mean_squared_error(theta, result.scale, valid));
  };
  record();
  std::vector<std::size_t> order(data.samples());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  const std::size_t per_epoch = (order.size() + o.batch - 1) / o.batch, total = per_epoch * o.epochs;
  double beta1_t = 1, beta2_t = 1;
  for (std::size_t epoch = 0; epoch < o.epochs && !order.empty(); ++epoch) {
    for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);  // Fisher-Yates
    const Model<double> before = theta;
    for (std::size_t start = 0; start < order.size(); start += o.batch) {
      const std::vector<std::size_t> batch(order.begin() + static_cast<std::ptrdiff_t>(start),
                                           order.begin() + static_cast<std::ptrdiff_t>(std::min(start + o.batch, order.size())));
      Gradient g = loss_gradient(theta, result.scale, data, batch);
      if (o.clip_norm > 0) {
        double norm2 = 0;
        for (const Head<double>& h : g.heads)
          for (const Matrix<double>* M : {&h.V, &h.Q})
            for (double x : M->data()) norm2 += x * x;
        const double norm = std::sqrt(norm2);
        if (norm > o.clip_norm)
          for (Head<double>& h : g.heads)
            for (Matrix<double>* M : {&h.V, &h.Q})
              for (double& x : M->data()) x *= o.clip_norm / (norm + 1e-6);
      }
      const double lr = scheduled_rate(o, result.steps, total);
      ++result.steps;
      beta1_t *= o.beta1;
      beta2_t *= o.beta2;
      for (std::size_t h = 0; h < theta.heads.size(); ++h)
        for (int part = 0; part < 2; ++part) {
          std::vector<double>& p = part ? theta.heads[h].Q.data() : theta.heads[h].V.data();
          const std::vector<double>& gr = part ? g.heads[h].Q.data() : g.heads[h].V.data();
          std::vector<double>& mm = part ? m1.heads[h].Q.data() : m1.heads[h].V.data();
          std::vector<double>& vv = part ? m2.heads[h].Q.data() : m2.heads[h].V.data();
          for (std::size_t i = 0; i < p.size(); ++i) {
            mm[i] = o.beta1 * mm[i] + (1 - o.beta1) * gr[i];
            vv[i] = o.beta2 * vv[i] + (1 - o.beta2) * gr[i] * gr[i];
            const double mhat = mm[i] / (1 - beta1_t), vhat = vv[i] / (1 - beta2_t);
            p[i] -= lr * mhat / (std::sqrt(vhat) + o.epsilon);
          }
        }
    }
    if (!all_finite(theta)) {
      theta = before;
      result.diverged = true;
      break;
    }
    record();
    if (!std::isfinite(result.train_loss.back())) {
      result.diverged = true;
      break;
    }
  }
  result.parameters = theta;
  result.model = fold_scale(theta, result.scale);
  return result;
}

}  // namespace mhla::baseline
