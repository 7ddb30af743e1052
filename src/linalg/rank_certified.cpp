// SPDX-License-Identifier: MIT
#include "mhla/linalg/rank_certified.hpp"

#include "mhla/linalg/rows_scale_to_integer.hpp"

namespace mhla {

namespace {

template <class T>
RankCertified rank_impl(const Matrix<T>& A, PrimeStream primes, RankOptions opt) {
  const std::size_t n = A.cols();
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
      out.status = RankStatus::unknown;
      out.assurance = Assurance::lower_bound_only;
      break;
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
