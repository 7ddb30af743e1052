// SPDX-License-Identifier: MIT
#include "mhla/linalg/nullspace_multimodular.hpp"

#include <algorithm>
#include <optional>

#include "mhla/linalg/echelon_mod_p.hpp"
#include "mhla/linalg/rows_scale_to_integer.hpp"
#include "mhla/modp/crt.hpp"
#include "mhla/modp/rational_reconstruct.hpp"
#include "mhla/modp/reduce.hpp"

namespace mhla {

namespace {

std::uint64_t residue(const PrimeField& F, const Integer& z) { return reduce_mod(F, z); }
std::uint64_t residue(const PrimeField& F, std::int64_t z) { return F.from_int64(z); }

template <class T>
void add_rows_mod_p(EchelonModP& E, const Matrix<T>& A, const std::vector<std::size_t>* rows) {
  const PrimeField& F = E.field();
  std::vector<std::uint64_t> buf(A.cols());
  const std::size_t count = rows ? rows->size() : A.rows();
  for (std::size_t k = 0; k < count && !E.saturated(); ++k) {
    const std::size_t i = rows ? (*rows)[k] : k;
    for (std::size_t j = 0; j < A.cols(); ++j) buf[j] = residue(F, A(i, j));
    E.add_row_residues(buf);
  }
}

template <class T>
bool annihilates_impl(const Matrix<T>& A, const std::vector<Rational>& v, const std::vector<std::size_t>* rows) {
  if (v.size() != A.cols()) fail(ErrorKind::internal, "annihilates_exactly: vector length differs from columns");
  const std::vector<Integer> z = row_scale_to_integer(v);  // a positive multiple: same test
  const std::size_t count = rows ? rows->size() : A.rows();
  for (std::size_t k = 0; k < count; ++k) {
    const std::size_t i = rows ? (*rows)[k] : k;
    Integer s = 0;
    for (std::size_t j = 0; j < A.cols(); ++j)
      if (A(i, j) != 0 && z[j] != 0) s += z[j] * A(i, j);
    if (s != 0) return false;
  }
  return true;
}

std::vector<std::size_t> first_free_cols(const std::vector<std::size_t>& pivots, std::size_t n, std::size_t k) {
  std::vector<char> is_pivot(n, 0);
  for (std::size_t c : pivots) is_pivot[c] = 1;
  std::vector<std::size_t> out;
  for (std::size_t f = 0; f < n && out.size() < k; ++f)
    if (!is_pivot[f]) out.push_back(f);
  return out;
}

std::vector<std::uint64_t> images(EchelonModP& E, const std::vector<std::size_t>& free) {
  std::vector<std::uint64_t> all;
  for (std::size_t f : free) {
    std::vector<std::uint64_t> v = E.kernel_vector(f);
    all.insert(all.end(), v.begin(), v.end());
  }
  return all;
}

template <class T>
KernelMultimodular nullspace_impl(const Matrix<T>& A, PrimeStream primes, KernelOptions opt) {
  const std::size_t n = A.cols();
  KernelMultimodular out;
  std::size_t required_rank = 0;  // rank_Q(A) >= required_rank is known
  auto next_field = [&]() -> std::optional<PrimeField> {
    if (out.primes_used >= opt.max_primes) return std::nullopt;
    ++out.primes_used;
    return PrimeField(primes.next());
  };

  for (;;) {
    // Phase 1: the whole matrix modulo a fresh prime; a lower bound with its witness.
    auto F = next_field();
    if (!F) return out;
    EchelonModP E(*F, n);
    add_rows_mod_p(E, A, nullptr);
    const std::size_t r = E.rank();
    if (out.witness_prime == 0 || r > out.rank_lower_bound) {
      out.rank_lower_bound = r;
      out.witness_prime = F->p;
      out.witness_rows = E.pivot_rows();
      out.witness_cols = E.pivot_cols();
    }
    if (r == n) {
      out.status = KernelStatus::full_column_rank;
      return out;
    }
    if (r < std::max(required_rank, out.rank_lower_bound)) continue;  // unlucky prime

    // Phase 2: kernel images on the pivot rows (same row space when p is good), combined
    // by CRT until a reconstructed candidate is stable and passes the exact test.
    const std::vector<std::size_t> rows = E.pivot_rows();
    std::vector<std::size_t> cols = E.pivot_cols();
    std::vector<std::size_t> free = first_free_cols(cols, n, opt.max_vectors);
    CrtVector acc;
    crt_combine(acc, *F, images(E, free));
    std::optional<std::vector<Rational>> previous;
    bool restart = false;
    // Reconstruction is tried after 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15, ... primes (growth
    // 5/4): the cost of the attempts stays a constant factor of the last one, and at most a
    // quarter more primes are used than the first sufficient number.
    std::size_t images_combined = 1, next_attempt = 1;
    while (!restart) {
      if (images_combined < next_attempt) {
        // Not an attempt: only gather the next image below.
      } else if (auto candidate = rational_reconstruct(acc.residues, acc.modulus);
                 candidate && previous && *candidate == *previous) {
        std::vector<std::vector<Rational>> vs;
        for (std::size_t k = 0; k < free.size(); ++k)
          vs.emplace_back(candidate->begin() + static_cast<std::ptrdiff_t>(k * n),
                          candidate->begin() + static_cast<std::ptrdiff_t>((k + 1) * n));
        bool on_rows = true;
        for (const auto& v : vs) on_rows = on_rows && annihilates_impl(A, v, &rows);
        if (on_rows) {
          bool on_all = true;
          for (const auto& v : vs) on_all = on_all && annihilates_impl(A, v, nullptr);
          if (on_all) {
            out.status = KernelStatus::found;
            out.vectors = std::move(vs);
            out.free_cols = free;
            return out;
          }
          // v kills the pivot rows but not A: some row of A is outside their span over Q,
          // so rank_Q(A) > r and the first prime was unlucky. Start again.
          required_rank = r + 1;
          restart = true;
          continue;
        }
        next_attempt = images_combined + std::max<std::size_t>(1, images_combined / 4);
      } else {
        previous = std::move(candidate);
        next_attempt = images_combined + std::max<std::size_t>(1, images_combined / 4);
      }
      auto G = next_field();
      if (!G) return out;
      EchelonModP S(*G, n);
      add_rows_mod_p(S, A, &rows);
      if (S.rank() < rows.size()) continue;  // G divides the pivot minor: unlucky, skip
      std::vector<std::size_t> cols2 = S.pivot_cols();
      if (cols2 != cols) {
        // Equal rank: the rational profile is the lexicographically smallest one.
        if (!std::lexicographical_compare(cols2.begin(), cols2.end(), cols.begin(), cols.end())) continue;
        cols = std::move(cols2);
        free = first_free_cols(cols, n, opt.max_vectors);
        acc = CrtVector{};
        previous.reset();
        images_combined = 0;
        next_attempt = 1;
      }
      crt_combine(acc, *G, images(S, free));
      ++images_combined;
    }
  }
}

}  // namespace

KernelMultimodular nullspace_multimodular(const Matrix<Integer>& A, PrimeStream primes, KernelOptions options) {
  return nullspace_impl(A, primes, options);
}
KernelMultimodular nullspace_multimodular(const Matrix<std::int64_t>& A, PrimeStream primes, KernelOptions options) {
  return nullspace_impl(A, primes, options);
}

bool annihilates_exactly(const Matrix<Integer>& A, const std::vector<Rational>& v) {
  return annihilates_impl(A, v, nullptr);
}
bool annihilates_exactly(const Matrix<std::int64_t>& A, const std::vector<Rational>& v) {
  return annihilates_impl(A, v, nullptr);
}

}  // namespace mhla
