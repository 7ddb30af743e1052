// SPDX-License-Identifier: MIT
// The fast exact least-squares solver (least_squares_modular.hpp; proofs-notes/06-learner.md,
// Lemmas E3, E4).
#include "mhla/learn/least_squares_modular.hpp"

#include <gmp.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <span>
#include <string>

#include "mhla/linalg/dixon_lift.hpp"
#include "mhla/linalg/echelon_mod_p.hpp"
#include "mhla/linalg/rank_certified.hpp"
#include "mhla/modp/crt.hpp"
#include "mhla/modp/rational_reconstruct.hpp"
#include "mhla/modp/reduce.hpp"
#include "mhla/support/progress.hpp"

namespace mhla {
namespace {

using Residues = std::vector<std::uint64_t>;

mpz_srcptr raw(const Integer& z) { return z.backend().data(); }
mpz_ptr raw(Integer& z) { return z.backend().data(); }

std::uint64_t residue(const PrimeField& F, const Integer& z) { return mpz_fdiv_ui(raw(z), F.p); }

std::size_t pair_count(std::size_t d) { return d * (d + 1) / 2; }

// ---- The rows, with what every path needs precomputed once ----

struct Problem {
  const CompactRows& rows;
  std::size_t N, d, P, D, k;
  std::vector<std::vector<Rational>> yscaled;  // den_i y_i per right-hand side (row-scaled problem)
  std::vector<std::size_t> num_bits;           // bits of the largest |num_i| entry (row i)
  std::size_t gram_bits = 0, token_bits = 0;
  bool fits_int64 = true;         // every Gp and z entry fits in int64
  Matrix<std::int64_t> G64, z64;  // copies when fits_int64

  explicit Problem(const CompactRows& r)
      : rows(r), N(r.rows()), d(r.d), P(pair_count(r.d)), D(feature_dim(r.d)), k(r.y.size()) {
    yscaled.assign(k, std::vector<Rational>(N));
    num_bits.resize(N);
    for (std::size_t i = 0; i < N; ++i) {
      for (std::size_t a = 0; a < k; ++a) yscaled[a][i] = r.y[a][i] * Rational(r.den[i]);
      std::size_t gb = 0, zb = 0;
      for (std::size_t p = 0; p < P; ++p) gb = std::max(gb, bit_length(r.gram_pairs(i, p)));
      for (std::size_t l = 0; l < d; ++l) zb = std::max(zb, bit_length(r.tokens(i, l)));
      num_bits[i] = gb + zb;
      gram_bits = std::max(gram_bits, gb);
      token_bits = std::max(token_bits, zb);
    }
    fits_int64 = gram_bits <= 62 && token_bits <= 62;
    if (fits_int64) {
      G64 = convert<std::int64_t>(r.gram_pairs, [](const Integer& x) { return static_cast<std::int64_t>(x); });
      z64 = convert<std::int64_t>(r.tokens, [](const Integer& x) { return static_cast<std::int64_t>(x); });
    }
  }

  // num_i[(p, l)] = Gp_i[p] z_i[l], exactly.
  Integer num(std::size_t i, std::size_t f) const { return rows.gram_pairs(i, f / d) * rows.tokens(i, f % d); }

  // <num_i, wn> exactly (wn integers), without forming num_i.
  Integer num_dot(std::size_t i, const std::vector<Integer>& wn, const std::vector<std::int64_t>* wn64,
                  std::size_t wn_bits) const {
    if (wn64 && fits_int64 && gram_bits + token_bits + wn_bits + detail::bits_of_count(D) <= 125) {
      Int128 s = 0;
      const std::int64_t* g = G64.row(i);
      const std::int64_t* z = z64.row(i);
      const std::int64_t* w = wn64->data();
      for (std::size_t p = 0, f = 0; p < P; ++p) {
        Int128 inner = 0;
        for (std::size_t l = 0; l < d; ++l, ++f) inner += static_cast<Int128>(z[l]) * w[f];
        s += inner * g[p];
      }
      return to_integer(s);
    }
    Integer s = 0, inner;
    for (std::size_t p = 0, f = 0; p < P; ++p) {
      inner = 0;
      for (std::size_t l = 0; l < d; ++l, ++f) mpz_addmul(raw(inner), raw(rows.tokens(i, l)), raw(wn[f]));
      mpz_addmul(raw(s), raw(rows.gram_pairs(i, p)), raw(inner));
    }
    return s;
  }

