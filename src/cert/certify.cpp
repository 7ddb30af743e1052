// SPDX-License-Identifier: MIT
#include "mhla/cert/certify.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <unordered_map>
#include <utility>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "mhla/cert/det_mod_p.hpp"
#include "mhla/features/exact_fast.hpp"
#include "mhla/linalg/echelon_mod_p.hpp"
#include "mhla/linalg/rank_certified.hpp"
#include "mhla/linalg/solve_left_multimodular.hpp"
#include "mhla/support/progress.hpp"
#include "mhla/modp/reduce.hpp"
#include "mhla/support/error.hpp"

namespace mhla {
namespace {

// The rows of Phi_a, grouped by sample (rows of one sample are contiguous in file order).
struct RowBlock {
  std::size_t sample = 0;
  std::vector<std::size_t> positions;
  std::size_t first_row = 0;  // index in Phi_a of the block's first row
};

struct RowSet {
  std::vector<RowBlock> blocks;
  std::size_t rows = 0;
};

RowSet rows_of_coordinate(const Dataset& ds, std::size_t a) {
  RowSet out;
  for (std::size_t s = 0; s < ds.samples.size(); ++s) {
    RowBlock block{s, {}, out.rows};
    for (const Target& t : ds.samples[s].targets)
      if (t.y.at(a)) block.positions.push_back(t.position);
    out.rows += block.positions.size();
    if (!block.positions.empty()) out.blocks.push_back(std::move(block));
  }
  return out;
}

// Key identifying the rows of Phi_a: (sample, target index) of every observed target.
std::vector<std::pair<std::size_t, std::size_t>> row_key(const Dataset& ds, std::size_t a) {
  std::vector<std::pair<std::size_t, std::size_t>> key;
  for (std::size_t s = 0; s < ds.samples.size(); ++s)
    for (std::size_t t = 0; t < ds.samples[s].targets.size(); ++t)
      if (ds.samples[s].targets[t].y.at(a)) key.emplace_back(s, t);
  return key;
}

std::uint64_t residue_of(Int128 x, std::uint64_t p) {
  Int128 r = x % static_cast<Int128>(p);
  if (r < 0) r += static_cast<Int128>(p);
  return static_cast<std::uint64_t>(r);
}

// The integer numerators L_s^3 phi(Z_s, b) of a block's rows reduced mod p, row-major
// (Lemma S1: exact through Int128 when the a-priori bound allows, GMP otherwise).
std::vector<std::uint64_t> block_residues(const Dataset& ds, const RowBlock& block, const PrimeField& F) {
  const Matrix<Rational>& Z = ds.samples[block.sample].Z;
  std::vector<std::uint64_t> out;
  if (const auto rows = feature_rows_int128(Z, block.positions, ds.causal)) {
    out.reserve(rows->numerators.data().size());
    for (Int128 x : rows->numerators.data()) out.push_back(residue_of(x, F.p));
  } else {
    const ScaledIntegerMatrix big = feature_rows_scaled(Z, block.positions, ds.causal);
    out.reserve(big.numerators.data().size());
    for (const Integer& x : big.numerators.data()) out.push_back(reduce_mod(F, x));
  }
  return out;
}

// The next prime of the stream dividing none of the given samples' denominators L_s.
std::uint64_t next_prime_avoiding(PrimeStream& primes, const std::vector<Integer>& L, const std::vector<std::size_t>& samples,
                                  std::size_t& tried) {
  for (;;) {
    const std::uint64_t p = primes.next();
    ++tried;
    const PrimeField F(p);
    bool ok = true;
    for (std::size_t s : samples) ok = ok && reduce_mod(F, L[s]) != 0;
    if (ok) return p;
  }
}

// prod_{i in rows} (c_i)^{-1} mod p with c_i = L_s^3 of row i's sample: the factor turning the
// minor of the integer numerators into the minor of the rational rows (rows: indices into
// Phi_a, increasing). Precondition: p divides no L_s of the cited rows. @proof C2
std::uint64_t rows_scale_mod_p(const RowSet& set, const std::vector<std::size_t>& rows, const std::vector<Integer>& L,
                               const PrimeField& F) {
  std::uint64_t scale = 1 % F.p;
  std::size_t next = 0;
  for (const RowBlock& block : set.blocks) {
    std::size_t count = 0;
    for (; next < rows.size() && rows[next] < block.first_row + block.positions.size(); ++next) ++count;
    if (count == 0) continue;
    const std::uint64_t l = reduce_mod(F, L[block.sample]);
    const std::uint64_t l3inv = F.inv(F.mul(l, F.mul(l, l)));
    scale = F.mul(scale, F.pow(l3inv, count));
  }
  if (next != rows.size()) fail(ErrorKind::internal, "certify: witness row out of range");
  return scale;
}

// det(Phi_a[rows, cols]) mod p for rows given as indices into Phi_a (increasing) and columns
// (increasing; empty = all D columns): the integer minor (by det_mod_p) times
// prod (L_s^3)^{-1}. Precondition: p divides no L_s of the cited rows. @proof C2
std::uint64_t rational_minor_mod_p(const Dataset& ds, const RowSet& set, const std::vector<std::size_t>& rows,
                                   const std::vector<std::size_t>& cols, const std::vector<Integer>& L,
                                   const PrimeField& F) {
  const std::size_t D = feature_dim(ds.d), k = cols.empty() ? D : cols.size();
  if (rows.size() != k) fail(ErrorKind::internal, "certify: witness rows and columns differ in number");
  std::vector<std::uint64_t> sub;
  sub.reserve(k * k);
  std::size_t next = 0;
  for (const RowBlock& block : set.blocks) {
    if (next == rows.size()) break;
    if (rows[next] >= block.first_row + block.positions.size()) continue;
    RowBlock cited{block.sample, {}, 0};
    for (; next < rows.size() && rows[next] < block.first_row + block.positions.size(); ++next)
      cited.positions.push_back(block.positions[rows[next] - block.first_row]);
    const std::vector<std::uint64_t> r = block_residues(ds, cited, F);
    for (std::size_t i = 0; i < cited.positions.size(); ++i) {
      if (cols.empty()) {
        sub.insert(sub.end(), r.begin() + static_cast<std::ptrdiff_t>(i * D),
                   r.begin() + static_cast<std::ptrdiff_t>((i + 1) * D));
      } else {
        for (std::size_t c : cols) sub.push_back(r[i * D + c]);
      }
    }
  }
  if (sub.size() != k * k) fail(ErrorKind::internal, "certify: witness rows are not rows of Phi_a");
  return F.mul(k == 0 ? 1 % F.p : det_mod_p(F, sub, k), rows_scale_mod_p(set, rows, L, F));
}

// A nonzero-minor witness on the given D rows (rank D over Q known to hold): primes from the
// stream avoiding the rows' denominators until the minor is nonzero mod p.
MinorWitness minor_witness(const Dataset& ds, const RowSet& set, std::vector<std::size_t> rows,
                           const std::vector<Integer>& L, PrimeStream& primes, std::size_t& tried) {
  std::vector<std::size_t> samples;
  for (const RowBlock& b : set.blocks) samples.push_back(b.sample);
  for (std::size_t attempt = 0; attempt < 4096; ++attempt) {
    const PrimeField F(next_prime_avoiding(primes, L, samples, tried));
    const std::uint64_t minor = rational_minor_mod_p(ds, set, rows, {}, L, F);
    if (minor != 0) return {F.p, std::move(rows), minor};
  }
  fail(ErrorKind::internal, "certify: no prime gives a nonzero witness minor");
}

// An r x r rank witness on the given rows x columns (r >= 1; nonzero over Q): primes avoiding the
// rows' denominators until the minor is nonzero mod p. @proof C6
RankMinorWitness rank_minor_witness(const Dataset& ds, const RowSet& set, std::vector<std::size_t> rows,
                                    std::vector<std::size_t> cols, const std::vector<Integer>& L, PrimeStream& primes,
                                    std::size_t& tried) {
  std::vector<std::size_t> samples;
  for (const RowBlock& b : set.blocks) samples.push_back(b.sample);
  for (std::size_t attempt = 0; attempt < 4096; ++attempt) {
    const PrimeField F(next_prime_avoiding(primes, L, samples, tried));
    const std::uint64_t minor = rational_minor_mod_p(ds, set, rows, cols, L, F);
    if (minor != 0) return {F.p, std::move(rows), std::move(cols), minor};
  }
  fail(ErrorKind::internal, "certify: no prime gives a nonzero rank minor");
}

// ---- The sparse deficient path (Lemmas C7-C11) ---------------------------------------------

// One feature row L^3 phi(Z, b) as its nonzero entries (columns increasing), exact integers.
struct SparseRow {
  std::vector<std::uint32_t> cols;
  std::vector<Integer> vals;
  std::size_t sample = 0, position = 0;
};

// The Gram matrix (upper triangle, pair_index order) of the integer tokens L z_t, t < end.
std::vector<Integer> integer_gram(const Matrix<Integer>& Zi, std::size_t end) {
  const std::size_t d = Zi.rows();
  std::vector<Integer> G(d * (d + 1) / 2);
  std::size_t jk = 0;
  for (std::size_t j = 0; j < d; ++j)
    for (std::size_t k = j; k < d; ++k, ++jk)
      for (std::size_t t = 0; t < end; ++t)
        if (Zi(j, t) != 0 && Zi(k, t) != 0) G[jk] += Zi(j, t) * Zi(k, t);
  return G;
}

Matrix<Integer> integer_tokens(const Matrix<Rational>& Z, const Integer& L) {
  Matrix<Integer> Zi(Z.rows(), Z.cols());
  for (std::size_t i = 0; i < Z.rows(); ++i)
    for (std::size_t t = 0; t < Z.cols(); ++t) Zi(i, t) = numerator(Z(i, t)) * (L / denominator(Z(i, t)));
  return Zi;
}

// The sparse rows L^3 phi(Z, b) for b in positions (any order), with the Gram matrices handed to
// visit_gram(G) once per row (for the zero Gram pairs). Column (j, k, l) = pair_index * d + l.
template <class VisitGram>
std::vector<SparseRow> sparse_feature_rows(const Matrix<Rational>& Z, const Integer& L, std::size_t sample,
                                           const std::vector<std::size_t>& positions, bool causal, VisitGram visit_gram) {
  const std::size_t d = Z.rows(), n = Z.cols();
  const Matrix<Integer> Zi = integer_tokens(Z, L);
  std::vector<SparseRow> out;
  std::vector<Integer> G;
  if (!causal) G = integer_gram(Zi, n);
  for (std::size_t b : positions) {
    if (causal) G = integer_gram(Zi, b + 1);
    visit_gram(G);
    SparseRow row;
    row.sample = sample;
    row.position = b;
    for (std::size_t jk = 0; jk < G.size(); ++jk) {
      if (G[jk] == 0) continue;
      for (std::size_t l = 0; l < d; ++l)
        if (Zi(l, b) != 0) {
          row.cols.push_back(static_cast<std::uint32_t>(jk * d + l));
          row.vals.push_back(G[jk] * Zi(l, b));
        }
    }
    out.push_back(std::move(row));
  }
  return out;
}

// Rows identical as rational vectors: same support and a_i L_b^3 = b_i L_a^3. @proof C9
bool same_rational_row(const SparseRow& x, const Integer& Lx3, const SparseRow& y, const Integer& Ly3) {
  if (x.cols != y.cols) return false;
  for (std::size_t i = 0; i < x.vals.size(); ++i)
    if (x.vals[i] * Ly3 != y.vals[i] * Lx3) return false;
  return true;
}

// A hash of the rational row (residues mod the Mersenne prime 2^61 - 1); equal rows hash equal.
std::uint64_t row_hash(const SparseRow& x, const Integer& Lx3) {
  static const PrimeField Q((std::uint64_t(1) << 61) - 1);
  const std::uint64_t l = reduce_mod(Q, Lx3);
  const std::uint64_t linv = l == 0 ? 0 : Q.inv(l);
  std::uint64_t h = 1469598103934665603ull ^ x.cols.size();
  for (std::size_t i = 0; i < x.cols.size(); ++i) {
    h = (h ^ x.cols[i]) * 1099511628211ull;
    h = (h ^ Q.mul(reduce_mod(Q, x.vals[i]), linv)) * 1099511628211ull;
  }
  return h;
}

// The value of a sparse row at a column (0 when absent).
const Integer& entry_at(const SparseRow& x, std::uint32_t col) {
  static const Integer zero = 0;
  const auto it = std::lower_bound(x.cols.begin(), x.cols.end(), col);
  return it != x.cols.end() && *it == col ? x.vals[static_cast<std::size_t>(it - x.cols.begin())] : zero;
}

// den * x - sum_i (den * y_i) u_i over the integers, as a sparse map (empty iff x = sum y_i u_i).
std::map<std::uint32_t, Integer> residual(const SparseRow& x, const std::vector<Rational>& y,
                                          const std::vector<const SparseRow*>& u) {
  Integer den = 1;
  for (const Rational& c : y)
    if (denominator(c) != 1) den = lcm(den, denominator(c));
  std::map<std::uint32_t, Integer> acc;
  for (std::size_t i = 0; i < x.cols.size(); ++i) acc[x.cols[i]] += x.vals[i] * den;
  for (std::size_t k = 0; k < u.size(); ++k) {
    if (y[k] == 0) continue;
    const Integer f = numerator(y[k]) * (den / denominator(y[k]));
    for (std::size_t i = 0; i < u[k]->cols.size(); ++i) acc[u[k]->cols[i]] -= f * u[k]->vals[i];
  }
  for (auto it = acc.begin(); it != acc.end();) it = it->second == 0 ? acc.erase(it) : std::next(it);
  return acc;
}

Integer cube(const Integer& x) { return x * x * x; }

// The distinct rows of Phi_a (in first-occurrence order) and, per row of Phi_a, its distinct row.
struct DistinctRows {
  std::vector<SparseRow> rows;
  std::vector<std::size_t> first_row;  // per distinct row: its first row of Phi_a
  std::vector<std::size_t> of_row;     // per row of Phi_a: its distinct row
  std::unordered_map<std::uint64_t, std::vector<std::size_t>> by_hash;
  std::vector<char> nonzero_pair;      // per Gram pair: G_jk != 0 in some row
  std::size_t nnz = 0;
};

DistinctRows distinct_rows_of(const Dataset& ds, const RowSet& set, const std::vector<Integer>& L3,
                              const std::vector<Integer>& L) {
  DistinctRows out;
  const std::size_t d = ds.d;
  out.nonzero_pair.assign(d * (d + 1) / 2, 0);
  Progress progress("mhla certify", "row", set.rows);
  for (const RowBlock& block : set.blocks) {
    std::vector<SparseRow> rows =
        sparse_feature_rows(ds.samples[block.sample].Z, L[block.sample], block.sample, block.positions, ds.causal,
                            [&](const std::vector<Integer>& G) {
                              for (std::size_t jk = 0; jk < G.size(); ++jk)
                                if (G[jk] != 0) out.nonzero_pair[jk] = 1;
                            });
    for (std::size_t i = 0; i < rows.size(); ++i) {
      SparseRow& x = rows[i];
      const std::uint64_t h = row_hash(x, L3[x.sample]);
      std::vector<std::size_t>& bucket = out.by_hash[h];
      std::size_t found = static_cast<std::size_t>(-1);
      for (std::size_t k : bucket)
        if (same_rational_row(out.rows[k], L3[out.rows[k].sample], x, L3[x.sample])) found = k;
      if (found == static_cast<std::size_t>(-1)) {
        found = out.rows.size();
        bucket.push_back(found);
        out.first_row.push_back(block.first_row + i);
        out.nnz += x.cols.size();
        out.rows.push_back(std::move(x));
      }
      out.of_row.push_back(found);
      progress.update(out.of_row.size(), std::to_string(out.rows.size()) + " distinct");
    }
  }
  return out;
}

// The (k x k) minor of the rational rows `rows` (sparse numerators, samples' L) on `cols`, mod
// primes from the stream avoiding the rows' denominators, until nonzero (the caller knows it is
// nonzero over Q). @proof C2
RankMinorWitness minor_of_sparse_rows(const std::vector<const SparseRow*>& rows, const std::vector<std::size_t>& row_ids,
                                      const std::vector<std::size_t>& cols, const std::vector<Integer>& L3_of_row,
                                      PrimeStream& primes, std::size_t& tried) {
  const std::size_t k = rows.size();
  for (std::size_t attempt = 0; attempt < 4096; ++attempt) {
    const PrimeField F(primes.next());
    ++tried;
    std::uint64_t scale = 1 % F.p;
    bool ok = true;
    for (const Integer& l3 : L3_of_row) {
      const std::uint64_t x = reduce_mod(F, l3);
      if (x == 0) ok = false;
      else scale = F.mul(scale, F.inv(x));
    }
    if (!ok) continue;
    std::vector<std::uint64_t> sub;
    sub.reserve(k * k);
    for (const SparseRow* x : rows)
      for (std::size_t c : cols) sub.push_back(reduce_mod(F, entry_at(*x, static_cast<std::uint32_t>(c))));
    const std::uint64_t m = F.mul(k == 0 ? 1 % F.p : det_mod_p(F, sub, k), scale);
    if (m != 0) return {F.p, row_ids, cols, m};
  }
  fail(ErrorKind::internal, "certify: no prime gives a nonzero minor");
}

// The rank of Phi_a with its two-sided proof (rank minor + row-space combinations), a kernel
// vector, the zero features, and (domain given) the domain certificate, from the distinct
// sparse rows: Lemmas C7-C11.
// Returns false when the rank turns out to be D after all (an unlucky prime in the dense pass):
// then c holds the nonzero-minor witness and the coordinate is identifiable.
bool certify_sparse(const Dataset& ds, const RowSet& set, const std::vector<Integer>& L, const CertifyOptions& options,
                    PrimeStream& primes, CoordinateCertificate& c) {
  const std::size_t D = feature_dim(ds.d), d = ds.d;
  std::vector<Integer> L3;
  L3.reserve(L.size());
  for (const Integer& l : L) L3.push_back(cube(l));
  // Announced before the rows are built: each nonzero entry an Integer (about 48 bytes with its
  // limbs) plus index; bounded by rows x min(D, nonzero-pairs x d) entries.
  if (options.check_memory) {
    double nnz_bound = 0;
    for (const RowBlock& b : set.blocks) {
      const std::size_t n = ds.samples[b.sample].Z.cols();
      nnz_bound += static_cast<double>(b.positions.size()) *
                   std::min<double>(static_cast<double>(D), static_cast<double>(std::min(n * n, d * (d + 1) / 2)) * d);
    }
    options.check_memory("certify: the sparse rows of a rank-deficient coordinate", nnz_bound * 56.0,
                         std::to_string(set.rows) + " rows, at most " + std::to_string(static_cast<std::uint64_t>(nnz_bound)) +
                             " nonzero entries");
  }
  DistinctRows dr = distinct_rows_of(ds, set, L3, L);
  c.distinct_rows = dr.rows.size();
  // Support (columns nonzero in some row), zero features and zero Gram pairs (@proof C10).
  std::vector<char> in_support(D, 0);
  for (const SparseRow& x : dr.rows)
    for (std::uint32_t col : x.cols) in_support[col] = 1;
  std::vector<std::size_t> support;
  for (std::size_t col = 0; col < D; ++col)
    if (in_support[col]) support.push_back(col);
  c.zero_features = D - support.size();
  for (std::size_t j = 0, jk = 0; j < d; ++j)
    for (std::size_t k = j; k < d; ++k, ++jk)
      if (!dr.nonzero_pair[jk]) c.zero_gram_pairs.emplace_back(j, k);
  std::vector<std::uint32_t> local(D, std::numeric_limits<std::uint32_t>::max());
  for (std::size_t i = 0; i < support.size(); ++i) local[support[i]] = static_cast<std::uint32_t>(i);
  const std::size_t width = support.size(), m = dr.rows.size();
  std::vector<std::size_t> samples;
  for (const RowBlock& b : set.blocks) samples.push_back(b.sample);

  // Domain rows (distinct, sparse), when a domain is given.
  std::vector<std::pair<std::size_t, std::size_t>> points;
  if (options.domain) points = domain_points(*options.domain);

  for (std::size_t attempt = 0; attempt < 64; ++attempt) {
    const PrimeField F(next_prime_avoiding(primes, L, samples, c.primes_tried));
    const std::size_t r_max = std::min(m, width);
    if (options.check_memory)
      options.check_memory("certify: the mod-p basis of a rank-deficient coordinate",
                           8.0 * static_cast<double>(r_max) * static_cast<double>(width) * 2.0 +
                               64.0 * static_cast<double>(r_max) * static_cast<double>(r_max) * 2.0,
                           std::to_string(m) + " distinct rows x " + std::to_string(width) + " nonzero features");
    EchelonModP echelon(F, std::max<std::size_t>(width, 1));
    {
      Progress progress("mhla certify", "distinct row", m);
      std::vector<std::uint64_t> dense(std::max<std::size_t>(width, 1));
      for (std::size_t i = 0; i < m && !echelon.saturated(); ++i) {
        std::fill(dense.begin(), dense.end(), 0);
        for (std::size_t q = 0; q < dr.rows[i].cols.size(); ++q)
          dense[local[dr.rows[i].cols[q]]] = reduce_mod(F, dr.rows[i].vals[q]);
        echelon.add_row_residues(dense);
        progress.update(i + 1);
      }
    }
    const std::vector<std::size_t> piv = width == 0 ? std::vector<std::size_t>{} : echelon.pivot_rows();
    std::vector<std::size_t> P;
    if (width != 0)
      for (std::size_t lc : echelon.pivot_cols()) P.push_back(support[lc]);
    const std::size_t r = piv.size();
    std::uint64_t minor = width == 0 ? 1 % F.p : echelon.pivot_minor();
    echelon = EchelonModP(F, 1);
    if (r == D) {
      // @proof C2: D rows with a nonzero D x D minor mod p: full rank after all.
      std::vector<std::size_t> rows;
      for (std::size_t i : piv) rows.push_back(dr.first_row[i]);
      for (std::size_t i : piv) minor = F.mul(minor, F.inv(reduce_mod(F, L3[dr.rows[i].sample])));
      if (minor == 0) fail(ErrorKind::internal, "certify: the pivot minor vanishes mod p");
      const std::size_t tried = c.primes_tried;
      c = CoordinateCertificate{};
      c.primes_tried = tried;
      c.observed = true;
      c.rows = set.rows;
      c.rank = D;
      c.rank_exact = c.identifiable = true;
      c.minor = MinorWitness{F.p, rows, minor};
      if (options.domain) c.domain = DomainCertificate{D, D, true, DomainWitnessType::full_rank, {}, {}, 0, 0, 0, {}, {}, {}, true};
      return false;
    }
    std::vector<char> is_pivot(m, 0);
    std::vector<const SparseRow*> U;
    for (std::size_t i : piv) is_pivot[i] = 1, U.push_back(&dr.rows[i]);
    for (std::size_t i : piv) minor = F.mul(minor, F.inv(reduce_mod(F, L3[dr.rows[i].sample])));
    Matrix<Integer> M(r, r);
    for (std::size_t i = 0; i < r; ++i)
      for (std::size_t j = 0; j < r; ++j) M(i, j) = entry_at(*U[i], static_cast<std::uint32_t>(P[j]));
    // The non-pivot distinct rows, and the domain's new distinct rows, solved in one batch.
    std::vector<std::vector<Integer>> rhs;
    std::vector<std::size_t> rhs_row;  // distinct training row, or m + domain distinct index
    for (std::size_t i = 0; i < m; ++i)
      if (!is_pivot[i]) {
        std::vector<Integer> b(r);
        for (std::size_t j = 0; j < r; ++j) b[j] = entry_at(dr.rows[i], static_cast<std::uint32_t>(P[j]));
        rhs.push_back(std::move(b));
        rhs_row.push_back(i);
      }
    // Domain rows: per point its representation (training distinct row, earlier point, new row).
    std::vector<SparseRow> dom_rows;                 // new distinct domain rows
    std::vector<std::size_t> dom_first_point;        // their first point
    std::vector<std::pair<int, std::size_t>> point_rep;  // (0: training distinct, 1: domain distinct), index
    std::optional<std::size_t> outside_by_support;   // a domain distinct row leaving the support
    std::size_t outside_col = 0;
    std::vector<Integer> domL, domL3;
    if (options.domain) {
      for (const Sample& s : options.domain->samples) domL.push_back(denominator_lcm(s.Z)), domL3.push_back(cube(domL.back()));
      std::unordered_map<std::uint64_t, std::vector<std::size_t>> dom_hash;
      Progress progress("mhla certify", "domain point", points.size());
      for (std::size_t i = 0; i < points.size();) {
        const std::size_t s = points[i].first;
        std::vector<std::size_t> positions;
        std::size_t end = i;
        for (; end < points.size() && points[end].first == s; ++end) positions.push_back(points[end].second);
        std::vector<SparseRow> rows = sparse_feature_rows(options.domain->samples[s].Z, domL[s], s, positions, ds.causal,
                                                          [](const std::vector<Integer>&) {});
        for (std::size_t q = 0; q < rows.size(); ++q) {
          SparseRow& x = rows[q];
          const std::uint64_t h = row_hash(x, domL3[s]);
          std::optional<std::pair<int, std::size_t>> rep;
          if (auto it = dr.by_hash.find(h); it != dr.by_hash.end())
            for (std::size_t k : it->second)
              if (!rep && same_rational_row(dr.rows[k], L3[dr.rows[k].sample], x, domL3[s])) rep = {0, k};
          std::vector<std::size_t>& bucket = dom_hash[h];
          if (!rep)
            for (std::size_t k : bucket)
              if (!rep && same_rational_row(dom_rows[k], domL3[dom_rows[k].sample], x, domL3[s])) rep = {1, k};
          if (!rep) {
            const std::size_t k = dom_rows.size();
            bucket.push_back(k);
            rep = {1, k};
            for (std::uint32_t col : x.cols)
              if (!in_support[col] && !outside_by_support) outside_by_support = k, outside_col = col;
            std::vector<Integer> b(r);
            for (std::size_t j = 0; j < r; ++j) b[j] = entry_at(x, static_cast<std::uint32_t>(P[j]));
            rhs.push_back(std::move(b));
            rhs_row.push_back(m + k);
            dom_first_point.push_back(i + q);
            dom_rows.push_back(std::move(x));
          }
          point_rep.push_back(*rep);
        }
        i = end;
        progress.update(i);
      }
    }
    if (options.check_memory)
      options.check_memory("certify: the exact row-space coefficients", static_cast<double>(rhs.size()) * static_cast<double>(r) * 256.0,
                           std::to_string(rhs.size()) + " rows x " + std::to_string(r) + " coefficients");
    const LeftSolveResult solved = solve_left_multimodular(M, rhs, primes);
    c.primes_tried += solved.primes_used;
    // Exact check over the whole row (@proof C7): a failure means the prime was unlucky (rank > r).
    bool unlucky = false;
    std::vector<std::optional<std::vector<Rational>>> coeff_train(m);
    std::vector<std::optional<std::vector<Rational>>> coeff_dom(dom_rows.size());
    std::vector<std::optional<std::uint32_t>> dom_residual_col(dom_rows.size());
    for (std::size_t q = 0; q < rhs.size() && !unlucky; ++q) {
      if (!solved.y[q]) fail(ErrorKind::internal, "certify: the exact row-space solve did not converge");
      const bool train = rhs_row[q] < m;
      const SparseRow& x = train ? dr.rows[rhs_row[q]] : dom_rows[rhs_row[q] - m];
      const auto res = residual(x, *solved.y[q], U);
      if (train) {
        if (!res.empty()) unlucky = true;
        else coeff_train[rhs_row[q]] = solved.y[q];
      } else if (res.empty()) {
        coeff_dom[rhs_row[q] - m] = solved.y[q];
      } else {
        dom_residual_col[rhs_row[q] - m] = res.begin()->first;
      }
    }
    if (unlucky) continue;

    // Rank r is exact: rank >= r by the minor, rank <= r by the combinations.
    c.rank = r;
    c.rank_exact = true;
    c.rank_upper_bound.reset();
    std::vector<std::size_t> minor_rows;
    for (std::size_t i : piv) minor_rows.push_back(dr.first_row[i]);
    if (minor == 0) fail(ErrorKind::internal, "certify: the pivot minor vanishes mod p");
    c.rank_minor = RankMinorWitness{F.p, minor_rows, P, minor};
    // Rational coefficient of pivot row k for the row x: y_k L_k^3 / L_x^3.
    auto terms_of = [&](const std::vector<Rational>& y, const Integer& Lx3) {
      std::vector<std::pair<std::size_t, Rational>> t;
      for (std::size_t k = 0; k < r; ++k)
        if (y[k] != 0) t.emplace_back(minor_rows[k], y[k] * Rational(L3[U[k]->sample]) / Rational(Lx3));
      return t;
    };
    if (r == set.rows) {
      c.rank_upper = CoordinateCertificate::RankUpper::row_count;
    } else {
      c.rank_upper = CoordinateCertificate::RankUpper::row_space;
      c.row_space.clear();
      std::vector<char> described(m, 0);
      for (std::size_t row = 0; row < set.rows; ++row) {
        const std::size_t k = dr.of_row[row];
        if (dr.first_row[k] == row && is_pivot[k]) continue;
        RowCombination rc;
        rc.row = row;
        if (dr.first_row[k] != row) rc.same_as = dr.first_row[k];
        else rc.terms = terms_of(*coeff_train[k], L3[dr.rows[k].sample]);
        c.row_space.push_back(std::move(rc));
      }
    }
    // A kernel vector (@proof C1): e_col for a zero feature, else the free-column vector.
    c.kernel_vector.assign(D, Rational(0));
    if (width < D) {
      std::size_t col = 0;
      while (in_support[col]) ++col;
      c.kernel_vector[col] = 1;
    } else {
      std::size_t f = 0;
      for (std::size_t j = 0; j < P.size() && P[j] == f; ++j) ++f;
      Matrix<Integer> Mt(r, r);
      for (std::size_t i = 0; i < r; ++i)
        for (std::size_t j = 0; j < r; ++j) Mt(i, j) = M(j, i);
      std::vector<Integer> b(r);
      for (std::size_t i = 0; i < r; ++i) b[i] = -entry_at(*U[i], static_cast<std::uint32_t>(f));
      const LeftSolveResult kv = solve_left_multimodular(Mt, {b}, primes);
      c.primes_tried += kv.primes_used;
      if (!kv.y[0]) fail(ErrorKind::internal, "certify: the kernel solve did not converge");
      c.kernel_vector[f] = 1;
      for (std::size_t j = 0; j < r; ++j) c.kernel_vector[P[j]] = (*kv.y[0])[j];
    }
    for (const SparseRow& x : dr.rows) {
      Rational s = 0;
      for (std::size_t q = 0; q < x.cols.size(); ++q) s += Rational(x.vals[q]) * c.kernel_vector[x.cols[q]];
      if (s != 0) fail(ErrorKind::internal, "certify: kernel vector fails the exact check");
    }

    if (options.domain) {
      DomainCertificate dc;
      dc.rank = r;
      dc.rank_minor = c.rank_minor;
      std::optional<std::size_t> outside;  // a domain distinct row outside the row space
      std::uint32_t col = 0;
      if (outside_by_support) outside = *outside_by_support, col = outside_col;
      for (std::size_t k = 0; k < dom_rows.size() && !outside; ++k)
        if (dom_residual_col[k]) outside = k, col = *dom_residual_col[k];
      if (!outside) {
        dc.type = DomainWitnessType::row_combinations;
        dc.identifiable_on_domain = true;
        dc.domain_rank = r;
        std::vector<std::size_t> dom_distinct_first;  // first point of each domain distinct row
        for (std::size_t i = 0; i < points.size(); ++i) {
          RowCombination pc;
          pc.row = i;
          const auto [kind, k] = point_rep[i];
          if (kind == 1 && dom_first_point[k] != i) {
            pc.same_as = dom_first_point[k];
          } else if (kind == 1) {
            pc.terms = terms_of(*coeff_dom[k], domL3[points[i].first]);
          } else if (is_pivot[k]) {
            // The domain row equals pivot row k of Phi_a: coefficient L_k^3 / L_k^3 = 1 on it.
            pc.terms = {{dr.first_row[k], Rational(1)}};
          } else {
            // Equal to the non-pivot training row k as rational vectors: its combination.
            pc.terms = terms_of(*coeff_train[k], L3[dr.rows[k].sample]);
          }
          dc.points.push_back(std::move(pc));
        }
      } else {
        const SparseRow& x = dom_rows[*outside];
        const std::size_t point = dom_first_point[*outside];
        dc.type = DomainWitnessType::domain_row_outside;
        dc.identifiable_on_domain = false;
        dc.domain_rank = r + 1;
        dc.domain_rank_exact = false;
        dc.sample = points[point].first;
        dc.position = points[point].second;
        std::vector<std::size_t> cols = P;
        cols.insert(std::upper_bound(cols.begin(), cols.end(), col), col);
        std::vector<const SparseRow*> rows = U;
        rows.push_back(&x);
        std::vector<Integer> l3s;
        for (const SparseRow* u : U) l3s.push_back(L3[u->sample]);
        l3s.push_back(domL3[x.sample]);
        dc.outside_minor = minor_of_sparse_rows(rows, minor_rows, cols, l3s, primes, c.primes_tried);
      }
      c.domain = std::move(dc);
    }
    return true;
  }
  fail(ErrorKind::internal, "certify: 64 primes in a row were unlucky for the rank");
}

// True when some row of Phi_a is nonzero in every feature (support = all D columns); stops at
// the first such evidence. Exact (integer Gram matrices). @proof C10
bool support_is_full(const Dataset& ds, const RowSet& set, const std::vector<Integer>& L) {
  const std::size_t D = feature_dim(ds.d);
  std::vector<char> seen(D, 0);
  std::size_t count = 0;
  for (const RowBlock& block : set.blocks) {
    bool full = false;
    const std::vector<SparseRow> rows = sparse_feature_rows(ds.samples[block.sample].Z, L[block.sample], block.sample,
                                                            block.positions, ds.causal, [](const std::vector<Integer>&) {});
    for (const SparseRow& x : rows) {
      for (std::uint32_t col : x.cols)
        if (!seen[col]) seen[col] = 1, ++count;
      full = full || count == D;
    }
    if (full) return true;
  }
  return false;
}

// Lemma C3's collapse only bites for d >= 2: at d = 1, d(d+1)(d+2)/6 = 1 = D.
bool single_token_rows(const Dataset& ds, const RowSet& set) {
  if (ds.d < 2) return false;
  for (const RowBlock& b : set.blocks)
    for (std::size_t pos : b.positions)
      if (!(ds.samples[b.sample].Z.cols() == 1 || (ds.causal && pos == 0))) return false;
  return true;
}

// A deficient coordinate's verdict and distinguishing input (the kernel vector is set).
void finish_deficient(const Dataset& ds, CoordinateCertificate& c) {
  c.identifiable = false;
  c.distinguishing_input = distinguishing_input_search(c.kernel_vector, ds.d, ds.causal);
  if (!c.distinguishing_input) fail(ErrorKind::internal, "certify: no distinguishing input found");
}

CoordinateCertificate certify_rows(const Dataset& ds, const RowSet& set, const std::vector<Integer>& L,
                                   const CertifyOptions& options, PrimeStream& primes) {
  const std::size_t D = feature_dim(ds.d);
  CoordinateCertificate c;
  c.observed = true;
  c.rows = set.rows;
  c.single_token_rows = single_token_rows(ds, set);

  // Sparse data (a feature zero in every row, Lemma C10): deficient for sure; the sparse path
  // gives the exact rank, a kernel vector and the domain certificate without a D x D basis.
  const bool full_support = support_is_full(ds, set, L);
  if (!full_support && (!options.kernel_basis || options.domain)) {
    if (!certify_sparse(ds, set, L, options, primes, c)) fail(ErrorKind::internal, "certify: full rank with a zero feature");
    finish_deficient(ds, c);
    return c;
  }
  // Fast path: stream the rows mod p until rank D (all rows when it is not reached: then the
  // mod-p rank r_p is a lower bound with its witness, @proof A4).
  if (options.check_memory)
    options.check_memory("certify: the mod-p basis", certify_memory_estimate(ds.d, set.rows),
                         std::to_string(std::min(set.rows, D)) + " x " + std::to_string(D) + " residues");
  std::vector<std::size_t> samples;
  for (const RowBlock& b : set.blocks) samples.push_back(b.sample);
  const PrimeField F(next_prime_avoiding(primes, L, samples, c.primes_tried));
#if defined(__GLIBC__)
  // Peak memory: the caller's dataset parse freed a JSON tree several times the file's size,
  // which glibc keeps mapped (its trim threshold grows after large frees). Hand it back before
  // the basis (8 r D bytes, mapped separately) is filled, so the two do not add up.
  malloc_trim(0);
#endif
  EchelonModP echelon(F, D);
  for (const RowBlock& block : set.blocks) {
    const std::vector<std::uint64_t> residues = block_residues(ds, block, F);
    for (std::size_t i = 0; i < block.positions.size() && !echelon.saturated(); ++i)
      echelon.add_row_residues(std::span<const std::uint64_t>(residues.data() + i * D, D));
    if (echelon.saturated()) break;
  }
  const std::size_t rank_mod_p = echelon.rank();
  if (rank_mod_p == D) {
    // @proof C2: pivot rows x all columns is a nonzero minor mod p of the integer rows; the
    // elimination already knows its value (@proof A4), no second D x D elimination.
    const std::vector<std::size_t> rows = echelon.pivot_rows();
    const std::uint64_t minor = F.mul(echelon.pivot_minor(), rows_scale_mod_p(set, rows, L, F));
    if (minor == 0) fail(ErrorKind::internal, "certify: the pivot minor vanishes mod p");
    c.rank = D;
    c.rank_exact = true;
    c.identifiable = true;
    c.minor = MinorWitness{F.p, rows, minor};
    if (options.domain) c.domain = DomainCertificate{D, D, true, DomainWitnessType::full_rank, {}, {}, 0, 0, 0, {}, {}, {}, true};
    return c;
  }
  RankMinorWitness lower{F.p, echelon.pivot_rows(), echelon.pivot_cols(), 0};
  lower.minor_mod_prime = F.mul(echelon.pivot_minor(), rows_scale_mod_p(set, lower.rows, L, F));
  if (lower.minor_mod_prime == 0) fail(ErrorKind::internal, "certify: the pivot minor vanishes mod p");
  echelon = EchelonModP(F, 1);  // release the basis before the exact path
  if (!options.kernel_basis || options.domain) {
    // The row-space form (Lemma C7): exact rank with combinations, bounded memory.
    if (certify_sparse(ds, set, L, options, primes, c)) finish_deficient(ds, c);
    return c;
  }

  // Rank mod p < D: a lower bound only. The exact path decides. When r_p already meets an
  // upper bound (rows, or D - 1 once a kernel vector exists) the rank is exact with a single
  // kernel vector; otherwise exact_rank asks for all D - r_p of them.
  const bool tight = rank_mod_p == set.rows || rank_mod_p + 1 == D;
  const double Dd = static_cast<double>(D);
  const double basis_entries = options.exact_rank && !tight ? Dd * (Dd - static_cast<double>(rank_mod_p)) : Dd;
  const double bytes = static_cast<double>(set.rows) * Dd * 48.0 + basis_entries * 64.0;
  if (options.check_memory)
    options.check_memory("certify: the integer design matrix and kernel of a rank-deficient coordinate", bytes,
                         std::to_string(set.rows) + " rows x " + std::to_string(D) + " features, " +
                             std::to_string(static_cast<std::uint64_t>(basis_entries / Dd)) + " kernel vectors");
  Matrix<Integer> A(set.rows, D);
  for (const RowBlock& block : set.blocks) {
    const ScaledIntegerMatrix s = feature_rows_scaled(ds.samples[block.sample].Z, block.positions, ds.causal);
    for (std::size_t i = 0; i < block.positions.size(); ++i)
      std::copy(s.numerators.row(i), s.numerators.row(i) + D, A.row(block.first_row + i));
  }
  RankOptions ro;
  ro.exact_rank = options.exact_rank && !tight;
  const RankCertified rc = rank_certified(A, primes, ro);
  c.primes_tried += rc.primes_used;
  for (std::size_t i = 0; i < rc.primes_used; ++i) primes.next();  // keep the stream moving on
  if (rc.status == RankStatus::full_column_rank) {
    c.rank = D;
    c.rank_exact = true;
    c.identifiable = true;
    c.minor = minor_witness(ds, set, rc.pivot_rows, L, primes, c.primes_tried);
    return c;
  }
  if (rc.status != RankStatus::deficient || rc.kernel.empty())
    fail(ErrorKind::internal, "certify: the exact rank computation gave up");
  // @proof C1: v != 0 with Phi_a v = 0 (re-checked here, not only inside rank_certified).
  if (!annihilates_exactly(A, rc.kernel.front()))
    fail(ErrorKind::internal, "certify: kernel vector fails the exact check");
  c.identifiable = false;
  c.kernel_vector = rc.kernel.front();
  // The rank and its proof (@proof C6): the larger of the two certified lower bounds.
  c.rank = std::max(rank_mod_p, rc.rank);
  c.rank_minor = rc.rank > rank_mod_p
                     ? rank_minor_witness(ds, set, rc.pivot_rows, rc.pivot_cols, L, primes, c.primes_tried)
                     : std::move(lower);
  if (c.rank == set.rows) {
    c.rank_upper = CoordinateCertificate::RankUpper::row_count;
  } else if (c.rank + 1 == D) {
    c.rank_upper = CoordinateCertificate::RankUpper::kernel_vector;
  } else if (rc.assurance == Assurance::certified && rc.rank == c.rank) {
    c.rank_upper = CoordinateCertificate::RankUpper::kernel_basis;
    for (std::size_t k = 0; k < rc.kernel.size(); ++k) {
      // Free-column form (v_k = 1 at its free column, 0 at the others) makes them independent.
      for (std::size_t j = 0; j < rc.kernel_free_cols.size(); ++j)
        if (rc.kernel[k].at(rc.kernel_free_cols[j]) != Rational(j == k ? 1 : 0))
          fail(ErrorKind::internal, "certify: kernel basis not in free-column form");
      if (k > 0 && !annihilates_exactly(A, rc.kernel[k])) fail(ErrorKind::internal, "certify: kernel vector fails the exact check");
    }
    c.kernel_basis = rc.kernel;
  }
  c.rank_exact = c.rank_upper != CoordinateCertificate::RankUpper::none;
  if (!c.rank_exact) c.rank_upper_bound = std::min(set.rows, D - 1);
  finish_deficient(ds, c);
  return c;
}

}  // namespace

double certify_memory_estimate(std::size_t d, std::size_t rows) {
  const double D = static_cast<double>(feature_dim(d));
  // basis (at most min(rows, D)) x D doubles, the row buffer (128 rows), one sample's residues (the
  // witness minor comes from the elimination itself, no second D x D matrix).
  return 8.0 * std::min(D, static_cast<double>(rows)) * D + 8.0 * 160 * D;
}

Certificate certify(const Dataset& ds, const CertifyOptions& options) {
  const std::size_t D = feature_dim(ds.d);
  if (D == 0) fail(ErrorKind::internal, "certify: feature_dim(d) does not fit");
  Certificate cert;
  cert.d = ds.d;
  cert.feature_dim = D;
  cert.causal = ds.causal;
  cert.identifiable = true;
  std::vector<Integer> L;
  L.reserve(ds.samples.size());
  for (const Sample& s : ds.samples) L.push_back(denominator_lcm(s.Z));
  if (options.domain && options.domain->d != ds.d)
    fail(ErrorKind::bad_input, "certify --domain: the domain has d = " + std::to_string(options.domain->d) +
                                   " but the dataset has d = " + std::to_string(ds.d));
  PrimeStream primes = options.primes;
  std::map<std::vector<std::pair<std::size_t, std::size_t>>, std::size_t> seen;  // rows -> first coordinate
  for (std::size_t a = 0; a < ds.d; ++a) {
    const RowSet set = rows_of_coordinate(ds, a);
    if (set.rows == 0) {
      CoordinateCertificate c;
      c.a = c.same_rows_as = a;
      cert.coordinates.push_back(std::move(c));
      continue;
    }
    auto [it, fresh] = seen.emplace(row_key(ds, a), a);
    CoordinateCertificate c = fresh ? certify_rows(ds, set, L, options, primes) : cert.coordinates[it->second];
    c.a = a;
    c.same_rows_as = it->second;
    cert.identifiable = cert.identifiable && c.identifiable;
    cert.coordinates.push_back(std::move(c));
  }
  return cert;
}

}  // namespace mhla
