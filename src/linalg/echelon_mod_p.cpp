// SPDX-License-Identifier: MIT
#include "mhla/linalg/echelon_mod_p.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <string>

#include "mhla/support/error.hpp"

namespace mhla {

namespace {

struct Kernels {
  void (*reduce_centred)(double*, std::size_t, double, double);
  void (*axpy_reduce)(double*, const double*, double, std::size_t, double, double);
  void (*scale_reduce)(double*, double, std::size_t, double, double);
  void (*gemm_sub_reduce)(int, int, std::size_t, const double*, std::size_t, const double*, std::size_t, double*,
                          std::size_t, double, double);
};

// One copy of the kernels per instruction set; the widest the CPU supports is picked at run
// time, so the default build needs no -march flag. fp-contract=fast lets GCC fuse the
// multiply-adds; exactness does not depend on it (all values are integers below 2^52).
#pragma GCC push_options
#pragma GCC optimize("fp-contract=fast")
namespace generic {
#define KERNEL_VEC 2
#define KERNEL_MR 4
#define KERNEL_NR 2
#include "kernels_mod_p.inc"
#undef KERNEL_VEC
#undef KERNEL_MR
#undef KERNEL_NR
}  // namespace generic
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx2,fma")
#pragma GCC optimize("fp-contract=fast")
namespace avx2 {
#define KERNEL_VEC 4
#define KERNEL_MR 4
#define KERNEL_NR 3
#include "kernels_mod_p.inc"
#undef KERNEL_VEC
#undef KERNEL_MR
#undef KERNEL_NR
}  // namespace avx2
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx512f,avx512dq,avx2,fma")
#pragma GCC optimize("fp-contract=fast")
namespace avx512 {
#define KERNEL_VEC 8
#define KERNEL_MR 8
#define KERNEL_NR 3
#include "kernels_mod_p.inc"
#undef KERNEL_VEC
#undef KERNEL_MR
#undef KERNEL_NR
}  // namespace avx512
#pragma GCC pop_options

const Kernels* best_kernels() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")) return &avx512::kTable;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return &avx2::kTable;
  return &generic::kTable;
}

std::atomic<const Kernels*> g_kernels{nullptr};

const Kernels& kernels() {
  const Kernels* k = g_kernels.load(std::memory_order_relaxed);
  if (k == nullptr) {
    k = best_kernels();
    g_kernels.store(k, std::memory_order_relaxed);
  }
  return *k;
}

// The scalar form of the kernels' centred reduction (see kernels_mod_p.inc): |x| < 2^52.
double reduce_scalar(double x, double p, double pinv, double half) {
  const double q = std::nearbyint(x * pinv);  // off by at most one from round(x / p)
  double r = x - q * p;                        // exact: integers below 2^52
  r = r > half ? r - p : r;
  return r < -half ? r + p : r;
}

constexpr std::size_t kBlockRows = 128;  // rows eliminated together (t)
constexpr std::size_t kBasisBlock = 128;  // basis rows per Schur update (kb <= 128: see bound)
constexpr std::size_t kPad = 24;          // row stride multiple: every kernel's panel width divides it

}  // namespace

EchelonModP::EchelonModP(const PrimeField& F, std::size_t cols) : F_(F), n_(cols) {
  if (F.p >= kMaxPrime)
    fail(ErrorKind::internal, "EchelonModP: prime " + std::to_string(F.p) + " is not below 2^23");
  stride_ = (n_ + kPad - 1) / kPad * kPad;
  if (stride_ == 0) stride_ = kPad;
  p_ = static_cast<double>(F.p);
  pinv_ = 1.0 / p_;
  is_pivot_col_.assign(n_, 0);
  basis_.reserve(n_ * stride_);  // no reallocation peak; pages are touched only when used
  block_.reserve(kBlockRows * stride_);
}

void EchelonModP::add_row(std::span<const std::int64_t> row) {
  if (row.size() != n_) fail(ErrorKind::internal, "EchelonModP::add_row: row length differs from cols()");
  if (lead_.size() == n_) {
    ++seen_;
    return;
  }
  std::vector<double> tmp(n_);
  for (std::size_t j = 0; j < n_; ++j) tmp[j] = static_cast<double>(F_.centred(F_.from_int64(row[j])));
  buffer_row(tmp.data());
}

void EchelonModP::add_row_residues(std::span<const std::uint64_t> row) {
  if (row.size() != n_) fail(ErrorKind::internal, "EchelonModP::add_row_residues: row length differs from cols()");
  if (lead_.size() == n_) {
    ++seen_;
    return;
  }
  std::vector<double> tmp(n_);
  for (std::size_t j = 0; j < n_; ++j) tmp[j] = static_cast<double>(F_.centred(row[j] % F_.p));
  buffer_row(tmp.data());
}

void EchelonModP::add_rows(const Matrix<std::int64_t>& A) {
  if (A.cols() != n_) fail(ErrorKind::internal, "EchelonModP::add_rows: column count differs");
  for (std::size_t i = 0; i < A.rows(); ++i) add_row(std::span<const std::int64_t>(A.row(i), n_));
}

