// SPDX-License-Identifier: MIT
// nullspace_multimodular: exact rational kernel vectors of an integer matrix from its images
// mod several primes (Chinese remaindering and rational reconstruction), each checked
// exactly over Z before it is returned (proofs-notes: "modular rank", kernel witnesses).
//
// Mathematics: let r = rank_Q(A) and P the column rank profile. For a non-pivot column f the
// vector v_f with v_f[f] = 1, v_f = 0 on the other non-pivot columns and A v_f = 0 is unique
// over Q, and for every prime p not dividing the pivot minor (a "good" prime) v_f mod p is the
// kernel vector EchelonModP::kernel_vector(f) mod p. The images are combined by CRT and each
// entry is rationally reconstructed (rational_reconstruct.hpp); once the product of the good
// primes exceeds 2 H^2 (H bounding numerators and denominators of v_f, e.g. Hadamard's bound
// of the pivot minor), the reconstruction is v_f. The routine does not rely on that bound:
// it stops as soon as a candidate is stable over two successive primes and passes the exact
// test A v = 0 over Z (early termination), and a candidate is never returned unchecked.
// Unlucky primes are ordinary outcomes:
//   * rank mod p < r: the first prime's profile is too small; detected when a candidate
//     that annihilates the chosen pivot rows fails on another row (then rank_Q > that rank,
//     and the search restarts with a fresh prime, demanding a larger rank);
//   * a prime whose rank on the pivot rows drops, or whose pivot columns differ, is skipped
//     (a lexicographically smaller profile of the same rank replaces the current one: the
//     rational profile is the lexicographically smallest of all primes' profiles of full rank).
// Preconditions: none on the values (entries may be arbitrary integers).
// What the result certifies: status found => every returned v is nonzero (v[f] = 1) with
// A v = 0 exactly over Q, so rank_Q(A) <= n - (number of vectors); status
// full_column_rank => the minor of A on witness_rows x (all columns) is nonzero mod
// witness_prime, so rank_Q(A) = n.
// Cost: one elimination of A mod p for the first prime (O(m n r)), then one of the r pivot
// rows per further prime (O(r^2 n)), O(log H / 22) primes in all, plus CRT/reconstruction
// and the exact checks (O(m n) multiplications by the candidate's entries).
#pragma once
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "mhla/arith/scalar.hpp"
#include "mhla/linalg/matrix.hpp"
#include "mhla/modp/prime_stream.hpp"

namespace mhla {

enum class KernelStatus {
  full_column_rank,  // no kernel: rank n certified by a nonzero minor mod witness_prime
  found,             // kernel vectors found and checked exactly
  gave_up,           // max_primes reached without a verified candidate (nothing certified
                     // beyond the lower bound rank_lower_bound)
};

struct KernelMultimodular {
  KernelStatus status = KernelStatus::gave_up;
  // found: vectors for the first `max_vectors` non-pivot columns, in increasing order of
  // that column; each vector has a 1 there and 0 at the other non-pivot columns.
  std::vector<std::vector<Rational>> vectors;
  std::vector<std::size_t> free_cols;  // the non-pivot column of each vector
  // The best modular picture: rank_lower_bound = rank mod witness_prime, certified by the
  // nonzero minor on witness_rows x witness_cols (both increasing).
  std::size_t rank_lower_bound = 0;
  std::uint64_t witness_prime = 0;
  std::vector<std::size_t> witness_rows, witness_cols;
  std::size_t primes_used = 0;
};

struct KernelOptions {
  std::size_t max_vectors = 1;  // how many kernel vectors (1: one witness of deficiency)
  std::size_t max_primes = 4096;
};

KernelMultimodular nullspace_multimodular(const Matrix<Integer>& A, PrimeStream primes = PrimeStream::standard(),
                                          KernelOptions options = {});
KernelMultimodular nullspace_multimodular(const Matrix<std::int64_t>& A,
                                          PrimeStream primes = PrimeStream::standard(), KernelOptions options = {});

// Exact test of A v = 0 over Q (v is scaled to an integer vector first). The checker habit
// of CGAL: a public postcondition anyone can call.
bool annihilates_exactly(const Matrix<Integer>& A, const std::vector<Rational>& v);
bool annihilates_exactly(const Matrix<std::int64_t>& A, const std::vector<Rational>& v);

}  // namespace mhla