  // K'(i, j) = <num_i, num_j> = <Gp_i, Gp_j> <z_i, z_j> (Lemma K1 on the pairs), exactly.
  Integer kernel(std::size_t i, std::size_t j) const {
    Integer a = 0, b = 0;
    for (std::size_t p = 0; p < P; ++p) mpz_addmul(raw(a), raw(rows.gram_pairs(i, p)), raw(rows.gram_pairs(j, p)));
    for (std::size_t l = 0; l < d; ++l) mpz_addmul(raw(b), raw(rows.tokens(i, l)), raw(rows.tokens(j, l)));
    return a * b;
  }
};

// The compact rows reduced mod p: Gp and z residues, and den_i y_i per right-hand side
// (nullopt: p divides a denominator, an unlucky prime).
struct RowsModP {
  Residues G, z;
  std::vector<Residues> y;
};

std::optional<RowsModP> reduce_rows(const PrimeField& F, const Problem& pb) {
  RowsModP m;
  m.G.resize(pb.N * pb.P);
  m.z.resize(pb.N * pb.d);
  m.y.assign(pb.k, Residues(pb.N));
  for (std::size_t i = 0; i < pb.N; ++i) {
    for (std::size_t a = 0; a < pb.k; ++a) {
      const std::optional<std::uint64_t> yi = reduce_mod(F, pb.yscaled[a][i]);
      if (!yi) return std::nullopt;
      m.y[a][i] = *yi;
    }
    for (std::size_t p = 0; p < pb.P; ++p)
      m.G[i * pb.P + p] = pb.fits_int64 ? F.from_int64(pb.G64(i, p)) : residue(F, pb.rows.gram_pairs(i, p));
    for (std::size_t l = 0; l < pb.d; ++l)
      m.z[i * pb.d + l] = pb.fits_int64 ? F.from_int64(pb.z64(i, l)) : residue(F, pb.rows.tokens(i, l));
  }
  return m;
}

// num_i mod p into out[0..D).
void num_row_mod_p(const PrimeField& F, const Problem& pb, const RowsModP& m, std::size_t i, std::uint64_t* out) {
  const std::uint64_t* g = &m.G[i * pb.P];
  const std::uint64_t* z = &m.z[i * pb.d];
  for (std::size_t p = 0, f = 0; p < pb.P; ++p)
    for (std::size_t l = 0; l < pb.d; ++l, ++f) out[f] = F.mul(g[p], z[l]);
}

// K'(i, j) mod p by Lemma K1 on the pairs. Residues are below 2^23 (every stream prime is), so
// products are below 2^46 and a uint64 accumulator holds 2^18 of them exactly.
std::uint64_t kernel_mod_p(const PrimeField& F, const Problem& pb, const RowsModP& m, std::size_t i, std::size_t j) {
  std::uint64_t a = 0, b = 0;
  const std::uint64_t *gi = &m.G[i * pb.P], *gj = &m.G[j * pb.P];
  for (std::size_t p = 0; p < pb.P; ++p) a += gi[p] * gj[p];
  const std::uint64_t *zi = &m.z[i * pb.d], *zj = &m.z[j * pb.d];
  for (std::size_t l = 0; l < pb.d; ++l) b += zi[l] * zj[l];
  return F.mul(a % F.p, b % F.p);
}

// <num_i, w> mod p for w given mod p, with one reduction per pair (delayed: 2^18 products fit).
std::uint64_t num_dot_mod_p(const PrimeField& F, const Problem& pb, const RowsModP& m, std::size_t i,
                            const std::uint64_t* w) {
  const std::uint64_t* g = &m.G[i * pb.P];
  const std::uint64_t* z = &m.z[i * pb.d];
  std::uint64_t s = 0;
  for (std::size_t p = 0, f = 0; p < pb.P; ++p) {
    std::uint64_t inner = 0;
    for (std::size_t l = 0; l < pb.d; ++l, ++f) inner += z[l] * w[f];
    s += (inner % F.p) * g[p];
    if ((p & 1023) == 1023) s %= F.p;
  }
  return s % F.p;
}

// ---- Rationals <-> integer vectors over a common denominator ----

struct CommonDenominator {
  std::vector<Integer> num;
  Integer den{1};
  std::size_t num_bits = 0;                    // bits of the largest |num|
  std::optional<std::vector<std::int64_t>> small;  // num as int64 when num_bits <= 62
  void finish() {
    num_bits = 0;
    for (const Integer& x : num) num_bits = std::max(num_bits, bit_length(x));
    small.reset();
    if (num_bits <= 62) {
      small.emplace();
      small->reserve(num.size());
      for (const Integer& x : num) small->push_back(static_cast<std::int64_t>(x));
    }
  }
};

CommonDenominator over_common_denominator(std::span<const Rational> x) {
  CommonDenominator c;
  for (const Rational& v : x)
    if (denominator(v) != 1) c.den = lcm(c.den, denominator(v));
  c.num.reserve(x.size());
  for (const Rational& v : x) c.num.push_back(numerator(v) * (c.den / denominator(v)));
  c.finish();
  return c;
}


// ---- Square nonsingular systems over Q with k right-hand sides, through prime fields ----

// X with A X = B mod p from the augmented residues [A | -B] (n rows of n + k); X column a at
// [a n, (a + 1) n). nullopt when A is singular mod p (an unlucky prime for this system).
std::optional<Residues> solve_mod_p(const PrimeField& F, std::size_t n, std::size_t k, const Residues& aug) {
  if (n == 0) return Residues{};
  EchelonModP E(F, n + k);
  for (std::size_t i = 0; i < n; ++i) E.add_row_residues(std::span<const std::uint64_t>(&aug[i * (n + k)], n + k));
  if (E.rank() != n) return std::nullopt;
  const std::vector<std::size_t> cols = E.pivot_cols();
  if (cols.back() >= n) return std::nullopt;  // a pivot among the right-hand sides: A singular
  Residues X(n * k);
  for (std::size_t a = 0; a < k; ++a) {
    const Residues v = E.kernel_vector(n + a);  // [A | -B] v = 0 with v[n + a] = 1, 0 on the other b's
    std::copy(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n), X.begin() + static_cast<std::ptrdiff_t>(a * n));
  }
  return X;
}

struct Engine {
  PrimeStream& primes;
  std::size_t primes_used = 0, unlucky_primes = 0;
};

enum class Decision { done, more_primes };

// CRT and rational reconstruction with early termination (Lemma E4): the concatenated solution
// vector is reconstructed after good primes (after every prime while reconstruction succeeds,
// on a geometric schedule while it fails); every reconstructed candidate is handed to
// `verify`, the exact check. verify decides per right-hand side (accepted, or the system is the
// wrong one for it) and says done when every right-hand side is decided. The search stops
// without a decision once the modulus exceeds 2^(2 hadamard_bits + 66), beyond which the
// reconstruction of the true solution is guaranteed (Lemma E4(c)).
void solve_multimodular(Engine& eng, std::size_t n, std::size_t k,
                        const std::function<std::optional<Residues>(const PrimeField&)>& image,
                        const std::function<Decision(const std::vector<Rational>&)>& verify, double hadamard_bits,
                        std::optional<std::pair<std::uint64_t, Residues>> first = {}) {
  if (n == 0) {
    verify(std::vector<Rational>{});
    return;
  }
  CrtVector acc;
  std::size_t good = 0, next_try = 1, unlucky = 0;
  const double give_up_bits = 2 * hadamard_bits + 66;
  mhla::Progress progress("mhla learn", "prime", static_cast<std::size_t>(give_up_bits / 22) + 1, true);
  if (first) {
    crt_combine(acc, PrimeField(first->first), first->second);
    ++good;
    ++eng.primes_used;
  }
  for (;;) {
    if (good > 0 && good >= next_try) {
      std::optional<std::vector<Rational>> cand = rational_reconstruct(acc.residues, acc.modulus);
      if (cand) {
        // Checking costs little when the candidate is wrong (it fails at its first violated
        // row), so every successful reconstruction is checked (right-hand sides already decided
        // are skipped): small exact solutions are found after one prime.
        if (verify(*cand) == Decision::done) return;
        next_try = good + 1;
      } else {
        next_try = good + std::max<std::size_t>(1, good / 4);  // geometric: O(log) attempts
      }
    }
    if (static_cast<double>(bit_length(acc.modulus)) > give_up_bits || unlucky > 64 + 4 * good) return;
    progress.update(good, std::to_string(bit_length(acc.modulus)) + " bits");
    const PrimeField F(eng.primes.next());
    const std::optional<Residues> aug = image(F);
    const std::optional<Residues> x = aug ? solve_mod_p(F, n, k, *aug) : std::nullopt;
    if (!x) {
      ++unlucky;
      ++eng.unlucky_primes;
      continue;
    }
    crt_combine(acc, F, *x);
    ++good;
    ++eng.primes_used;
  }
}

// log2 of a Hadamard bound for an integer system with n rows (n + 1 columns used) whose
// entries have at most row_bits[i] bits: prod_i ||row_i|| <= prod_i sqrt(n + 1) 2^row_bits[i].
double hadamard_bits(const std::vector<std::size_t>& row_bits, std::size_t n) {
  double s = 0;
  for (std::size_t b : row_bits) s += static_cast<double>(b) + 0.5 * std::log2(static_cast<double>(n) + 1);
  return s + 1;
}

// ---- Exact checks over Q ----

// Phi w with w = wn / wd: entry i is <num_i, wn> / (den_i wd).
std::vector<Rational> phi_times(const Problem& pb, const CommonDenominator& w) {
  std::vector<Rational> out(pb.N);
  for (std::size_t i = 0; i < pb.N; ++i)
    out[i] = Rational(pb.num_dot(i, w.num, w.small ? &*w.small : nullptr, w.num_bits), pb.rows.den[i] * w.den);
  return out;
}

// Row i of Phi w = y_a: <num_i, wn> == den_i y_i wd.
bool row_fits(const Problem& pb, const CommonDenominator& w, std::size_t a, std::size_t i) {
  const Integer s = pb.num_dot(i, w.num, w.small ? &*w.small : nullptr, w.num_bits);
  const Rational& ys = pb.yscaled[a][i];
  return s * denominator(ys) == numerator(ys) * w.den;
}

// Phi^T v = 0 (primal form): sum_i (v_i / den_i) num_i = 0, over a common denominator.
bool phi_transpose_annihilates(const Problem& pb, const std::vector<Rational>& v) {
  std::vector<Rational> e(pb.N);
  for (std::size_t i = 0; i < pb.N; ++i) e[i] = v[i] / Rational(pb.rows.den[i]);
  const CommonDenominator c = over_common_denominator(e);
  std::vector<Integer> zc(pb.P);  // per row: sum_l ... computed per feature below
  Integer g, inner;
  for (std::size_t p = 0; p < pb.P; ++p)
    for (std::size_t l = 0; l < pb.d; ++l) {
      g = 0;
      for (std::size_t i = 0; i < pb.N; ++i) {
        if (c.num[i] == 0) continue;
        mpz_mul(raw(inner), raw(pb.rows.gram_pairs(i, p)), raw(pb.rows.tokens(i, l)));
        mpz_addmul(raw(g), raw(inner), raw(c.num[i]));
      }
      if (g != 0) return false;
    }
  return true;
}

// K v = 0 (kernel form; ker K = ker Phi^T): sum_j K'(i, j) v_j / den_j = 0 for every i.
bool kernel_annihilates(const Problem& pb, const std::vector<Rational>& v) {
  std::vector<Rational> e(pb.N);
  for (std::size_t i = 0; i < pb.N; ++i) e[i] = v[i] / Rational(pb.rows.den[i]);
  const CommonDenominator c = over_common_denominator(e);
  for (std::size_t i = 0; i < pb.N; ++i) {
    Integer g = 0;
    for (std::size_t j = 0; j < pb.N; ++j)
      if (c.num[j] != 0) g += pb.kernel(i, j) * c.num[j];
    if (g != 0) return false;
  }
  return true;
}

// w = sum_q coef_q scale_q num_{R_q} (exact), a row-space combination, over coef's denominator.
CommonDenominator combine_rows(const Problem& pb, const std::vector<std::size_t>& R, const CommonDenominator& c,
                               const std::vector<Integer>& scale) {
  CommonDenominator w;
  w.num.assign(pb.D, Integer(0));
  w.den = c.den;
  Integer f, g;
  for (std::size_t q = 0; q < R.size(); ++q) {
    if (c.num[q] == 0) continue;
    f = c.num[q] * scale[q];
    for (std::size_t p = 0; p < pb.P; ++p) {
      mpz_mul(raw(g), raw(f), raw(pb.rows.gram_pairs(R[q], p)));
      for (std::size_t l = 0; l < pb.d; ++l) mpz_addmul(raw(w.num[p * pb.d + l]), raw(g), raw(pb.rows.tokens(R[q], l)));
    }
  }
  w.finish();
  return w;
}

CommonDenominator combine_rows(const Problem& pb, const std::vector<std::size_t>& R, std::span<const Rational> coef,
                               const std::vector<Integer>& scale) {
  return combine_rows(pb, R, over_common_denominator(coef), scale);
}

// Column t of the row-major n x k matrix num, over den (not reduced).
CommonDenominator column_over(const std::vector<Integer>& num, std::size_t t, std::size_t k, const Integer& den) {
  CommonDenominator c;
  c.den = den;
  for (std::size_t i = t; i < num.size(); i += k) c.num.push_back(num[i]);
  c.finish();
  return c;
}

std::vector<Rational> to_rationals(const CommonDenominator& w) {
  std::vector<Rational> out;
  out.reserve(w.num.size());
  for (const Integer& x : w.num) out.emplace_back(x, w.den);
  return out;
}

// ---- Exact Gram products ----

// S = B^T B (r x r) and T = Yn B (k x r, T(t, a) = sum_i Yn(t, i) B(i, a)) exactly, for the
// N x r integer matrix B given by entry(i, a). Fast path: when every |B| < 2^bb with
// 2 bb + bits(N) <= 52, every partial sum of S is an integer below 2^52 and binary64 holds it
// exactly; Yn is split into signed digits of c = 52 - bb - bits(N) bits so that every partial
// sum of T's digit products is exact too. Otherwise GMP. Cost: N r^2 / 2 + N r k digits
// multiply-adds.
template <class Entry>
void gram_exact(std::size_t N, std::size_t r, const Entry& entry, const Matrix<Integer>& Yn, Matrix<Integer>& S,
                Matrix<Integer>& T) {
  const std::size_t k = Yn.rows(), nbits = detail::bits_of_count(N);
  S = Matrix<Integer>(r, r);
  T = Matrix<Integer>(k, r);
  const std::size_t bb_max = nbits >= 50 ? 0 : (52 - nbits) / 2;
  std::vector<double> Bd(N * r);
  bool fast = bb_max >= 2;
  for (std::size_t i = 0; i < N && fast; ++i)
    for (std::size_t a = 0; a < r && fast; ++a) {
      const Integer v = entry(i, a);
      if (bit_length(v) > bb_max) fast = false;
      else Bd[i * r + a] = static_cast<double>(static_cast<std::int64_t>(v));
    }
  if (!fast) {
    Bd = {};
    Matrix<Integer> B(N, r);
    for (std::size_t i = 0; i < N; ++i)
      for (std::size_t a = 0; a < r; ++a) B(i, a) = entry(i, a);
    for (std::size_t a = 0; a < r; ++a)
      for (std::size_t b = a; b < r; ++b) {
        Integer s = 0;
        for (std::size_t i = 0; i < N; ++i) mpz_addmul(raw(s), raw(B(i, a)), raw(B(i, b)));
        S(a, b) = s;
        S(b, a) = std::move(s);
      }
    for (std::size_t t = 0; t < k; ++t)
      for (std::size_t a = 0; a < r; ++a) {
        Integer s = 0;
        for (std::size_t i = 0; i < N; ++i) mpz_addmul(raw(s), raw(B(i, a)), raw(Yn(t, i)));
        T(t, a) = std::move(s);
      }
    return;
  }
  std::size_t bb = 0;
  for (double v : Bd) bb = std::max(bb, v == 0 ? std::size_t(0) : static_cast<std::size_t>(std::ilogb(std::fabs(v))) + 1);
  std::vector<double> Sd(r * r, 0.0);
  constexpr std::size_t TA = 32, TB = 512;
  for (std::size_t a0 = 0; a0 < r; a0 += TA) {
    const std::size_t a1 = std::min(r, a0 + TA);
    for (std::size_t b0 = 0; b0 < r; b0 += TB) {
      const std::size_t b1 = std::min(r, b0 + TB);
      if (b1 <= a0) continue;
      for (std::size_t i = 0; i < N; ++i) {
        const double* Bi = Bd.data() + i * r;
        for (std::size_t a = a0; a < a1; ++a) {
          const double ba = Bi[a];
          if (ba == 0) continue;
          double* Sa = Sd.data() + a * r;
          for (std::size_t b = std::max(b0, a); b < b1; ++b) Sa[b] += ba * Bi[b];
        }
      }
    }
  }
  for (std::size_t a = 0; a < r; ++a)
    for (std::size_t b = a; b < r; ++b) {
      S(a, b) = static_cast<std::int64_t>(Sd[a * r + b]);
      if (b != a) S(b, a) = S(a, b);
    }
  Sd = {};
  // T by digits of Yn.
  const std::size_t c = 52 - bb - nbits;
  std::size_t ybits = 0;
  for (std::size_t t = 0; t < k; ++t)
    for (std::size_t i = 0; i < N; ++i) ybits = std::max(ybits, bit_length(Yn(t, i)));
  const std::size_t digits = std::max<std::size_t>(1, (ybits + c - 1) / c);
  std::vector<double> Yd(N * k), Td(r * k);
  std::vector<Integer> rest(N * k);
  for (std::size_t i = 0; i < N; ++i)
    for (std::size_t t = 0; t < k; ++t) rest[i * k + t] = Yn(t, i);
  Integer dig, part;
  for (std::size_t m = 0; m < digits; ++m) {
    for (std::size_t e = 0; e < N * k; ++e) {  // the low c bits of |rest|, signed
      const int sg = mpz_sgn(raw(rest[e]));
      mpz_abs(raw(dig), raw(rest[e]));
      mpz_fdiv_r_2exp(raw(dig), raw(dig), c);
      const double v = static_cast<double>(mpz_get_ui(raw(dig)));
      Yd[e] = sg < 0 ? -v : v;
      if (sg < 0) mpz_neg(raw(dig), raw(dig));
      rest[e] -= dig;
      mpz_fdiv_q_2exp(raw(rest[e]), raw(rest[e]), c);  // exact: rest - dig is a multiple of 2^c
    }
    std::fill(Td.begin(), Td.end(), 0.0);
    for (std::size_t i = 0; i < N; ++i) {
      const double* Bi = Bd.data() + i * r;
      const double* Yi = Yd.data() + i * k;
      for (std::size_t a = 0; a < r; ++a) {
        const double ba = Bi[a];
        if (ba == 0) continue;
        double* Ta = Td.data() + a * k;
        for (std::size_t t = 0; t < k; ++t) Ta[t] += ba * Yi[t];
      }
    }
    for (std::size_t a = 0; a < r; ++a)
      for (std::size_t t = 0; t < k; ++t) {
        part = static_cast<std::int64_t>(Td[a * k + t]);
        mpz_mul_2exp(raw(part), raw(part), c * m);
        T(t, a) += part;
      }
  }
}

// ---- The solver ----

struct Solver {
  const Problem& pb;
  LearnMethod method;
  Engine eng;
  std::vector<std::optional<std::vector<Rational>>> w;  // accepted solutions per right-hand side
  std::vector<std::string> path;
  std::vector<std::optional<Rational>> loss;  // set when the path proved it cheaply (Lemma E5)
  std::vector<std::size_t> estimated_bits, lifting_steps;
  std::vector<std::string> kernel;  // "crt" or "dixon"
  double dixon_min_bits = 256;      // ModularOptions::dixon_min_bits: answers estimated larger go to Dixon

