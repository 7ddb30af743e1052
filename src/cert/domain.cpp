// SPDX-License-Identifier: MIT
#include "mhla/cert/domain.hpp"

#include <map>
#include <utility>

#include "mhla/cert/certify.hpp"
#include "mhla/cert/det_mod_p.hpp"
#include "mhla/features/exact_fast.hpp"
#include "mhla/linalg/rank_certified.hpp"
#include "mhla/modp/reduce.hpp"
#include "mhla/support/error.hpp"

namespace mhla {
namespace {

// Phi_a as integer rows L_s^3 phi(Z_s, b) (Lemma S1; scaling a row by a nonzero integer keeps
// the row space and the kernel), with the sample of each row.
struct IntegerRows {
  Matrix<Integer> A;
  std::vector<std::size_t> sample_of_row;
};

IntegerRows integer_rows(const Dataset& ds, std::size_t a) {
  const std::size_t D = feature_dim(ds.d);
  std::vector<std::pair<std::size_t, std::vector<std::size_t>>> blocks;
  std::size_t rows = 0;
  for (std::size_t s = 0; s < ds.samples.size(); ++s) {
    std::vector<std::size_t> positions;
    for (const Target& t : ds.samples[s].targets)
      if (t.y.at(a)) positions.push_back(t.position);
    rows += positions.size();
    if (!positions.empty()) blocks.emplace_back(s, std::move(positions));
  }
  IntegerRows out{Matrix<Integer>(rows, D), {}};
  std::size_t r = 0;
  for (const auto& [s, positions] : blocks) {
    const ScaledIntegerMatrix m = feature_rows_scaled(ds.samples[s].Z, positions, ds.causal);
    for (std::size_t i = 0; i < positions.size(); ++i, ++r) {
      std::copy(m.numerators.row(i), m.numerators.row(i) + D, out.A.row(r));
      out.sample_of_row.push_back(s);
    }
  }
  return out;
}

// det(Phi_a[rows, columns]) mod p for the rational Phi_a = diag(L_s^-3) A, or nullopt when p
// divides a cited L_s. @proof C4
std::optional<std::uint64_t> rational_minor_mod_p(const IntegerRows& rows_a, const std::vector<Integer>& L,
                                                  const std::vector<std::size_t>& rows,
                                                  const std::vector<std::size_t>& columns, const PrimeField& F) {
  const std::size_t r = rows.size();
  std::vector<std::uint64_t> sub;
  sub.reserve(r * r);
  std::uint64_t scale = 1 % F.p;
  for (std::size_t i : rows) {
    const std::uint64_t l = reduce_mod(F, L[rows_a.sample_of_row[i]]);
    if (l == 0) return std::nullopt;
    scale = F.mul(scale, F.inv(F.mul(l, F.mul(l, l))));
    for (std::size_t c : columns) sub.push_back(reduce_mod(F, rows_a.A(i, c)));
  }
  return F.mul(det_mod_p(F, sub, r), scale);
}

// The integer multiple of v by the LCM of its denominators (same zero pattern of <v, x>).
std::vector<Integer> integer_multiple(const std::vector<Rational>& v) {
  Integer L = 1;
  for (const Rational& x : v)
    if (denominator(x) != 1) L = lcm(L, denominator(x));
  std::vector<Integer> out;
  out.reserve(v.size());
  for (const Rational& x : v) out.push_back(numerator(x) * (L / denominator(x)));
  return out;
}

DomainCertificate certify_deficient(const Dataset& ds, const Dataset& domain,
                                    const std::vector<std::pair<std::size_t, std::size_t>>& points, std::size_t a,
                                    const std::vector<Integer>& L, PrimeStream& primes) {
  const std::size_t D = feature_dim(ds.d);
  const IntegerRows rows_a = integer_rows(ds, a);
  RankOptions ro;
  ro.exact_rank = true;
  const RankCertified rc = rank_certified(rows_a.A, primes, ro);
  for (std::size_t i = 0; i < rc.primes_used; ++i) primes.next();
  if (rc.status != RankStatus::deficient || rc.assurance != Assurance::certified)
    fail(ErrorKind::internal, "certify --domain: the exact rank of a deficient coordinate was not certified");
  const std::size_t r = rc.rank;
  // Self-checks of the row-space proof (@proof C4): D - r kernel vectors, each exact, identity
  // on distinct free columns (hence independent), and an r x r minor nonzero mod p.
  if (rc.kernel.size() != D - r || rc.kernel_free_cols.size() != D - r || rc.pivot_rows.size() != r ||
      rc.pivot_cols.size() != r)
    fail(ErrorKind::internal, "certify --domain: kernel basis and rank profile do not match");
  for (std::size_t k = 0; k < rc.kernel.size(); ++k) {
    if (!annihilates_exactly(rows_a.A, rc.kernel[k]))
      fail(ErrorKind::internal, "certify --domain: a kernel vector fails the exact check");
    for (std::size_t j = 0; j < rc.kernel_free_cols.size(); ++j)
      if (rc.kernel[k].at(rc.kernel_free_cols[j]) != Rational(j == k ? 1 : 0))
        fail(ErrorKind::internal, "certify --domain: kernel vectors are not in free-column form");
  }
  std::optional<RankMinorWitness> minor;
  for (std::size_t attempt = 0; attempt < 4096 && !minor; ++attempt) {
    const PrimeField F(primes.next());
    const auto m = rational_minor_mod_p(rows_a, L, rc.pivot_rows, rc.pivot_cols, F);
    if (m && *m != 0) minor = RankMinorWitness{F.p, rc.pivot_rows, rc.pivot_cols, *m};
  }
  if (!minor) fail(ErrorKind::internal, "certify --domain: no prime gives a nonzero rank minor");

  // M = Phi_S N over the integers (rows and vectors scaled by positive integers); only its
  // nonzero rows are kept (zero rows are the domain points inside R and do not change the rank).
  std::vector<std::vector<Integer>> basis;
  for (const auto& v : rc.kernel) basis.push_back(integer_multiple(v));
  std::vector<std::vector<Integer>> outside_rows;
  bool inside = true;
  std::size_t witness_point = 0, witness_vector = 0;
  for (std::size_t i = 0; i < points.size();) {
    const std::size_t s = points[i].first;
    std::vector<std::size_t> positions;
    std::size_t end = i;
    for (; end < points.size() && points[end].first == s; ++end) positions.push_back(points[end].second);
    const ScaledIntegerMatrix f = feature_rows_scaled(domain.samples[s].Z, positions, ds.causal);
    for (std::size_t q = 0; q < positions.size(); ++q) {
      std::vector<std::size_t> nonzero;
      for (std::size_t j = 0; j < D; ++j)
        if (f.numerators(q, j) != 0) nonzero.push_back(j);
      std::vector<Integer> m_row(basis.size());
      bool zero = true;
      for (std::size_t k = 0; k < basis.size(); ++k) {
        for (std::size_t j : nonzero) m_row[k] += f.numerators(q, j) * basis[k][j];
        if (m_row[k] != 0 && inside) inside = false, witness_point = i + q, witness_vector = k;
        zero = zero && m_row[k] == 0;
      }
      if (!zero) outside_rows.push_back(std::move(m_row));
    }
    i = end;
  }

  DomainCertificate out;
  out.rank = r;
  out.rank_minor = std::move(minor);
  if (inside) {
    out.domain_rank = r;
    out.identifiable_on_domain = true;
    out.type = DomainWitnessType::row_space;
    out.nullspace = rc.kernel;
    return out;
  }
  // domain_rank = r + rank(Phi_S N), exact (@proof C4).
  Matrix<Integer> M(outside_rows.size(), D - r);
  for (std::size_t i = 0; i < outside_rows.size(); ++i) std::copy(outside_rows[i].begin(), outside_rows[i].end(), M.row(i));
  const RankCertified rm = rank_certified(M, primes, ro);
  for (std::size_t i = 0; i < rm.primes_used; ++i) primes.next();
  if (rm.assurance != Assurance::certified && rm.status != RankStatus::full_column_rank)
    fail(ErrorKind::internal, "certify --domain: the rank of the domain rows was not certified");
  out.domain_rank = r + (rm.status == RankStatus::full_column_rank ? D - r : rm.rank);
  out.identifiable_on_domain = false;
  out.type = DomainWitnessType::domain_input_outside;
  out.sample = points[witness_point].first;
  out.position = points[witness_point].second;
  out.vector_index = witness_vector;
  out.vector = rc.kernel[witness_vector];
  // Re-check the witness on the rational feature row itself.
  const Matrix<Rational> phi = feature_rows_exact(domain.samples[out.sample].Z, {out.position}, ds.causal);
  Rational dot = 0;
  for (std::size_t j = 0; j < D; ++j) dot += phi(0, j) * out.vector[j];
  if (dot == 0) fail(ErrorKind::internal, "certify --domain: the outside witness does not separate");
  return out;
}

}  // namespace

std::vector<std::pair<std::size_t, std::size_t>> domain_points(const Dataset& domain) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (std::size_t s = 0; s < domain.samples.size(); ++s) {
    const Sample& sample = domain.samples[s];
    if (sample.targets.empty())
      for (std::size_t b = 0; b < sample.Z.cols(); ++b) out.emplace_back(s, b);
    else
      for (const Target& t : sample.targets) out.emplace_back(s, t.position);
  }
  return out;
}

