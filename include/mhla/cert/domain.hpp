// SPDX-License-Identifier: MIT
// Domain-relative identifiability (`mhla certify --domain S`; math.md, "Domain-relative
// identifiability"; proofs-notes/05-certificates.md, Lemma C4).
//
// Mathematics: coordinate a is identifiable on S (a finite list of (input, position) pairs)
// iff every domain feature row phi(Z, b), (Z, b) in S, lies in the row space R of Phi_a over Q;
// then every minimiser w of the empirical risk has the same <w, phi(Z, b)> on S. Decided
// exactly through the right kernel N = {v : Phi_a v = 0} = R^perp (so R = N^perp over Q):
//   phi in R  <=>  <v, phi> = 0 for every v of a basis of N.           (@proof C4)
// With r = rank(Phi_a) and v_1..v_{D-r} an exact kernel basis:
//   domain_rank = rank([Phi_a; Phi_S]) = r + rank(Phi_S N)   (N as the D x (D-r) matrix),
// since phi -> N^T phi maps Q^D onto Q^{D-r} with kernel exactly R.
// Witnesses:
//   * "row-space" (identifiable on S): the whole exact basis (each vector checked
//     Phi_a v = 0 over Q; D - r of them, independent) plus an r x r minor of Phi_a nonzero
//     mod p (rank >= r). Together rank = r, the basis spans N, and every domain row is
//     checked orthogonal to every basis vector.
//   * "domain-input-outside" (not identifiable on S): a domain sample i, position b and a
//     kernel vector v (Phi_a v = 0 checked exactly) with <v, phi(Z_i, b)> != 0 exactly: w and
//     w + v are both minimisers and differ at a real domain input.
//   * full-rank coordinates (rank D): R = Q^D, every domain is fine; the global nonzero-minor
//     witness is the proof (domain_rank = D).
// A domain sample contributes the positions its targets name (y values ignored), or every
// position 0..n-1 when it has no targets (interface.md). Features use the TRAINING dataset's
// causal flag (the domain file's is ignored, as eval ignores a dataset's).
// Preconditions: cert = certify(ds, ...); domain.d == ds.d (checked, Error(bad_input)).
// Cost: per deficient coordinate, the exact kernel (rank_certified with exact_rank, the cost of
// certify's deficient path once more), the r x r minor (r^3/3 mod p), and |S| (D - r)
// exact dot products over the nonzero entries of each domain row (one-hot rows are sparse),
// then the exact rank of the |S| x (D - r) matrix Phi_S N.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mhla/arith/scalar.hpp"
#include "mhla/features/dataset.hpp"
#include "mhla/modp/prime_stream.hpp"

namespace mhla {

struct Certificate;

// An r x r minor of Phi_a on rows x columns, nonzero mod prime; prime divides no denominator
// of the cited rows. r = 0: empty lists and minor 1.
struct RankMinorWitness {
  std::uint64_t prime = 0;
  std::vector<std::size_t> rows, columns;  // increasing; rows index Phi_a, columns the features
  std::uint64_t minor_mod_prime = 0;
};

// A row of Phi_a (or a domain point) expressed through rows of Phi_a: equal to the row same_as,
// or the exact combination sum_k terms[k].second * row terms[k].first (rational rows).
struct RowCombination {
  std::size_t row = 0;                                   // the row (or domain point) described
  std::optional<std::size_t> same_as;
  std::vector<std::pair<std::size_t, Rational>> terms;  // (row of Phi_a, coefficient), nonzero coefficients
};

enum class DomainWitnessType { full_rank, row_space, domain_input_outside, row_combinations, domain_row_outside };

struct DomainCertificate {
  std::size_t rank = 0;               // rank(Phi_a), exact
  std::size_t domain_rank = 0;        // rank([Phi_a; Phi_S]), exact
  bool identifiable_on_domain = false;
  DomainWitnessType type = DomainWitnessType::full_rank;
  std::optional<RankMinorWitness> rank_minor;  // rank >= rank (both types; emitted for row_space)
  // row_space
  std::vector<std::vector<Rational>> nullspace;  // D - r exact kernel vectors of Phi_a
  // domain_input_outside: <vector, phi(domain sample, position)> != 0, vector = basis vector vector_index
  std::size_t sample = 0, position = 0, vector_index = 0;
  std::vector<Rational> vector;
  // row_combinations (@proof C11): one entry per domain point (domain_points order): same_as
  // another domain point (an earlier one with the same feature row) or terms over rows of Phi_a.
  std::vector<RowCombination> points;
  // domain_row_outside (@proof C11): the (r+1) x (r+1) minor on outside_minor.rows (rows of
  // Phi_a) then the domain row (sample, position) as the last row, x outside_minor.columns,
  // nonzero mod the prime: with rank(Phi_a) <= r the domain row leaves the row space.
  std::optional<RankMinorWitness> outside_minor;
  bool domain_rank_exact = true;  // false: domain_rank is the lower bound rank + 1
};

// The domain rows: (sample, position) pairs of the domain file, in file order.
std::vector<std::pair<std::size_t, std::size_t>> domain_points(const Dataset& domain);

// Fills coordinate.domain for every observed coordinate of cert (cert = certify(ds)); makes
// rank exact where certify left a lower bound. Returns identifiable_on_domain for all observed
// coordinates (true when none is observed). Every claim is checked exactly before it is made;
// a failed self-check throws Error(internal).
// check_memory (if set) is called before the exact kernel basis of a deficient coordinate is
// built (what, estimated bytes, detail) and may throw to refuse.
bool certify_domain(const Dataset& ds, const Dataset& domain, Certificate& cert,
                    PrimeStream primes = PrimeStream::standard(),
                    const std::function<void(std::string_view, double, const std::string&)>& check_memory = {});
// identifiable_on_domain over the observed coordinates of a certificate made with a domain.
bool domain_verdict(const Certificate& cert);

}  // namespace mhla