  std::size_t profile_cols() const { return method == LearnMethod::primal ? pb.D : pb.N; }

  // Step 1 (Lemma E4(a)): the row rank profile R of X = num (primal) or K' (kernel) mod p.
  // Primal rows are fed until the rank reaches D (the rest cannot add to it).
  std::vector<std::size_t> profile(const PrimeField& F, const RowsModP& m) {
    const std::size_t c = profile_cols();
    EchelonModP E(F, c);
    Residues row(c);
    for (std::size_t i = 0; i < pb.N && !E.saturated(); ++i) {
      if (method == LearnMethod::primal)
        num_row_mod_p(F, pb, m, i, row.data());
      else
        for (std::size_t j = 0; j < pb.N; ++j) row[j] = kernel_mod_p(F, pb, m, i, j);
      E.add_row_residues(row);
    }
    return E.pivot_rows();
  }

  // Whether the square system for R solves for w itself (primal, |R| = D) or for the
  // coefficients g of w = num_R^T g.
  bool direct(const std::vector<std::size_t>& R) const { return method == LearnMethod::primal && R.size() == pb.D; }

  // The consistent path (Lemma E3(b)) for the right-hand sides `todo`: interpolate on R
  // (num_R w = y'_R, or K'_RR g = y'_R and w = num_R^T g); accept a right-hand side iff
  // Phi w = y on every row. Returns the right-hand sides left undecided or not consistent.
  std::vector<std::size_t> consistent(const PrimeField& F0, const RowsModP& m0, const std::vector<std::size_t>& R,
                                      const std::vector<std::size_t>& todo) {
    const std::size_t r = R.size(), D = pb.D;
    const bool dir = direct(R);
    auto image_of = [&](const PrimeField& F, const RowsModP& m, const std::vector<std::size_t>& rhs) {
      const std::size_t k = rhs.size();
      Residues aug(r * (r + k));
      for (std::size_t q = 0; q < r; ++q) {
        std::uint64_t* row = &aug[q * (r + k)];
        if (dir)
          num_row_mod_p(F, pb, m, R[q], row);
        else
          for (std::size_t q2 = 0; q2 < r; ++q2) row[q2] = kernel_mod_p(F, pb, m, R[q], R[q2]);
        for (std::size_t a = 0; a < k; ++a) row[r + a] = F.neg(m.y[rhs[a]][R[q]]);
      }
      return aug;
    };
    // The first image, and the consistency of each right-hand side mod p0: a right-hand side
    // with a row violated mod p0 goes straight to the normal equations (Lemma E4(a)).
    const std::optional<Residues> x0 = solve_mod_p(F0, r, todo.size(), image_of(F0, m0, todo));
    if (!x0) return todo;  // the interpolation system is singular mod p0 (possible when !dir)
    std::vector<std::size_t> rhs, rest;
    Residues first;
    Residues wmod(D);
    for (std::size_t t = 0; t < todo.size(); ++t) {
      const std::uint64_t* x = x0->data() + t * r;
      if (dir) {
        std::copy(x, x + D, wmod.begin());
      } else {  // w = num_R^T g mod p
        std::fill(wmod.begin(), wmod.end(), 0);
        Residues row(D);
        for (std::size_t q = 0; q < r; ++q) {
          num_row_mod_p(F0, pb, m0, R[q], row.data());
          for (std::size_t f = 0; f < D; ++f) wmod[f] = F0.add(wmod[f], F0.mul(row[f], x[q]));
        }
      }
      bool fits = true;
      for (std::size_t i = 0; i < pb.N && fits; ++i) fits = num_dot_mod_p(F0, pb, m0, i, wmod.data()) == m0.y[todo[t]][i];
      if (fits) {
        rhs.push_back(todo[t]);
        first.insert(first.end(), x, x + r);
      } else {
        rest.push_back(todo[t]);
      }
    }
    if (rhs.empty()) return rest;
    const std::size_t k = rhs.size();
    // A Hadamard bound of the integer system (rows scaled by the denominators of y').
    std::vector<std::size_t> row_bits(r);
    const std::size_t log_d = detail::bits_of_count(pb.D);
    std::size_t max_num_bits = 0;
    for (std::size_t i : R) max_num_bits = std::max(max_num_bits, pb.num_bits[i]);
    for (std::size_t q = 0; q < r; ++q) {
      std::size_t yden = 0, ynum = 0;
      for (std::size_t a : rhs) {
        yden += bit_length(denominator(pb.yscaled[a][R[q]]));
        ynum = std::max(ynum, bit_length(numerator(pb.yscaled[a][R[q]])));
      }
      const std::size_t a_bits = dir ? pb.num_bits[R[q]] : pb.num_bits[R[q]] + max_num_bits + log_d;
      row_bits[q] = std::max(a_bits, ynum) + yden;
    }
    auto image = [&](const PrimeField& F) -> std::optional<Residues> {
      const std::optional<RowsModP> m = reduce_rows(F, pb);
      if (!m) return std::nullopt;
      return image_of(F, *m, rhs);
    };
    std::vector<Integer> ones(r, Integer(1));
    std::vector<int> state(k, 0);  // 0 undecided, 1 accepted, 2 not consistent with this R
    auto verify = [&](const std::vector<Rational>& x) {
      bool all = true;
      for (std::size_t t = 0; t < k; ++t) {
        if (state[t] != 0) continue;
        const std::span<const Rational> xt(x.data() + t * r, r);
        if (!dir && r > 0) {  // cheap pre-check of row R[0] in kernel form: sum_q g_q K'(R_0, R_q) = y'_{R_0}
          Rational s0 = 0;
          for (std::size_t q = 0; q < r; ++q)
            if (xt[q] != 0) s0 += xt[q] * Rational(pb.kernel(R[0], R[q]));
          if (s0 != pb.yscaled[rhs[t]][R[0]]) {
            all = false;
            continue;
          }
        }
        CommonDenominator wt = dir ? over_common_denominator(xt) : combine_rows(pb, R, xt, ones);
        bool sub = true;
        for (std::size_t q = 0; q < r && sub; ++q) sub = row_fits(pb, wt, rhs[t], R[q]);
        if (!sub) {  // not yet the solution of the square system
          all = false;
          continue;
        }
        bool every = true;
        for (std::size_t i = 0; i < pb.N && every; ++i) every = row_fits(pb, wt, rhs[t], i);
        state[t] = every ? 1 : 2;  // 2: y not in col(Phi), or R smaller than a row basis
        if (every) {
          w[rhs[t]] = to_rationals(wt);
          path[rhs[t]] = "consistent";
        }
      }
      return all ? Decision::done : Decision::more_primes;
    };
    solve_multimodular(eng, r, k, image, verify, hadamard_bits(row_bits, r), std::make_pair(F0.p, first));
    for (std::size_t t = 0; t < k; ++t)
      if (state[t] != 1) rest.push_back(rhs[t]);
    std::sort(rest.begin(), rest.end());
    return rest;
  }