bool certify_domain(const Dataset& ds, const Dataset& domain, Certificate& cert, PrimeStream primes,
                    const std::function<void(std::string_view, double, const std::string&)>& check_memory) {
  if (domain.d != ds.d)
    fail(ErrorKind::bad_input, "certify --domain: the domain has d = " + std::to_string(domain.d) +
                                   " but the dataset has d = " + std::to_string(ds.d));
  const std::size_t D = feature_dim(ds.d);
  const auto points = domain_points(domain);
  std::vector<Integer> L;
  for (const Sample& s : ds.samples) L.push_back(denominator_lcm(s.Z));
  bool all = true;
  for (CoordinateCertificate& c : cert.coordinates) {
    if (!c.observed) continue;
    if (c.same_rows_as != c.a) {
      const CoordinateCertificate& first = cert.coordinates.at(c.same_rows_as);
      c.domain = first.domain;
      c.rank = first.rank;
      c.rank_exact = first.rank_exact;
      c.rank_upper_bound = first.rank_upper_bound;
      c.rank_minor = first.rank_minor;
      c.rank_upper = first.rank_upper;
      c.kernel_basis = first.kernel_basis;
    } else if (c.identifiable) {
      c.domain = DomainCertificate{D, D, true, DomainWitnessType::full_rank, {}, {}, 0, 0, 0, {}};
    } else {
      if (check_memory) {
        // The exact kernel basis (D - r vectors of D entries) and Phi_a in integers.
        const double Dd = static_cast<double>(D), r = static_cast<double>(c.rank);
        check_memory("certify --domain: the exact kernel basis of a rank-deficient coordinate",
                     Dd * (Dd - r) * 64.0 + static_cast<double>(c.rows) * Dd * 48.0,
                     std::to_string(D - c.rank) + " kernel vectors x " + std::to_string(D) + " features");
      }
      c.domain = certify_deficient(ds, domain, points, c.a, L, primes);
      if (!c.rank_exact) {
        // certify left a lower bound (exact_rank off): take the exact rank and its proof.
        c.rank = c.domain->rank;
        c.rank_minor = c.domain->rank_minor;
        if (c.domain->type == DomainWitnessType::row_space) {
          c.rank_upper = CoordinateCertificate::RankUpper::kernel_basis;
          c.kernel_basis = c.domain->nullspace;
          c.rank_exact = true;
          c.rank_upper_bound.reset();
        }
      } else if (c.rank != c.domain->rank) {
        fail(ErrorKind::internal, "certify --domain: the exact rank differs from certify's");
      }
    }
    all = all && c.domain->identifiable_on_domain;
  }
  return all;
}

}  // namespace mhla
