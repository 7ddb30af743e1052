// SPDX-License-Identifier: MIT
#include "mhla/cert/det_mod_p.hpp"

#include <cmath>

#include "mhla/support/error.hpp"

namespace mhla {

std::uint64_t det_mod_p(const PrimeField& F, const std::vector<std::uint64_t>& a, std::size_t n) {
  if (F.p >= (std::uint64_t(1) << 23)) fail(ErrorKind::internal, "det_mod_p: prime must be below 2^23");
  if (a.size() != n * n) fail(ErrorKind::internal, "det_mod_p: matrix is not n x n");
  const double p = static_cast<double>(F.p), pinv = 1.0 / p, half = static_cast<double>(F.p / 2);
  // Exact centred reduction of an integer-valued double |x| < 2^52 into [-(p-1)/2, (p-1)/2].
  auto centre = [&](double x) {
    double r = x - p * std::nearbyint(x * pinv);
    if (r > half) r -= p;
    if (r < -half) r += p;
    return r;
  };
  auto residue = [&](double x) {  // centred -> [0, p)
    return x < 0 ? static_cast<std::uint64_t>(x + p) : static_cast<std::uint64_t>(x);
  };
  std::vector<double> m(n * n);
  for (std::size_t i = 0; i < n * n; ++i) {
    if (a[i] >= F.p) fail(ErrorKind::internal, "det_mod_p: entry not reduced");
    m[i] = static_cast<double>(F.centred(a[i]));
  }
  std::uint64_t det = 1 % F.p;
  std::size_t since_reduced = 0;  // updates each trailing entry received since its last reduction
  for (std::size_t k = 0; k < n; ++k) {
    if (since_reduced == 128) {
      for (std::size_t i = k; i < n; ++i)
        for (std::size_t j = k; j < n; ++j) m[i * n + j] = centre(m[i * n + j]);
      since_reduced = 0;
    }
    std::size_t piv = n;
    for (std::size_t i = k; i < n; ++i) {
      m[i * n + k] = centre(m[i * n + k]);
      if (piv == n && m[i * n + k] != 0) piv = i;
    }
    if (piv == n) return 0;
    if (piv != k) {
      for (std::size_t j = k; j < n; ++j) std::swap(m[k * n + j], m[piv * n + j]);
      det = F.neg(det);
    }
    double* rk = &m[k * n];
    for (std::size_t j = k + 1; j < n; ++j) rk[j] = centre(rk[j]);
    const std::uint64_t pivot = residue(rk[k]);
    det = F.mul(det, pivot);
    const std::uint64_t inv = F.inv(pivot);
    for (std::size_t i = k + 1; i < n; ++i) {
      double* ri = &m[i * n];
      if (ri[k] == 0) continue;
      const double f = static_cast<double>(F.centred(F.mul(residue(ri[k]), inv)));
      for (std::size_t j = k + 1; j < n; ++j) ri[j] -= f * rk[j];  // |f rk[j]| < 2^44
    }
    ++since_reduced;
  }
  return det;
}

}  // namespace mhla