  // The normal equations (Lemma E2(d), E3(c)) over P = L Phi, y = Yn / Ly, for the
  // right-hand sides `todo`; returns those left without a verified solution.
  std::vector<std::size_t> normal_equations(const std::vector<std::size_t>& R, const std::vector<std::size_t>& todo) {
    const std::size_t r = R.size(), k = todo.size();
    const bool dir = direct(R);
    Integer L = 1;
    for (const Integer& x : pb.rows.den) L = lcm(L, x);
    std::vector<Integer> f(pb.N), Ly(k, Integer(1));
    for (std::size_t i = 0; i < pb.N; ++i) f[i] = L / pb.rows.den[i];
    Matrix<Integer> Yn(k, pb.N);
    for (std::size_t t = 0; t < k; ++t) {
      for (const Rational& y : pb.rows.y[todo[t]]) Ly[t] = lcm(Ly[t], denominator(y));
      for (std::size_t i = 0; i < pb.N; ++i) {
        const Rational& y = pb.rows.y[todo[t]][i];
        Yn(t, i) = numerator(y) * (Ly[t] / denominator(y));
      }
    }
    // B = the N x r matrix whose Gram matrix is the system: primal direct B = P (then
    // P^T P w = L P^T y); otherwise B = P P_R^T (then B^T B b = L^2 B^T y, w = P_R^T b / L).
    // S = B^T B (shared) and T(t, a) = Lpow (B^T Yn_t)[a], formed exactly (gram_exact).
    auto entry = [&](std::size_t i, std::size_t q) {
      return dir ? f[i] * pb.num(i, q) : f[i] * f[R[q]] * pb.kernel(i, R[q]);
    };
    Matrix<Integer> S, T;
    gram_exact(pb.N, r, entry, Yn, S, T);
    const Integer Lpow = dir ? L : L * L;
    if (Lpow != 1)
      for (std::size_t t = 0; t < k; ++t)
        for (std::size_t a = 0; a < r; ++a) T(t, a) *= Lpow;
    // S x_t = T_t / Ly_t; as one system with k right-hand sides over Q.
    std::vector<std::size_t> row_bits(r);
    std::size_t tbits = 0;
    for (std::size_t t = 0; t < k; ++t)
      for (std::size_t a = 0; a < r; ++a) tbits = std::max(tbits, bit_length(T(t, a)));
    for (std::size_t a = 0; a < r; ++a) {
      std::size_t b = 0;
      for (std::size_t c = 0; c < r; ++c) b = std::max(b, bit_length(S(a, c)));
      std::size_t lybits = 0;
      for (std::size_t t = 0; t < k; ++t) lybits += bit_length(Ly[t]);
      row_bits[a] = std::max(b + lybits, tbits + lybits);
    }
    auto image = [&](const PrimeField& F) -> std::optional<Residues> {
      Residues aug(r * (r + k));
      std::vector<std::uint64_t> ly_inv(k);
      for (std::size_t t = 0; t < k; ++t) {
        const std::uint64_t l = residue(F, Ly[t]);
        if (l == 0) return std::nullopt;
        ly_inv[t] = F.inv(l);
      }
      for (std::size_t a = 0; a < r; ++a) {
        for (std::size_t c = 0; c < r; ++c) aug[a * (r + k) + c] = residue(F, S(a, c));
        for (std::size_t t = 0; t < k; ++t) aug[a * (r + k) + r + t] = F.neg(F.mul(residue(F, T(t, a)), ly_inv[t]));
      }
      return aug;
    };
    std::vector<Integer> scale(r);
    for (std::size_t q = 0; q < r; ++q) scale[q] = f[R[q]];
    std::vector<int> state(k, 0);
    // x_t solves Ly_t S x = T_t exactly. Primal with |R| = D: that is Phi^T Phi w = Phi^T y
    // itself (Lemma E5), nothing more to check, and the loss is ||y||^2 - w . Phi^T y with
    // Phi^T y = T_t / (L^2 Ly_t). Otherwise w = P_R^T x / L and the normal equations are
    // checked over Q (Lemma E4).
    auto verify_solved = [&](const CommonDenominator& xt, std::size_t t) {
      CommonDenominator wt = dir ? xt : combine_rows(pb, R, xt, scale);
      bool normal = true;
      if (dir) {
        Integer wT = 0;
        for (std::size_t a = 0; a < r; ++a) mpz_addmul(raw(wT), raw(wt.num[a]), raw(T(t, a)));
        Rational yy = 0;
        for (const Rational& v : pb.rows.y[todo[t]]) yy += v * v;
        loss[todo[t]] = yy - Rational(wT, wt.den * L * L * Ly[t]);
      } else {
        wt.den *= L;  // w = P_R^T b / L
        const std::vector<Rational> pw = phi_times(pb, wt);
        std::vector<Rational> res(pb.N);
        for (std::size_t i = 0; i < pb.N; ++i) res[i] = pw[i] - pb.rows.y[todo[t]][i];
        normal = method == LearnMethod::primal ? phi_transpose_annihilates(pb, res) : kernel_annihilates(pb, res);
      }
      state[t] = normal ? 1 : 2;  // 2: R was not a basis of the row space (an unlucky prime)
      if (normal) {
        w[todo[t]] = to_rationals(wt);
        path[todo[t]] = "normal-equations";
      }
    };
    auto verify = [&](const std::vector<Rational>& x) {
      bool all = true;
      for (std::size_t t = 0; t < k; ++t) {
        if (state[t] != 0) continue;
        const std::span<const Rational> xt(x.data() + t * r, r);
        const CommonDenominator xc = over_common_denominator(xt);
        bool solves = true;  // Ly S x = T exactly: the reconstruction is the system's solution
        for (std::size_t a = 0; a < r && solves; ++a) {
          Integer s = 0;
          for (std::size_t c = 0; c < r; ++c) mpz_addmul(raw(s), raw(S(a, c)), raw(xc.num[c]));
          solves = s * Ly[t] == T(t, a) * xc.den;
        }
        if (!solves) {
          all = false;
          continue;
        }
        verify_solved(xc, t);
      }
      return all ? Decision::done : Decision::more_primes;
    };
    const double hb = hadamard_bits(row_bits, r);
    // The Hadamard bound of S X = T alone (what Dixon solves; Ly only scales the answer): with
    // it, bits(num) + bits(den) of the answer is at most 2 hb_dixon (Lemma A7 (c)).
    std::vector<std::size_t> dixon_row_bits(r);
    for (std::size_t a = 0; a < r; ++a) {
      std::size_t bsa = 0;
      for (std::size_t c = 0; c < r; ++c) bsa = std::max(bsa, bit_length(S(a, c)));
      dixon_row_bits[a] = std::max(bsa, tbits);
    }
    const double hb_dixon = hadamard_bits(dixon_row_bits, r);
    for (std::size_t t = 0; t < k; ++t) estimated_bits[todo[t]] = static_cast<std::size_t>(2 * hb_dixon);
    // Dixon when the answer may be large (Lemma E5): one inverse mod p, then lifting; its
    // result solves S X = T^T exactly (checked inside dixon_solve), hence Ly S x = T.
    bool lifted = false;
    if (r > 0 && 2 * hb_dixon > dixon_min_bits) {
      Matrix<Integer> Tt(r, k);
      for (std::size_t t = 0; t < k; ++t)
        for (std::size_t a = 0; a < r; ++a) Tt(a, t) = T(t, a);
      const std::optional<DixonSolution> sol = dixon_solve(S, Tt, eng.primes, 2 * hb_dixon + 66);
      if (sol) {
        lifted = true;
        for (std::size_t t = 0; t < k; ++t) {
          lifting_steps[todo[t]] = sol->steps;
          kernel[todo[t]] = "dixon";
          // x_t = num_t / (den Ly_t), not reduced (to_rationals reduces w once)
          verify_solved(column_over(sol->num, t, k, sol->den * Ly[t]), t);
        }
      }
    }
    if (!lifted) solve_multimodular(eng, r, k, image, verify, hb);
    std::vector<std::size_t> rest;
    for (std::size_t t = 0; t < k; ++t)
      if (state[t] != 1) rest.push_back(todo[t]);
    return rest;
  }

