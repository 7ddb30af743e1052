// SPDX-License-Identifier: MIT
// p-adic (Dixon) lifting for nonsingular integer systems (dixon_lift.hpp;
// proofs-notes/04-linear-algebra.md, Lemmas A6, A7). The word-prime kernels (the inverse mod p
// and the n x n by n x k products) are FLINT's nmod_mat; the lifting, the exact products,
// the reconstruction schedule and the exact check are ours.
#include "mhla/linalg/dixon_lift.hpp"

#include <flint/nmod_mat.h>
#include <gmp.h>

#include <algorithm>
#include <memory>
#include <string>

#include "mhla/modp/rational_reconstruct.hpp"
#include "mhla/support/error.hpp"
#include "mhla/support/progress.hpp"

namespace mhla {
namespace {

mpz_srcptr raw(const Integer& z) { return z.backend().data(); }
mpz_ptr raw(Integer& z) { return z.backend().data(); }

// An nmod_mat with RAII.
struct NmodMat {
  nmod_mat_t m;
  NmodMat(std::size_t r, std::size_t c, std::uint64_t p) { nmod_mat_init(m, static_cast<slong>(r), static_cast<slong>(c), p); }
  ~NmodMat() { nmod_mat_clear(m); }
  NmodMat(const NmodMat&) = delete;
  NmodMat& operator=(const NmodMat&) = delete;
  mp_limb_t& at(std::size_t i, std::size_t j) { return nmod_mat_entry(m, static_cast<slong>(i), static_cast<slong>(j)); }
};

#pragma GCC push_options
#pragma GCC optimize("fp-contract=fast")
namespace generic {
#define KERNEL_VEC 2
#include "kernels_dixon.inc"
#undef KERNEL_VEC
}  // namespace generic
#pragma GCC pop_options
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#pragma GCC optimize("fp-contract=fast")
namespace avx2 {
#define KERNEL_VEC 4
#include "kernels_dixon.inc"
#undef KERNEL_VEC
}  // namespace avx2
#pragma GCC pop_options
#pragma GCC push_options
#pragma GCC target("avx512f,avx512dq,avx2,fma")
#pragma GCC optimize("fp-contract=fast")
namespace avx512 {
#define KERNEL_VEC 8
#include "kernels_dixon.inc"
#undef KERNEL_VEC
}  // namespace avx512
#pragma GCC pop_options

using MatmulFn = void (*)(std::size_t, std::size_t, const float*, const double*, std::size_t, double, double, double*,
                          std::int64_t*);
MatmulFn best_matmul() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")) return &avx512::matmul_chunked;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return &avx2::matmul_chunked;
  return &generic::matmul_chunked;
}

std::int64_t centred(std::uint64_t a, std::uint64_t q) {
  return a > q / 2 ? -static_cast<std::int64_t>(q - a) : static_cast<std::int64_t>(a);
}

std::size_t bits_u(std::uint64_t x) {
  std::size_t b = 0;
  while (x) {
    ++b;
    x >>= 1;
  }
  return b;
}

}  // namespace

