// SPDX-License-Identifier: MIT
// EchelonModP: streamed Gaussian elimination over F_p with the row rank profile, the fast
// path of the exact linear algebra (proofs-notes: "modular rank").
//
// Mathematics: rows a_0, a_1, ... of a matrix A over F_p (m x n, m arbitrary) arrive in order.
// The object keeps a semi-echelon basis u_0, ..., u_{r-1} of span{a_0, ..., a_{i-1}}: u_j has
// leading (first nonzero) entry 1 in column c_j, and u_j is zero in every column c_k, k < j.
// A new row a is reduced in insertion order, a <- a - a[c_j] u_j for j = 0, 1, ...; the
// invariant makes every step keep the zeros already made, so the remainder is zero in every
// pivot column, and it is zero iff a lies in the span. A nonzero remainder becomes u_r with
// c_r its leading column. Hence:
//   * pivot_rows() = {i : a_i not in span(a_0..a_{i-1})}, the row rank profile: the
//     lexicographically first set of rank(A) independent rows;
//   * pivot_cols() (sorted) = the leading columns of an echelon form of the row space, i.e.
//     the column rank profile of A (it depends only on the row space);
//   * rank() = r, and the r x r minor of A on pivot_rows() x pivot_cols() is nonzero mod p.
// Over Q: if A is the reduction of an integer matrix A_Z, that minor is the reduction of the
// same minor of A_Z, so a nonzero minor mod p proves rank_Q(A_Z) >= r; r = n certifies full
// column rank over Q with the rows pivot_rows() as the witness (math.md, Witnesses).
//
// Streaming: add_row() buffers rows and eliminates them in blocks, so the update of a block
// of new rows by the basis is a matrix product (Schur complement): X <- X - C U with
// C = X[:, pivots] (unit triangular solve), done in binary64 with delayed reduction. Once
// r = n the object is saturated and further rows are only counted: certification stops as
// soon as full column rank is reached.
// Arithmetic: residues are held as centred doubles, |a| <= (p-1)/2 < 2^22, so a product is
// below 2^44 and a sum of up to 2^7 products plus a residue stays below 2^52: every integer
// on the way is exact in binary64 and reduced before the bound could be passed.
// Preconditions (checked, Error(internal)): p < 2^23 (PrimeStream::standard() primes are);
// rows have exactly cols() entries.
// Cost: O(r n m) operations for m rows (about n^3/3 multiply-adds to saturate a generic
// n-column matrix, as an LU of the first n rows), memory r n + 128 n doubles.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "mhla/linalg/matrix.hpp"
#include "mhla/modp/field.hpp"

namespace mhla {

class EchelonModP {
 public:
  static constexpr std::uint64_t kMaxPrime = std::uint64_t(1) << 23;

  EchelonModP(const PrimeField& F, std::size_t cols);

  const PrimeField& field() const noexcept { return F_; }
  std::size_t cols() const noexcept { return n_; }

  // Adds the next row (its index is rows_seen() before the call); entries are integers,
  // reduced mod p here. After saturation (rank() == cols()) rows are only counted.
  void add_row(std::span<const std::int64_t> row);
  // The same with entries that are residues (any uint64_t; reduced here).
  void add_row_residues(std::span<const std::uint64_t> row);
  // Adds every row of A in order (stops eliminating at saturation).
  void add_rows(const Matrix<std::int64_t>& A);

  // Eliminates the buffered rows; the queries below call it themselves.
  void flush();
  std::size_t rows_seen() const noexcept { return seen_; }
  std::size_t rank();
  // True once the rows eliminated so far have rank cols() (does not flush: a streaming
  // producer polls it after each add_row and stops; add_row flushes by itself whenever the
  // buffered rows could complete the rank).
  bool saturated() const noexcept { return lead_.size() == n_; }
  // Row rank profile, increasing.
  const std::vector<std::size_t>& pivot_rows();
  // Column rank profile, increasing.
  std::vector<std::size_t> pivot_cols();
  // The r x r minor of A on pivot_rows() (in order) x pivot_cols() (increasing), mod p, in
  // [0, p); nonzero. It costs O(r log r) from the elimination state: the pivot rows are only
  // reduced by earlier pivot rows, so det = sign(c) * prod_j lambda_j with lambda_j the leading
  // value of the j-th pivot row's remainder before normalisation and sign(c) the sign of the
  // permutation that sorts the leading columns c_0, ..., c_{r-1} (@proof A4). Rows found
  // dependent (remainder zero) are discarded and do not enter it. The 0 x 0 minor is 1.
  std::uint64_t pivot_minor();

  // A basis of the right kernel {v : A v = 0} over F_p: one vector per non-pivot column f,
  // with v[f] = 1, v[g] = 0 for the other non-pivot columns g. Entries in [0, p).
  // Cost: O(r^2) per vector (a triangular solve on the pivot columns).
  std::vector<std::vector<std::uint64_t>> nullspace();
  // The one kernel vector of that basis for the non-pivot column f (precondition, checked:
  // f is not a pivot column).
  std::vector<std::uint64_t> kernel_vector(std::size_t f);

 private:
  void buffer_row(const double* centred);
  void eliminate_block();

  PrimeField F_;
  std::size_t n_, stride_;
  double p_, pinv_;
  std::vector<double> basis_;               // r rows of stride_ doubles, insertion order
  std::vector<std::size_t> lead_;           // lead_[j] = c_j
  std::vector<std::size_t> pivot_rows_;     // row index of A that produced u_j
  std::uint64_t lead_product_ = 1;          // prod of the leading values lambda_j (residue)
  std::vector<double> block_;               // buffered rows, block_rows_ x stride_
  std::vector<std::size_t> block_index_;    // their row indices in A
  std::vector<char> is_pivot_col_;
  std::size_t seen_ = 0;
  bool saw_dependent_ = false;
};

// Test hook: the instruction set of the binary64 kernels (by default the widest the CPU
// supports, chosen at first use). Returns false, changing nothing, when the CPU lacks it.
// Process-wide; meant for tests that run every kernel on one machine.
enum class KernelIsa { automatic, generic, avx2, avx512 };
bool echelon_mod_p_select_kernel(KernelIsa isa);

// Convenience: rank and profiles of a whole matrix with integer entries, reduced mod p.
struct RankProfileModP {
  std::uint64_t p = 0;
  std::size_t rank = 0;
  std::vector<std::size_t> pivot_rows, pivot_cols;
};
RankProfileModP rank_profile_mod_p(const PrimeField& F, const Matrix<std::int64_t>& A);

// The textbook reference over F_p for any prime p < 2^63 (no blocking, PrimeField arithmetic):
// the same semi-echelon algorithm row by row. Used by the tests as a differential oracle and
// for primes above the fast kernel's bound. Cost O(r n m) 128-bit multiplications.
RankProfileModP rank_profile_mod_p_reference(const PrimeField& F, const Matrix<std::int64_t>& A);

}  // namespace mhla