  // rank_Q(Phi) given a mod-p rank r (a lower bound): exact when r = min(N, D); otherwise
  // certified by rank_certified (exact kernel vectors), which for the primal method also give
  // the nullspace. false when rank_certified could not certify.
  bool certify_rank(std::size_t r, LeastSquares& out, PrimeStream& primes) {
    out.rank = r;
    out.nullspace_computed = false;
    if (r == std::min(pb.N, pb.D)) return true;  // r <= rank <= min(N, D)
    RankCertified rc;
    if (method == LearnMethod::primal) {
      Matrix<Integer> num(pb.N, pb.D);
      for (std::size_t i = 0; i < pb.N; ++i)
        for (std::size_t c = 0; c < pb.D; ++c) num(i, c) = pb.num(i, c);
      rc = rank_certified(num, primes);
    } else {
      Matrix<Integer> K(pb.N, pb.N);
      for (std::size_t i = 0; i < pb.N; ++i)
        for (std::size_t j = i; j < pb.N; ++j) K(j, i) = K(i, j) = pb.kernel(i, j);
      rc = rank_certified(K, primes);
    }
    if (rc.assurance != Assurance::certified) return false;
    out.rank = rc.rank;
    if (method == LearnMethod::primal) {
      out.nullspace = std::move(rc.kernel);
      out.nullspace_computed = true;
    }
    return true;
  }
};

}  // namespace

