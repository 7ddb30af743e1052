// SPDX-License-Identifier: MIT
// certify: identifiability of every output coordinate of a dataset, with witnesses both ways
// (math.md, Identifiability and Witnesses; proofs-notes/05-certificates.md).
//
// Mathematics: coordinate a is identifiable iff rank_Q(Phi_a) = D = feature_dim(d) (@proof C1).
//   * Fast path: the rows of Phi_a in file order, as integer numerators over each sample's
//     common denominator L_s^3 (Lemma S1), reduced mod a prime p dividing no L_s, are streamed
//     into EchelonModP, which stops at rank D. Rank D mod p proves rank D over Q (@proof C2):
//     witness "nonzero-minor" = the D pivot rows, p, and det(Phi_a[rows, :]) mod p
//     = det(integer numerators) * prod_rows (L_s^3)^{-1} mod p, nonzero.
//   * Otherwise rank mod p = r_p < D is only a lower bound (p may be unlucky), with its witness
//     for free: the r_p x r_p minor on the pivot rows x pivot columns, nonzero mod p (@proof A4).
//     The exact path (rank_certified: multimodular kernel vectors, each checked Phi_a v = 0
//     over Q; Bareiss when the entries are too large for the prime budget) decides: either
//     full rank after all (then a minor witness as above, with a prime dividing no cited L_s),
//     or a kernel vector v != 0, checked exactly: not identifiable. The rank is then exact
//     with a witness both ways (@proof C6): r x r minor nonzero mod p (rank >= r) and
//       - rank <= rows (when r = rows: one kernel vector suffices), or
//       - rank <= D - 1 (when r = D - 1: the kernel vector itself), or
//       - D - r independent kernel vectors in free-column form (exact_rank, the default; they
//         are computed only in this case and go into the certificate as the basis);
//     without exact_rank the last case leaves `rank` a certified lower bound with
//     rank_upper_bound = min(rows, D - 1).
//   * A deficient coordinate gets a distinguishing input (Z, b), <v, phi(Z, b)> != 0, found and
//     verified exactly (distinguishing_input.hpp), and a note when every row of Phi_a depends on
//     a single token (n = 1, or position 0 when causal): rank <= d(d+1)(d+2)/6 < D (@proof C3).
//   * Coordinates observing exactly the same rows share one computation.
//   * Since issue 10 the deficient path is sparse (@proof C7, C9, C10): the rows of Phi_a as
//     their nonzero entries, repeated rows merged (each later copy recorded as same_as its
//     first occurrence), zero features reported (and e_c is then the kernel vector), one mod-p
//     elimination on the support columns, and the exact rank proven by row-space combinations
//     (every non-pivot row an exact combination of the pivot rows, solve_left_multimodular,
//     checked over Q; an unlucky prime is detected and the step repeated). With
//     CertifyOptions::domain the same rows, elimination and batched solve decide every domain
//     row (@proof C11). The kernel basis of the old path only with kernel_basis.
// Nothing unverified is reported: every claim in the result has a checked witness, and a
// failed self-check throws Error(internal).
// Preconditions: a well-formed dataset (as read_dataset returns); feature_dim(d) != 0.
// Cost: streamed elimination O(m D r) with m the rows read before saturation (about D for
// generic data); the witness minor comes out of the elimination (no second D x D pass). The
// sparse deficient path: O(nnz) to build and merge the rows, O(m' w r) for the elimination on
// m' distinct rows and w support columns, and the solve (solve_left_multimodular.hpp) of
// m' - r (+ new domain rows) right-hand sides. Memory: the dense basis min(m, D) x D doubles
// (certify_memory_estimate), or on the sparse path the rows' nonzeros, a min(m', w) x w basis
// and the r x r system with its CRT residues; each announced through check_memory first.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mhla/arith/scalar.hpp"
#include "mhla/cert/distinguishing_input.hpp"
#include "mhla/cert/domain.hpp"
#include "mhla/features/dataset.hpp"
#include "mhla/modp/prime_stream.hpp"

