// SPDX-License-Identifier: MIT
// Orthogonal heads by an SVD of the even split in MPFR (heads.hpp; proofs-notes/07-heads.md,
// Lemma H5). Eigen's JacobiSVD does the numerics; the result's errors are computed exactly
// over Q from the exact values of the MPFR numbers and checked against the stated bounds.
#include <eigen3/Eigen/Core>
#include <eigen3/Eigen/SVD>

#include <algorithm>
#include <string>

#include "mhla/heads/heads.hpp"

// Eigen's description of the MPFR scalar at the current run-time precision (MpfrPrecision).
// Boost's own boost/multiprecision/eigen.hpp would need <Eigen/Core> on the include path.
namespace Eigen {
template <>
struct NumTraits<mhla::Mpfr> : GenericNumTraits<mhla::Mpfr> {
  using Real = mhla::Mpfr;
  using NonInteger = mhla::Mpfr;
  using Nested = mhla::Mpfr;
  using Literal = mhla::Mpfr;
  enum { IsComplex = 0, IsInteger = 0, IsSigned = 1, RequireInitialization = 1, ReadCost = 1, AddCost = 4, MulCost = 8 };
  static int digits() {
    const mhla::Mpfr one(1);
    return static_cast<int>(mpfr_get_prec(one.backend().data()));
  }
  static mhla::Mpfr epsilon() { return ldexp(mhla::Mpfr(1), 1 - digits()); }  // 2^(1-p)
  static mhla::Mpfr dummy_precision() { return epsilon() * 1000; }
  static mhla::Mpfr highest() { return std::numeric_limits<mhla::Mpfr>::max(); }
  static mhla::Mpfr lowest() { return -std::numeric_limits<mhla::Mpfr>::max(); }
  static int digits10() { return static_cast<int>(mhla::Mpfr::default_precision()); }
  static mhla::Mpfr infinity() { return std::numeric_limits<mhla::Mpfr>::infinity(); }
  static mhla::Mpfr quiet_NaN() { return std::numeric_limits<mhla::Mpfr>::quiet_NaN(); }
};
}  // namespace Eigen

namespace mhla {
namespace {

using MpfrMatrix = Eigen::Matrix<Mpfr, Eigen::Dynamic, Eigen::Dynamic>;

Rational max_abs(const Matrix<Rational>& A) {
  Rational m = 0;
  for (const Rational& x : A.data()) m = std::max(m, abs(x));
  return m;
}

// ||A^T A - I||_max, exact.
Rational orthonormality_defect(const Matrix<Rational>& A) {
  Matrix<Rational> G = multiply(transpose(A), A);
  for (std::size_t i = 0; i < G.rows(); ++i) G(i, i) -= 1;
  return max_abs(G);
}

Rational power_of_two(long e) {
  Integer p = 1;
  p <<= static_cast<unsigned>(e < 0 ? -e : e);
  return e < 0 ? Rational(Integer(1), p) : Rational(p);
}

}  // namespace

// @proof H5
SvdHeads svd_heads(const Matrix<Rational>& W, bool causal, unsigned requested_bits) {
  if (requested_bits < 16 || requested_bits > 65536)
    fail(ErrorKind::usage, "--precision: the SVD precision must be between 16 and 65536 bits");
  const std::size_t d = W.rows();
  const Matrix<Rational> M = even_split(W);  // checks the shape of W
  const std::size_t n = d * d;
  const MpfrPrecision precision(requested_bits);
  SvdHeads out;
  out.precision_bits = precision.bits();
  const Rational u = power_of_two(-static_cast<long>(out.precision_bits)), m = max_abs(M);
  const Rational nn = Rational(static_cast<long>(n));
  out.threshold = 256 * nn * nn * u * m;
  out.weight_error_bound = 1024 * nn * nn * nn * u * m;
  out.orthonormality_bound = 1024 * nn * nn * u;

  MpfrMatrix A(n, n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) A(i, j) = from_rational<Mpfr>(M(i, j));
  const Eigen::JacobiSVD<MpfrMatrix> svd(A, Eigen::ComputeFullU | Eigen::ComputeFullV);
  const auto& s = svd.singularValues();
  const MpfrMatrix& Uf = svd.matrixU();
  const MpfrMatrix& Vf = svd.matrixV();
  std::size_t kept = 0;
  for (std::size_t h = 0; h < n; ++h) {
    out.singular_values.push_back(to_rational(s(static_cast<Eigen::Index>(h))));
    if (out.singular_values.back() > out.threshold) kept = h + 1;  // s is in decreasing order
  }
  out.U = Matrix<Rational>(n, kept);
  out.V = Matrix<Rational>(n, kept);
  out.model = Model<Rational>{d, causal, {}};
  for (std::size_t h = 0; h < kept; ++h) {
    const auto eh = static_cast<Eigen::Index>(h);
    const Mpfr root = sqrt(s(eh));
    Head<Rational> head{Matrix<Rational>(d, d), Matrix<Rational>(d, d)};
    for (std::size_t i = 0; i < n; ++i) {
      const auto ei = static_cast<Eigen::Index>(i);
      out.U(i, h) = to_rational(Uf(ei, eh));
      out.V(i, h) = to_rational(Vf(ei, eh));
      head.V(i / d, i % d) = to_rational(Mpfr(root * Uf(ei, eh)));
      head.Q(i / d, i % d) = to_rational(Mpfr(root * Vf(ei, eh)));
    }
    out.model.heads.push_back(std::move(head));
  }
  Matrix<Rational> E = weights(out.model);
  for (std::size_t i = 0; i < E.data().size(); ++i) E.data()[i] -= W.data()[i];
  out.weight_error = max_abs(E);
  out.orthonormality_error = std::max(orthonormality_defect(out.U), orthonormality_defect(out.V));
  if (out.weight_error > out.weight_error_bound)
    fail(ErrorKind::internal, "svd_heads: the weight error exceeds the bound of Lemma H5");
  if (out.orthonormality_error > out.orthonormality_bound)
    fail(ErrorKind::internal, "svd_heads: the singular vectors are not orthonormal within the bound of Lemma H5");
  return out;
}

std::string exact_decimal_string(const Rational& q) {
  Integer num = numerator(q);
  const Integer den = denominator(q);
  Integer rest = den;
  unsigned twos = 0, fives = 0;
  while (rest % 2 == 0) rest /= 2, ++twos;
  while (rest % 5 == 0) rest /= 5, ++fives;
  if (rest != 1) fail(ErrorKind::internal, "exact_decimal_string: the denominator has a prime factor other than 2, 5");
  const unsigned k = std::max(twos, fives);
  Integer ten_k = 1;
  for (unsigned i = 0; i < k; ++i) ten_k *= 10;
  const bool negative = num < 0;
  if (negative) num = -num;
  std::string digits = (num * (ten_k / den)).str();  // |q| 10^k, an integer
  if (digits.size() <= k) digits.insert(0, k + 1 - digits.size(), '0');
  if (k > 0) digits.insert(digits.size() - k, 1, '.');
  return negative ? "-" + digits : digits;
}

}  // namespace mhla