CompactRows compact_rows(const Dataset& ds, const std::vector<std::size_t>& coordinates) {
  if (coordinates.empty()) fail(ErrorKind::internal, "compact_rows: no coordinates");
  const std::size_t d = ds.d, P = pair_count(d), a = coordinates[0], k = coordinates.size();
  std::size_t N = 0;
  for (const Sample& s : ds.samples)
    for (const Target& t : s.targets) {
      for (std::size_t c : coordinates)
        if (t.y.at(c).has_value() != t.y.at(a).has_value())
          fail(ErrorKind::internal, "compact_rows: the coordinates are observed on different targets");
      if (t.y.at(a)) ++N;
    }
  CompactRows out{d, Matrix<Integer>(N, P), Matrix<Integer>(N, d), std::vector<Integer>(N),
                  std::vector<std::vector<Rational>>(k, std::vector<Rational>(N))};
  std::size_t i = 0;
  for (const Sample& s : ds.samples) {
    std::vector<std::pair<std::size_t, std::size_t>> asked;  // (position, target index), file order
    for (std::size_t t = 0; t < s.targets.size(); ++t)
      if (s.targets[t].y.at(a)) asked.push_back({s.targets[t].position, t});
    if (asked.empty()) continue;
    const Integer L = denominator_lcm(s.Z);
    std::size_t bits = 0;
    const Matrix<Integer> Zi = detail::scale_to_integers(s.Z, L, bits);
    const Integer den = L * L * L;
    const std::size_t n = Zi.cols();
    Matrix<Integer> G = ds.causal ? Matrix<Integer>(d, d) : gram(Zi);
    std::size_t prefix = 0;  // tokens already in G (causal); rebuilt if a later target asks earlier
    for (const auto& [b, t] : asked) {
      if (b >= n) fail(ErrorKind::internal, "compact_rows: position out of range");
      if (ds.causal) {
        if (prefix > b + 1) {
          G = Matrix<Integer>(d, d);
          prefix = 0;
        }
        for (; prefix <= b; ++prefix) add_token_to_gram(G, Zi, prefix);
      }
      for (std::size_t j = 0, p = 0; j < d; ++j)
        for (std::size_t kk = j; kk < d; ++kk, ++p) out.gram_pairs(i, p) = G(j, kk);
      for (std::size_t l = 0; l < d; ++l) out.tokens(i, l) = Zi(l, b);
      out.den[i] = den;
      for (std::size_t c = 0; c < k; ++c) out.y[c][i] = *s.targets[t].y[coordinates[c]];
      ++i;
    }
  }
  return out;
}