namespace mhla {

// Full-rank witness: det(Phi_a[rows, :]) mod prime, nonzero; prime divides no denominator of
// those rows.
struct MinorWitness {
  std::uint64_t prime = 0;
  std::vector<std::size_t> rows;  // D indices into the rows of Phi_a, increasing
  std::uint64_t minor_mod_prime = 0;
};

struct CoordinateCertificate {
  std::size_t a = 0;
  bool observed = false;
  std::size_t rows = 0;                           // rows of Phi_a
  std::size_t rank = 0;                           // exact when rank_exact, else a certified lower bound
  bool rank_exact = false;
  std::optional<std::size_t> rank_upper_bound;    // set when !rank_exact (then min(rows, D - 1))
  bool identifiable = false;
  std::optional<MinorWitness> minor;              // identifiable
  std::vector<Rational> kernel_vector;            // not identifiable: Phi_a v = 0 exactly, v != 0
  // Not identifiable: the proof of `rank` (@proof C6). rank_minor: rank >= rank. The upper
  // bound: rows (rank == rows), the kernel vector (rank == D - 1), or kernel_basis (D - rank
  // exact kernel vectors, identity on distinct free columns), or none (rank_upper_bound set).
  std::optional<RankMinorWitness> rank_minor;
  enum class RankUpper { none, row_count, kernel_vector, kernel_basis, row_space } rank_upper = RankUpper::none;
  std::vector<std::vector<Rational>> kernel_basis;
  // RankUpper::row_space (@proof C7): every row of Phi_a outside rank_minor->rows, either equal to
  // an earlier row (same_as, a repeated row, Lemma C9) or an exact combination of the minor's rows.
  std::vector<RowCombination> row_space;
  std::size_t distinct_rows = 0;                  // rows of Phi_a up to exact repetition (0: not counted)
  // Features zero in every row of Phi_a (Lemma C10): their number, and the Gram pairs (j, k),
  // j <= k, with G_jk = 0 in every row's Gram matrix. Counted on the sparse path only.
  std::size_t zero_features = 0;
  std::vector<std::pair<std::size_t, std::size_t>> zero_gram_pairs;
  std::optional<DistinguishingInput> distinguishing_input;  // not identifiable
  bool single_token_rows = false;                 // every row depends on one token (Lemma C3)
  std::size_t same_rows_as = 0;                   // the first coordinate with these rows (itself if none)
  std::size_t primes_tried = 0;                   // primes consumed (skipped or unlucky ones included)
  std::optional<DomainCertificate> domain;        // set by certify_domain (domain.hpp), observed coordinates
};

struct Certificate {
  std::size_t d = 0, feature_dim = 0;
  bool causal = false;
  bool identifiable = false;  // every observed coordinate is (vacuously true if none is)
  std::vector<CoordinateCertificate> coordinates;  // one per a = 0..d-1
};

struct CertifyOptions {
  PrimeStream primes = PrimeStream::standard();
  bool exact_rank = true;  // deficient coordinates: the exact rank (row-space form, Lemma C7)
  bool kernel_basis = false;  // deficient coordinates: the exact rank by D - r kernel vectors instead
  // Domain-relative identifiability (Lemma C11): when set, every observed coordinate gets its
  // `domain` certificate from the same rows, basis and prime stream.
  const Dataset* domain = nullptr;
  // Called before a large allocation (what, estimated bytes, detail); may throw to refuse.
  std::function<void(std::string_view, double, const std::string&)> check_memory;
};

// Bytes the dense fast path needs for a dataset of dimension d with `rows` rows: the mod-p basis
// (at most min(rows, D) x D residues) and row buffers. The sparse deficient path announces its
// own estimate through check_memory once the rows' supports are known.
double certify_memory_estimate(std::size_t d, std::size_t rows = static_cast<std::size_t>(-1));

Certificate certify(const Dataset& ds, const CertifyOptions& options = {});

// The note of Lemma C3, as the certificate file states it.
inline constexpr const char* single_token_note =
    "every row depends on one token: rank is at most d(d+1)(d+2)/6 < D; such data can never be identifiable";

}  // namespace mhla