// @proof A6 @proof A7
std::optional<DixonSolution> dixon_solve(const Matrix<Integer>& A, const Matrix<Integer>& B, PrimeStream& primes,
                                         double give_up_bits) {
  const std::size_t n = A.rows(), k = B.cols();
  if (A.cols() != n || B.rows() != n) fail(ErrorKind::internal, "dixon_solve: the system is not square");
  DixonSolution out;
  if (n == 0 || k == 0) {
    out.num.assign(n * k, Integer(0));
    return out;
  }
  // The lifting prime: the first of the stream with A invertible mod p.
  std::uint64_t p = 0;
  std::optional<NmodMat> Cinv;
  for (std::size_t tries = 0; tries < 8 && p == 0; ++tries) {
    const std::uint64_t cand = primes.next();
    NmodMat Ap(n, n, cand);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j) Ap.at(i, j) = mpz_fdiv_ui(raw(A(i, j)), cand);
    Cinv.emplace(n, n, cand);
    if (nmod_mat_inv(Cinv->m, Ap.m)) {
      p = cand;
    } else {
      ++out.singular_primes;
      Cinv.reset();
    }
  }
  if (p == 0) return std::nullopt;
  out.prime = p;
  // The check prime q < 2^62 (distinct from p), and A in signed digits of b = 24 bits (exact in
  // binary32): with |x| <= (p - 1) / 2 < 2^22 a chunk of 64 products sums below 2^52.
  PrimeStream qs = PrimeStream::descending_below(std::uint64_t(1) << 62);
  std::uint64_t q = qs.next();
  if (q == p) q = qs.next();
  if (p >= (std::uint64_t(1) << 23) || n >= (std::size_t(1) << 17))
    fail(ErrorKind::internal, "dixon_solve: the lifting prime or the size is beyond the kernel's bounds");
  const std::size_t pbits = bits_u(p - 1), nbits = bits_u(n);
  constexpr std::size_t b = 24, kChunkExact = 64, kChunkModP = 255;
  const double pd = static_cast<double>(p), pinv = 1.0 / pd;
  const MatmulFn matmul = best_matmul();
  std::size_t abits = 0;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) abits = std::max(abits, bit_length(A(i, j)));
  const std::size_t digits = std::max<std::size_t>(1, (abits + b - 1) / b);
  std::vector<std::vector<float>> Ad(digits, std::vector<float>(n * n));
  {
    Integer mag, dig;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j) {
        const int sign = mpz_sgn(raw(A(i, j)));
        mpz_abs(raw(mag), raw(A(i, j)));
        for (std::size_t m = 0; m < digits; ++m) {
          mpz_fdiv_r_2exp(raw(dig), raw(mag), b);
          mpz_fdiv_q_2exp(raw(mag), raw(mag), b);
          const float v = static_cast<float>(mpz_get_ui(raw(dig)));  // < 2^24: exact in binary32
          Ad[m][i * n + j] = sign < 0 ? -v : v;
        }
      }
  }
  std::vector<float> Cd(n * n);  // centred, below 2^22: exact in binary32
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) Cd[i * n + j] = static_cast<float>(centred(Cinv->at(i, j), p));
  Cinv.reset();
  // A x exactly fits Int128 when every |A x| < 2^126: bits(A) + bits(p) + bits(n) <= 125.
  const bool y128 = abits + pbits + nbits <= 125;

  // e (n x k, row-major), as Integers until every entry is below 2^100, then as Int128.
  std::vector<Integer> e(n * k);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t t = 0; t < k; ++t) e[i * k + t] = B(i, t);
  std::vector<Int128> e128;
  std::vector<std::int64_t> e64;
  bool small = false, tiny = false;
  // int64 mode: one digit of A and |A x| < 2^61, so e - y stays below 2^62; the exact division
  // by the odd prime p is a multiplication by p^{-1} mod 2^64, confirmed by q p == e - y.
  const bool y64 = digits == 1 && abits + 22 + nbits <= 61 && (p & 1) == 1;
  std::uint64_t pinv64 = p;
  for (int it = 0; it < 6; ++it) pinv64 *= 2 - p * pinv64;  // Newton: p pinv64 = 1 mod 2^64
  auto try_tiny = [&] {
    if (!y64) return;
    for (const Int128& v : e128)
      if (v >= (static_cast<Int128>(1) << 60) || v <= -(static_cast<Int128>(1) << 60)) return;
    e64.resize(n * k);
    for (std::size_t c = 0; c < n * k; ++c) e64[c] = static_cast<std::int64_t>(e128[c]);
    tiny = true;
    e128.clear();
  };
  auto try_small = [&] {
    if (!y128) return;
    for (const Integer& v : e)
      if (bit_length(v) > 100) return;
    e128.resize(n * k);
    for (std::size_t c = 0; c < n * k; ++c) e128[c] = to_int128(e[c]);
    small = true;
    e.clear();
  };
  try_small();

  // X = Xfull + chunk * ptot, chunk = sum of the digits since the last flush times p^j.
  std::vector<Integer> Xfull(n * k), chunk(n * k);
  Integer ptot = 1, pw = 1;
  const std::size_t chunk_len = std::max<std::size_t>(1, 2048 / std::max<std::size_t>(1, pbits));
  std::size_t in_chunk = 0;
  auto flush = [&] {
    for (std::size_t c = 0; c < n * k; ++c) {
      mpz_addmul(raw(Xfull[c]), raw(chunk[c]), raw(ptot));
      mpz_set_ui(raw(chunk[c]), 0);
    }
    ptot *= pw;
    pw = 1;
    in_chunk = 0;
  };

  const double log2p = static_cast<double>(pbits);
  // The expected count: the Hadamard estimate (give_up_bits = 2 log2 H + margin) over log2 p;
  // early termination usually stops well before it.
  Progress progress("mhla learn", "lifting step",
                    static_cast<std::size_t>(std::max(0.0, give_up_bits - 66) / std::max(1.0, log2p)) + 1, true);
  // Column blocks of at most 64 right-hand sides, padded to a multiple of 8.
  const std::size_t kb_max = 64;
  std::vector<double> Vd, Xd, Ym;
  std::vector<std::int64_t> Ye;
  std::vector<std::int64_t> xs(n * k);  // x_s, centred
  std::vector<Int128> y(n * k);
  std::vector<Integer> ybig;
  std::size_t next_try = 1;
  Integer M = 1;

  // Verification of a candidate (num, den): mod q, then exactly over Z.
  NmodMat Aq(n, n, q);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) Aq.at(i, j) = mpz_fdiv_ui(raw(A(i, j)), q);
  auto verify = [&](const std::vector<Integer>& num, const Integer& den) {
    NmodMat Nq(n, k, q), Rq(n, k, q);
    for (std::size_t c = 0; c < n * k; ++c) Nq.at(c / k, c % k) = mpz_fdiv_ui(raw(num[c]), q);
    nmod_mat_mul(Rq.m, Aq.m, Nq.m);
    const std::uint64_t dq = mpz_fdiv_ui(raw(den), q);
    nmod_t mod;
    nmod_init(&mod, q);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t t = 0; t < k; ++t)
        if (Rq.at(i, t) != nmod_mul(dq, mpz_fdiv_ui(raw(B(i, t)), q), mod)) return false;
    Integer s, rhs;  // exact: sum_j A(i, j) num(j, t) == den B(i, t)
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t t = 0; t < k; ++t) {
        mpz_set_ui(raw(s), 0);
        for (std::size_t j = 0; j < n; ++j) {
          const Integer& a = A(i, j);
          if (mpz_fits_slong_p(raw(a))) {
            const long v = mpz_get_si(raw(a));
            if (v > 0)
              mpz_addmul_ui(raw(s), raw(num[j * k + t]), static_cast<unsigned long>(v));
            else if (v < 0)
              mpz_submul_ui(raw(s), raw(num[j * k + t]), static_cast<unsigned long>(-(v + 1)) + 1);
          } else {
            mpz_addmul(raw(s), raw(a), raw(num[j * k + t]));
          }
        }
        mpz_mul(raw(rhs), raw(den), raw(B(i, t)));
        if (s != rhs) return false;
      }
    return true;
  };

  // A reconstruction attempt modulo M = p^s: a candidate common denominator and numerators.
  auto attempt = [&]() -> bool {
    ++out.attempts;
    const std::size_t mbits = bit_length(M);
    if (mbits < 24) return false;
    const std::size_t budget = mbits - 20;
    Integer den = 1, x, a, half = M / 2;
    std::vector<Integer> num(n * k);
    for (std::size_t c = 0; c < n * k; ++c) {
      mpz_set(raw(x), raw(Xfull[c]));
      mpz_addmul(raw(x), raw(chunk[c]), raw(ptot));
      mpz_mul(raw(a), raw(x), raw(den));
      mpz_fdiv_r(raw(a), raw(a), raw(M));
      if (a > half) a -= M;
      if (bit_length(a) + bit_length(den) <= budget) {
        num[c] = a;
        continue;
      }
      if (a < 0) a += M;
      const std::optional<Rational> r = rational_reconstruct(a, M);
      if (!r) return false;
      const Integer& rn = numerator(*r);
      const Integer& rd = denominator(*r);
      if (bit_length(rn) + bit_length(rd) + bit_length(den) > budget) return false;
      for (std::size_t c2 = 0; c2 < c; ++c2) num[c2] *= rd;
      den *= rd;
      num[c] = rn;
    }
    if (!verify(num, den)) return false;
    out.num = std::move(num);
    out.den = std::move(den);
    return true;
  };

  for (std::size_t s = 0;; ++s) {
    if (s >= next_try) {
      if (attempt()) {
        out.steps = s;
        return out;
      }
      next_try = s + std::max<std::size_t>(1, s / 16);
    }
    if (static_cast<double>(bit_length(M)) > give_up_bits) return std::nullopt;
    progress.update(s, std::to_string(bit_length(M)) + " bits");
    // x_s = C e_s mod p (centred), and y = A x_s exactly, digit by digit, per column block.
    if (y128) std::fill(y.begin(), y.end(), Int128(0));
    else ybig.assign(n * k, Integer(0));
    for (std::size_t t0 = 0; t0 < k; t0 += kb_max) {
      const std::size_t kb = std::min(kb_max, k - t0), kp = (kb + 7) / 8 * 8;
      Vd.assign(n * kp, 0.0);
      Xd.resize(n * kp);
      Ym.resize(n * kp);
      Ye.resize(n * kp);
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t t = 0; t < kb; ++t) {
          const std::size_t c = i * k + t0 + t;
          std::uint64_t r;
          if (tiny) {
            const std::int64_t v = e64[c] % static_cast<std::int64_t>(p);
            r = static_cast<std::uint64_t>(v < 0 ? v + static_cast<std::int64_t>(p) : v);
          } else if (small) {
            const Int128 v = e128[c] % static_cast<Int128>(p);
            r = static_cast<std::uint64_t>(v < 0 ? v + static_cast<Int128>(p) : v);
          } else {
            r = mpz_fdiv_ui(raw(e[c]), p);
          }
          Vd[i * kp + t] = static_cast<double>(centred(r, p));
        }
      matmul(n, kp, Cd.data(), Vd.data(), kChunkModP, pd, pinv, Xd.data(), nullptr);
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t t = 0; t < kb; ++t) xs[i * k + t0 + t] = static_cast<std::int64_t>(Xd[i * kp + t]);
      for (std::size_t m = 0; m < digits; ++m) {
        matmul(n, kp, Ad[m].data(), Xd.data(), kChunkExact, 0, 0, nullptr, Ye.data());
        for (std::size_t i = 0; i < n; ++i)
          for (std::size_t t = 0; t < kb; ++t) {
            const std::size_t c = i * k + t0 + t;
            const std::int64_t v = Ye[i * kp + t];
            if (tiny) {
              const std::int64_t dlt = e64[c] - v;
              const std::int64_t qt = static_cast<std::int64_t>(static_cast<std::uint64_t>(dlt) * pinv64);
              if (static_cast<Int128>(qt) * static_cast<Int128>(p) != static_cast<Int128>(dlt))
                fail(ErrorKind::internal, "dixon_solve: a lifting step is not exact");
              e64[c] = qt;
            } else if (y128) {
              y[c] += static_cast<Int128>(v) * (static_cast<Int128>(1) << (b * m));
            } else {
              Integer tv = v;
              mpz_mul_2exp(raw(tv), raw(tv), b * m);
              ybig[c] += tv;
            }
          }
      }
    }
    // e_{s+1} = (e_s - y) / p (exact: Lemma A6).
    for (std::size_t c = 0; c < n * k; ++c) {
      if (tiny) {
        // done above, digit by digit (one digit)
      } else if (small) {
        const Int128 d = e128[c] - y[c];
        if (d % static_cast<Int128>(p) != 0) fail(ErrorKind::internal, "dixon_solve: a lifting step is not exact");
        e128[c] = d / static_cast<Int128>(p);
      } else {
        if (y128) e[c] -= to_integer(y[c]);
        else e[c] -= ybig[c];
        if (!mpz_divisible_ui_p(raw(e[c]), p)) fail(ErrorKind::internal, "dixon_solve: a lifting step is not exact");
        mpz_divexact_ui(raw(e[c]), raw(e[c]), p);
      }
      if (xs[c] >= 0) mpz_addmul_ui(raw(chunk[c]), raw(pw), static_cast<unsigned long>(xs[c]));
      else mpz_submul_ui(raw(chunk[c]), raw(pw), static_cast<unsigned long>(-xs[c]));
    }
    if (!small) try_small();
    else if (!tiny) try_tiny();
    pw *= p;
    M *= p;
    if (++in_chunk == chunk_len) flush();
  }
}

}  // namespace mhla