void EchelonModP::buffer_row(const double* centred) {
  const std::size_t t = block_index_.size();
  block_.resize((t + 1) * stride_, 0.0);
  std::copy(centred, centred + n_, block_.begin() + static_cast<std::ptrdiff_t>(t * stride_));
  block_index_.push_back(seen_++);
  // Flush when the block is full, or early when it could saturate the basis: a short block
  // near saturation lets certification stop without reading rows it does not need. After a
  // block that met dependent rows the full block size is used again, so a deficient stream
  // is not processed in tiny, memory-bound blocks.
  const std::size_t missing = n_ - lead_.size();
  const std::size_t capacity = saw_dependent_ ? kBlockRows : std::clamp<std::size_t>(missing, 1, kBlockRows);
  if (block_index_.size() >= capacity) eliminate_block();
}

void EchelonModP::flush() { eliminate_block(); }

void EchelonModP::eliminate_block() {
  const std::size_t t = block_index_.size();
  if (t == 0) return;
  const Kernels& K = kernels();
  double* X = block_.data();
  const std::size_t r_old = lead_.size();

  // 1. Schur update by the basis, kBasisBlock rows at a time: with C the coefficients that
  //    make X zero on the block's pivot columns (a unit triangular solve), X <- X - C U.
  std::vector<double> ct;  // C stored column by column: ct[j * t + i]
  for (std::size_t r0 = 0; r0 < r_old; r0 += kBasisBlock) {
    const std::size_t r1 = std::min(r_old, r0 + kBasisBlock), kb = r1 - r0;
    std::size_t lo = n_;
    for (std::size_t j = r0; j < r1; ++j) lo = std::min(lo, lead_[j]);
    ct.assign(kb * t, 0.0);
    // Row j of the triangular system: C[:, j] = X[:, c_j] - sum_{k<j} C[:, k] U_k[c_j]
    // (u_j has a 1 at c_j; u_k for k > j is zero there). At most 127 products of centred
    // residues are summed before the reduction: below 2^51.
    for (std::size_t j = 0; j < kb; ++j) {
      double* cj = ct.data() + j * t;
      const std::size_t cj_col = lead_[r0 + j];
      for (std::size_t i = 0; i < t; ++i) cj[i] = X[i * stride_ + cj_col];
      for (std::size_t k = 0; k < j; ++k) {
        const double u = basis_[(r0 + k) * stride_ + cj_col];
        if (u == 0) continue;
        const double* ck = ct.data() + k * t;
        for (std::size_t i = 0; i < t; ++i) cj[i] -= u * ck[i];
      }
      K.reduce_centred(cj, t, p_, pinv_);
    }
    const std::size_t start = lo / kPad * kPad;  // u_j is zero left of c_j >= lo
    K.gemm_sub_reduce(static_cast<int>(t), static_cast<int>(kb), stride_ - start, ct.data(), t,
                      basis_.data() + r0 * stride_ + start, stride_, X + start, stride_, p_, pinv_);
  }

  // 2. The rows of the block, in order, against the basis rows found in this block. No
  //    reduction is needed until a row is finished: it meets at most 127 such rows, each
  //    adding less than 2^44 in absolute value. The coefficient is the reduced entry.
  bool dependent = false;
  const double half = (p_ - 1) / 2;
  for (std::size_t i = 0; i < t && lead_.size() < n_; ++i) {
    double* x = X + i * stride_;
    for (std::size_t j = r_old; j < lead_.size(); ++j) {
      const std::size_t c = lead_[j];
      const double coef = reduce_scalar(x[c], p_, pinv_, half);
      if (coef == 0) {
        x[c] = 0;
        continue;
      }
      const double* u = basis_.data() + j * stride_;
      const std::size_t from = c / kPad * kPad;
      for (std::size_t l = from; l < stride_; ++l) x[l] -= coef * u[l];
    }
    K.reduce_centred(x, stride_, p_, pinv_);
    std::size_t c = 0;
    while (c < n_ && x[c] == 0) ++c;
    if (c == n_) {
      dependent = true;
      continue;
    }
    const std::uint64_t lead_residue = x[c] < 0 ? F_.p - static_cast<std::uint64_t>(-x[c]) : static_cast<std::uint64_t>(x[c]);
    lead_product_ = F_.mul(lead_product_, lead_residue);  // lambda_j, before normalisation (@proof A4)
    K.scale_reduce(x, static_cast<double>(F_.centred(F_.inv(lead_residue))), stride_, p_, pinv_);
    basis_.insert(basis_.end(), x, x + stride_);
    lead_.push_back(c);
    is_pivot_col_[c] = 1;
    pivot_rows_.push_back(block_index_[i]);
  }
  saw_dependent_ = dependent;
  block_.clear();
  block_index_.clear();
  if (lead_.size() == n_) {
    block_.shrink_to_fit();
  }
}

std::size_t EchelonModP::rank() {
  flush();
  return lead_.size();
}

