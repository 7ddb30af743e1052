// SPDX-License-Identifier: MIT
// The independent certificate checker behind `mhla verify` (interface.md, "Certificate file";
// math.md, "Identifiability" and "Witnesses"). VIPR-style: small, single-threaded, and sharing
// nothing with the engine but the file parsing (io/). It converts the parsed dataset to gmpxx
// rationals once, re-derives every cited feature row with a plain loop straight from math.md,
// and does its own arithmetic mod p (deterministic Miller-Rabin, Gaussian elimination).
//
// What a VALID verdict certifies, per observed coordinate a with D = d^2(d+1)/2:
//   * "nonzero-minor": p is prime, divides no denominator of the cited rows, and the D x D
//     minor of Phi_a on those rows is nonzero mod p, hence nonzero over Q: rank(Phi_a) = D,
//     and the claims rank = D, identifiable = true are true;
//   * "kernel-vector": v != 0 and Phi_a v = 0 exactly over Q: rank(Phi_a) < D, so the claim
//     identifiable = false is true (an exact claimed rank < D is only checked to be < D and
//     <= rows); a distinguishing input (Z, b), when given, has <v, phi(Z, b)> != 0.
// Also checked: format/version, the dataset's SHA-256, d and feature_dim, each coordinate
// exactly once, "rows" = the number of rows of Phi_a, "observed": false iff no row observes a,
// and the top-level "identifiable" = AND over the observed coordinates.
// The informational fields (alternative_model, lambda_min, advice): verify_informational.hpp.
// The domain fields only by the _with_domain variants below.
// Cost: O(D^3) word operations per minor witness; O(rows * D) rational products per kernel
// witness, plus O(n d^2) per re-derived feature row.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace mhla::checker {

struct CheckResult {
  bool valid = false;
  std::string reason;  // why invalid ("coordinate 1: kernel vector does not annihilate row 17"); empty when valid
};

// Checks the certificate against the dataset. A well-formed but wrong certificate is an
// ordinary result (valid = false). Unreadable or malformed files throw mhla::Error (io or
// bad_input) naming the file and the JSON path; so does a key the certificate format does not
// define, at any level (certificate_keys.hpp; interface.md, "Keys in JSON files").
CheckResult verify_certificate(const std::string& dataset_path, const std::string& certificate_path);
// The same on texts; the names are used in messages, the hash is of dataset_bytes.
CheckResult verify_certificate_text(std::string_view dataset_bytes, const std::string& dataset_name,
                                    std::string_view certificate_text, const std::string& certificate_name);

// The same plus the domain-relative claims of `certify --domain` (Lemma C4): domain_sha256 is the
// domain file's hash, the top-level identifiable_on_domain is the AND over observed coordinates,
// and per observed coordinate domain_rank / identifiable_on_domain follow from its
// "domain_witness": "full-rank" (the coordinate's nonzero-minor witness, rank D); "row-space"
// (an r x r minor of Phi_a nonzero mod a prime, r = rank; D - r kernel vectors, each
// annihilating every row of Phi_a exactly and independent by exact elimination over Q, each
// orthogonal to every domain row: then the domain rows lie in the row space; domain_rank = r);
// "domain-input-outside" (a kernel vector of Phi_a, checked exactly, with <v, phi> != 0 at the
// cited domain sample and position; domain_rank is only checked to lie in (rank, D]).
// A certificate without domain fields is malformed here (Error(bad_input)); so is the domain file.
CheckResult verify_certificate_with_domain(const std::string& dataset_path, const std::string& certificate_path,
                                           const std::string& domain_path);
CheckResult verify_certificate_text_with_domain(std::string_view dataset_bytes, const std::string& dataset_name,
                                                std::string_view certificate_text, const std::string& certificate_name,
                                                std::string_view domain_bytes, const std::string& domain_name);

// Deterministic Miller-Rabin, bases 2, 3, 5, ..., 37 (exact for every n < 2^64).
bool is_prime_u64(std::uint64_t n);

}  // namespace mhla::checker
