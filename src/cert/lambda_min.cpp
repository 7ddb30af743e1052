// SPDX-License-Identifier: MIT
// Rigorous enclosure of lambda_min(Lambda_a); see lambda_min.hpp and proofs-notes Lemma C5.
#include "mhla/cert/lambda_min.hpp"

#include <gmp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <optional>

#include "mhla/features/exact_fast.hpp"
#include "mhla/linalg/bareiss.hpp"
#include "mhla/linalg/rows_scale_to_integer.hpp"
#include "mhla/support/progress.hpp"
#include "mhla/support/error.hpp"

namespace mhla {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

mpz_ptr raw(Integer& z) { return z.backend().data(); }
mpz_srcptr raw(const Integer& z) { return z.backend().data(); }

Integer shifted_left(const Integer& z, std::size_t bits) {
  Integer r;
  mpz_mul_2exp(raw(r), raw(z), bits);
  return r;
}

// floor(num / den) or ceil(num / den), den > 0.
Integer divide(const Integer& num, const Integer& den, bool up) {
  Integer q;
  if (up) mpz_cdiv_q(raw(q), raw(num), raw(den));
  else mpz_fdiv_q(raw(q), raw(num), raw(den));
  return q;
}

// q rounded down (up = false) or up to a dyadic rational with about `bits` significant bits.
Rational round_dyadic(const Rational& q, bool up, long bits = 48) {
  if (q == 0) return q;
  const Integer num = numerator(q), den = denominator(q);
  const long e = bits - (static_cast<long>(mpz_sizeinbase(raw(num), 2)) - static_cast<long>(mpz_sizeinbase(raw(den), 2)));
  // q * 2^e rounded, then divided by 2^e.
  if (e >= 0) {
    const Integer r = divide(shifted_left(num, static_cast<std::size_t>(e)), den, up);
    return Rational(r, shifted_left(Integer(1), static_cast<std::size_t>(e)));
  }
  const Integer r = divide(num, shifted_left(den, static_cast<std::size_t>(-e)), up);
  return Rational(shifted_left(r, static_cast<std::size_t>(-e)));
}

// The binary64 value nearest (within a few ulps) to g / den, den = dm * 2^de; may be +-inf or
// lose precision for absurd magnitudes (callers check finiteness; only a candidate chooser).
double approx_ratio(const Integer& g, double dm, long de) {
  if (g == 0) return 0.0;
  long e = 0;
  const double m = mpz_get_d_2exp(&e, raw(g));
  return std::ldexp(m / dm, static_cast<int>(std::clamp<long>(e - de, -100000, 100000)));
}

// Dense symmetric binary64 matrix, row-major.
struct FloatSym {
  std::size_t n = 0;
  std::vector<double> a;
  double operator()(std::size_t i, std::size_t j) const { return a[i * n + j]; }
};

// Lower-triangular L with L L^T = A - shift I in binary64; false when a pivot is not positive
// (A - shift I is then not numerically positive definite).
bool cholesky(const FloatSym& A, double shift, std::vector<double>& L) {
  const std::size_t n = A.n;
  L.assign(n * n, 0.0);
  for (std::size_t j = 0; j < n; ++j) {
    const double* lj = &L[j * n];
    double s = A(j, j) - shift;
    for (std::size_t k = 0; k < j; ++k) s -= lj[k] * lj[k];
    if (!(s > 0) || !std::isfinite(s)) return false;
    const double ljj = std::sqrt(s);
    L[j * n + j] = ljj;
    for (std::size_t i = j + 1; i < n; ++i) {
      const double* li = &L[i * n];
      double t = A(i, j);
      for (std::size_t k = 0; k < j; ++k) t -= li[k] * lj[k];
      L[i * n + j] = t / ljj;
    }
  }
  return true;
}

// z = (L L^T)^{-1} x.
std::vector<double> cholesky_solve(const std::vector<double>& L, std::size_t n, const std::vector<double>& x) {
  std::vector<double> y(x);
  for (std::size_t i = 0; i < n; ++i) {
    double s = y[i];
    for (std::size_t k = 0; k < i; ++k) s -= L[i * n + k] * y[k];
    y[i] = s / L[i * n + i];
  }
  for (std::size_t i = n; i-- > 0;) {
    double s = y[i];
    for (std::size_t k = i + 1; k < n; ++k) s -= L[k * n + i] * y[k];
    y[i] = s / L[i * n + i];
  }
  return y;
}

double normalise(std::vector<double>& x) {
  double s = 0;
  for (double v : x) s += v * v;
  s = std::sqrt(s);
  if (s > 0)
    for (double& v : x) v /= s;
  return s;
}

double rayleigh(const FloatSym& A, const std::vector<double>& x) {  // x of unit norm
  double q = 0;
  for (std::size_t i = 0; i < A.n; ++i) {
    double s = 0;
    for (std::size_t j = 0; j < A.n; ++j) s += A(i, j) * x[j];
    q += x[i] * s;
  }
  return q;
}

// x scaled to an integer vector: round(x_i * 2^(52 - e)) with max |x_i| < 2^e.
std::vector<Integer> integer_vector(const std::vector<double>& x) {
  double mx = 0;
  for (double v : x) mx = std::max(mx, std::fabs(v));
  int e = 0;
  std::frexp(mx, &e);
  std::vector<Integer> out;
  out.reserve(x.size());
  for (double v : x) out.emplace_back(static_cast<long long>(std::llround(std::ldexp(v, 52 - e))));
  return out;
}

// Exact x^T A x / x^T x for A = G / den and integer x != 0 (Rayleigh quotient).
Rational exact_rayleigh(const ScaledSymmetric& A, const std::vector<Integer>& x) {
  const std::size_t n = x.size();
  Integer num = 0, xx = 0, row;
  for (std::size_t i = 0; i < n; ++i) {
    if (x[i] == 0) continue;
    row = 0;
    for (std::size_t j = 0; j < n; ++j)
      if (x[j] != 0) mpz_addmul(raw(row), raw(A.G(i, j)), raw(x[j]));
    mpz_addmul(raw(num), raw(row), raw(x[i]));
    mpz_addmul(raw(xx), raw(x[i]), raw(x[i]));
  }
  if (xx == 0) fail(ErrorKind::internal, "lambda_min: zero Rayleigh vector");
  return Rational(num, A.den * xx);
}

// The exact lower bound of Lemma C5: mu - max_i sum_j |E_ij| with E = A - mu I - L' L'^T,
// L' = the binary64 factor L rounded to fixed point (any rational L' is valid).
Rational exact_lower_bound(const ScaledSymmetric& A, double mu, const std::vector<double>& L) {
  const std::size_t n = A.G.rows();
  if (n > (std::size_t(1) << 20)) fail(ErrorKind::internal, "lambda_min: dimension above 2^20 (Int128 bound)");
  double maxl = 0;
  for (double v : L) maxl = std::max(maxl, std::fabs(v));
  int el = 0;
  std::frexp(maxl, &el);  // max |L_ij| < 2^el
  const long s = 52 - el;  // L' = Li / 2^s with |Li| <= 2^52
  std::vector<std::int64_t> Li(n * n);
  for (std::size_t i = 0; i < n * n; ++i) Li[i] = static_cast<std::int64_t>(std::llround(std::ldexp(L[i], static_cast<int>(s))));
  // mu = m / 2^k exactly.
  int emu = 0;
  const double fmu = std::frexp(mu, &emu);
  const Integer m = mu == 0 ? Integer(0) : Integer(static_cast<long long>(std::ldexp(fmu, 53)));
  const long k = mu == 0 ? 0 : 53 - emu;
  const long t = std::max({0L, k, 2 * s});  // common denominator den * 2^t
  const Integer den_p = shifted_left(A.den, static_cast<std::size_t>(t - 2 * s));
  const Integer mu_num = shifted_left(m * A.den, static_cast<std::size_t>(t - k));
  std::vector<Integer> rowsum(n, Integer(0));
  Integer f, p;
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t* li = &Li[i * n];
    for (std::size_t j = 0; j <= i; ++j) {
      const std::int64_t* lj = &Li[j * n];
      Int128 acc = 0;  // |Li| <= 2^52, n <= 2^20 terms: |acc| < 2^124
      for (std::size_t q = 0; q <= j; ++q) acc += static_cast<Int128>(li[q]) * lj[q];
      mpz_mul_2exp(raw(f), raw(A.G(i, j)), static_cast<mp_bitcnt_t>(t));
      p = to_integer(acc);
      mpz_submul(raw(f), raw(p), raw(den_p));
      if (i == j) f -= mu_num;
      mpz_abs(raw(f), raw(f));
      rowsum[i] += f;
      if (j != i) rowsum[j] += f;
    }
  }
  const Integer worst = *std::max_element(rowsum.begin(), rowsum.end());
  return to_rational(mu) - Rational(worst, shifted_left(A.den, static_cast<std::size_t>(t)));
}