const std::vector<std::size_t>& EchelonModP::pivot_rows() {
  flush();
  return pivot_rows_;
}

std::vector<std::size_t> EchelonModP::pivot_cols() {
  flush();
  std::vector<std::size_t> c = lead_;
  std::sort(c.begin(), c.end());
  return c;
}

std::uint64_t EchelonModP::pivot_minor() {
  flush();
  // The sign of the permutation j -> rank of c_j among the leading columns: (-1)^(r - cycles).
  const std::size_t r = lead_.size();
  std::vector<std::size_t> order(r);
  for (std::size_t j = 0; j < r; ++j) order[j] = j;
  std::sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) { return lead_[i] < lead_[j]; });
  std::vector<char> visited(r, 0);
  std::size_t cycles = 0;
  for (std::size_t j = 0; j < r; ++j) {
    if (visited[j]) continue;
    ++cycles;
    for (std::size_t k = j; !visited[k]; k = order[k]) visited[k] = 1;
  }
  const std::uint64_t m = lead_product_ % F_.p;
  return (r - cycles) % 2 == 0 ? m : F_.neg(m);
}

std::vector<std::uint64_t> EchelonModP::kernel_vector(std::size_t f) {
  flush();
  if (f >= n_ || is_pivot_col_[f]) fail(ErrorKind::internal, "EchelonModP::kernel_vector: column is a pivot column");
  const std::size_t r = lead_.size();
  auto residue = [&](double x) {
    return x < 0 ? F_.p - static_cast<std::uint64_t>(-x) : static_cast<std::uint64_t>(x);
  };
  std::vector<std::uint64_t> v(n_, 0);
  v[f] = 1;
  // Row j of U v = 0: v[c_j] + sum_{k>j} u_j[c_k] v[c_k] + u_j[f] = 0 (u_j[c_k] = 0 for
  // k < j, u_j[c_j] = 1, and v is zero on the other non-pivot columns).
  for (std::size_t jj = r; jj-- > 0;) {
    const double* u = basis_.data() + jj * stride_;
    std::uint64_t s = residue(u[f]);
    for (std::size_t k = jj + 1; k < r; ++k) {
      const double ukc = u[lead_[k]];
      if (ukc != 0) s = F_.add(s, F_.mul(residue(ukc), v[lead_[k]]));
    }
    v[lead_[jj]] = F_.neg(s);
  }
  return v;
}

std::vector<std::vector<std::uint64_t>> EchelonModP::nullspace() {
  flush();
  std::vector<std::vector<std::uint64_t>> basis;
  for (std::size_t f = 0; f < n_; ++f)
    if (!is_pivot_col_[f]) basis.push_back(kernel_vector(f));
  return basis;
}

bool echelon_mod_p_select_kernel(KernelIsa isa) {
  __builtin_cpu_init();
  const Kernels* k = nullptr;
  switch (isa) {
    case KernelIsa::automatic: k = best_kernels(); break;
    case KernelIsa::generic: k = &generic::kTable; break;
    case KernelIsa::avx2:
      if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) k = &avx2::kTable;
      break;
    case KernelIsa::avx512:
      if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")) k = &avx512::kTable;
      break;
  }
  if (k == nullptr) return false;
  g_kernels.store(k, std::memory_order_relaxed);
  return true;
}

RankProfileModP rank_profile_mod_p(const PrimeField& F, const Matrix<std::int64_t>& A) {
  EchelonModP E(F, A.cols());
  E.add_rows(A);
  RankProfileModP out;
  out.p = F.p;
  out.rank = E.rank();
  out.pivot_rows = E.pivot_rows();
  out.pivot_cols = E.pivot_cols();
  return out;
}

RankProfileModP rank_profile_mod_p_reference(const PrimeField& F, const Matrix<std::int64_t>& A) {
  const std::size_t n = A.cols();
  std::vector<std::vector<std::uint64_t>> U;
  std::vector<std::size_t> lead;
  RankProfileModP out;
  out.p = F.p;
  for (std::size_t i = 0; i < A.rows() && U.size() < n; ++i) {
    std::vector<std::uint64_t> x(n);
    for (std::size_t j = 0; j < n; ++j) x[j] = F.from_int64(A(i, j));
    for (std::size_t k = 0; k < U.size(); ++k) {
      const std::uint64_t c = x[lead[k]];
      if (c == 0) continue;
      for (std::size_t j = 0; j < n; ++j) x[j] = F.sub(x[j], F.mul(c, U[k][j]));
    }
    std::size_t c = 0;
    while (c < n && x[c] == 0) ++c;
    if (c == n) continue;
    const std::uint64_t s = F.inv(x[c]);
    for (auto& e : x) e = F.mul(e, s);
    U.push_back(std::move(x));
    lead.push_back(c);
    out.pivot_rows.push_back(i);
  }
  out.rank = U.size();
  out.pivot_cols = lead;
  std::sort(out.pivot_cols.begin(), out.pivot_cols.end());
  return out;
}

}  // namespace mhla
