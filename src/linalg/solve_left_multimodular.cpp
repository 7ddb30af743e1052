// SPDX-License-Identifier: MIT
#include "mhla/linalg/solve_left_multimodular.hpp"

#include "mhla/modp/crt.hpp"
#include "mhla/modp/field.hpp"
#include "mhla/modp/rational_reconstruct.hpp"
#include "mhla/modp/reduce.hpp"
#include "mhla/support/error.hpp"

namespace mhla {
namespace {

// M^{-1} mod p by Gauss-Jordan (row-major r x r), or nullopt when M is singular mod p.
std::optional<std::vector<std::uint64_t>> inverse_mod_p(const PrimeField& F, std::vector<std::uint64_t> A,
                                                        std::size_t r) {
  std::vector<std::uint64_t> I(r * r, 0);
  for (std::size_t i = 0; i < r; ++i) I[i * r + i] = 1 % F.p;
  for (std::size_t c = 0; c < r; ++c) {
    std::size_t piv = c;
    while (piv < r && A[piv * r + c] == 0) ++piv;
    if (piv == r) return std::nullopt;
    if (piv != c)
      for (std::size_t j = 0; j < r; ++j) std::swap(A[piv * r + j], A[c * r + j]), std::swap(I[piv * r + j], I[c * r + j]);
    const std::uint64_t inv = F.inv(A[c * r + c]);
    for (std::size_t j = 0; j < r; ++j) A[c * r + j] = F.mul(A[c * r + j], inv), I[c * r + j] = F.mul(I[c * r + j], inv);
    for (std::size_t i = 0; i < r; ++i) {
      if (i == c || A[i * r + c] == 0) continue;
      const std::uint64_t f = A[i * r + c];
      for (std::size_t j = 0; j < r; ++j) {
        A[i * r + j] = F.sub(A[i * r + j], F.mul(f, A[c * r + j]));
        I[i * r + j] = F.sub(I[i * r + j], F.mul(f, I[c * r + j]));
      }
    }
  }
  return I;
}

// y M == b exactly over Q.
bool solves(const Matrix<Integer>& M, const std::vector<Rational>& y, const std::vector<Integer>& b) {
  const std::size_t r = M.rows();
  for (std::size_t j = 0; j < r; ++j) {
    Rational s = 0;
    for (std::size_t i = 0; i < r; ++i)
      if (y[i] != 0 && M(i, j) != 0) s += y[i] * Rational(M(i, j));
    if (s != Rational(b[j])) return false;
  }
  return true;
}

}  // namespace

LeftSolveResult solve_left_multimodular(const Matrix<Integer>& M, const std::vector<std::vector<Integer>>& rhs,
                                        PrimeStream& primes, std::size_t max_primes) {
  const std::size_t r = M.rows(), k = rhs.size();
  if (M.cols() != r) fail(ErrorKind::internal, "solve_left_multimodular: M is not square");
  for (const auto& b : rhs)
    if (b.size() != r) fail(ErrorKind::internal, "solve_left_multimodular: a right-hand side has the wrong length");
  LeftSolveResult out;
  out.y.resize(k);
  if (k == 0) return out;
  if (r == 0) {  // the empty system: y is empty and solves b = () for every b
    for (auto& y : out.y) y = std::vector<Rational>{};
    return out;
  }
  std::vector<CrtVector> acc(k);
  std::vector<std::optional<std::vector<Rational>>> previous(k);
  std::size_t open = k;
  for (std::size_t used = 0; used < max_primes && open > 0; ++used) {
    const PrimeField F(primes.next());
    ++out.primes_used;
    std::vector<std::uint64_t> A(r * r);
    for (std::size_t i = 0; i < r; ++i)
      for (std::size_t j = 0; j < r; ++j) A[i * r + j] = reduce_mod(F, M(i, j));
    const auto inv = inverse_mod_p(F, std::move(A), r);
    if (!inv) continue;  // p divides det M
    std::vector<std::uint64_t> bp(r), yp(r);
    for (std::size_t q = 0; q < k; ++q) {
      if (out.y[q]) continue;
      for (std::size_t i = 0; i < r; ++i) bp[i] = reduce_mod(F, rhs[q][i]);
      for (std::size_t j = 0; j < r; ++j) {
        std::uint64_t s = 0;
        for (std::size_t i = 0; i < r; ++i)
          if (bp[i]) s = F.add(s, F.mul(bp[i], (*inv)[i * r + j]));
        yp[j] = s;
      }
      crt_combine(acc[q], F, yp);
      auto candidate = rational_reconstruct(acc[q].residues, acc[q].modulus);
      if (candidate && previous[q] && *candidate == *previous[q] && solves(M, *candidate, rhs[q])) {
        out.y[q] = std::move(candidate);
        --open;
      } else {
        previous[q] = std::move(candidate);
      }
    }
  }
  return out;
}

}  // namespace mhla