LambdaMinEnclosure skipped(std::string reason, Clock::time_point t0) {
  LambdaMinEnclosure r;
  r.skipped_reason = std::move(reason);
  r.seconds = seconds_since(t0);
  return r;
}

LambdaMinEnclosure exact_zero(std::string method, Clock::time_point t0) {
  LambdaMinEnclosure r;
  r.computed = true;
  r.lower = r.upper = 0;
  r.method = std::move(method);
  r.seconds = seconds_since(t0);
  return r;
}

}  // namespace

LambdaMinEnclosure enclose_lambda_min(const ScaledSymmetric& A, bool psd_known, const LambdaMinOptions& options) {
  const auto t0 = Clock::now();
  const std::size_t n = A.G.rows();
  if (A.G.cols() != n || A.den <= 0) fail(ErrorKind::internal, "enclose_lambda_min: not a square matrix over a positive denominator");
  if (n == 0) return skipped("empty matrix", t0);
  if (n > options.max_dim)
    return skipped("feature_dim " + std::to_string(n) + " > " + std::to_string(options.max_dim) +
                       ": skipped (informational; the float estimate costs O(D^3))",
                   t0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (A.G(i, j) != A.G(j, i)) fail(ErrorKind::internal, "enclose_lambda_min: matrix not symmetric");
  if (std::all_of(A.G.data().begin(), A.G.data().end(), [](const Integer& g) { return g == 0; }))
    return exact_zero("the matrix is zero", t0);

  // Binary64 copy (candidate chooser only).
  long de = 0;
  const double dm = mpz_get_d_2exp(&de, raw(A.den));
  FloatSym F{n, std::vector<double>(n * n)};
  double nrm = 0, gersh_low = INFINITY;
  for (std::size_t i = 0; i < n; ++i) {
    double off = 0;
    for (std::size_t j = 0; j < n; ++j) {
      const double v = approx_ratio(A.G(i, j), dm, de);
      if (!std::isfinite(v)) return skipped("entries outside the binary64 range", t0);
      F.a[i * n + j] = v;
      if (j != i) off += std::fabs(v);
    }
    nrm = std::max(nrm, std::fabs(F(i, i)) + off);
    gersh_low = std::min(gersh_low, F(i, i) - off);
  }
  if (nrm == 0 || !std::isfinite(nrm)) return skipped("entries outside the binary64 range", t0);

  // A shift sigma0 below lambda_min at which the binary64 Cholesky succeeds.
  double tau = nrm * static_cast<double>(n) * 0x1p-50;
  double sigma0 = (psd_known ? std::max(gersh_low, 0.0) : gersh_low) - tau;
  std::vector<double> L0;
  int tries = 0;
  while (!cholesky(F, sigma0, L0)) {
    if (++tries > 8) return skipped("the binary64 Cholesky factorisation failed at every trial shift", t0);
    tau *= 1024;
    sigma0 = (psd_known ? std::max(gersh_low, 0.0) : gersh_low) - tau;
  }

  // Inverse iteration with the factor L of A - shift I: x tends to an eigenvector of the
  // eigenvalue nearest the shift, here lambda_min (the shift is below it).
  std::vector<double> x(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = 1.0 + 0.5 * static_cast<double>((i * 7919 + 13) % 101) / 101.0;
  normalise(x);
  double est = rayleigh(F, x);
  auto inverse_iteration = [&](const std::vector<double>& L, int max_steps) {
    for (int it = 0; it < max_steps; ++it) {
      std::vector<double> z = cholesky_solve(L, n, x);
      if (!(normalise(z) > 0) || !std::all_of(z.begin(), z.end(), [](double v) { return std::isfinite(v); })) break;
      const double q = rayleigh(F, z);
      x = std::move(z);
      const bool settled = std::fabs(q - est) <= 1e-15 * std::fabs(q) + 1e-300 && it >= 2;
      est = q;
      if (settled) break;
    }
  };
  inverse_iteration(L0, 60);

  // mu_ok: a shift just below the binary64 Cholesky threshold (about lambda_min), found by
  // galloping down from the estimate, then bisection.
  double mu_ok = sigma0;
  std::vector<double> L_ok = L0, L;
  auto search = [&](double from, int bisections) {
    const double delta0 = std::max(std::fabs(from) * 0x1p-40, nrm * static_cast<double>(n) * 0x1p-52);
    double bad = from;
    for (double delta = delta0; from - delta > mu_ok; delta *= 16) {
      if (cholesky(F, from - delta, L)) {
        mu_ok = from - delta;
        L_ok = L;
        break;
      }
      bad = from - delta;
    }
    for (int step = 0; step < bisections && bad - mu_ok > delta0; ++step) {
      const double mid = mu_ok + (bad - mu_ok) / 2;
      if (cholesky(F, mid, L)) {
        mu_ok = mid;
        L_ok = L;
      } else {
        bad = mid;
      }
    }
  };
  search(est, 4);
  // Refine the vector with the shift mu_ok (near lambda_min: fast even for clustered spectra),
  // then the shift again from the refined estimate.
  inverse_iteration(L_ok, 4);
  search(est, 24);

  LambdaMinEnclosure out;
  out.computed = true;
  out.estimate = est;
  for (std::size_t i = 0; i < n; ++i) out.scale = std::max(out.scale, F(i, i));
  // Upper end: exact Rayleigh quotient of the integer-rounded estimate vector.
  out.upper_vector = integer_vector(x);
  const Rational hi = exact_rayleigh(A, out.upper_vector);
  // Lower end: the exact check of Lemma C5 at mu_ok.
  Rational lo = exact_lower_bound(A, mu_ok, L_ok);
  out.method =
      "Lemma C5: upper = exact Rayleigh quotient x^T Lambda x / x^T x of a binary64 inverse-iteration vector; "
      "lower = mu - max_i sum_j |E_ij|, E = Lambda - mu I - L L^T computed exactly, L a fixed-point binary64 "
      "Cholesky factor of Lambda - mu I (Weyl + Gershgorin)";
  if (psd_known && lo < 0) {
    lo = 0;
    out.method += "; lower end raised to 0 (Lambda is a Gram matrix, PSD)";
  }
  out.lower = round_dyadic(lo, false);
  out.upper = round_dyadic(hi, true);
  if (psd_known && out.lower < 0) out.lower = 0;
  if (out.lower > out.upper) fail(ErrorKind::internal, "lambda_min: proven lower end above proven upper end");
  out.seconds = seconds_since(t0);
  return out;
}

LambdaMinEnclosure enclose_lambda_min(const Matrix<Rational>& A, bool psd_known, const LambdaMinOptions& options) {
  ScaledSymmetric s{Matrix<Integer>(A.rows(), A.cols()), denominator_lcm(A)};
  for (std::size_t i = 0; i < A.data().size(); ++i)
    s.G.data()[i] = numerator(A.data()[i]) * (s.den / denominator(A.data()[i]));
  return enclose_lambda_min(s, psd_known, options);
}

ScaledSymmetric second_moment(const Dataset& ds, std::size_t a) {
  const std::size_t D = feature_dim(ds.d);
  // Pass 1: the number of rows and C = lcm of the samples' denominator LCMs L_s (row
  // numerators are over L_s^3, so every row is an integer vector over C^3).
  std::size_t N = 0;
  Integer C = 1;
  std::vector<std::vector<std::size_t>> positions(ds.samples.size());
  for (std::size_t s = 0; s < ds.samples.size(); ++s) {
    for (const Target& tg : ds.samples[s].targets)
      if (tg.y.at(a)) positions[s].push_back(tg.position);
    if (positions[s].empty()) continue;
    N += positions[s].size();
    C = denominator_lcm(ds.samples[s].Z, C);
  }
  if (N == 0) fail(ErrorKind::internal, "second_moment: coordinate not observed");

  // Pass 2: G = sum of u u^T over the rows u (upper triangle), in Int128 blocks while the sum
  // of the bounds 2^(2 b) of the products stays below 2^125, else in GMP.
  Matrix<Integer> G(D, D);
  Matrix<Int128> acc(D, D);
  double budget = 0;
  auto flush = [&] {
    for (std::size_t i = 0; i < D; ++i)
      for (std::size_t j = i; j < D; ++j)
        if (acc(i, j) != 0) {
          G(i, j) += to_integer(acc(i, j));
          acc(i, j) = 0;
        }
    budget = 0;
  };
  std::vector<std::size_t> nz;
  for (std::size_t s = 0; s < ds.samples.size(); ++s) {
    if (positions[s].empty()) continue;
    const Matrix<Rational>& Z = ds.samples[s].Z;
    const Integer Ls = denominator_lcm(Z);
    const Integer scale = (C / Ls) * (C / Ls) * (C / Ls);
    std::optional<Int128FeatureRows> small;
    if (scale == 1) small = feature_rows_int128(Z, positions[s], ds.causal);
    if (small) {
      for (std::size_t r = 0; r < small->numerators.rows(); ++r) {
        const Int128* u = small->numerators.row(r);
        nz.clear();
        UInt128 mx = 0;
        for (std::size_t i = 0; i < D; ++i)
          if (u[i] != 0) {
            nz.push_back(i);
            mx = std::max(mx, u[i] < 0 ? -static_cast<UInt128>(u[i]) : static_cast<UInt128>(u[i]));
          }
        std::size_t b = 0;
        for (UInt128 v = mx; v != 0; v >>= 1) ++b;
        if (b <= 62) {
          const double w = std::ldexp(1.0, static_cast<int>(2 * b));
          if (budget + w > 0x1p125) flush();
          budget += w;
          for (std::size_t p = 0; p < nz.size(); ++p)
            for (std::size_t q = p; q < nz.size(); ++q) acc(nz[p], nz[q]) += u[nz[p]] * u[nz[q]];
        } else {
          std::vector<Integer> ui(D);
          for (std::size_t i : nz) ui[i] = to_integer(u[i]);
          for (std::size_t p = 0; p < nz.size(); ++p)
            for (std::size_t q = p; q < nz.size(); ++q) mpz_addmul(raw(G(nz[p], nz[q])), raw(ui[nz[p]]), raw(ui[nz[q]]));
        }
      }
    } else {
      const ScaledIntegerMatrix rows = feature_rows_scaled(Z, positions[s], ds.causal);
      std::vector<Integer> ui(D);
      for (std::size_t r = 0; r < rows.numerators.rows(); ++r) {
        nz.clear();
        for (std::size_t i = 0; i < D; ++i) {
          ui[i] = rows.numerators(r, i) * scale;
          if (ui[i] != 0) nz.push_back(i);
        }
        for (std::size_t p = 0; p < nz.size(); ++p)
          for (std::size_t q = p; q < nz.size(); ++q) mpz_addmul(raw(G(nz[p], nz[q])), raw(ui[nz[p]]), raw(ui[nz[q]]));
      }
    }
  }
  flush();
  for (std::size_t i = 0; i < D; ++i)
    for (std::size_t j = 0; j < i; ++j) G(i, j) = G(j, i);
  const Integer C3 = C * C * C;
  return {std::move(G), Integer(static_cast<unsigned long long>(N)) * C3 * C3};
}

namespace {

// visit(row, numerators, den) for every row of Phi_a in file order (row = its index in Phi_a):
// phi = numerators / den exactly (Lemma S1), one sample at a time.
template <class Visit>
void for_each_feature_row(const Dataset& ds, std::size_t a, Visit visit) {
  std::size_t row = 0;
  std::vector<std::size_t> positions;
  for (const Sample& s : ds.samples) {
    positions.clear();
    for (const Target& tg : s.targets)
      if (tg.y.at(a)) positions.push_back(tg.position);
    if (positions.empty()) continue;
    const ScaledIntegerMatrix phi = feature_rows_scaled(s.Z, positions, ds.causal);
    for (std::size_t r = 0; r < positions.size(); ++r) visit(row++, phi.numerators.row(r), phi.denominator);
  }
}

std::size_t rows_observing(const Dataset& ds, std::size_t a) {
  std::size_t N = 0;
  for (const Sample& s : ds.samples)
    for (const Target& tg : s.targets) N += tg.y.at(a).has_value();
  return N;
}

// [0, 0] from a kernel vector v != 0 with Phi_a v = 0 (rechecked exactly here, row by row).
LambdaMinEnclosure zero_from_kernel_vector(const Dataset& ds, std::size_t a, const std::vector<Rational>& v,
                                           Clock::time_point t0) {
  const std::size_t D = feature_dim(ds.d);
  if (v.size() != D || std::all_of(v.begin(), v.end(), [](const Rational& x) { return x == 0; }))
    fail(ErrorKind::internal, "lambda_min: kernel vector of the wrong size or zero");
  const std::vector<Integer> w = vector_primitive_integer(v);
  for_each_feature_row(ds, a, [&](std::size_t, const Integer* u, const Integer&) {
    Integer s = 0;
    for (std::size_t j = 0; j < D; ++j)
      if (w[j] != 0 && u[j] != 0) mpz_addmul(raw(s), raw(u[j]), raw(w[j]));
    if (s != 0) fail(ErrorKind::internal, "lambda_min: the kernel vector does not annihilate Phi_a");
  });
  LambdaMinEnclosure r = exact_zero(
      "Lemma C5: Phi_a v = 0 for the certificate's kernel vector v != 0 (rechecked exactly), so the Rayleigh "
      "quotient of v is 0; Lambda is PSD",
      t0);
  r.upper_vector = w;
  return r;
}

}  // namespace

// @proof B4
namespace {

// The cases both methods answer without an enclosure: an unobserved coordinate, a size above
// max_dim (skipped), a kernel vector or fewer rows than features (lambda_min = 0 exactly).
std::optional<LambdaMinEnclosure> lambda_min_without_enclosure(const Dataset& ds, std::size_t a,
                                                               const std::vector<Rational>& kernel_vector,
                                                               const LambdaMinOptions& options, Clock::time_point t0) {
  const std::size_t D = feature_dim(ds.d);
  const std::size_t N = rows_observing(ds, a);
  if (N == 0) return skipped("coordinate not observed", t0);
  if (D > options.max_dim)
    return skipped("feature_dim " + std::to_string(D) + " > " + std::to_string(options.max_dim) +
                       ": skipped (informational; the float estimate costs O(D^3))",
                   t0);
  if (!kernel_vector.empty()) return zero_from_kernel_vector(ds, a, kernel_vector, t0);
  if (N < D) return exact_zero("Lemma C5: rows < feature_dim, so rank(Phi_a) < D and Lambda is singular; Lambda is PSD", t0);
  return std::nullopt;
}

}  // namespace

LambdaMinEnclosure lambda_min_truncated(const Dataset& ds, std::size_t a, const std::vector<Rational>& kernel_vector,
                                        const LambdaMinOptions& options) {
  const auto t0 = Clock::now();
  const std::size_t D = feature_dim(ds.d);
  const std::size_t N = rows_observing(ds, a);
  if (auto trivial = lambda_min_without_enclosure(ds, a, kernel_vector, options, t0)) return *trivial;
  const unsigned bits = options.bits;
  ScaledSymmetric S{Matrix<Integer>(D, D), Integer(1)};
  Integer largest = 0;  // max |truncated feature| x 2^bits
  std::vector<Integer> r(D);
  std::vector<std::size_t> nz;
  Progress progress("mhla certify", "lambda_min: row", N);
  for_each_feature_row(ds, a, [&](std::size_t row, const Integer* u, const Integer& den) {
    progress.update(row);
    nz.clear();
    for (std::size_t i = 0; i < D; ++i) {
      if (u[i] == 0) {
        r[i] = 0;
        continue;
      }
      mpz_mul_2exp(raw(r[i]), raw(u[i]), bits);
      mpz_tdiv_q(raw(r[i]), raw(r[i]), raw(den));  // truncation towards 0: |phi 2^bits - r| < 1
      if (r[i] == 0) continue;
      nz.push_back(i);
      if (mpz_cmpabs(raw(r[i]), raw(largest)) > 0) mpz_abs(raw(largest), raw(r[i]));
    }
    for (std::size_t p = 0; p < nz.size(); ++p)
      for (std::size_t q = p; q < nz.size(); ++q) mpz_addmul(raw(S.G(nz[p], nz[q])), raw(r[nz[p]]), raw(r[nz[q]]));
  });
  progress.finish();
  for (std::size_t i = 0; i < D; ++i)
    for (std::size_t j = 0; j < i; ++j) S.G(i, j) = S.G(j, i);
  S.den = shifted_left(Integer(1), 2 * bits) * Integer(static_cast<unsigned long long>(N));
  LambdaMinEnclosure e = enclose_lambda_min(S, true, options);
  if (!e.computed) return e;
  const Rational eps(Integer(1), shifted_left(Integer(1), bits));
  const Rational B = Rational(largest) * eps;
  const Rational widen = Rational(static_cast<unsigned long long>(D)) * eps * (2 * B + 2 * eps);  // Lemma B4
  e.lower = round_dyadic(e.lower - widen, false);
  if (e.lower < 0) e.lower = 0;
  e.upper = round_dyadic(e.upper + widen, true);
  e.method = "Lemma B4: features truncated to multiples of 2^-" + std::to_string(bits) +
             ", the exact second moment of the truncated rows enclosed by Lemma C5 (" + e.method +
             "), widened by D eps (2 B + 2 eps) >= ||Lambda - Lambda~||_F (Weyl)";
  e.seconds = seconds_since(t0);
  return e;
}

// @proof C14
Rational lambda_min_lower_from_minor(const Dataset& ds, std::size_t a, const std::vector<std::size_t>& rows) {
  const std::size_t D = feature_dim(ds.d), N = rows_observing(ds, a);
  if (rows.size() != D || D < 2 || !std::is_sorted(rows.begin(), rows.end()) ||
      std::adjacent_find(rows.begin(), rows.end()) != rows.end() || rows.back() >= N)
    fail(ErrorKind::internal, "lambda_min_lower_from_minor: not D increasing row indices of Phi_a");
  Matrix<Integer> M(D, D);
  Rational frob = 0, den_product = 1;
  std::size_t k = 0;
  for_each_feature_row(ds, a, [&](std::size_t row, const Integer* u, const Integer& den) {
    if (k == D || rows[k] != row) return;
    Integer norm2 = 0;
    for (std::size_t j = 0; j < D; ++j) {
      M(k, j) = u[j];
      mpz_addmul(raw(norm2), raw(u[j]), raw(u[j]));
    }
    frob += Rational(norm2, den * den);
    den_product *= Rational(den);
    ++k;
  });
  const Integer det = det_bareiss(M);
  if (det == 0) return Rational(0);
  // det(Phi_S)^2 rounded down; (||Phi_S||_F^2 / (D - 1)) rounded up: the bound only shrinks.
  const Rational det2 = round_dyadic(Rational(det * det) / (den_product * den_product), false);
  const Rational f = round_dyadic(frob / Rational(static_cast<unsigned long long>(D - 1)), true);
  Rational power = 1;
  for (std::size_t i = 0; i + 1 < D; ++i) power = round_dyadic(power * f, true);
  return round_dyadic(det2 / (Rational(static_cast<unsigned long long>(N)) * power), false);
}

LambdaMinEnclosure lambda_min_of_coordinate(const Dataset& ds, std::size_t a, const std::vector<Rational>& kernel_vector,
                                            const LambdaMinOptions& options) {
  const auto t0 = Clock::now();
  const std::size_t D = feature_dim(ds.d);
  LambdaMinEnclosure r;
  if (options.method == LambdaMinMethod::truncated) {
    r = lambda_min_truncated(ds, a, kernel_vector, options);
  } else {
    if (auto trivial = lambda_min_without_enclosure(ds, a, kernel_vector, options, t0)) return *trivial;
    r = enclose_lambda_min(second_moment(ds, a), true, options);
  }
  if (r.computed && kernel_vector.empty() && !options.full_rank_rows.empty()) {
    // rank D is proven by the certificate's minor: lambda_min > 0.
    if (r.lower == 0 && D <= options.max_det_dim) {
      r.lower = lambda_min_lower_from_minor(ds, a, options.full_rank_rows);
      if (r.lower > r.upper) fail(ErrorKind::internal, "lambda_min: the determinant bound exceeds the upper end");
      r.method += "; lower end raised by Lemma C14: det(Phi_S)^2 / (N (||Phi_S||_F^2 / (D - 1))^(D - 1)), S the "
                  "certificate's minor rows (exact)";
    } else if (r.lower == 0) {
      r.method += "; rank D is proven (so lambda_min > 0) but no positive lower end is computed above feature_dim " +
                  std::to_string(options.max_det_dim);
    }
    r.tiny = r.upper <= to_rational(1e-12) * to_rational(r.scale);
  }
  r.seconds = seconds_since(t0);
  return r;
}

}  // namespace mhla