Matrix<Rational> design_from_compact(const CompactRows& rows) {
  const std::size_t N = rows.rows(), d = rows.d, D = feature_dim(d);
  Matrix<Rational> Phi(N, D);
  for (std::size_t i = 0; i < N; ++i)
    for (std::size_t f = 0; f < D; ++f)
      Phi(i, f) = Rational(rows.gram_pairs(i, f / d) * rows.tokens(i, f % d), rows.den[i]);
  return Phi;
}

void record_sizes(const std::vector<Rational>& w, SolveReport& report) {
  report.max_numerator_bits = report.max_denominator_bits = 0;
  for (const Rational& x : w) {
    report.max_numerator_bits = std::max(report.max_numerator_bits, bit_length(numerator(x)));
    report.max_denominator_bits = std::max(report.max_denominator_bits, bit_length(denominator(x)));
  }
}

// @proof E4 @proof E5
std::vector<std::optional<LeastSquares>> least_squares_modular(const CompactRows& rows, LearnMethod method,
                                                               std::vector<SolveReport>& reports,
                                                               ModularOptions options) {
  const std::size_t N = rows.rows(), k = rows.y.size();
  if (rows.gram_pairs.rows() != N || rows.tokens.rows() != N)
    fail(ErrorKind::internal, "least_squares_modular: the compact rows have inconsistent lengths");
  for (const std::vector<Rational>& y : rows.y)
    if (y.size() != N) fail(ErrorKind::internal, "least_squares_modular: a target vector has the wrong length");
  const Problem pb(rows);
  reports.assign(k, SolveReport{});
  for (SolveReport& r : reports) {
    r.method = method;
    r.solver = LearnSolver::modular;
  }
  std::vector<std::optional<LeastSquares>> out(k);
  if (N == 0) {
    for (std::size_t a = 0; a < k; ++a) {
      LeastSquares ls;
      ls.w.assign(pb.D, Rational(0));
      ls.solution_dim = pb.D;
      ls.nullspace_computed = false;
      ls.loss = 0;
      out[a] = std::move(ls);
      reports[a].path = "no-rows";
    }
    return out;
  }
  Solver solver{pb, method, Engine{options.primes}, std::vector<std::optional<std::vector<Rational>>>(k),
                std::vector<std::string>(k), std::vector<std::optional<Rational>>(k),
                std::vector<std::size_t>(k, 0), std::vector<std::size_t>(k, 0), std::vector<std::string>(k, "crt"),
                options.dixon_min_bits};
  std::vector<std::size_t> todo(k);
  for (std::size_t a = 0; a < k; ++a) todo[a] = a;
  std::size_t rank_mod_p = 0;
  for (std::size_t attempt = 0; attempt < options.max_attempts && !todo.empty(); ++attempt) {
    const PrimeField F(options.primes.next());
    const std::optional<RowsModP> m = reduce_rows(F, pb);
    if (!m) {
      ++solver.eng.unlucky_primes;
      continue;
    }
    const std::vector<std::size_t> R = solver.profile(F, *m);
    rank_mod_p = std::max(rank_mod_p, R.size());
    todo = solver.consistent(F, *m, R, todo);
    if (!todo.empty()) todo = solver.normal_equations(R, todo);
  }
  // Rank (the same Phi for every right-hand side): certified once.
  LeastSquares common;
  bool any = false;
  for (std::size_t a = 0; a < k; ++a) any = any || solver.w[a].has_value();
  if (any && !solver.certify_rank(rank_mod_p, common, options.primes)) return out;  // all fall back
  for (std::size_t a = 0; a < k; ++a) {
    reports[a].primes_used = solver.eng.primes_used;
    reports[a].unlucky_primes = solver.eng.unlucky_primes;
    if (!solver.w[a]) continue;
    LeastSquares ls;
    ls.w = std::move(*solver.w[a]);
    ls.rank = common.rank;
    ls.solution_dim = pb.D - common.rank;
    ls.nullspace = common.nullspace;
    ls.nullspace_computed = common.nullspace_computed;
    ls.loss = 0;
    if (solver.loss[a]) {
      ls.loss = *solver.loss[a];
    } else if (solver.path[a] != "consistent") {  // consistent: Phi w = y was checked on every row, loss 0
      const std::vector<Rational> pw = phi_times(pb, over_common_denominator(ls.w));
      for (std::size_t i = 0; i < N; ++i) {
        const Rational e = pw[i] - rows.y[a][i];
        ls.loss += e * e;
      }
    }
    reports[a].path = solver.path[a];
    reports[a].kernel = solver.kernel[a];
    reports[a].lifting_steps = solver.lifting_steps[a];
    reports[a].estimated_bits = solver.estimated_bits[a];
    record_sizes(ls.w, reports[a]);
    out[a] = std::move(ls);
  }
  return out;
}

}  // namespace mhla
