// SPDX-License-Identifier: MIT
// Exact evaluation and exact features through integers: the same results as evaluate<Rational>
// and feature_rows<Rational>, bit for bit, at a fraction of the cost.
// Why it is exact (proofs-notes/03-features.md, Lemma S1): write Z = Zi / L with Zi integer
// and L the LCM of Z's denominators, and likewise V_h = Vi_h / LV, Q_h = Qi_h / LQ over all
// heads. The outputs and features are homogeneous polynomials (degree 1 in V, 1 in Q, 3 in Z;
// features: 3 in Z), so Y = Yi / (LV LQ L^3) and phi = phi_i / L^3, where Yi and phi_i are the
// same algorithm run on the integer matrices. The integer runs use Int128 when an a-priori
// bound on every intermediate magnitude is below 2^126, and Integer (GMP) otherwise.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "mhla/arith/scalar.hpp"
#include "mhla/features/features.hpp"

namespace mhla {

// A = numerators / denominator with integer numerators and denominator >= 1.
struct ScaledIntegerMatrix {
  Matrix<Integer> numerators;
  Integer denominator{1};
};

// The same with Int128 numerators (the fast path).
struct Int128FeatureRows {
  Matrix<Int128> numerators;
  Integer denominator{1};
};

// The least common multiple of L and the denominators of m's entries.
inline Integer denominator_lcm(const Matrix<Rational>& m, Integer L = 1) {
  for (const Rational& x : m.data())
    if (denominator(x) != 1) L = lcm(L, denominator(x));
  return L;
}

namespace detail {

// numerators of m * L (exact integers since L is a multiple of every denominator).
inline Matrix<Integer> scale_to_integers(const Matrix<Rational>& m, const Integer& L, std::size_t& max_bits) {
  return convert<Integer>(m, [&](const Rational& x) {
    Integer z = numerator(x) * (L / denominator(x));
    max_bits = std::max(max_bits, bit_length(z));
    return z;
  });
}

// The same scaling straight into Int128 when L and every numerator fit in 63 bits (the common
// case: integer or small-denominator data), with no GMP temporaries. False: take the GMP path.
inline bool scale_to_int128(const Matrix<Rational>& m, const Integer& L, Matrix<Int128>& out, std::size_t& max_bits) {
  if (bit_length(L) > 63) return false;
  const long long l = static_cast<long long>(L);
  std::vector<Int128> data;
  data.reserve(m.data().size());
  for (const Rational& x : m.data()) {
    const mpq_srcptr q = x.backend().data();
    if (!mpz_fits_slong_p(mpq_numref(q)) || !mpz_fits_slong_p(mpq_denref(q))) return false;
    const Int128 v = static_cast<Int128>(mpz_get_si(mpq_numref(q))) * (l / mpz_get_si(mpq_denref(q)));
    const UInt128 mag = v < 0 ? -static_cast<UInt128>(v) : static_cast<UInt128>(v);
    std::size_t bits = 0;
    for (UInt128 t = mag; t != 0; t >>= 1) ++bits;
    max_bits = std::max(max_bits, bits);
    data.push_back(v);
  }
  out = Matrix<Int128>(m.rows(), m.cols(), std::move(data));
  return true;
}

// num / den as a Rational, without GMP work beyond one assignment when it is a small integer.
inline Rational rational_from(Int128 num, const Integer& den) {
  if (den == 1 && num >= INT64_MIN && num <= INT64_MAX) return Rational(static_cast<long long>(num));
  return Rational(to_integer(num), den);
}

inline std::size_t bits_of_count(std::size_t count) {  // ceil(log2(count)) + 1, >= 1
  std::size_t b = 1;
  while (count > (std::size_t(1) << (b - 1)) && b < 64) ++b;
  return b;
}

}  // namespace detail

// Y = MHLA_Theta(Z) exactly; equal to evaluate(model, Z). @proof S1
inline Matrix<Rational> evaluate_exact(const Model<Rational>& model, const Matrix<Rational>& Z) {
  Integer LV = 1, LQ = 1;
  for (const auto& h : model.heads) {
    LV = denominator_lcm(h.V, LV);
    LQ = denominator_lcm(h.Q, LQ);
  }
  const Integer L = denominator_lcm(Z);
  const Integer den = LV * LQ * L * L * L;
  // Every intermediate is a partial sum of terms bounded by the final sum of
  // H d^3 n |V| |Q| |Z|^3 (Lemma S1), so this many bits bound all of them.
  const std::size_t H = std::max<std::size_t>(model.heads.size(), 1), d = model.d, n = Z.cols();
  const std::size_t count_bits = detail::bits_of_count(H) + 3 * detail::bits_of_count(d) + detail::bits_of_count(n);

  std::size_t bz = 0, bv = 0, bq = 0;
  Matrix<Int128> Z128;
  Model<Int128> m128{model.d, model.causal, {}};
  bool small = detail::scale_to_int128(Z, L, Z128, bz);
  for (std::size_t h = 0; small && h < model.heads.size(); ++h) {
    Head<Int128> head;
    small = detail::scale_to_int128(model.heads[h].V, LV, head.V, bv) &&
            detail::scale_to_int128(model.heads[h].Q, LQ, head.Q, bq);
    m128.heads.push_back(std::move(head));
  }
  if (small && count_bits + bv + bq + 3 * bz <= 126) {
    const Matrix<Int128> Y = evaluate(m128, Z128);
    return convert<Rational>(Y, [&](Int128 y) { return detail::rational_from(y, den); });
  }
  Model<Integer> mi{model.d, model.causal, {}};
  for (const auto& h : model.heads)
    mi.heads.push_back({detail::scale_to_integers(h.V, LV, bv), detail::scale_to_integers(h.Q, LQ, bq)});
  const Matrix<Integer> Yi = evaluate(mi, detail::scale_to_integers(Z, L, bz));
  return convert<Rational>(Yi, [&](const Integer& y) { return Rational(y, den); });
}

// The rows phi(Z, positions[r]) as Int128 numerators over the common denominator L^3, when
// Z's scaled entries fit in 63 bits and n |Zi|^3 < 2^126 (Lemma S1); nullopt otherwise. This
// is the hot path of design matrices and certification. @proof S1
inline std::optional<Int128FeatureRows> feature_rows_int128(const Matrix<Rational>& Z,
                                                            const std::vector<std::size_t>& positions, bool causal) {
  const Integer L = denominator_lcm(Z);
  std::size_t bz = 0;
  Matrix<Int128> Z128;
  if (!detail::scale_to_int128(Z, L, Z128, bz) || detail::bits_of_count(Z.cols()) + 3 * bz > 126) return std::nullopt;
  return Int128FeatureRows{feature_rows(Z128, positions, causal), L * L * L};
}

// The same rows as GMP integers over L^3, whatever their size. @proof S1
inline ScaledIntegerMatrix feature_rows_scaled(const Matrix<Rational>& Z, const std::vector<std::size_t>& positions,
                                               bool causal) {
  if (auto small = feature_rows_int128(Z, positions, causal))
    return {convert<Integer>(small->numerators, [](Int128 x) { return to_integer(x); }), small->denominator};
  const Integer L = denominator_lcm(Z);
  std::size_t bz = 0;
  return {feature_rows(detail::scale_to_integers(Z, L, bz), positions, causal), L * L * L};
}

// feature_rows(Z, positions, causal) exactly; equal to feature_rows<Rational>. @proof S1
inline Matrix<Rational> feature_rows_exact(const Matrix<Rational>& Z, const std::vector<std::size_t>& positions,
                                           bool causal) {
  if (auto small = feature_rows_int128(Z, positions, causal))
    return convert<Rational>(small->numerators, [&](Int128 x) { return detail::rational_from(x, small->denominator); });
  const ScaledIntegerMatrix s = feature_rows_scaled(Z, positions, causal);
  return convert<Rational>(s.numerators, [&](const Integer& x) { return Rational(x, s.denominator); });
}

}  // namespace mhla
