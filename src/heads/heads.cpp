// SPDX-License-Identifier: MIT
// Head recovery (heads.hpp; proofs-notes/06-learner.md, Lemma H1).
#include "mhla/heads/heads.hpp"

#include <algorithm>
#include <utility>

#include "mhla/linalg/bareiss.hpp"
#include "mhla/linalg/echelon_mod_p.hpp"
#include "mhla/linalg/rows_scale_to_integer.hpp"
#include "mhla/modp/crt.hpp"
#include "mhla/modp/prime_stream.hpp"
#include "mhla/modp/rational_reconstruct.hpp"
#include "mhla/modp/reduce.hpp"

namespace mhla {
namespace {

std::size_t dim_of_weights(const Matrix<Rational>& W) {
  const std::size_t d = W.rows();
  if (d == 0 || W.cols() != feature_dim(d)) fail(ErrorKind::internal, "heads: W is not d x feature_dim(d)");
  return d;
}

}  // namespace

// @proof H1
Matrix<Rational> even_split(const Matrix<Rational>& W) {
  const std::size_t d = dim_of_weights(W);
  Matrix<Rational> M(d * d, d * d);
  for (std::size_t a = 0; a < d; ++a)
    for (std::size_t j = 0; j < d; ++j)
      for (std::size_t k = 0; k < d; ++k)
        for (std::size_t l = 0; l < d; ++l) {
          const Rational& w = W(a, feature_index(d, std::min(j, k), std::max(j, k), l));
          M(a * d + j, k * d + l) = j == k ? w : w / 2;
        }
  return M;
}

Matrix<Rational> fold_split(const Matrix<Rational>& M, std::size_t d) {
  if (M.rows() != d * d || M.cols() != d * d) fail(ErrorKind::internal, "fold_split: M is not d^2 x d^2");
  Matrix<Rational> W(d, feature_dim(d));
  for (std::size_t a = 0; a < d; ++a)
    for (std::size_t j = 0; j < d; ++j)
      for (std::size_t k = j; k < d; ++k)
        for (std::size_t l = 0; l < d; ++l)
          W(a, feature_index(d, j, k, l)) =
              j == k ? M(a * d + j, k * d + l) : M(a * d + j, k * d + l) + M(a * d + k, j * d + l);
  return W;
}

RankFactorisation rank_factorisation_gauss_jordan(const Matrix<Rational>& M) {
  const std::size_t m = M.rows(), n = M.cols();
  // Gauss-Jordan over Q to the reduced row echelon form E; pivot columns in increasing order.
  Matrix<Rational> E = M;
  std::vector<std::size_t> pivots;
  std::size_t row = 0;
  for (std::size_t c = 0; c < n && row < m; ++c) {
    std::size_t p = row;
    while (p < m && E(p, c) == 0) ++p;
    if (p == m) continue;
    if (p != row)
      for (std::size_t j = 0; j < n; ++j) std::swap(E(p, j), E(row, j));
    const Rational inv = 1 / E(row, c);
    for (std::size_t j = c; j < n; ++j) E(row, j) *= inv;
    for (std::size_t i = 0; i < m; ++i) {
      if (i == row || E(i, c) == 0) continue;
      const Rational f = E(i, c);
      for (std::size_t j = c; j < n; ++j) E(i, j) -= f * E(row, j);
    }
    pivots.push_back(c);
    ++row;
  }
  // M = M[:, pivots] * E[0..r), since each column of M is the combination of the pivot columns
  // given by the corresponding column of E (row operations keep column dependencies).
  const std::size_t r = pivots.size();
  RankFactorisation f{Matrix<Rational>(m, r), Matrix<Rational>(n, r), r};
  for (std::size_t h = 0; h < r; ++h) {
    for (std::size_t i = 0; i < m; ++i) f.U(i, h) = M(i, pivots[h]);
    for (std::size_t j = 0; j < n; ++j) f.V(j, h) = E(h, j);
  }
  if (!(multiply(f.U, transpose(f.V)) == M)) fail(ErrorKind::internal, "rank_factorisation: U V^T != M");
  return f;
}

namespace {

// Column key of a prime: the rank mod p and the column rank profile C. A lucky prime gives
// (rank_Q, C_Q); every prime gives rank_p <= rank_Q, and at equal rank C_p >= C_Q entrywise
// (C_p is then a Q-independent set, C_Q the greedy one). So a larger rank, or at equal rank a
// lexicographically smaller C, is closer to the truth. @proof H7
struct ColumnKey {
  std::size_t rank = 0;
  std::vector<std::size_t> cols;
  bool better_than(const ColumnKey& o) const { return rank != o.rank ? rank > o.rank : cols < o.cols; }
  bool operator==(const ColumnKey& o) const = default;
};

// The entries of X mod p for the key of this prime: X[c_h, f] = -v_f[c_h] for every non-pivot
// column f (v_f the kernel vector with v_f[f] = 1, zero on the other non-pivot columns), listed
// column by column (f increasing, then h).
struct PrimeImage {
  ColumnKey key;
  std::vector<std::uint64_t> x;
};

PrimeImage image_mod_p(const PrimeField& F, const Matrix<Integer>& A, const Matrix<std::int64_t>* A64) {
  EchelonModP E(F, A.cols());
  if (A64 != nullptr) {
    E.add_rows(*A64);
  } else {
    std::vector<std::uint64_t> row(A.cols());
    for (std::size_t i = 0; i < A.rows() && !E.saturated(); ++i) {
      for (std::size_t j = 0; j < A.cols(); ++j) row[j] = reduce_mod(F, A(i, j));
      E.add_row_residues(row);
    }
  }
  PrimeImage out;
  out.key.rank = E.rank();
  out.key.cols = E.pivot_cols();
  for (std::size_t f = 0, h = 0; f < A.cols(); ++f) {
    if (h < out.key.cols.size() && out.key.cols[h] == f) {
      ++h;
      continue;
    }
    const std::vector<std::uint64_t> v = E.kernel_vector(f);
    for (std::size_t c : out.key.cols) out.x.push_back(F.neg(v[c]));
  }
  return out;
}

// log2 of Hadamard's bound on every r x r minor of A: the sum of log2 ||A[:, c]||_2 over the
// r largest column norms (rounded up). The entries of X are quotients of such minors (Cramer).
std::size_t hadamard_bits(const Matrix<Integer>& A, std::size_t r) {
  std::vector<std::size_t> bits;
  for (std::size_t j = 0; j < A.cols(); ++j) {
    Integer s = 0;
    for (std::size_t i = 0; i < A.rows(); ++i) s += A(i, j) * A(i, j);
    bits.push_back((bit_length(s) + 1) / 2);
  }
  std::sort(bits.rbegin(), bits.rend());
  std::size_t total = 0;
  for (std::size_t h = 0; h < r && h < bits.size(); ++h) total += bits[h];
  return total;
}

// Exact check that column f of A is sum_h X[c_h, f] A[:, c_h] for every non-pivot column f,
// each column cleared of denominators: delta_f A[:, f] == sum_h (delta_f X[c_h, f]) A[:, c_h].
// In Int128 when every term and partial sum provably stays below 2^126, else in Integer.
bool columns_reproduced(const Matrix<Integer>& A, const std::vector<std::size_t>& C, const std::vector<Rational>& x) {
  const std::size_t m = A.rows(), n = A.cols(), r = C.size();
  std::size_t a_bits = 0;
  for (const Integer& z : A.data()) a_bits = std::max(a_bits, bit_length(z));
  std::size_t log_terms = 0;
  while ((std::size_t(1) << log_terms) < r + 1) ++log_terms;
  std::size_t at = 0;
  for (std::size_t f = 0, h0 = 0; f < n; ++f) {
    if (h0 < r && C[h0] == f) {
      ++h0;
      continue;
    }
    Integer delta = 1;
    for (std::size_t h = 0; h < r; ++h) delta = lcm(delta, denominator(x[at + h]));
    std::vector<Integer> y(r);
    std::size_t y_bits = bit_length(delta);
    for (std::size_t h = 0; h < r; ++h) {
      y[h] = numerator(x[at + h]) * (delta / denominator(x[at + h]));
      y_bits = std::max(y_bits, bit_length(y[h]));
    }
    at += r;
    if (a_bits + y_bits + log_terms <= 126) {  // |each term| < 2^(a+y), r + 1 terms
      std::vector<Int128> y128(r);
      for (std::size_t h = 0; h < r; ++h) y128[h] = to_int128(y[h]);
      const Int128 d128 = to_int128(delta);
      for (std::size_t i = 0; i < m; ++i) {
        Int128 s = -d128 * to_int128(A(i, f));
        for (std::size_t h = 0; h < r; ++h)
          if (y128[h] != 0) s += to_int128(A(i, C[h])) * y128[h];
        if (s != 0) return false;
      }
    } else {
      for (std::size_t i = 0; i < m; ++i) {
        Integer s = -delta * A(i, f);
        for (std::size_t h = 0; h < r; ++h)
          if (y[h] != 0) s += A(i, C[h]) * y[h];
        if (s != 0) return false;
      }
    }
  }
  return true;
}

// X (X[:, C] = I, the listed entries for the non-pivot columns) is in row echelon form: row h is
// zero before column c_h, i.e. X[h, f] == 0 for every non-pivot f < c_h. Then X is the reduced
// row echelon form of M's row space and C its column rank profile (Lemma H7(e)). @proof H7
bool in_echelon_form(const std::vector<std::size_t>& C, std::size_t n, const std::vector<Rational>& x) {
  const std::size_t r = C.size();
  std::size_t at = 0;
  for (std::size_t f = 0, h0 = 0; f < n; ++f) {
    if (h0 < r && C[h0] == f) {
      ++h0;
      continue;
    }
    for (std::size_t h = h0; h < r; ++h)  // c_h > f exactly for h >= h0
      if (x[at + h] != 0) return false;
    at += r;
  }
  return true;
}

// U = M[:, C], V^T = X with X[:, C] = I and X[:, f] from the reconstructed entries.
RankFactorisation factorisation_from_columns(const Matrix<Rational>& M, const std::vector<std::size_t>& C,
                                             const std::vector<Rational>& x) {
  const std::size_t m = M.rows(), n = M.cols(), r = C.size();
  RankFactorisation f{Matrix<Rational>(m, r), Matrix<Rational>(n, r), r};
  for (std::size_t h = 0; h < r; ++h) {
    for (std::size_t i = 0; i < m; ++i) f.U(i, h) = M(i, C[h]);
    f.V(C[h], h) = 1;
  }
  std::size_t at = 0;
  for (std::size_t col = 0, h0 = 0; col < n; ++col) {
    if (h0 < r && C[h0] == col) {
      ++h0;
      continue;
    }
    for (std::size_t h = 0; h < r; ++h) f.V(col, h) = x[at++];
  }
  return f;
}

}  // namespace

// @proof H7
std::optional<RankFactorisation> rank_factorisation_modular(const Matrix<Rational>& M) {
  const std::size_t m = M.rows(), n = M.cols();
  if (m == 0 || n == 0) return RankFactorisation{Matrix<Rational>(m, 0), Matrix<Rational>(n, 0), 0};
  // A = D M with D diagonal and positive: same column relations, same rank (rows_scale_to_integer).
  const Matrix<Integer> A = rows_scale_to_integer(M);
  std::optional<Matrix<std::int64_t>> A64;
  if (std::all_of(A.data().begin(), A.data().end(), [](const Integer& z) { return bit_length(z) <= 62; })) {
    A64.emplace(m, n);
    for (std::size_t i = 0; i < A.data().size(); ++i) A64->row(0)[i] = static_cast<std::int64_t>(to_int128(A.data()[i]));
  }
  PrimeStream primes = PrimeStream::standard();
  ColumnKey key;
  bool have_key = false;
  CrtVector acc;
  std::size_t used = 0, next_attempt = 1, tried = 0, budget_bits = 0;
  std::size_t max_tries = 0;
  for (;;) {
    const PrimeField F(primes.next());
    ++tried;
    PrimeImage img = image_mod_p(F, A, A64 ? &*A64 : nullptr);
    if (!have_key || img.key.better_than(key)) {
      key = std::move(img.key);
      have_key = true;
      acc = CrtVector{};
      used = 0;
      next_attempt = 1;
      // Cramer: numerators and denominators of X are r x r minors of A, at most 2^hb in size;
      // reconstruction is guaranteed once the modulus exceeds 2 * 2^(2 hb) (lucky primes).
      budget_bits = 2 * hadamard_bits(A, key.rank) + 2;
      // Prime budget: twice the primes of this size the bound needs, plus 20 unlucky ones.
      const std::size_t prime_bits = bit_length(Integer(F.p)) - 1;
      max_tries = tried + 2 * (budget_bits / std::max<std::size_t>(prime_bits, 1) + 1) + 20;
    } else if (!(img.key == key)) {
      if (tried > max_tries) return std::nullopt;
      continue;  // an unlucky prime: its images are of another column set
    }
    if (key.rank == n) {  // X = I: M = M I, and rank_p = n proves rank_Q = n
      RankFactorisation f{M, Matrix<Rational>::identity(n), n};
      return f;
    }
    if (key.rank == 0) {  // rank 0 mod p; M == 0 exactly is checked (then rank_Q = 0)
      if (std::all_of(A.data().begin(), A.data().end(), [](const Integer& z) { return z == 0; }))
        return RankFactorisation{Matrix<Rational>(m, 0), Matrix<Rational>(n, 0), 0};
      if (tried > max_tries) return std::nullopt;
      continue;
    }
    crt_combine(acc, F, img.x);
    ++used;
    if (used >= next_attempt || bit_length(acc.modulus) > budget_bits) {
      next_attempt = used + std::max<std::size_t>(1, used / 2);
      if (auto x = rational_reconstruct(acc.residues, acc.modulus)) {
        if (in_echelon_form(key.cols, n, *x) && columns_reproduced(A, key.cols, *x))
          return factorisation_from_columns(M, key.cols, *x);
      }
      if (bit_length(acc.modulus) > budget_bits + 64) return std::nullopt;
    }
    if (tried > max_tries) return std::nullopt;
  }
}

RankFactorisation rank_factorisation(const Matrix<Rational>& M) {
  if (auto f = rank_factorisation_modular(M)) return std::move(*f);
  return rank_factorisation_gauss_jordan(M);
}

Model<Rational> model_from_factorisation(const RankFactorisation& f, std::size_t d, bool causal) {
  if (f.U.rows() != d * d || f.V.rows() != d * d || f.U.cols() != f.rank || f.V.cols() != f.rank)
    fail(ErrorKind::internal, "model_from_factorisation: shapes do not match d");
  Model<Rational> model{d, causal, {}};
  for (std::size_t h = 0; h < f.rank; ++h) {
    Head<Rational> head{Matrix<Rational>(d, d), Matrix<Rational>(d, d)};
    for (std::size_t x = 0; x < d; ++x)
      for (std::size_t y = 0; y < d; ++y) {
        head.V(x, y) = f.U(x * d + y, h);
        head.Q(x, y) = f.V(x * d + y, h);
      }
    model.heads.push_back(std::move(head));
  }
  return model;
}

// The exact check weights(model) == W, by Lemma H1(b) / H2(a) as fold(M) == W given U V^T == M
// (verified by rank_factorisation): weights(model) = fold(sum_h u_h v_h^T) = fold(U V^T) = fold(M).
// Up to this d the O(r d^4) weight formula is also evaluated directly (a guard on the reshape).
constexpr std::size_t kDirectWeightCheckMaxD = 8;

// @proof H1 @proof H7
Model<Rational> heads_from_weights(const Matrix<Rational>& W, bool causal) {
  const std::size_t d = dim_of_weights(W);
  const Matrix<Rational> M = even_split(W);
  if (!(fold_split(M, d) == W)) fail(ErrorKind::internal, "heads_from_weights: the split does not fold back to W");
  const RankFactorisation f = rank_factorisation(M);  // U V^T == M, checked exactly
  const Model<Rational> model = model_from_factorisation(f, d, causal);
  if (d <= kDirectWeightCheckMaxD && !(weights(model) == W))
    fail(ErrorKind::internal, "heads_from_weights: the recovered heads do not have weights W");
  return model;
}

RecoveredHeads recover_heads(const Matrix<Rational>& W, bool causal, HeadsMethod method, unsigned precision_bits) {
  RecoveredHeads out;
  out.method = method;
  switch (method) {
    case HeadsMethod::rank_factorisation:
      out.model = heads_from_weights(W, causal);
      out.even_split_rank = out.model.heads.size();
      break;
    case HeadsMethod::fewest:
      out.fewest = fewest_heads(W, causal);
      out.model = out.fewest->model;
      out.even_split_rank = out.fewest->even_split_rank;
      break;
    case HeadsMethod::svd:
      out.svd = svd_heads(W, causal, precision_bits);
      out.model = out.svd->model;
      out.even_split_rank = rank_bareiss(rows_scale_to_integer(even_split(W)));
      break;
  }
  return out;
}

}  // namespace mhla
