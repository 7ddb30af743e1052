// SPDX-License-Identifier: MIT
#include "mhla/cert/certify.hpp"

#include <algorithm>
#include <map>
#include <utility>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "mhla/cert/det_mod_p.hpp"
#include "mhla/features/exact_fast.hpp"
#include "mhla/linalg/echelon_mod_p.hpp"
#include "mhla/linalg/rank_certified.hpp"
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

// Lemma C3's collapse only bites for d >= 2: at d = 1, d(d+1)(d+2)/6 = 1 = D.
bool single_token_rows(const Dataset& ds, const RowSet& set) {
  if (ds.d < 2) return false;
  for (const RowBlock& b : set.blocks)
    for (std::size_t pos : b.positions)
      if (!(ds.samples[b.sample].Z.cols() == 1 || (ds.causal && pos == 0))) return false;
  return true;
}

CoordinateCertificate certify_rows(const Dataset& ds, const RowSet& set, const std::vector<Integer>& L,
                                   const CertifyOptions& options, PrimeStream& primes) {
  const std::size_t D = feature_dim(ds.d);
  CoordinateCertificate c;
  c.observed = true;
  c.rows = set.rows;
  c.single_token_rows = single_token_rows(ds, set);

  // Fast path: stream the rows mod p until rank D (all rows when it is not reached: then the
  // mod-p rank r_p is a lower bound with its witness, @proof A4).
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
    return c;
  }
  RankMinorWitness lower{F.p, echelon.pivot_rows(), echelon.pivot_cols(), 0};
  lower.minor_mod_prime = F.mul(echelon.pivot_minor(), rows_scale_mod_p(set, lower.rows, L, F));
  if (lower.minor_mod_prime == 0) fail(ErrorKind::internal, "certify: the pivot minor vanishes mod p");
  echelon = EchelonModP(F, 1);  // release the basis before the exact path

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
  c.distinguishing_input = distinguishing_input_search(c.kernel_vector, ds.d, ds.causal);
  if (!c.distinguishing_input) fail(ErrorKind::internal, "certify: no distinguishing input found");
  return c;
}

}  // namespace

double certify_memory_estimate(std::size_t d) {
  const double D = static_cast<double>(feature_dim(d));
  // basis (at most) D x D doubles, the row buffer (128 rows), one sample's residues (the witness minor
  // comes from the elimination itself, no second D x D matrix).
  return 8.0 * D * D + 8.0 * 160 * D;
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
