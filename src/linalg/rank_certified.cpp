// SPDX-License-Identifier: MIT
#include "mhla/linalg/rank_certified.hpp"

#include <algorithm>
#include <cmath>

#include "mhla/linalg/bareiss.hpp"
#include "mhla/linalg/rows_scale_to_integer.hpp"

namespace mhla {

namespace {

std::size_t bits_of(const Integer& x) { return bit_length(x); }
std::size_t bits_of(std::int64_t x) {
  std::uint64_t u = x < 0 ? 0 - static_cast<std::uint64_t>(x) : static_cast<std::uint64_t>(x);
  std::size_t b = 0;
  for (; u; u >>= 1) ++b;
  return b;
}

// log2 of Hadamard's bound on every minor of A: the sum over the min(m, n) longest rows of
// log2 ||row||_2 <= max bits + log2(n) / 2. Kernel entries in free-column form are quotients
// of two such minors, so their reconstruction needs a modulus above 2 H^2.
template <class T>
double hadamard_log2(const Matrix<T>& A) {
  std::vector<double> row_bits;
  row_bits.reserve(A.rows());
  for (std::size_t i = 0; i < A.rows(); ++i) {
    std::size_t b = 0;
    for (std::size_t j = 0; j < A.cols(); ++j) b = std::max(b, bits_of(A(i, j)));
    if (b) row_bits.push_back(static_cast<double>(b) + 0.5 * std::log2(static_cast<double>(A.cols())));
  }
  const std::size_t k = std::min(row_bits.size(), A.cols());
  std::partial_sort(row_bits.begin(), row_bits.begin() + static_cast<std::ptrdiff_t>(k), row_bits.end(), std::greater<>());
  double sum = 0;
  for (std::size_t i = 0; i < k; ++i) sum += row_bits[i];
  return sum;
}

Matrix<Integer> to_integer(const Matrix<Integer>& A) { return A; }
Matrix<Integer> to_integer(const Matrix<std::int64_t>& A) {
  Matrix<Integer> out(A.rows(), A.cols());
  for (std::size_t i = 0; i < A.rows(); ++i)
    for (std::size_t j = 0; j < A.cols(); ++j) out(i, j) = Integer(A(i, j));
  return out;
}

// The exact path for entries too large for the modular budget (@proof A1): fraction-free
// elimination gives the rank, the rank profile (its r x r minor is nonzero over Q, so the
// witness prime is left 0 and callers find one) and the kernel in free-column form.
RankCertified rank_bareiss_exact(const Matrix<Integer>& A, const RankOptions& opt) {
  const std::size_t n = A.cols();
  RankCertified out;
  out.cols = n;
  const RankProfile prof = rank_profile_bareiss(A);
  out.rank = prof.rank;
  out.pivot_rows = prof.pivot_rows;
  out.pivot_cols = prof.pivot_cols;
  if (prof.rank == n) {
    out.status = RankStatus::full_column_rank;
    out.assurance = Assurance::certified;
    return out;
  }
  std::vector<std::vector<Rational>> basis = nullspace_bareiss(A);  // each checked A v = 0
  std::vector<char> pivot(n, 0);
  for (std::size_t c : prof.pivot_cols) pivot[c] = 1;
  for (std::size_t f = 0; f < n; ++f)
    if (!pivot[f]) out.kernel_free_cols.push_back(f);
  if (basis.size() != out.kernel_free_cols.size()) fail(ErrorKind::internal, "rank_certified: Bareiss kernel size differs");
  const std::size_t keep = opt.exact_rank ? basis.size() : 1;
  basis.resize(keep);
  out.kernel_free_cols.resize(keep);
  out.kernel = std::move(basis);
  out.status = RankStatus::deficient;
  out.assurance = out.kernel.size() + out.rank == n ? Assurance::certified : Assurance::lower_bound_only;
  return out;
}

template <class T>
RankCertified rank_impl(const Matrix<T>& A, PrimeStream primes, RankOptions opt) {
  const std::size_t n = A.cols();
  // Entries so large that reconstruction would need more primes than the budget: Bareiss,
  // whose cost grows only linearly with the entry size per operation. @proof A5
  const double primes_needed = (2 * hadamard_log2(A) + 2) / 21.0 + 8;
  if (primes_needed > static_cast<double>(opt.max_primes)) return rank_bareiss_exact(to_integer(A), opt);
  KernelOptions ko;
  ko.max_vectors = opt.exact_rank ? n : 1;
  ko.max_primes = opt.max_primes;
  KernelMultimodular k = nullspace_multimodular(A, primes, ko);
  RankCertified out;
  out.cols = n;
  out.rank = k.rank_lower_bound;
  out.prime = k.witness_prime;
  out.pivot_rows = std::move(k.witness_rows);
  out.pivot_cols = std::move(k.witness_cols);
  out.primes_used = k.primes_used;
  switch (k.status) {
    case KernelStatus::full_column_rank:
      out.status = RankStatus::full_column_rank;
      out.assurance = Assurance::certified;
      break;
    case KernelStatus::found:
      out.status = RankStatus::deficient;
      // n - r independent kernel vectors (identity on their free columns) give rank <= r.
      out.assurance = k.vectors.size() + out.rank == n ? Assurance::certified : Assurance::lower_bound_only;
      out.kernel = std::move(k.vectors);
      out.kernel_free_cols = std::move(k.free_cols);
      break;
    case KernelStatus::gave_up:
      // Cannot happen within the Hadamard budget unless the stream ran out of good primes;
      // the exact path still decides.
      return rank_bareiss_exact(to_integer(A), opt);
  }
  return out;
}

}  // namespace

RankCertified rank_certified(const Matrix<Integer>& A, PrimeStream primes, RankOptions options) {
  return rank_impl(A, primes, options);
}
RankCertified rank_certified(const Matrix<std::int64_t>& A, PrimeStream primes, RankOptions options) {
  return rank_impl(A, primes, options);
}
RankCertified rank_certified(const Matrix<Rational>& A, PrimeStream primes, RankOptions options) {
  return rank_impl(rows_scale_to_integer(A), primes, options);
}

}  // namespace mhla
